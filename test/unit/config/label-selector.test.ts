// Label selectors of deletePods and setEnv steps are checked when the config loads, with the
// API server's grammar (apimachinery labels.Parse), so a selector the API would answer 400 to
// fails `validate` (exit 2, FILE:LINE:COL: field: problem) instead of a disruption half-way.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { labelSelectorProblem } from '../../../src/config/label-selector.js';
import { loadConfig } from '../../../src/config/index.js';
import { UserError } from '../../../src/shared/errors.js';
import { writeTemp } from './temp-config.js';

describe('labelSelectorProblem', () => {
  it.each([
    'app=web',
    'app==web',
    'app!=web',
    'istio',
    '!canary',
    'app in (istiod, istio-ingressgateway)',
    'app notin (prometheus,grafana)',
    'app.kubernetes.io/name=kiali,tier!=db',
    'istio,app notin (istio-egressgateway)',
    'release=',
    'replicas>2',
    'a-b_c.d=x-Y_z.9',
    ' app = web , tier ',
  ])('accepts %j', (s) => {
    expect(labelSelectorProblem(s)).toBeUndefined();
  });

  it.each([
    ['app=-x', 'value "-x": at most 63 characters'],
    ['app=web,', 'an empty requirement (a stray comma?)'],
    ['app in ()', "the values of 'in' can't be empty"],
    ['app in (a', 'unbalanced parentheses'],
    ['app=a b', 'value "a b"'],
    ['Example.COM/app=x', 'the prefix must be a DNS subdomain'],
    [`${'k'.repeat(64)}=x`, 'the name must be 1-63 characters'],
    [`app=${'v'.repeat(64)}`, 'at most 63 characters'],
    ['app ~ web', 'is not a requirement'],
    ['replicas>two', "'>' needs an integer value"],
    ['=web', 'is not a requirement'],
    ['app=web,,tier', 'an empty requirement'],
  ])('refuses %j', (s, problem) => {
    expect(labelSelectorProblem(s)).toContain(problem);
  });
});

/** A config using one suite whose only step is `step` (YAML flow mapping). */
async function configWithStep(step: string): Promise<{ config: string; suite: string }> {
  const config = await writeTemp('prometheus: { url: "http://127.0.0.1:9090" }\nsuites:\n  - use: ./chaos\n');
  const suite = join(dirname(config), 'chaos', 'suite.yaml');
  mkdirSync(dirname(suite));
  writeFileSync(suite, ['name: chaos', 'namespace: soak-chaos', 'disruption:', '  schedule: { every: 1m }', '  steps:', `    - ${step}`, ''].join('\n'));
  return { config, suite };
}

async function problemsOf(config: string): Promise<UserError> {
  const err = await loadConfig(config, { env: {} }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(UserError);
  return err as UserError;
}

describe('a step selector, when the config loads', () => {
  it('refuses a deletePods selector the API server would refuse, at its file, line and field', async () => {
    const { config, suite } = await configWithStep('deletePods: { selector: "app=-x", keep: 1 }');
    const err = await problemsOf(config);
    expect(err.problems.map((p) => [p.file, p.line, p.path, p.message])).toEqual([
      [suite, 6, 'disruption.steps.0.deletePods.selector', 'not a valid label selector: value "-x": at most 63 characters, letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit'],
    ]);
    expect(err.message).toMatch(/chaos\/suite\.yaml:6:\d+: disruption\.steps\.0\.deletePods\.selector: not a valid label selector/);
  });

  it('refuses an empty deletePods selector (it would delete every pod) and a bad setEnv selector', async () => {
    const empty = await problemsOf((await configWithStep('deletePods: { selector: "" }')).config);
    expect(empty.problems.map((p) => p.path)).toEqual(['disruption.steps.0.deletePods.selector']);
    const setEnv = await problemsOf((await configWithStep('setEnv: { selector: "istio in (a", env: { X: "1" } }')).config);
    expect(setEnv.problems.map((p) => [p.path, p.message])).toEqual([['disruption.steps.0.setEnv.selector', 'not a valid label selector: unbalanced parentheses']]);
  });

  it('keeps a valid selector on the loaded step', async () => {
    const c = await loadConfig((await configWithStep('deletePods: { selector: "app in (istiod), !canary", keep: 1 }')).config, { env: {} });
    expect(c.suites[0]?.disruption?.steps).toEqual([{ deletePods: { selector: 'app in (istiod), !canary', keep: 1 } }]);
    const s = await loadConfig((await configWithStep('setEnv: { selector: istio, env: { X: 1 } }')).config, { env: {} });
    expect(s.suites[0]?.disruption?.steps).toEqual([{ setEnv: { selector: 'istio', env: { X: '1' } } }]);
  });
});
