// A benchmark suite bound to two clusters (issue 15) runs per suite instance: the admin trigger
// of east/bench and west/bench gives one stored run each, under the instance id, each reading
// resources from its own cluster's Prometheus (east's scrapes the simulated cAdvisor series,
// west's scrapes an empty target); the gauges and the run counter carry the cluster label.
// Real Redis and Prometheus, the simulated Fortio REST API, an in-process daemon.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { startPrometheus, startSyntheticTarget, waitFor, type RunningPrometheus, type SyntheticTarget } from '../../harness/index.js';
import { startDaemon, type Daemon } from '../../../src/app/index.js';
import { stateKeys } from '../../../src/adapters/redis/keys.js';
import { BenchStore } from '../../../src/adapters/redis/bench-store.js';
import type { BenchRun } from '../../../src/benchmark/model.js';
import type { Config } from '../../../src/config/model.js';
import { config, quietLogger, suite as makeSuite, uniquePrefix } from '../daemon/fixtures.js';
import { startBenchWorld, type BenchWorld } from './bench-world.js';
import { scaledMs } from '../../../simulator/local/wait-for.js';
import { rangeQueryClient } from '../../../src/adapters/prometheus/range-query.js';

let w: BenchWorld;
let westTarget: SyntheticTarget;
let westProm: RunningPrometheus;
let daemon: Daemon | undefined;
const prefix = uniquePrefix();

function cfg(): Config {
  const bench = makeSuite('bench', [], {
    namespace: 'twopods',
    benchmark: {
      connections: [2], qps: [100], payloadBytes: [512], modes: ['both'],
      durationMs: 3000, warmupMs: 1000, cooldownMs: 500, stepMs: 1000,
      targets: { both: 'http://fortioserver:8080/echo' },
      fortioUrl: w.sim.url, istioVersion: '1.24.0',
      regression: { baseline: { kind: 'median', lastN: 3 }, thresholds: { p99Percent: 10, cpuPercent: 15 } }, keepRuns: 20,
      schedule: { cron: '0 0 1 1 *' },
    },
  });
  const base = config({ prometheusUrl: w.prom.url, redisUrl: w.redisServer.url, suites: [bench] });
  const urls = { east: w.prom.url, west: westProm.url };
  return { ...base, clusters: Object.entries(urls).map(([name, url]) => ({ name, kubernetes: {}, prometheus: { ...base.prometheus, url } })) };
}

beforeAll(async () => {
  w = await startBenchWorld();
  westTarget = await startSyntheticTarget();
  westTarget.set('unrelated', {}, 1);
  westProm = await startPrometheus({ scrapeTargets: [westTarget.hostPort], scrapeIntervalS: 1 });
  const q = rangeQueryClient({ url: w.prom.url, timeoutMs: 5000 });
  await waitFor(async () => {
    const now = Date.now();
    return (await q.queryRange('container_memory_usage_bytes', { startMs: now - 5000, endMs: now, stepMs: 1000 })).length > 0;
  }, { timeoutMs: 30_000, intervalMs: 250, what: "east's first scrape of the container series" });
  daemon = await startDaemon(cfg(), { logger: quietLogger, prefix, port: 0, host: '127.0.0.1', adminToken: () => 'tok', bench: { pollMs: 100, lockTtlMs: 3000 } });
  await daemon.scheduled;
}, scaledMs(600_000));

afterAll(async () => {
  await daemon?.stop();
  await westProm?.stop();
  await westTarget?.stop();
  await w?.stop();
}, scaledMs(60_000));

function memoryReadings(run: BenchRun | undefined): number[] {
  return (run?.results ?? []).flatMap((r) => r.resources.map((c) => c.memMiAvg)).filter((v): v is number => v !== null);
}

it("runs per suite instance: one run each, stored under the instance id, read from its own cluster's Prometheus", async () => {
  const base = `http://127.0.0.1:${daemon!.port}`;
  const store = new BenchStore(w.redis, stateKeys(prefix));
  for (const instance of ['east/bench', 'west/bench']) {
    const res = await fetch(`${base}/api/v1/suites/${instance}/trigger`, { method: 'POST', headers: { authorization: 'Bearer tok' } });
    expect(res.status, instance).toBe(202);
  }
  const done = async (id: string): Promise<boolean> => (await store.list(id, 1))[0]?.state === 'done';
  // A run is stored as done before the job that made it is counted: wait for the counters too.
  const counted = async (): Promise<boolean> => {
    const text = await (await fetch(`${base}/metrics`)).text();
    return ['east', 'west'].every((c) => text.includes(`mesh_soak_bench_runs_total{suite="bench",outcome="done",cluster="${c}"} 1`));
  };
  await waitFor(async () => (await done('east/bench')) && (await done('west/bench')) && (await counted()), { timeoutMs: 120_000, intervalMs: 500, what: 'a done and counted run of both instances' });
  const [east] = await store.list('east/bench', 1);
  const [west] = await store.list('west/bench', 1);
  expect([east?.suite, west?.suite]).toEqual(['east/bench', 'west/bench']);
  expect(east?.id.startsWith('east/bench-')).toBe(true);
  expect(await store.ids('bench')).toEqual([]);
  // East's Prometheus scrapes the simulated cAdvisor series, west's does not.
  expect(memoryReadings(east).length).toBeGreaterThan(0);
  expect(memoryReadings(west)).toEqual([]);

  const metrics = await (await fetch(`${base}/metrics`)).text();
  expect(metrics).toContain('mesh_soak_bench_runs_total{suite="bench",outcome="done",cluster="east"} 1');
  expect(metrics).toContain('mesh_soak_bench_runs_total{suite="bench",outcome="done",cluster="west"} 1');
  expect(metrics).toMatch(/mesh_soak_bench_actual_qps\{suite="bench",istio_version="1.24.0",mode="both",connections="2",qps="100",payload="512",cluster="west"\} \d/);
  expect(metrics).not.toMatch(/suite="(east|west)\//);
}, scaledMs(180_000));
