// The daemon at scale (issue 3's target: < 150 MB RSS and < 5 % of one core). A daemon child
// with 20 suites × 25 check_metrics-style checks (500 checks) at a 10 s tick, against a real
// Redis and a real Prometheus scraping realistic Istio series. Every 5 s the child's VmRSS
// and utime+stime are read from /proc; CPU % is CPU seconds over wall seconds, measured
// after a warm-up so start-up (module loading, first connections) is reported apart.
//
// Run: npx tsc -p tsconfig.json && node dist/bench/daemon-scale.js
// Env: BENCH_SECONDS (default 300), BENCH_SUITES (20), BENCH_CHECKS_PER_SUITE (25),
//      BENCH_NODE_ARGS (node flags for the daemon child, after the image's: see
//      bench/lib/child-daemon.ts imageNodeFlags).

import { join } from 'node:path';
import { istioSuites, writeBenchConfig } from './lib/bench-config.js';
import { startBenchDaemon } from './lib/child-daemon.js';
import { seriesCount } from './istio-series.js';
import { startIstioStack } from './lib/istio-stack.js';
import { envNumber, lifecycle, sleep } from './lib/lifecycle.js';
import { MB, sample, type ProcSample } from './lib/proc-stats.js';
import { processMemory } from './lib/process-metrics.js';
import { publish, verdict } from './lib/report.js';
import { quantile } from './lib/stats.js';

const SECONDS = envNumber('BENCH_SECONDS', 300);
const SUITES = envNumber('BENCH_SUITES', 20);
const CHECKS = envNumber('BENCH_CHECKS_PER_SUITE', 25);
/** Extra node flags for the daemon child, to try memory settings (e.g. --max-semi-space-size=2). */
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
const SAMPLE_MS = 5000;
const WARMUP_MS = 20_000;
const TARGET_RSS_MB = 150;
const TARGET_CPU_PCT = 5;

const life = lifecycle('daemon-scale', (SECONDS + 180) * 1000);

void life.run(async () => {
  const { dir, redis, prom } = await startIstioStack(life, 'scale');

  const configFile = await writeBenchConfig({
    dir,
    prometheusUrl: prom.url,
    redisUrl: redis.url,
    tick: '10s',
    suites: istioSuites(SUITES, CHECKS),
  });

  let ticks = 0;
  const durations: number[] = [];
  const lastStates = new Map<string, Record<string, number>>();
  const daemon = life.own(
    await startBenchDaemon({
      configFile,
      logFile: join(dir, 'daemon.log'),
      nodeArgs: NODE_ARGS,
      onLine(line) {
        if (line.msg !== 'tick') return;
        ticks += 1;
        if (typeof line.durationMs === 'number') durations.push(line.durationMs);
        if (typeof line.suite === 'string' && line.states && typeof line.states === 'object') {
          lastStates.set(line.suite, line.states as Record<string, number>);
        }
      },
    }),
    (d) => d.stop(),
  );
  console.log(`daemon pid ${daemon.pid}; ${SUITES} suites × ${CHECKS} checks at 10 s for ${SECONDS} s, sampling every ${SAMPLE_MS / 1000} s`);

  const samples: ProcSample[] = [await sample(daemon.pid)];
  const start = samples[0]!;
  const deadline = start.at + SECONDS * 1000;
  for (let i = 0; i < SECONDS / (SAMPLE_MS / 1000) + 2 && Date.now() < deadline; i++) {
    await sleep(Math.min(SAMPLE_MS, Math.max(0, deadline - Date.now())));
    const s = await sample(daemon.pid);
    samples.push(s);
    console.log(`t=${((s.at - start.at) / 1000).toFixed(0)} s  rss ${(s.rss / MB).toFixed(1)} MB  cpu ${s.cpuS.toFixed(2)} s  ticks ${ticks}`);
  }
  const mem = await processMemory(daemon.base);
  const code = await daemon.stop();
  const verdicts: Record<string, number> = {};
  for (const st of lastStates.values()) for (const [k, v] of Object.entries(st)) verdicts[k] = (verdicts[k] ?? 0) + v;
  const verdictText = Object.entries(verdicts).map(([k, v]) => `${v} ${k}`).join(', ');

  const last = samples[samples.length - 1]!;
  const warm = samples.find((s) => s.at - start.at >= WARMUP_MS) ?? start;
  const pct = (a: ProcSample, b: ProcSample) => (b.at > a.at ? ((b.cpuS - a.cpuS) / ((b.at - a.at) / 1000)) * 100 : NaN);
  const steadyPct = pct(warm, last);
  const rssMax = Math.max(...samples.map((s) => s.rss)) / MB;
  const rssFinal = last.rss / MB;
  // CPU per 5 s window, to show the tick bursts rather than only the mean.
  const windows = samples.slice(1).map((s, i) => pct(samples[i]!, s)).filter((v) => Number.isFinite(v));

  await publish({
    title: 'Daemon at scale: 20 suites, 500 checks, 10 s tick',
    command: `${NODE_ARGS.length > 0 ? `BENCH_NODE_ARGS="${NODE_ARGS.join(' ')}" ` : ''}BENCH_SECONDS=${SECONDS} node dist/bench/daemon-scale.js`,
    setup: [
      `daemon child (simulator/local/daemon-entry.ts; modules: ${daemon.modules}; node flags: ${daemon.nodeFlags.join(' ') || 'none'}), real Redis and Prometheus (1 s scrape of ${seriesCount()} synthetic Istio/cAdvisor series)`,
      `${SUITES} suites × ${CHECKS} checks = ${SUITES * CHECKS} checks (5xx, sanity, Envoy CPU per pod, memory, error ratio; guard per suite), tick 10 s, ${SECONDS} s`,
      `RSS (VmRSS) and utime+stime sampled every ${SAMPLE_MS / 1000} s from /proc; steady CPU from ${WARMUP_MS / 1000} s on; ticks run: ${ticks}; exit code ${String(code)}`,
      `check states at the last tick of each suite: ${verdictText}`,
      `tick duration (500-check suites run concurrently): p50 ${quantile(durations, 0.5)} ms, p99 ${quantile(durations, 0.99)} ms`,
    ],
    rows: [
      { measurement: 'RSS max', value: rssMax, unit: 'MB' },
      { measurement: 'RSS final', value: rssFinal, unit: 'MB' },
      { measurement: 'RSS at first sample (after start-up)', value: start.rss / MB, unit: 'MB' },
      { measurement: 'V8 heap used at the end (no forced GC)', value: mem.heapUsed / MB, unit: 'MB' },
      { measurement: 'V8 heap reserved (heap total) at the end', value: mem.heapTotal / MB, unit: 'MB' },
      { measurement: 'external (Buffers, native) at the end', value: mem.external / MB, unit: 'MB' },
      { measurement: 'CPU, steady (after warm-up), % of one core', value: steadyPct, unit: '%' },
      { measurement: 'CPU, whole run incl. start-up, % of one core', value: pct(start, last), unit: '%' },
      { measurement: 'CPU, busiest 5 s window, % of one core', value: Math.max(...windows), unit: '%' },
      { measurement: 'CPU seconds total', value: last.cpuS, unit: 's' },
    ],
    verdicts: [verdict('RSS max', rssMax, TARGET_RSS_MB, 'MB'), verdict('CPU steady', steadyPct, TARGET_CPU_PCT, '% of one core')],
  });
});
