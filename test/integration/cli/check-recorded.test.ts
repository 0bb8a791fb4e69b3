// `mesh-soak rules` and `prometheus.recordingRules` as a user runs them: the built CLI prints
// the rules for a config, promtool accepts them, a real Prometheus loads and evaluates them,
// and `mesh-soak check` reading the recorded results gives the same verdicts and values as
// asking every query — while Prometheus' own query log shows it asked only the lookups.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrometheusClient } from '../../../src/adapters/prometheus/client.js';
import { builtCli, startPrometheus, startSyntheticTarget, waitFor, type RunningPrometheus, type SyntheticTarget } from '../../harness/index.js';
import { scaledMs } from '../../../simulator/local/wait-for.js';
import { dataSeries, run, writeCheckConfig } from './check-data.js';

let CLI = '';
let direct: RunningPrometheus | undefined;
let recorded: RunningPrometheus | undefined;
let dir = '';
let rulesFile = '';
let rulesCount = 0;
/** Windows the live data covers within a minute; the 1 s scrapes wait until they are full. */
const WINDOWS = { short: '15s', long: '30s' };
const SCRAPES = 36;
let target: SyntheticTarget | undefined;
let timer: NodeJS.Timeout | undefined;

interface JsonResult {
  suite: string;
  check: string;
  instance?: string;
  state: string;
  value: number | string | null;
}

/**
 * The data as live series: a scrape target whose counters follow the clock (updated every
 * 200 ms), so rules evaluated now see the same rates a query asked now does. (Backfilled
 * blocks reaching past now, as check.test.ts uses, would make the rules' samples out of bounds.)
 */
async function startLiveData(): Promise<void> {
  target = await startSyntheticTarget();
  const t0 = Date.now();
  const series = dataSeries();
  const update = () => {
    const t = 1800 + (Date.now() - t0) / 1000;
    for (const s of series) target!.set(s.name, s.labels, s.at(t));
  };
  update();
  timer = setInterval(update, 200);
}

beforeAll(async () => {
  CLI = await builtCli();
  dir = await mkdtemp(join(tmpdir(), 'mesh-soak-recorded-cli-'));
  await startLiveData();
  direct = await startPrometheus({ scrapeTargets: [target!.hostPort] });
  // A 2 s tick: the rule groups are evaluated every 2 s (the first evaluation waits up to one interval).
  const plainConfig = await writeCheckConfig(dir, `prometheus: { url: "${direct.url}", timeout: 5s }\ntick: 2s`, WINDOWS);
  const rules = await run('node', [CLI, 'rules', '--config', plainConfig]);
  expect(rules.stderr).toBe('');
  expect(rules.code).toBe(0);
  rulesFile = join(dir, 'recorded.yml');
  await writeFile(rulesFile, rules.stdout);
  rulesCount = (load(rules.stdout) as { groups: Array<{ rules: unknown[] }> }).groups.reduce((n, g) => n + g.rules.length, 0);
  recorded = await startPrometheus({ scrapeTargets: [target!.hostPort], ruleFiles: [rulesFile], queryLog: true });
  // Both have scraped for longer than the longest window (a rate over a window only partly
  // covered is extrapolated and drifts as data arrives), and every rule has run.
  for (const p of [direct, recorded]) {
    const client = new PrometheusClient({ url: p.url, timeoutMs: 5000 });
    try {
      await waitFor(async () => {
        const samples = (await client.query('count_over_time(pilot_total_xds_rejects[1m])'))[0]?.value ?? 0;
        const markers = (await client.query('count(mesh_soak:recorded{mesh_soak_evaluated="1"})'))[0]?.value ?? 0;
        if (samples < SCRAPES || (p === recorded && markers !== rulesCount)) throw new Error(`${samples} scrapes, ${markers} of ${rulesCount} rule markers`);
        return true;
      }, { timeoutMs: 120_000, intervalMs: 500, what: `Prometheus to scrape ${SCRAPES} times and evaluate every recording rule` });
    } finally {
      await client.close();
    }
  }
}, scaledMs(600_000));

afterAll(async () => {
  if (timer) clearInterval(timer);
  await Promise.allSettled([direct?.stop(), recorded?.stop(), target?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** `check --json` against a config; results keyed suite/check/instance. */
async function check(config: string): Promise<{ code: number; results: Map<string, JsonResult> }> {
  const res = await run('node', [CLI, 'check', '--config', config, '--json']);
  expect(res.stderr).toBe('');
  const out = JSON.parse(res.stdout) as { results: JsonResult[] };
  return { code: res.code, results: new Map(out.results.map((r) => [`${r.suite}/${r.check}/${r.instance ?? ''}`, r])) };
}

describe('mesh-soak rules and prometheus.recordingRules', () => {
  it('prints rules promtool accepts: one per distinct query of the ticks (guards, guard sources, checks)', async () => {
    const { stdout } = await promisify(execFile)('/usr/bin/promtool', ['check', 'rules', rulesFile]);
    expect(stdout).toContain(`SUCCESS: ${rulesCount} rules found`);
    // Each query once: 3 suites × 4 checks (each guard is its suite's sanity query), the one
    // guard source the three share (absent(istio_requests_total)), the mesh-wide check.
    expect(rulesCount).toBe(3 * 4 + 1 + 1);
  });

  it('check reads the recorded results: the same verdicts and values, and only lookups in the query log', async () => {
    const recordedConfig = join(dir, 'recorded.yaml');
    await writeFile(recordedConfig, (await readFile(join(dir, 'mesh-soak.yaml'), 'utf8')).replace(/^prometheus: .*$/m, `prometheus: { url: "${recorded!.url}", timeout: 5s, recordingRules: {} }`));
    const before = (await recorded!.queryLog()).split('\n').length;
    const [asked, read] = [await check(join(dir, 'mesh-soak.yaml')), await check(recordedConfig)];
    expect(read.code).toBe(asked.code);
    expect([...read.results.keys()].sort()).toEqual([...asked.results.keys()].sort());
    for (const [key, r] of asked.results) {
      const other = read.results.get(key)!;
      expect(other.state, key).toBe(r.state);
      // Live counters: the two evaluations are moments apart and a loaded machine can delay the
      // target's 200 ms updates, so rates agree to within 10 % (another check's value, the
      // likeliest wrong answer, is 2–100× off; the states are compared exactly above).
      if (typeof r.value === 'number') expect(Math.abs((other.value as number) - r.value), key).toBeLessThanOrEqual(Math.abs(r.value) * 0.1 + 1e-9);
      else expect(other.value, key).toEqual(r.value);
    }
    // The data exercised every verdict, so the comparison means something.
    expect(new Set([...asked.results.values()].map((r) => r.state))).toEqual(new Set(['ok', 'failing', 'skipped']));

    const apiQueries = (await recorded!.queryLog())
      .split('\n')
      .slice(before - 1)
      .filter((l) => l.includes('"httpRequest"'))
      .map((l) => (JSON.parse(l) as { params: { query: string } }).params.query);
    expect(apiQueries.length).toBeGreaterThan(0);
    expect(apiQueries.filter((q) => !q.startsWith('mesh_soak:recorded{mesh_soak_expr'))).toEqual([]);
  });

  it('refuses --label without --format prometheusrule, and prints a PrometheusRule with it', async () => {
    const config = join(dir, 'mesh-soak.yaml');
    const bad = await run('node', [CLI, 'rules', '--config', config, '--label', 'release=prom']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--format prometheusrule');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    const ok = await run('node', [CLI, 'rules', '--config', config, '--format', 'prometheusrule', '--namespace', 'monitoring', '--label', 'release=prom']);
    expect(ok.code).toBe(0);
    const obj = load(ok.stdout) as { kind: string; metadata: { namespace: string; labels: Record<string, string> }; spec: { groups: Array<{ rules: unknown[] }> } };
    expect(obj).toMatchObject({ kind: 'PrometheusRule', metadata: { namespace: 'monitoring', labels: { release: 'prom' } } });
    expect(obj.spec.groups.reduce((n, g) => n + g.rules.length, 0)).toBe(rulesCount);
  });
});
