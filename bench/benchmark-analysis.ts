// The benchmark suite's own cost: (1) analysing one run point — parsing a Fortio result JSON
// with a 200-bucket histogram, fortio.py's row, and 13 components × CPU/memory (26 range
// queries) plus 3 mesh percentiles from a real Prometheus over a 60 s window at 1 s step;
// (2) comparing 100 stored runs of 20 points × 13 components — reading their baseline
// summaries back from a real Redis (newest first, as far as the medians need: baselineHistory),
// each of a new run's points against the median of the last 5 under another version, and a
// delta table of two runs; also reading all 100 summaries, for the cost of the unbounded read.
// Wall times and this process's CPU time (the machine is shared: wall time is mostly waiting
// for a core). Targets: (1) < 1 s, (2) < 200 ms. Appends to RESULTS.md.
//
// Run: npx tsc -p tsconfig.json && node dist/bench/benchmark-analysis.js

import { Redis } from 'ioredis';
import { startPrometheus, startRedis, startSyntheticTarget, waitFor } from '../test/harness/index.js';
import { parseFortioResult } from '../src/benchmark/fortio-json.js';
import { latencyRow } from '../src/benchmark/result.js';
import { readResources, type Component } from '../src/benchmark/resources.js';
import { compareRuns } from '../src/benchmark/compare.js';
import { baselineHistory, compareWithBaselines } from '../src/benchmark/run-benchmark.js';
import { expandMatrix, type BenchmarkSpec, type BenchResult, type BenchRun } from '../src/benchmark/model.js';
import { rangeQueryClient } from '../src/adapters/prometheus/range-query.js';
import { BenchStore } from '../src/adapters/redis/bench-store.js';
import { stateKeys } from '../src/adapters/redis/keys.js';
import { quantile } from './lib/stats.js';
import { machineFacts, publish } from './lib/report.js';

const REPS = 20;
const COMPONENTS: Component[] = Array.from({ length: 13 }, (_, i) => ({ name: `component_${i}`, namespace: 'twopods', podRegex: `pod${i}-.*`, container: `c${i}` }));

function fortioJson(): string {
  const data = Array.from({ length: 200 }, (_, i) => ({ Start: 0.0001 * i, End: 0.0001 * (i + 1), Percent: ((i + 1) * 100) / 200, Count: 450 }));
  const pct = [50, 75, 90, 99, 99.9].map((p) => ({ Percentile: p, Value: 0.0001 * p }));
  const h = { Count: 90_000, Min: 0.0001, Max: 0.02, Sum: 90, Avg: 0.001, StdDev: 0.0005, Data: data, Percentiles: pct };
  return JSON.stringify({
    RunType: 'HTTP', Labels: 'x_both', StartTime: '2026-12-01T10:00:00Z', RequestedQPS: '1000', RequestedDuration: '1m30s', ActualQPS: 999.9,
    ActualDuration: 90_000_000_000, NumThreads: 16, Version: '1.69.0', DurationHistogram: h, ErrorsDurationHistogram: { ...h, Count: 0, Data: null },
    RetCodes: { '200': 89_990, '-1': 10 }, Sizes: { ...h, Avg: 1148 }, HeaderSizes: h, URL: 'http://s:8080/echo', NumConnections: 1, SocketCount: 16,
  });
}

function parseOk(text: string) {
  const parsed = parseFortioResult(text);
  if (parsed.kind !== 'ok') throw new Error(parsed.reason);
  return parsed.value;
}

function spec(): BenchmarkSpec {
  return {
    connections: [2, 4, 8, 16, 32], qps: [100, 1000], payloadBytes: [1024], modes: ['both', 'baseline'], durationMs: 240_000, warmupMs: 62_000, cooldownMs: 30_000,
    stepMs: 15_000, targets: {}, fortioUrl: 'http://x', istioVersion: 'v', regression: { baseline: { kind: 'median', lastN: 5 }, thresholds: { p99Percent: 10, cpuPercent: 15 } }, keepRuns: 1000,
  };
}

function fakeRun(i: number, row: ReturnType<typeof latencyRow>): BenchRun {
  const id = `run-${String(i).padStart(3, '0')}`;
  const results: BenchResult[] = expandMatrix(spec()).map((point) => ({
    runId: id, suite: 'bench', istioVersion: `1.${20 + (i % 5)}.0`, point, startedAt: i * 1000, endedAt: i * 1000 + 240_000,
    latency: { ...row, p99: 2000 + (i % 7) * 10 },
    resources: COMPONENTS.map((c, k) => ({ component: c.name, cpuMilliAvg: 100 + k + (i % 3), cpuMilliMax: 150 + k, memMiAvg: 50 + k, memMiMax: 60 + k })),
    meshLatencyMs: { p50: 1, p90: 2, p99: 3 },
  }));
  return { id, suite: 'bench', istioVersion: `1.${20 + (i % 5)}.0`, state: 'done', startedAt: i * 1000, finishedAt: i * 1000 + 1, results };
}

/** Milliseconds of CPU (user + system) this process spent in the last `time` call's repetitions. */
const cpuMs: number[] = [];

async function time(fn: () => Promise<unknown>): Promise<number[]> {
  await fn();
  const out: number[] = [];
  cpuMs.length = 0;
  for (let i = 0; i < REPS; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpuMs.push((c.user + c.system) / 1000);
  }
  return out;
}

async function main(): Promise<void> {
  const target = await startSyntheticTarget();
  const prom = await startPrometheus({ scrapeTargets: [target.hostPort], scrapeIntervalS: 1 });
  const redisServer = await startRedis();
  const redis = new Redis(redisServer.url);
  try {
    let cpu = 0;
    const feed = setInterval(() => {
      cpu += 0.1;
      COMPONENTS.forEach((c, i) => {
        const labels = { namespace: c.namespace, pod: `pod${i}-abc`, container: c.container };
        target.set('container_cpu_usage_seconds_total', labels, cpu * (i + 1));
        target.set('container_memory_usage_bytes', labels, (50 + i) * 1048576);
      });
    }, 250);
    const q = rangeQueryClient({ url: prom.url, timeoutMs: 10_000 });
    await waitFor(async () => (await q.queryRange('container_memory_usage_bytes', { startMs: Date.now() - 5000, endMs: Date.now(), stepMs: 1000 })).length === 13, { timeoutMs: 60_000, intervalMs: 500, what: 'series' });
    await new Promise((r) => setTimeout(r, 20_000));
    clearInterval(feed);
    const text = fortioJson();
    const end = Date.now();
    const analyse = await time(async () => {
      const parsed = parseFortioResult(text);
      if (parsed.kind !== 'ok') throw new Error(parsed.reason);
      latencyRow(parsed.value);
      const r = await readResources(q, { startMs: end - 60_000, endMs: end, stepMs: 1000 }, COMPONENTS, 'twopods');
      if (r.resources[0]?.cpuMilliAvg === null) throw new Error('no data');
    });
    const parseOnly = await time(async () => latencyRow(parseOk(text)));

    const row = latencyRow(parseOk(text));
    const store = new BenchStore(redis, stateKeys('bench-analysis'));
    for (let i = 0; i < 100; i++) await store.save(fakeRun(i, row), 1000);
    const current = { ...fakeRun(100, row), istioVersion: '1.30.0' };
    const currentSpec = { ...spec(), istioVersion: '1.30.0' };
    const compare = await time(async () => {
      const history = await baselineHistory(store, 'bench', currentSpec);
      await compareWithBaselines(current, history, currentSpec, store);
      const [a, b] = await store.list('bench', 2);
      compareRuns(a!, b!);
    });
    const compareCpu = [...cpuMs];
    const readAll = await time(async () => store.history('bench'));
    const readAllCpu = [...cpuMs];
    const history = await store.history('bench');
    const compareMem = await time(async () => compareWithBaselines(current, history, currentSpec, store));

    const ms = (xs: number[]) => ({ median_ms: quantile(xs, 0.5), p95_ms: quantile(xs, 0.95), max_ms: Math.max(...xs) });
    const rows = [
      { what: 'analyse one point: Fortio JSON + 13 components × cpu/mem + 3 mesh percentiles (29 query_range)', n: REPS, ...ms(analyse) },
      { what: '  of which: parse Fortio JSON (200 buckets) + fortio.py row', n: REPS, ...ms(parseOnly) },
      { what: 'compare: 100 stored runs, baseline summaries read as far as the medians need, 20 points vs median of last 5, one delta table', n: REPS, ...ms(compare) },
      { what: '  the same, CPU time of this process', n: REPS, ...ms(compareCpu) },
      { what: '  for reference: read all 100 summaries (2000 samples, compact format)', n: REPS, ...ms(readAll) },
      { what: '  the same, CPU time of this process', n: REPS, ...ms(readAllCpu) },
      { what: '  of which: in memory, 20 points vs baselines over 2000 results', n: REPS, ...ms(compareMem) },
    ];
    const a = quantile(analyse, 0.5);
    const c = quantile(compare, 0.5);
    await publish({
      title: 'Benchmark-suite analysis (bench/benchmark-analysis.ts)',
      command: 'npx tsc -p tsconfig.json && node dist/bench/benchmark-analysis.js',
      setup: [await machineFacts(), 'real Prometheus (harness) scraping a synthetic target at 1 s; real Redis (harness); 1 warm-up then 20 timed repetitions'],
      rows,
      verdicts: [`analysing one run: median ${a.toFixed(1)} ms — target < 1000 ms: ${a < 1000 ? 'met' : 'NOT met'}`, `100 stored runs compared: median ${c.toFixed(1)} ms — target < 200 ms: ${c < 200 ? 'met' : 'NOT met'}`],
    });
  } finally {
    redis.disconnect();
    await redisServer.stop();
    await prom.stop();
    await target.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
