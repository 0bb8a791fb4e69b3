// The daemon at 10× scale, shared by replicas (issue 15's targets: 5,000 checks — 100 suites ×
// 50 — at a 10 s tick with 2 replicas: tick p99 < 2 s, RSS < 250 MB and CPU < 25 % of a core
// per replica; the work spread so per-replica tick counts are within 20 % of each other and
// no scheduled tick runs twice). BENCH_REPLICAS daemon children share one real Redis (BullMQ
// hands each tick job to one of them) and one real Prometheus scraping the synthetic Istio
// series. Each child's VmRSS and utime+stime are sampled from /proc; each tick's job id,
// duration and worker come from the children's logs.
//
// BENCH_CLUSTERS > 1 (issue 15): the config names that many simulated clusters (one shared
// Prometheus, a client per cluster, no Kubernetes API) and suite i runs on cluster i mod N, so
// the same number of suite instances (`cluster-k/bench-i`) is spread over the clusters; the
// report adds each replica's ticks per cluster. 1 (the default): no clusters:, as before.
//
// BENCH_RECORDED=1: the Prometheus loads the recording rules `mesh-soak rules` prints for the
// config and the replicas read the checks from them (prometheus.recordingRules).
// At the end each replica's own heap figures and series count are read from its /metrics, so
// the RSS column can be told apart: V8 heap in use, heap reserved, and the rest.
//
// Run: npm run build && node dist/bench/daemon-replicas.js
// Env: BENCH_REPLICAS (2), BENCH_SECONDS (180), BENCH_SUITES (100), BENCH_CHECKS_PER_SUITE (50), BENCH_CLUSTERS (1),
//      BENCH_WARMUP_SECONDS (30), BENCH_RECORDED (0), BENCH_NODE_ARGS (node flags for the children, after the image's)

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { recordingRuleGroups } from '../src/adapters/prometheus/recording-rules.js';
import { istioSuites, suiteExpressions, writeBenchConfig, type BenchSuite } from './lib/bench-config.js';
import { startBenchDaemon, type BenchDaemon } from './lib/child-daemon.js';
import { startIstioStack } from './lib/istio-stack.js';
import { envNumber, lifecycle, sleep } from './lib/lifecycle.js';
import { MB, sample, type ProcSample } from './lib/proc-stats.js';
import { publish, verdict, type Row } from './lib/report.js';
import { quantile } from './lib/stats.js';

const REPLICAS = envNumber('BENCH_REPLICAS', 2);
const SECONDS = envNumber('BENCH_SECONDS', 180);
const SUITES = envNumber('BENCH_SUITES', 100);
const CHECKS = envNumber('BENCH_CHECKS_PER_SUITE', 50);
const CLUSTERS = envNumber('BENCH_CLUSTERS', 1);
const RECORDED = process.env.BENCH_RECORDED === '1';
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
const SAMPLE_MS = 5000;
/** Ticks, CPU and durations count from here on (start-up's backlog aside); BENCH_WARMUP_SECONDS for a short smoke run. */
const WARMUP_MS = envNumber('BENCH_WARMUP_SECONDS', 30) * 1000;

const life = lifecycle('daemon-replicas', (SECONDS + 300) * 1000);

interface Replica {
  daemon: BenchDaemon;
  ticks: number;
  /** When each tick's log line arrived, to count ticks once every replica is up. */
  tickTimes: number[];
  durations: number[];
  samples: ProcSample[];
  /** Ticks after the warm-up by cluster (the instance id's prefix; "default" without clusters:). */
  byCluster: Map<string, number>;
}

/** Counts one tick line of a replica. */
function countTick(r: Replica, line: Record<string, unknown>, at: number, countFrom: number, jobs: Map<string, number>): void {
  r.ticks += 1;
  r.tickTimes.push(at);
  if (typeof line.durationMs === 'number' && at >= countFrom) r.durations.push(line.durationMs);
  if (typeof line.jobId === 'string') jobs.set(line.jobId, (jobs.get(line.jobId) ?? 0) + 1);
  if (at >= countFrom && typeof line.suite === 'string') {
    const cluster = line.suite.includes('/') ? line.suite.slice(0, line.suite.indexOf('/')) : 'default';
    r.byCluster.set(cluster, (r.byCluster.get(cluster) ?? 0) + 1);
  }
}

/** The recording rules of every suite's guard and checks at the 10 s tick (what `mesh-soak rules` prints for this config). */
async function writeRecordingRules(dir: string, suites: BenchSuite[]): Promise<string[]> {
  const exprs = suites.flatMap(suiteExpressions);
  const file = join(dir, 'recorded.yml');
  await writeFile(file, dump({ groups: recordingRuleGroups(exprs.map((expr) => ({ expr, intervalMs: 10_000 }))) }, { lineWidth: -1 }));
  return [file];
}

/** A replica's V8 heap (used, reserved) and how many series its /metrics holds, read before it stops. */
async function ownFigures(base: string): Promise<{ heapUsedMb: number; heapTotalMb: number; series: number }> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const value = (metric: string) => Number(new RegExp(`^${metric}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(text)?.[1] ?? NaN);
  return {
    heapUsedMb: value('nodejs_heap_size_used_bytes') / MB,
    heapTotalMb: value('nodejs_heap_size_total_bytes') / MB,
    series: text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length,
  };
}

void life.run(async () => {
  const suites = istioSuites(SUITES, CHECKS);
  const { dir, redis, prom } = await startIstioStack(life, 'replicas', RECORDED ? { ruleFiles: (d) => writeRecordingRules(d, suites) } : {});
  const configFile = await writeBenchConfig({ dir, prometheusUrl: prom.url, redisUrl: redis.url, tick: '10s', suites, clusters: CLUSTERS, recordingRules: RECORDED });
  const jobs = new Map<string, number>();
  // Tick durations count from the warm-up on (start-up's backlog aside).
  let countFrom = Number.POSITIVE_INFINITY;
  const replicas: Replica[] = [];
  for (let i = 0; i < REPLICAS; i++) {
    const r: Replica = { daemon: undefined as unknown as BenchDaemon, ticks: 0, tickTimes: [], durations: [], samples: [], byCluster: new Map() };
    r.daemon = life.own(
      await startBenchDaemon({
        configFile,
        logFile: join(dir, `daemon-${i}.log`),
        // 5,000 checks to load next to replicas already ticking, on a loaded machine.
        startTimeoutMs: 180_000,
        nodeArgs: NODE_ARGS,
        onLine(line, at) {
          if (line.msg === 'tick') countTick(r, line, at, countFrom, jobs);
        },
      }),
      (d) => d.stop(),
    );
    replicas.push(r);
  }
  console.log(`${REPLICAS} replicas (pids ${replicas.map((r) => r.daemon.pid).join(', ')}): ${SUITES} suites × ${CHECKS} checks at 10 s for ${SECONDS} s${CLUSTERS > 1 ? `, spread over ${CLUSTERS} clusters` : ''}`);
  const start = Date.now();
  countFrom = start + WARMUP_MS;
  for (const r of replicas) r.samples.push(await sample(r.daemon.pid));
  while (Date.now() - start < SECONDS * 1000) {
    await sleep(SAMPLE_MS);
    for (const r of replicas) r.samples.push(await sample(r.daemon.pid));
    console.log(`t=${((Date.now() - start) / 1000).toFixed(0)} s  ${replicas.map((r, i) => `#${i}: rss ${(r.samples.at(-1)!.rss / MB).toFixed(0)} MB, ticks ${r.ticks}`).join('; ')}`);
  }
  const own = await Promise.all(replicas.map((r) => ownFigures(r.daemon.base)));
  for (const r of replicas) await r.daemon.stop();

  const pct = (a: ProcSample, b: ProcSample) => ((b.cpuS - a.cpuS) / ((b.at - a.at) / 1000)) * 100;
  const rows: Row[] = [];
  const verdicts: string[] = [];
  replicas.forEach((r, i) => {
    const warm = r.samples.find((s) => s.at - start >= WARMUP_MS) ?? r.samples[0]!;
    const cpu = pct(warm, r.samples.at(-1)!);
    const rss = Math.max(...r.samples.map((s) => s.rss)) / MB;
    const p99 = quantile(r.durations, 0.99);
    const byCluster: Row = CLUSTERS > 1 ? { 'ticks after warm-up by cluster': [...r.byCluster].sort(([a], [b]) => a.localeCompare(b)).map(([c, n]) => `${c}: ${n}`).join(', ') } : {};
    rows.push({ replica: i, ticks: r.ticks, 'ticks after warm-up': r.tickTimes.filter((t) => t - start >= WARMUP_MS).length, ...byCluster, 'tick p50 ms': quantile(r.durations, 0.5), 'tick p99 ms': p99, 'RSS max MB': rss, 'heap used MB (end)': own[i]!.heapUsedMb, 'heap total MB (end)': own[i]!.heapTotalMb, 'own series': own[i]!.series, 'CPU steady % of a core': cpu });
    verdicts.push(verdict(`replica ${i} tick p99`, p99, 2000, 'ms'), verdict(`replica ${i} RSS max`, rss, 250, 'MB'), verdict(`replica ${i} CPU`, cpu, 25, '%'));
  });
  // Counted from the warm-up on: the first replica alone took every tick until the others were up.
  const counts = replicas.map((r) => r.tickTimes.filter((t) => t - start >= WARMUP_MS).length);
  const spread = Math.max(...counts) / Math.max(1, Math.min(...counts)) - 1;
  const twice = [...jobs.values()].filter((n) => n > 1).length;
  verdicts.push(verdict('tick-count spread between replicas', spread * 100, 20, '%'), `ticks run twice (same job id on two replicas or twice): ${twice} of ${jobs.size}`);
  await publish({
    title: `Daemon replicas: ${REPLICAS} × (${SUITES} suites, ${SUITES * CHECKS} checks${CLUSTERS > 1 ? `, over ${CLUSTERS} clusters` : ''}), 10 s tick${RECORDED ? ', checks read from recording rules' : ''}`,
    command: `${NODE_ARGS.length > 0 ? `BENCH_NODE_ARGS="${NODE_ARGS.join(' ')}" ` : ''}BENCH_REPLICAS=${REPLICAS} BENCH_SECONDS=${SECONDS} BENCH_SUITES=${SUITES} BENCH_CHECKS_PER_SUITE=${CHECKS} BENCH_CLUSTERS=${CLUSTERS} BENCH_WARMUP_SECONDS=${WARMUP_MS / 1000}${RECORDED ? ' BENCH_RECORDED=1' : ''} node dist/bench/daemon-replicas.js`,
    setup: [
      `${REPLICAS} daemon children (simulator/local/daemon-entry.ts) on one real Redis and one real Prometheus (1 s scrape of the synthetic Istio series)`,
      ...(CLUSTERS > 1 ? [`clusters: ${CLUSTERS} simulated clusters (one Prometheus client each, all on the one Prometheus), suite i on cluster i mod ${CLUSTERS}: ${SUITES} suite instances`] : []),
      `${SUITES} suites × ${CHECKS} check_metrics-style checks (${new Set(suites.flatMap(suiteExpressions)).size} distinct expressions, guards included), tick 10 s, ${SECONDS} s; CPU, tick durations and the tick-count spread from ${WARMUP_MS / 1000} s on; RSS/CPU sampled every ${SAMPLE_MS / 1000} s from /proc`,
    ],
    rows,
    verdicts,
  });
});
