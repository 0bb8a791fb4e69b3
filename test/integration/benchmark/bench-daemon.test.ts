// The daemon runs benchmarks: on the suite's schedule (a BullMQ job scheduler), from the
// admin trigger (token-protected), with the results exported as mesh_soak_bench_* gauges and
// the last run on the status body; a slower proxy under a new Istio version turns the
// regression check failing (status, check gauges, alert to a webhook); shutdown mid-run stops
// the Fortio load and marks the run; a daemon SIGKILLed mid-run leaves no orphan: the next
// daemon stops the load and marks the run once the dead owner's locks expire.
// Real Redis and Prometheus, the simulated Fortio REST API, in-process and child daemons.

import { join } from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtScript, waitFor } from '../../harness/index.js';
import { startDaemon, type Daemon } from '../../../src/app/index.js';
import { stateKeys } from '../../../src/adapters/redis/keys.js';
import { BenchStore } from '../../../src/adapters/redis/bench-store.js';
import type { BenchmarkSpec } from '../../../src/benchmark/model.js';
import type { Config, Schedule, Suite } from '../../../src/config/model.js';
import { config, getJson, quietLogger, suite as makeSuite, uniquePrefix } from '../daemon/fixtures.js';
import { startChild, type ChildDaemon } from '../daemon/child-daemon.js';
import { startReceiver, type Receiver } from '../../unit/notify/receiver.js';
import { startBenchWorld, type BenchWorld } from './bench-world.js';
import { scaledMs } from '../../../simulator/local/wait-for.js';

let w: BenchWorld;
let hook: Receiver;
const daemons: Daemon[] = [];
const children: ChildDaemon[] = [];
let logDir = '';
let entry = '';

interface StatusBody {
  suites: Array<{
    name: string;
    checks: Array<{ name: string; state: string; instances: Array<{ labels: Record<string, string>; state: string }> }>;
    coverage?: { checked: boolean; reason: string; detail: string };
    benchmark?: { schedule: Schedule | null; lastRun: { id: string; state: string; istioVersion: string; points: number; reason?: string } | null };
  }>;
}

function spec(istioVersion: string, schedule: Schedule, durationMs = 3000): BenchmarkSpec & { schedule: Schedule } {
  return {
    connections: [2], qps: [100], payloadBytes: [512], modes: ['baseline', 'both'],
    durationMs, warmupMs: 1000, cooldownMs: 500, stepMs: 1000,
    targets: { both: 'http://fortioserver:8080/echo', baseline: 'http://fortioserver:8077/echo' },
    fortioUrl: w.sim.url, istioVersion,
    regression: { baseline: { kind: 'median', lastN: 3 }, thresholds: { p99Percent: 10, cpuPercent: 15 } }, keepRuns: 20,
    schedule,
  };
}

function cfgOf(s: Suite): Config {
  const c = config({ prometheusUrl: w.prom.url, redisUrl: w.redisServer.url, suites: [s] });
  c.notify.webhooks.push({ name: 'hook', url: hook.url, format: 'json', headers: {} });
  return c;
}

function benchSuite(istioVersion: string, schedule: Schedule, durationMs?: number): Suite {
  return makeSuite('bench', [], { namespace: 'twopods', benchmark: spec(istioVersion, schedule, durationMs) });
}

async function start(cfg: Config, prefix: string): Promise<{ daemon: Daemon; base: string }> {
  const daemon = await startDaemon(cfg, { logger: quietLogger, prefix, port: 0, host: '127.0.0.1', adminToken: () => 'tok', bench: { pollMs: 100, lockTtlMs: 3000 } });
  daemons.push(daemon);
  await daemon.scheduled;
  return { daemon, base: `http://127.0.0.1:${daemon.port}` };
}

async function benchStatus(base: string): Promise<StatusBody['suites'][number] | undefined> {
  const { body } = await getJson<StatusBody>(`${base}/api/v1/status`);
  return body.suites.find((s) => s.name === 'bench');
}

beforeAll(async () => {
  logDir = await mkdtemp(join(tmpdir(), 'mesh-soak-bench-daemon-'));
  hook = await startReceiver();
  // Compiled once for the SIGKILL test (a real process); slow on a loaded machine.
  [w, entry] = await Promise.all([startBenchWorld(), builtScript('simulator/local/daemon-entry.ts')]);
}, scaledMs(600_000));

afterAll(async () => {
  await Promise.allSettled(daemons.map((d) => d.stop()));
  await Promise.allSettled(children.map((c) => c.kill9()));
  await w?.stop();
  await hook?.close();
  if (logDir) await rm(logDir, { recursive: true, force: true });
}, scaledMs(60_000));

describe('benchmarks in the daemon', () => {
  const prefix = uniquePrefix();

  it('runs the matrix on its schedule and exports the results', async () => {
    const { daemon, base } = await start(cfgOf(benchSuite('1.24.0', { every: 60_000 })), prefix);
    // The run is stored as done before its regression checks are saved and counted: wait for all three.
    await waitFor(
      async () => {
        const s = await benchStatus(base);
        const judged = (s?.checks ?? []).filter((c) => c.name.startsWith('bench-') && c.state !== 'unknown').length === 2;
        return s?.benchmark?.lastRun?.state === 'done' && judged && (await (await fetch(`${base}/metrics`)).text()).includes('mesh_soak_bench_runs_total{suite="bench",outcome="done"} 1');
      },
      { timeoutMs: 90_000, intervalMs: 500, what: 'a scheduled benchmark run done, judged and counted', seen: async () => (await benchStatus(base))?.checks.map((c) => `${c.name}:${c.state}`) },
    );
    const status = await benchStatus(base);
    expect(status?.benchmark).toMatchObject({ schedule: { every: 60_000 }, lastRun: { istioVersion: '1.24.0', points: 2 } });
    // No baseline yet (no other Istio version): the regression checks are ok, not unknown.
    expect(status?.checks.filter((c) => c.name.startsWith('bench-')).map((c) => `${c.name}:${c.state}`)).toEqual(['bench-p99-regression:ok', 'bench-cpu-regression:ok']);
    // A suite without checks of its own is judged by its regression checks: checked, not "not evaluated".
    expect(status?.coverage).toEqual({ checked: true, reason: 'checked', detail: '' });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/mesh_soak_bench_actual_qps\{suite="bench",istio_version="1.24.0",mode="both",connections="2",qps="100",payload="512"\} \d/);
    expect(metrics).toContain('mesh_soak_bench_runs_total{suite="bench",outcome="done"} 1');
    await daemon.stop();
  }, scaledMs(150_000));

  it('runs on the admin trigger and flags a slower proxy: failing check, gauge and alert', async () => {
    w.sim.faults.slowProxy = true;
    try {
      const { daemon, base } = await start(cfgOf(benchSuite('1.25.0', { cron: '0 0 1 1 *' })), prefix);
      expect((await fetch(`${base}/api/v1/suites/bench/trigger`, { method: 'POST' })).status).toBe(401);
      expect((await fetch(`${base}/api/v1/suites/bench/trigger`, { method: 'POST', headers: { authorization: 'Bearer tok' } })).status).toBe(202);
      // The run is stored as done before its regression checks are judged and saved: wait for both.
      let seen = '';
      await waitFor(async () => {
        const status = await benchStatus(base);
        const run = status?.benchmark?.lastRun;
        const state = status?.checks.find((c) => c.name === 'bench-p99-regression')?.state;
        seen = `run ${run?.istioVersion ?? '-'} ${run?.state ?? '-'}, bench-p99-regression ${state ?? '-'}`;
        return run?.istioVersion === '1.25.0' && run.state === 'done' && state === 'failing';
      }, { timeoutMs: 90_000, intervalMs: 500, what: 'the triggered run done and its p99 regression failing', seen: () => seen });
      const p99 = (await benchStatus(base))?.checks.find((c) => c.name === 'bench-p99-regression');
      expect(p99?.state).toBe('failing');
      expect(p99?.instances.filter((i) => i.state === 'failing').map((i) => i.labels['mode'])).toEqual(['both']);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toContain('mesh_soak_check_state{suite="bench",check="bench-p99-regression",severity="warning",state="failing"} 1');
      const alerted = (): boolean => hook.received.some((r) => JSON.stringify(r.body).includes('bench-p99-regression') && JSON.stringify(r.body).includes('firing'));
      await waitFor(alerted, { timeoutMs: 30_000, what: 'the regression alert at the webhook' });
      await daemon.stop();
    } finally {
      w.sim.faults.slowProxy = false;
    }
  }, scaledMs(150_000));

  it('stops the Fortio load and marks the run when the daemon stops mid-run', async () => {
    const { daemon, base } = await start(cfgOf(benchSuite('1.24.0', { cron: '0 0 1 1 *' }, 60_000)), prefix);
    await fetch(`${base}/api/v1/suites/bench/trigger`, { method: 'POST', headers: { authorization: 'Bearer tok' } });
    await waitFor(() => w.sim.active() !== undefined, { timeoutMs: 30_000, intervalMs: 100, what: 'the load to start' });
    await daemon.stop();
    expect(w.sim.active()).toBeUndefined();
    const store = new BenchStore(w.redis, stateKeys(prefix));
    const [newest] = await store.list('bench', 1);
    expect(newest).toMatchObject({ state: 'stopped', reason: 'stopped on shutdown' });
    expect(await store.journal()).toEqual([]);
  }, scaledMs(120_000));
});

describe('a daemon SIGKILLed mid-run', () => {
  it('leaves no orphan: the next daemon stops the load and marks the run', async () => {
    const prefix = uniquePrefix();
    // The child's schedule starts a run at once; its load outlasts the kill and the recovery.
    const child = await startChild(entry, cfgOf(benchSuite('1.24.0', { every: 3_600_000 }, 180_000)), prefix, join(logDir, 'child.log'));
    children.push(child);
    const store = new BenchStore(w.redis, stateKeys(prefix));
    await waitFor(async () => (await store.journal()).some((e) => e.fortioRunId !== null), { timeoutMs: 60_000, intervalMs: 200, what: 'the child journaling its Fortio run' });
    const [entryBefore] = await store.journal();
    await child.kill9();
    expect(w.sim.active()).toBeDefined();
    // The next daemon (no schedule due) recovers once the dead owner's 30 s locks expire.
    await start(cfgOf(benchSuite('1.24.0', { cron: '0 0 1 1 *' })), prefix);
    await waitFor(async () => (await store.journal()).length === 0, { timeoutMs: 90_000, intervalMs: 500, what: 'the orphaned run recovered' });
    expect(w.sim.active()).toBeUndefined();
    const run = await store.get(entryBefore!.runId);
    expect(run?.state).toBe('stopped');
    expect(run?.reason).toMatch(/^interrupted: its owner daemon:.* stopped mid-run; recovered; Fortio run \d+ stopped$/);
  }, scaledMs(300_000));
});
