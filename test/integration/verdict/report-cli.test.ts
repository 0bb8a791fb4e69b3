// `mesh-soak report` as a user runs it (the built CLI) and /report as the daemon serves it,
// both over a real Redis holding a run ledger: one disruption with its impact and recovery,
// one skipped for a failing suite, a failure tied to the disruption, an Istio version.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtCli, startRedis, type RunningRedis } from '../../harness/index.js';
import { RunLedger, type LedgerEntry } from '../../../src/adapters/redis/ledger.js';
import { stateKeys } from '../../../src/adapters/redis/keys.js';
import { CheckStore } from '../../../src/adapters/redis/check-store.js';
import { History } from '../../../src/adapters/redis/history.js';
import { PauseFlags } from '../../../src/adapters/redis/pause-flags.js';
import { loadConfig } from '../../../src/config/index.js';
import { activeGroups } from '../../../src/config/check-groups.js';
import { daemonBackend } from '../../../src/daemon/backend.js';
import { reportScope, reportSourceOf } from '../../../src/daemon/report-source.js';
import { startHttpServer, type RunningServer } from '../../../src/server/http-server.js';
import { createMetrics } from '../../../src/telemetry/metrics.js';
import { scaledMs } from '../../../simulator/local/wait-for.js';

let redis: RunningRedis;
let client: Redis;
let dir: string;
let config: string;
let CLI = '';
let server: RunningServer;
const now = Date.now();
const at = (minAgo: number): number => now - minAgo * 60_000;

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile('node', [CLI, ...args], { timeout: scaledMs(60_000), env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  [redis, CLI] = await Promise.all([startRedis(), builtCli()]);
  client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  dir = await mkdtemp(join(tmpdir(), 'mesh-soak-report-'));
  config = join(dir, 'mesh-soak.yaml');
  await writeFile(
    config,
    `prometheus: { url: "http://127.0.0.1:9" }\nredis: { url: "${redis.url}" }\ngrafana: { url: "http://grafana.example:3000" }\nsuites: []\nchecks:\n  - { name: xds-rejects, query: "sum(pilot_total_xds_rejects)", fail: "> 0" }\n  - { name: push-errors, query: "sum(pilot_xds_push_errors)", fail: "> 0" }\n`,
  );
  const ledger = new RunLedger(client, stateKeys());
  const entries: LedgerEntry[] = [
    { kind: 'disruption', id: 'restart-1', suite: 'mesh', startedAt: at(30), at: at(29), outcome: 'success', steps: [{ what: 'step 1/1 (rolloutRestart istio-system/istiod)', outcome: 'success', startedAt: at(30), endedAt: at(29) }] },
    { kind: 'state', suite: 'mesh', check: 'xds-rejects', from: 'ok', to: 'failing', value: 3, at: at(29.5) },
    { kind: 'state', suite: 'mesh', check: 'xds-rejects', from: 'failing', to: 'ok', value: 0, at: at(28.5) },
    { kind: 'impact', id: 'restart-1', suite: 'mesh', at: at(28), checks: [{ suite: 'mesh', check: 'xds-rejects', phases: ['during', 'after'] }], recovery: { status: 'recovered', seconds: 30, at: at(28.5) } },
    { kind: 'disruption', id: 'restart-2', suite: 'mesh', startedAt: at(10), at: at(10), outcome: 'skipped', reason: 'suite already failing: push-errors', skip: 'suite-failing', steps: [] },
  ];
  await ledger.append('mesh', entries);
  await ledger.recordVersion('1.28.1', 'istio_build', at(40));
  await ledger.recordVersion('1.28.1', 'istio_build', at(1));
  const loaded = await loadConfig(config, { env: {} });
  const keys = stateKeys();
  const store = new CheckStore(client, keys);
  const backend = daemonBackend({
    config: loaded, groups: activeGroups(loaded), suites: new Map(), store, history: new History(client, keys), pause: new PauseFlags(client, keys),
    metrics: createMetrics(new Registry(), 'test'), ping: () => Promise.resolve(true), now: Date.now, triggerDisruption: () => Promise.resolve(), notReadyReasons: () => [],
    ledger,
    report: { source: reportSourceOf(ledger, store), scope: reportScope(loaded, '/') },
  });
  server = await startHttpServer({ port: 0, host: '127.0.0.1', backend, logger: pino({ level: 'silent' }), adminToken: () => undefined });
}, scaledMs(240_000));

afterAll(async () => {
  await server?.close();
  client?.disconnect();
  await redis?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('mesh-soak report (built CLI, real Redis)', () => {
  it('markdown: verdict, the failure tied to its disruption, recovery, the skip reason, the version', async () => {
    const r = await run(['report', '--config', config, '--since', '1h']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1); // xds-rejects failed: the soak failed
    expect(r.stdout).toContain('# mesh-soak report: FAIL');
    expect(r.stdout).toMatch(/\| mesh \| xds-rejects \| mesh\/restart-1 \|/);
    expect(r.stdout).toMatch(/\| restart-1 \| success \| xds-rejects: during\+after \| recovered in 30s \|/);
    expect(r.stdout).toContain('| skipped: suite already failing: push-errors |');
    expect(r.stdout).toMatch(/- 1\.28\.1 \(istio_build\)/);
    expect(r.stdout).toContain('[Grafana](http://grafana.example:3000/d/mesh-soak-overview)');
  });

  it('json, junit and html to a file', async () => {
    const json = await run(['report', '--config', config, '--since', '1h', '--format', 'json']);
    const parsed = JSON.parse(json.stdout) as { verdict: string; disruptions: Array<{ id: string }> };
    expect(parsed.verdict).toBe('fail');
    expect(parsed.disruptions.map((d) => d.id)).toEqual(['restart-1', 'restart-2']);
    const junit = await run(['report', '--config', config, '--since', '1h', '--format', 'junit']);
    expect(junit.stdout).toContain('<testsuite name="mesh" tests="4" failures="1" skipped="1"');
    const out = join(dir, 'report.html');
    const html = await run(['report', '--config', config, '--from', new Date(at(60)).toISOString(), '--format', 'html', '--out', out]);
    expect(html.code).toBe(1);
    expect(html.stdout).toBe('');
    const { readFile } = await import('node:fs/promises');
    expect(await readFile(out, 'utf8')).toContain('<title>mesh-soak report</title>');
  });

  it('refuses bad input with exit 2 and a plain message', async () => {
    const bad = await run(['report', '--config', config, '--format', 'pdf']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--format: "pdf" is not a report format (use md, html, json, junit)');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    const range = await run(['report', '--config', config, '--since', '1h', '--from', '2026-01-01T00:00:00Z']);
    expect(range.code).toBe(2);
    expect(range.stderr).toContain('--since cannot go with --from/--to');
  });

  it('a Redis that cannot be reached is exit 1 with the reason, not an empty pass', async () => {
    const other = join(dir, 'down.yaml');
    await writeFile(other, 'prometheus: { url: "http://127.0.0.1:9" }\nredis: { url: "redis://127.0.0.1:9" }\n');
    const r = await run(['report', '--config', other]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('mesh-soak report: cannot read the run ledger from Redis');
  });
});

describe('/report', () => {
  const base = () => `http://127.0.0.1:${server.port}`;
  it('serves HTML by default and the other formats by ?format=', async () => {
    const html = await fetch(`${base()}/report?since=1h`);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await html.text()).toContain('restart-1');
    const junit = await fetch(`${base()}/report?since=1h&format=junit`);
    expect(junit.headers.get('content-type')).toBe('application/xml');
    expect(await junit.text()).toContain('<testsuites');
  });

  it('answers 400 with the problem for a bad query', async () => {
    const res = await fetch(`${base()}/report?since=forever`);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/^since: /);
    const fmt = await fetch(`${base()}/report?format=pdf`);
    expect(fmt.status).toBe(400);
  });

  it('the status page links to it', async () => {
    expect(await (await fetch(`${base()}/`)).text()).toContain('href="report?since=24h"');
  });
});

describe('status with the run ledger', () => {
  const base = () => `http://127.0.0.1:${server.port}`;
  it('/api/v1/status lists each check\'s last state changes and the suite\'s disruptions with recovery', async () => {
    const body = (await (await fetch(`${base()}/api/v1/status`)).json()) as { suites: Array<{ name: string; disruptions?: unknown[]; checks: Array<{ name: string; changes?: unknown[]; failingSince: unknown }> }> };
    const mesh = body.suites.find((x) => x.name === 'mesh');
    expect(mesh?.disruptions).toEqual([
      { id: 'restart-1', outcome: 'success', startedAt: at(30), endedAt: at(29), recovery: 'recovered in 30s' },
      { id: 'restart-2', outcome: 'skipped', reason: 'suite already failing: push-errors', startedAt: at(10), endedAt: at(10) },
    ]);
    const xds = mesh?.checks.find((c) => c.name === 'xds-rejects');
    expect(xds?.changes).toEqual([
      { from: 'ok', to: 'failing', at: at(29.5), value: 3 },
      { from: 'failing', to: 'ok', at: at(28.5), value: 0 },
    ]);
    expect(xds?.failingSince).toBeNull();
  });

  it('the status page renders them in Chromium headless', async () => {
    const args = ['--headless', '--no-sandbox', '--disable-gpu', '--virtual-time-budget=5000'];
    const dump = await new Promise<string>((done) => {
      execFile('/usr/bin/chromium', [...args, '--dump-dom', `${base()}/`], { timeout: scaledMs(90_000), maxBuffer: 8 * 1024 * 1024 }, (_err, stdout) => done(stdout));
    });
    expect(dump).toContain('data-disruptions="2"');
    expect(dump).toContain('restart-1 success');
    expect(dump).toContain('changes: ok→failing');
    if (process.env.MESH_SOAK_SCREENSHOT_DIR) {
      await new Promise<void>((done) => {
        execFile('/usr/bin/chromium', [...args, '--window-size=1280,700', `--screenshot=${join(process.env.MESH_SOAK_SCREENSHOT_DIR ?? '', 'status-page-ledger.png')}`, `${base()}/`], { timeout: scaledMs(90_000) }, () => done());
      });
    }
  });
});
