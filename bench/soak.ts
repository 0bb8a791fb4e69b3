// A soak of 10,000 accelerated ticks (issue 3's target: RSS grows < 5 MB). The ticks go the
// real way — BullMQ job schedulers in a real Redis, checks against a real Prometheus. The
// config refuses ticks under 1 s, so the acceleration is in width, not speed: 50 suites at
// the minimum 1 s tick give ~50 ticks/s, 10,000 in ~200 s. The daemon child runs with --expose-gc; at every
// 1,000 ticks the benchmark asks it for a full GC (SIGUSR2, see simulator/local/daemon-entry.ts),
// then takes the minimum of three VmRSS reads and the heap in use from its /metrics.
// Growth is the last checkpoint minus the one at 1,000 ticks (the warm-up).
//
// Run: npx tsc -p tsconfig.json && node dist/bench/soak.js
// Env: BENCH_TICKS (default 10000), BENCH_SUITES (50), BENCH_TICK_MS (1000),
//      BENCH_CHECKS_PER_SUITE (3), BENCH_MAX_SECONDS (900).

import { join } from 'node:path';
import { istioSuites, writeBenchConfig } from './lib/bench-config.js';
import { startBenchDaemon, type BenchDaemon } from './lib/child-daemon.js';
import { startIstioStack } from './lib/istio-stack.js';
import { envNumber, lifecycle, sleep } from './lib/lifecycle.js';
import { MB, rssBytes } from './lib/proc-stats.js';
import { processMemory } from './lib/process-metrics.js';
import { publish, verdict, type Row } from './lib/report.js';
import { quantile } from './lib/stats.js';

const TICKS = envNumber('BENCH_TICKS', 10_000);
const SUITES = envNumber('BENCH_SUITES', 50);
const TICK_MS = envNumber('BENCH_TICK_MS', 1000);
const CHECKS = envNumber('BENCH_CHECKS_PER_SUITE', 3);
const MAX_SECONDS = envNumber('BENCH_MAX_SECONDS', 900);
const WARMUP_TICKS = Math.min(1000, Math.floor(TICKS / 10));
const CHECKPOINT_EVERY = Math.max(1, Math.floor(TICKS / 10));
const TARGET_GROWTH_MB = 5;

const life = lifecycle('soak', (MAX_SECONDS + 180) * 1000);

/** RSS and heap after a full GC: the least of three reads, so a transient allocation is not taken for growth. */
async function settledMemory(daemon: BenchDaemon): Promise<{ rss: number; heap: number }> {
  let rss = Infinity;
  for (let i = 0; i < 3; i++) {
    await daemon.gc();
    await sleep(200);
    rss = Math.min(rss, await rssBytes(daemon.pid));
  }
  return { rss, heap: (await processMemory(daemon.base)).heapUsed };
}

void life.run(async () => {
  const { dir, redis, prom } = await startIstioStack(life, 'soak');

  const configFile = await writeBenchConfig({
    dir,
    prometheusUrl: prom.url,
    redisUrl: redis.url,
    tick: `${TICK_MS}ms`,
    suites: istioSuites(SUITES, CHECKS),
  });

  let ticks = 0;
  let errors = 0;
  const lags: number[] = [];
  const daemon = life.own(
    await startBenchDaemon({
      configFile,
      logFile: join(dir, 'daemon.log'),
      nodeArgs: ['--expose-gc'],
      onLine(line) {
        if (line.msg !== 'tick') return;
        ticks += 1;
        if (typeof line.errors === 'number') errors += line.errors;
        if (typeof line.lagMs === 'number' && lags.length < 20_000) lags.push(line.lagMs);
      },
    }),
    (d) => d.stop(),
  );
  const t0 = Date.now();
  console.log(`daemon pid ${daemon.pid}; ${SUITES} suites × ${CHECKS} checks at ${TICK_MS} ms until ${TICKS} ticks (at most ${MAX_SECONDS} s)`);

  const rows: Row[] = [];
  const checkpoints: Array<{ ticks: number; rss: number; heap: number }> = [];
  let next = WARMUP_TICKS;
  const deadline = t0 + MAX_SECONDS * 1000;
  for (let i = 0; i < MAX_SECONDS * 10 && Date.now() < deadline; i++) {
    await sleep(100);
    if (ticks < next) continue;
    const at = ticks;
    const mem = await settledMemory(daemon);
    checkpoints.push({ ticks: at, ...mem });
    const elapsed = (Date.now() - t0) / 1000;
    rows.push({ ticks: at, 'elapsed s': elapsed, 'ticks/s': at / elapsed, 'RSS after GC MB': mem.rss / MB, 'heap used MB': mem.heap / MB });
    console.log(`ticks ${at}  ${elapsed.toFixed(0)} s  rss ${(mem.rss / MB).toFixed(1)} MB  heap ${(mem.heap / MB).toFixed(1)} MB`);
    if (at >= TICKS) break;
    next = Math.min(TICKS, (Math.floor(at / CHECKPOINT_EVERY) + 1) * CHECKPOINT_EVERY);
  }
  const code = await daemon.stop();

  const warm = checkpoints[0];
  const end = checkpoints[checkpoints.length - 1];
  const growth = warm && end ? (end.rss - warm.rss) / MB : NaN;
  const heapGrowth = warm && end ? (end.heap - warm.heap) / MB : NaN;
  await publish({
    title: `Soak: ${TICKS} accelerated ticks`,
    command: `BENCH_TICKS=${TICKS} node dist/bench/soak.js`,
    setup: [
      `daemon child (simulator/local/daemon-entry.ts, node --expose-gc; modules: ${daemon.modules}), real Redis (BullMQ job schedulers) and Prometheus (1 s scrape)`,
      `${SUITES} suites × ${CHECKS} checks at a ${TICK_MS} ms tick; ticks counted from the daemon's per-tick log lines: ${ticks} in ${((Date.now() - t0) / 1000).toFixed(0)} s; query errors logged: ${errors}; exit code ${String(code)}`,
      `at each checkpoint: full GC in the child (3×), least VmRSS of the three; heap from nodejs_heap_size_used_bytes`,
      `tick lag over the soak: p50 ${quantile(lags, 0.5)} ms, p99 ${quantile(lags, 0.99)} ms, max ${Math.max(...lags)} ms`,
    ],
    rows,
    verdicts: [
      verdict(`RSS growth from ${warm?.ticks ?? '?'} to ${end?.ticks ?? '?'} ticks`, growth, TARGET_GROWTH_MB, 'MB'),
      `heap-in-use growth over the same span: ${heapGrowth.toFixed(2)} MB`,
      ...(end && end.ticks < TICKS ? [`INCOMPLETE: only ${end.ticks} of ${TICKS} ticks within ${MAX_SECONDS} s`] : []),
    ],
  });
});
