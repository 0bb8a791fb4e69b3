// `mesh-soak check` as a user runs it: the built CLI against a real Prometheus filled with
// known data (promtool backfill), compared verdict by verdict with a reference written from
// check_metrics.py's documented semantics (test/fixtures/check-metrics/check_metrics_ref.py).
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtCli, freePort, startPrometheus, type RunningPrometheus } from '../../harness/index.js';
import { NAMESPACES, openMetrics, run, runningQuery, standardChecks, writeCheckConfig } from './check-data.js';
import { scaledMs } from '../../../simulator/local/wait-for.js';

const ROOT = resolve(import.meta.dirname, '../../..');
let CLI = '';
const REF = join(ROOT, 'test/fixtures/check-metrics/check_metrics_ref.py');

let prom: RunningPrometheus;
let dir: string;
let config: string;

beforeAll(async () => {
  CLI = await builtCli();
  const nowS = Math.floor(Date.now() / 1000);
  prom = await startPrometheus({ backfillOpenMetrics: openMetrics(nowS) });
  dir = await mkdtemp(join(tmpdir(), 'mesh-soak-check-'));
  config = await writeCheckConfig(dir, `prometheus: { url: "${prom.url}", timeout: 5s }`);
}, scaledMs(600_000));

afterAll(async () => {
  await prom?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface JsonResult {
  suite: string;
  check: string;
  state: string;
  value: number | string | null;
}

describe('mesh-soak check', () => {
  it('gives the same verdicts as check_metrics.py on the same data', async () => {
    const res = await run('node', [CLI, 'check', '--config', config, '--json']);
    expect(res.stderr).toBe('');
    const out = JSON.parse(res.stdout) as { status: string; results: JsonResult[] };
    const ours = Object.fromEntries(out.results.map((r) => [`${r.suite}/${r.check}`, r.state]));

    const queries = Object.entries(NAMESPACES).flatMap(([key, ns]) =>
      standardChecks(ns).map((c) => ({ id: `${key}/${c.name}`, query: c.query, op: c.op, threshold: c.threshold, running: runningQuery(ns) })),
    );
    queries.push({ id: 'mesh/pilot-xds-rejects', query: 'sum(pilot_total_xds_rejects)', op: '>', threshold: 0, running: '' });
    const ref = await run('python3', [REF], JSON.stringify({ prometheus: prom.url, queries }));
    expect(ref.stderr).toBe('');
    const theirs = JSON.parse(ref.stdout) as Record<string, string>;

    expect(ours).toEqual(theirs);
    // And the data really exercised every verdict, so the comparison means something.
    expect(theirs).toMatchObject({
      'good/5xx-rate': 'ok',
      'good/sanity': 'ok',
      'bad/5xx-rate': 'failing',
      'bad/envoy-cpu': 'failing',
      'bad/envoy-memory': 'failing',
      'idle/sanity': 'skipped',
      'mesh/pilot-xds-rejects': 'failing',
    });
    expect(res.code).toBe(1);
    expect(out.status).toBe('failing');
    const bad5xx = out.results.find((r) => r.suite === 'bad' && r.check === '5xx-rate');
    expect(bad5xx?.value).toBeCloseTo(0.5, 3);
  });

  it('prints a table worst first and exits 0 when the selected suite is healthy', async () => {
    const bad = await run('node', [CLI, 'check', '--config', config]);
    const lines = bad.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^SUITE\s+CHECK\s+INSTANCE\s+VALUE\s+FAIL IF\s+STATE/);
    expect(lines[1]).toMatch(/failing$/);
    expect(lines.at(-1)).toMatch(/instances: \d+ failing, \d+ ok, \d+ skipped/);

    const good = await run('node', [CLI, 'check', '--config', config, '--suite', 'good']);
    expect(good.code).toBe(0);
    expect(good.stdout).not.toMatch(/failing|unknown/);
  });

  it('writes JUnit XML with one testcase per check', async () => {
    const file = join(dir, 'junit.xml');
    await run('node', [CLI, 'check', '--config', config, '--suite', 'bad', '--suite', 'mesh', '--junit', file]);
    const xml = await readFile(file, 'utf8');
    expect(xml).toContain('<testsuite name="bad" tests="4" failures="3" errors="0" skipped="0">');
    expect(xml).toContain('<testsuite name="mesh" tests="1" failures="1"');
  });

  it('exits 3 with every check unknown when Prometheus cannot be reached — never ok', async () => {
    const port = await freePort();
    const res = await run('node', [CLI, 'check', '--config', config, '--prometheus', `http://127.0.0.1:${port}`, '--json']);
    expect(res.code).toBe(3);
    const out = JSON.parse(res.stdout) as { results: JsonResult[] };
    expect(out.results.length).toBeGreaterThan(0);
    expect(new Set(out.results.map((r) => r.state))).toEqual(new Set(['unknown']));
  });

  it('refuses an unknown suite and a broken config with exit 2 and no stack trace', async () => {
    const unknown = await run('node', [CLI, 'check', '--config', config, '--suite', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--suite nope: no such suite');

    const broken = join(dir, 'broken.yaml');
    await writeFile(broken, `prometheus: { url: "${prom.url}", timeout: 5x }\nchecks:\n  - name: a\n    query: sum(rate(x[1m])\n    fail: "> 0"\n`);
    const res = await run('node', [CLI, 'check', '--config', broken]);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(new RegExp(`^${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1:\\d+: prometheus\\.timeout: `, 'm'));
    expect(res.stderr).toMatch(/:4:\d+: checks\.0\.query: /);
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });

  it('never passes what it did not check: a skipped suite exits 4, 0 only with --allow-skipped', async () => {
    const res = await run('node', [CLI, 'check', '--config', config, '--suite', 'idle', '--json']);
    expect(res.code, res.stdout + res.stderr).toBe(4);
    const out = JSON.parse(res.stdout) as { status: string; results: JsonResult[] };
    expect(out.status).toBe('not-checked');
    expect(new Set(out.results.map((r) => r.state))).toEqual(new Set(['skipped']));
    const allowed = await run('node', [CLI, 'check', '--config', config, '--suite', 'idle', '--allow-skipped']);
    expect(allowed.code, allowed.stdout + allowed.stderr).toBe(0);
  });

  it('makes a suite whose guard reads a missing exporter unknown (exit 3), not skipped', async () => {
    const ksmDir = join(dir, 'suites', 'ksm');
    await mkdir(ksmDir, { recursive: true });
    await writeFile(
      join(ksmDir, 'suite.yaml'),
      [
        'name: ksm',
        'namespace: ns-bad',
        // kube-state-metrics is not scraped by this Prometheus: the guard is empty for that reason.
        'guard: sum(kube_deployment_status_replicas{namespace="ns-bad"}) > 0',
        'checks:',
        '  - name: 5xx-rate',
        `    query: '${standardChecks('ns-bad')[0]?.query}'`,
        '    fail: "> 0"',
        '',
      ].join('\n'),
    );
    const cfg = join(dir, 'ksm.yaml');
    await writeFile(cfg, `prometheus: { url: "${prom.url}", timeout: 5s }\nsuites:\n  - use: ./suites/ksm\n`);
    const res = await run('node', [CLI, 'check', '--config', cfg, '--json', '--allow-skipped']);
    expect(res.code, res.stdout + res.stderr).toBe(3);
    const out = JSON.parse(res.stdout) as { results: Array<JsonResult & { reason: string }> };
    expect(out.results).toMatchObject([{ suite: 'ksm', state: 'unknown' }]);
    expect(out.results[0]?.reason).toContain('absent(kube_deployment_status_replicas)');
  });

  it('with the shipped suites and no kube-state-metrics, http10 answering 503s fails (never exit 0)', async () => {
    const cfg = join(dir, 'shipped.yaml');
    await writeFile(
      cfg,
      [
        `prometheus: { url: "${prom.url}", timeout: 5s }`,
        'suites:',
        '  - use: http10',
        '  - use: graceful-shutdown',
        '  - use: gateway-bouncer',
        '  - use: istio-upgrader',
        '    enabled: false',
        '',
      ].join('\n'),
    );
    const res = await run('node', [CLI, 'check', '--config', cfg, '--json']);
    expect(res.code, res.stdout + res.stderr).toBe(1);
    const out = JSON.parse(res.stdout) as { results: JsonResult[] };
    expect(out.results.find((r) => r.suite === 'http10' && r.check === '5xx-rate')?.state).toBe('failing');
    // Not deployed here (Istio metrics exist, none of theirs): skipped, which alone would exit 4.
    expect(out.results.filter((r) => r.suite === 'graceful-shutdown').map((r) => r.state)).toContain('skipped');
    const skippedOnly = await run('node', [CLI, 'check', '--config', cfg, '--suite', 'graceful-shutdown']);
    expect(skippedOnly.code, skippedOnly.stdout).toBe(4);
  });
});
