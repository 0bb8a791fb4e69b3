// The recording rules `mesh-soak rules` prints (recording-rules.ts), the recorded series read
// back (splitRecorded) and which queries of a config are recorded at which interval
// (tickExpressions); the command's refusals. Prometheus evaluating them is
// test/contract/metrics-provider-recorded.test.ts and test/integration/cli/check-recorded.test.ts.
import { describe, expect, it } from 'vitest';
import { EXPR_LABEL, MARKER_LABEL, RECORDED_METRIC, exprHash, recordable, recordedExpr, recordingRuleGroups } from '../../../src/adapters/prometheus/recording-rules.js';
import { splitRecorded } from '../../../src/adapters/prometheus/recorded-provider.js';
import { tickExpressions, rulesCommand } from '../../../src/commands/rules.js';
import { loadConfig } from '../../../src/config/index.js';
import { UserError } from '../../../src/shared/errors.js';
import { writeTemp } from '../config/temp-config.js';

describe('recordingRuleGroups', () => {
  it.each([
    ['sum(rate(x[5m]))', true],
    ['up{job="a"}', true],
    ['vector(time())', true],
    ['scalar(sum(x))', false],
    ['time()', false],
    ['2 * 21', false],
    ['-1', false],
    [`x{${EXPR_LABEL}="a"}`, false],
  ])('records %s: %s', (expr, want) => {
    expect(recordable(expr)).toBe(want);
  });

  it('hashes the text exactly as queried: 16 hex digits, whitespace counts', () => {
    expect(exprHash('sum(x)')).toMatch(/^[0-9a-f]{16}$/);
    expect(exprHash('sum(x)')).toBe(exprHash('sum(x)'));
    expect(exprHash('sum(x)')).not.toBe(exprHash('sum( x)'));
  });

  it('records each expression once, at the shortest interval it is asked at, scalars left out', () => {
    const groups = recordingRuleGroups([
      { expr: 'sum(a)', intervalMs: 30_000 },
      { expr: 'sum(b)', intervalMs: 30_000 },
      { expr: 'sum(a)', intervalMs: 10_000 },
      { expr: 'scalar(sum(c))', intervalMs: 10_000 },
      { expr: 'sum(d)', intervalMs: 1500 },
    ]);
    expect(groups.map((g) => [g.name, g.interval, g.rules.map((r) => r.labels[EXPR_LABEL])])).toEqual([
      ['mesh-soak-checks-1500ms', '1500ms', [exprHash('sum(d)')]],
      ['mesh-soak-checks-10s', '10s', [exprHash('sum(a)')]],
      ['mesh-soak-checks-30s', '30s', [exprHash('sum(b)')]],
    ]);
    expect(groups[1]?.rules[0]).toEqual({ record: RECORDED_METRIC, expr: recordedExpr('sum(a)'), labels: { [EXPR_LABEL]: exprHash('sum(a)') } });
  });

  it('splits a long group, and gives the same groups whatever order the expressions come in', () => {
    const items = Array.from({ length: 5 }, (_, i) => ({ expr: `sum(m${i})`, intervalMs: 10_000 }));
    const groups = recordingRuleGroups(items, 2);
    expect(groups.map((g) => [g.name, g.rules.length])).toEqual([
      ['mesh-soak-checks-10s-1', 2],
      ['mesh-soak-checks-10s-2', 2],
      ['mesh-soak-checks-10s-3', 1],
    ]);
    expect(recordingRuleGroups([...items].reverse(), 2)).toEqual(groups);
  });
});

describe('splitRecorded', () => {
  it('gives each expression its series with the labels a direct query returns, and its marker time', () => {
    const h1 = 'aaaaaaaaaaaaaaaa';
    const h2 = 'bbbbbbbbbbbbbbbb';
    const out = splitRecorded([
      { labels: { __name__: RECORDED_METRIC, [EXPR_LABEL]: h1, mesh_soak_name: 'up', job: 'a' }, value: 1 },
      { labels: { __name__: RECORDED_METRIC, [EXPR_LABEL]: h1, [MARKER_LABEL]: '1' }, value: 1700000000.5 },
      { labels: { __name__: RECORDED_METRIC, [EXPR_LABEL]: h2 }, value: 3 },
      { labels: { __name__: RECORDED_METRIC, [EXPR_LABEL]: h2, [MARKER_LABEL]: '1' }, value: 1700000001 },
      { labels: { __name__: 'other' }, value: 9 },
    ]);
    expect(out.get(h1)).toEqual({ evaluatedAtS: 1700000000.5, samples: [{ labels: { __name__: 'up', job: 'a' }, value: 1 }] });
    expect(out.get(h2)).toEqual({ evaluatedAtS: 1700000001, samples: [{ labels: {}, value: 3 }] });
    expect(out.size).toBe(2);
  });

  it('an expression without its marker has no evaluation time (it is asked directly)', () => {
    const out = splitRecorded([{ labels: { [EXPR_LABEL]: 'cccccccccccccccc', ns: 'a' }, value: 1 }]);
    expect(out.get('cccccccccccccccc')?.evaluatedAtS).toBeUndefined();
  });
});

describe('mesh-soak rules: which queries, on which cluster', () => {
  const TWO = `tick: 20s
clusters:
  - name: east
    prometheus: { url: "http://127.0.0.1:9091" }
  - name: west
    prometheus: { url: "http://127.0.0.1:9092" }
suites:
  - use: http10
checks:
  - { name: rejects, query: "sum(pilot_total_xds_rejects)", fail: "> 0" }
`;

  it("records every enabled suite's guard and Prometheus checks at the suite's tick, and the mesh-wide checks at the config's", async () => {
    const config = await loadConfig(await writeTemp('prometheus: { url: "http://127.0.0.1:9090" }\ntick: 15s\nsuites:\n  - use: http10\n  - use: graceful-shutdown\n    enabled: false\nchecks:\n  - { name: rejects, query: "sum(pilot_total_xds_rejects)", fail: "> 0" }\n'));
    const http10 = config.suites.find((s) => s.name === 'http10')!;
    const exprs = tickExpressions(config);
    const promChecks = http10.checks.filter((c) => !c.logs).map((c) => c.query);
    expect(exprs).toEqual(expect.arrayContaining([...promChecks, http10.guard!].map((expr) => ({ expr, intervalMs: http10.tickMs }))));
    expect(exprs).toContainEqual({ expr: 'sum(pilot_total_xds_rejects)', intervalMs: 15_000 });
    const disabled = config.suites.find((s) => s.name === 'graceful-shutdown')!;
    expect(exprs.some((e) => disabled.checks.some((c) => c.query === e.expr && !http10.checks.some((h) => h.query === e.expr)))).toBe(false);
  });

  async function runRules(args: Record<string, string | string[]>, text: string): Promise<{ code: number; out: string }> {
    let out = '';
    const stdout = { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WritableStream;
    const code = await rulesCommand.run({ values: { config: await writeTemp(text), ...args }, positionals: [], env: {}, stdout, stderr: stdout });
    return { code, out };
  }

  it('with several clusters, names them and asks for --cluster; with one chosen, prints its rules', async () => {
    const err = await runRules({}, TWO).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(String((err as Error).message)).toMatch(/names clusters east, west; choose .* --cluster NAME/);
    const east = await runRules({ cluster: ['east'] }, TWO);
    expect(east.code).toBe(0);
    expect(east.out).toMatch(/^# mesh-soak rules from .* for cluster east: \d+ recording rules\n/);
    expect(east.out).toContain('mesh-soak-checks-20s');
    const unknown = await runRules({ cluster: ['nort'] }, TWO).catch((e: unknown) => e);
    expect(String((unknown as Error).message)).toContain("unknown cluster 'nort'");
  });

  it('refuses an unknown --format and a malformed --label', async () => {
    const text = 'prometheus: { url: "http://127.0.0.1:9090" }\nsuites:\n  - use: http10\n';
    expect(String(((await runRules({ format: 'json' }, text).catch((e: unknown) => e)) as Error).message)).toContain('expected one of rules, prometheusrule');
    expect(String(((await runRules({ format: 'prometheusrule', label: ['oops'] }, text).catch((e: unknown) => e)) as Error).message)).toContain('expected NAME=VALUE');
  });
});
