// mesh-soak's alert rules checked and unit-tested by Prometheus' own promtool, the way a user's
// Prometheus would load them; the PrometheusRule must carry exactly the same groups.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { PROMTOOL, promtool } from './promtool.js';

const DEPLOY = join(import.meta.dirname, '../../../deploy');
const RULES = join(DEPLOY, 'rules/mesh-soak.rules.yaml');
const TESTS = join(DEPLOY, 'rules/tests.yaml');

describe.skipIf(!existsSync(PROMTOOL))('alert rules (promtool)', () => {
  it('pass `promtool check rules`', async () => {
    const r = await promtool('check', 'rules', RULES);
    expect(r.out).toContain('SUCCESS: 10 rules found');
    expect(r.code, r.out).toBe(0);
  });

  it('pass their unit tests: each alert fires when it must and stays quiet otherwise', async () => {
    const r = await promtool('test', 'rules', TESTS);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('SUCCESS');
  });

  it('have a firing and a quiet case for every alert', () => {
    const rules = parseYaml(readFileSync(RULES, 'utf8')) as { groups: { rules: { alert: string }[] }[] };
    const tests = parseYaml(readFileSync(TESTS, 'utf8')) as {
      tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[];
    };
    const cases = tests.tests.flatMap((t) => t.alert_rule_test);
    for (const { alert } of rules.groups.flatMap((g) => g.rules)) {
      const mine = cases.filter((c) => c.alertname === alert);
      expect(mine.some((c) => c.exp_alerts.length > 0), `${alert} firing`).toBe(true);
      expect(mine.some((c) => c.exp_alerts.length === 0), `${alert} quiet`).toBe(true);
    }
  });

  it('are the same groups as the PrometheusRule', () => {
    const plain = parseYaml(readFileSync(RULES, 'utf8')) as { groups: unknown };
    const crd = parseYaml(readFileSync(join(DEPLOY, 'components', 'kube-prometheus-stack', 'prometheusrule.yaml'), 'utf8')) as { spec: { groups: unknown } };
    expect(crd.spec.groups).toEqual(plain.groups);
  });
});
