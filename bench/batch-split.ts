// How a tick's queries are best split into batched requests (issue 15 (c)): one suite's guard
// and N check_metrics-style expressions (the tick-daemon bench's) against one real Prometheus
// scraping the synthetic Istio series, sent through BatchingProvider at several batch sizes.
// The sizes take turns round by round (rotating the order), so every size sees the same load
// and the same data; the wall time of one tick's queries (all started at once, as
// evaluateGroup does, until the last answer) is compared per size within the run.
//
// Run: npm run build && node dist/bench/batch-split.js
// Env: BENCH_SECONDS (default 40), BENCH_CHECKS (500), BENCH_CONCURRENCY (16: the config default)

import { BatchingProvider } from '../src/adapters/prometheus/batching-provider.js';
import { PrometheusClient } from '../src/adapters/prometheus/client.js';
import { istioSuites, type BenchSuite } from './lib/bench-config.js';
import { startIstioStack } from './lib/istio-stack.js';
import { envNumber, lifecycle } from './lib/lifecycle.js';
import { publish, type Row } from './lib/report.js';
import { quantile } from './lib/stats.js';

const SECONDS = envNumber('BENCH_SECONDS', 40);
const CHECKS = envNumber('BENCH_CHECKS', 500);
const CONCURRENCY = envNumber('BENCH_CONCURRENCY', 16);
const life = lifecycle('batch-split', (SECONDS + 240) * 1000);

function expressions(s: BenchSuite): string[] {
  return [s.guard ?? '', ...s.checks.map((c) => c.query)].filter((q) => q !== '').map((q) => q.replaceAll('{{namespace}}', s.namespace));
}

/** One tick's queries through `provider`, all at once; wall ms until the last answer, and how many failed. */
async function oneTick(provider: BatchingProvider, exprs: string[]): Promise<{ ms: number; failed: number }> {
  const t0 = performance.now();
  const results = await Promise.allSettled(exprs.map((e) => provider.query(e)));
  return { ms: performance.now() - t0, failed: results.filter((r) => r.status === 'rejected').length };
}

void life.run(async () => {
  const [suite] = istioSuites(1, CHECKS) as [BenchSuite];
  const exprs = expressions(suite);
  const { prom } = await startIstioStack(life, 'batch-split');
  const client = new PrometheusClient({ url: prom.url, timeoutMs: 30_000, concurrency: CONCURRENCY });
  life.own(client, (c) => c.close());
  const n = exprs.length;
  const sizes = [...new Set([25, Math.ceil(n / 16), Math.ceil(n / 8), Math.ceil(n / 4), Math.ceil(n / 2), 10])];
  const times = new Map<number, number[]>(sizes.map((s) => [s, []]));
  let failed = 0;
  for (const s of sizes) await oneTick(new BatchingProvider(client, { maxBatch: s }), exprs); // warm-up, not counted
  const started = Date.now();
  for (let round = 0; Date.now() - started < SECONDS * 1000; round++) {
    for (let k = 0; k < sizes.length; k++) {
      const size = sizes[(round + k) % sizes.length] as number;
      const r = await oneTick(new BatchingProvider(client, { maxBatch: size }), exprs);
      times.get(size)?.push(r.ms);
      failed += r.failed;
    }
  }
  const base = quantile(times.get(25) ?? [], 0.5);
  const rows: Row[] = sizes.map((s) => {
    const t = times.get(s) ?? [];
    const p50 = quantile(t, 0.5);
    return { 'batch size': s, batches: Math.ceil(n / s), 'p50 ms': p50, 'p90 ms': quantile(t, 0.9), 'p50 ÷ size 25': p50 / base, n: t.length };
  });
  await publish({
    title: `Batch split of one tick's ${n} queries (${CONCURRENCY} in flight)`,
    command: `BENCH_SECONDS=${SECONDS} BENCH_CHECKS=${CHECKS} BENCH_CONCURRENCY=${CONCURRENCY} node dist/bench/batch-split.js`,
    setup: [
      `the tick-daemon bench's suite (guard + ${CHECKS} checks) against one real Prometheus scraping the synthetic Istio series every 1 s`,
      'per round, one tick of queries per batch size, the sizes in rotating order; wall time from starting all queries to the last answer',
      `failed queries over the run: ${failed}`,
    ],
    rows,
    verdicts: [],
    notes: [],
  });
});
