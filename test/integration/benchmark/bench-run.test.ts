// A benchmark matrix end to end against real Redis and Prometheus and the simulated Fortio
// REST API: results in fortio.py's units, CPU/memory from query_range, a slower proxy under
// a new Istio version caught as a failing regression check, a busy lock, and a run a crash
// left in the journal stopped and marked.

import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor, type RunningPrometheus } from '../../harness/index.js';
import type { FortioSim } from '../../../simulator/fortio/fortio-api.js';
import { startBenchWorld, type BenchWorld } from './bench-world.js';
import { buildBenchmark, type BuiltBenchmark } from '../../../src/app/benchmark.js';
import { stateKeys } from '../../../src/adapters/redis/keys.js';
import { acquireAll } from '../../../src/disruption/lock.js';
import { runBenchmark, type BenchOutcome } from '../../../src/benchmark/run-benchmark.js';
import { evaluateRegressions } from '../../../src/benchmark/regression-checks.js';
import { toCsv } from '../../../src/benchmark/csv.js';
import type { BenchmarkSpec } from '../../../src/benchmark/model.js';
import type { Config, Suite } from '../../../src/config/model.js';
import { FortioClient } from '../../../src/adapters/fortio/client.js';
import { rangeQueryClient } from '../../../src/adapters/prometheus/range-query.js';
import { scaledMs } from '../../../simulator/local/wait-for.js';

let redis: Redis;
let prom: RunningPrometheus;
let sim: FortioSim;
let world: BenchWorld;
let bench: BuiltBenchmark;
let suite: Suite;
const keys = stateKeys(`bench-test-${process.pid}`);

function spec(istioVersion: string): BenchmarkSpec {
  return {
    connections: [2], qps: [50, 200], payloadBytes: [512], modes: ['baseline', 'both'],
    durationMs: 3000, warmupMs: 1000, cooldownMs: 500, stepMs: 1000,
    targets: { both: 'http://fortioserver:8080/echo', baseline: 'http://fortioserver:8077/echo' },
    fortioUrl: sim.url, istioVersion,
    regression: { baseline: { kind: 'median', lastN: 3 }, thresholds: { p99Percent: 10, cpuPercent: 15 } }, keepRuns: 10,
  };
}

beforeAll(async () => {
  world = await startBenchWorld();
  ({ redis, sim, prom } = world);
  suite = { name: 'bench', description: '', dir: '.', namespace: 'twopods', params: {}, manifests: [], checks: [], tickMs: 30_000, enabled: true, benchmark: spec('1.24.0') };
  const config = { prometheus: { url: prom.url, timeoutMs: 5000, headers: {}, concurrency: 4 }, suites: [suite] } as unknown as Config;
  bench = buildBenchmark(config, { redis, owner: 'test', keys, pollMs: 100, lockTtlMs: 3000 });
  const q = rangeQueryClient({ url: prom.url, timeoutMs: 5000 });
  await waitFor(async () => {
    const now = Date.now();
    return (await q.queryRange('container_memory_usage_bytes', { startMs: now - 5000, endMs: now, stepMs: 1000 })).length > 0;
  }, { timeoutMs: 30_000, intervalMs: 250, what: 'first scrape of the container series' });
}, scaledMs(90_000));

afterAll(async () => {
  await world?.stop();
});

async function runAs(istioVersion: string, runId: string): Promise<Exclude<BenchOutcome, { outcome: 'busy' }>> {
  const s = { ...suite, benchmark: spec(istioVersion) };
  const out = await runBenchmark({ suite: 'bench', namespace: 'twopods', spec: s.benchmark, runId }, bench.deps(s), new AbortController().signal);
  if (out.outcome === 'busy') throw new Error('unexpectedly busy');
  return out;
}

describe('a benchmark run', () => {
  let first: Exclude<BenchOutcome, { outcome: 'busy' }>;

  it('runs the matrix and computes fortio.py rows and per-component resources', async () => {
    first = await runAs('1.24.0', 'run-a');
    expect(first.run.state).toBe('done');
    expect(first.run.results.map((r) => `${r.point.mode}/${String(r.point.qps)}`)).toEqual(['baseline/50', 'baseline/200', 'both/50', 'both/200']);
    const [base50, , both50] = first.run.results;
    // Simulated Fortio results (µs in the run's JSON), not a measured duration: sidecars add to p99.
    const sidecarsP99 = both50!.latency.p99!;
    const noSidecarsP99 = base50!.latency.p99!;
    expect(sidecarsP99).toBeGreaterThan(noSidecarsP99);
    expect(both50!.latency.RequestedQPS).toBe(50);
    expect(both50!.latency.errorPercent).toBe(0);
    expect(both50!.latency.Payload).toBe(512 + 124);
    const proxy = both50!.resources.find((c) => c.component === 'istio_proxy_fortioserver');
    expect(proxy?.cpuMilliAvg).toBeGreaterThan(0);
    expect(proxy?.memMiAvg).toBeGreaterThan(40);
    expect(first.compared.every((c) => c.baseline === undefined)).toBe(true);
    const csv = toCsv(first.run.results).split('\r\n');
    expect(csv[0]).toMatch(/^Labels,StartTime,RequestedQPS,ActualQPS,NumThreads,RunType,ActualDuration,min,max,p50,p75,p90,p99,p999,errorPercent,Payload,cpu_mili_avg_/);
    expect(csv).toHaveLength(6);
    expect(await redis.hlen(keys.benchJournal())).toBe(0);
  }, scaledMs(120_000));

  it('flags a slower proxy under a new Istio version as a failing regression check', async () => {
    sim.faults.slowProxy = true;
    try {
      const second = await runAs('1.25.0', 'run-b');
      const p99 = second.compared.map((c) => `${c.result.point.mode}/${String(c.result.point.qps)}:${c.findings.find((f) => f.metric === 'p99')?.regressed}`);
      expect(p99).toEqual(['baseline/50:false', 'baseline/200:false', 'both/50:true', 'both/200:true']);
      const { records, transitions } = evaluateRegressions(spec('x').regression.thresholds, second.compared, {}, Date.now());
      expect(records['bench-p99-regression']?.state).toBe('failing');
      expect(transitions.filter((t) => t.check === 'bench-p99-regression' && t.to === 'failing').map((t) => t.labels['mode'])).toEqual(['both', 'both']);
    } finally {
      sim.faults.slowProxy = false;
    }
  }, scaledMs(120_000));

  it('is refused while another holder has its namespace', async () => {
    const held = await acquireAll(redis, [keys.resourceLock('namespace/twopods')], 5000);
    try {
      const out = await runBenchmark({ suite: 'bench', namespace: 'twopods', spec: spec('1.24.0'), runId: 'run-c' }, bench.deps(suite), new AbortController().signal);
      expect(out).toEqual({ outcome: 'busy', resources: ['namespace/twopods', 'control-plane'] });
    } finally {
      await held?.release();
    }
  });

  it('stops on the signal: the Fortio load is stopped and the run marked', async () => {
    const ac = new AbortController();
    const s = spec('1.24.0');
    const running = runBenchmark({ suite: 'bench', namespace: 'twopods', spec: { ...s, durationMs: 30_000 }, runId: 'run-d' }, bench.deps(suite), ac.signal);
    await waitFor(async () => sim.active() !== undefined, { timeoutMs: 10_000, intervalMs: 50, what: 'the load to start' });
    ac.abort();
    const out = await running;
    expect(out.outcome).toBe('stopped');
    expect(sim.calls).toContain('/fortio/rest/stop');
    expect(sim.active()).toBeUndefined();
    expect((await bench.store.get('run-d'))?.state).toBe('stopped');
  }, scaledMs(60_000));
});

describe('recovery after a crash', () => {
  it('stops the orphaned Fortio load and marks the run; leaves a live owner alone', async () => {
    const fortio = new FortioClient({ baseUrl: sim.url });
    const started = await fortio.start({ url: 'http://fortioserver:8080/echo?size=10', qps: 10, connections: 1, durationMs: 60_000, labels: 'x_both' });
    const crashed = { id: 'run-crashed', suite: 'bench', istioVersion: '1.24.0', state: 'running' as const, startedAt: Date.now(), finishedAt: null, results: [] };
    await bench.store.save(crashed, 10);
    await bench.store.journalPut({ runId: crashed.id, suite: 'bench', fortioUrl: sim.url, fortioRunId: started.runId, owner: 'daemon-killed', startedAt: crashed.startedAt });

    const live = await acquireAll(redis, [keys.resourceLock('namespace/twopods')], 5000);
    expect(await bench.recover()).toEqual([]);
    expect(await fortio.running(started.runId)).toBe(true);
    await live?.release();

    expect(await bench.recover()).toEqual(['run-crashed']);
    expect(await fortio.running(started.runId)).toBe(false);
    const marked = await bench.store.get('run-crashed');
    expect(marked?.state).toBe('stopped');
    expect(marked?.reason).toMatch(/^interrupted: its owner daemon-killed stopped mid-run; recovered; Fortio run \d+ stopped$/);
    expect(await bench.store.journal()).toEqual([]);
  }, scaledMs(30_000));
});
