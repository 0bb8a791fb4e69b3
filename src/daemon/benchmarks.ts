// The daemon's benchmarks: runs a benchmark job from the BullMQ worker (benchmark/bench-job.ts)
// under a stop signal that shutdown aborts (the Fortio load is stopped and the run marked),
// recovers runs a crashed replica left in the journal (one pass at a time, at start and after
// every tick: a dead owner's locks free up only after their TTL), keeps the latest results for
// the mesh_soak_bench_* gauges and sets the regression checks' gauges before each scrape
// (the check gauges refresh forgets checks that are not the suite's own), and answers the
// last run of a suite for the status body.

import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import type { Config, Suite } from '../config/model.js';
import type { CheckRecord } from '../checks/types.js';
import { worstInstance } from '../checks/check-state.js';
import type { AlertSink } from '../checks/alert-event.js';
import type { Metrics } from '../telemetry/metrics.js';
import { registerBenchMetrics } from '../telemetry/bench-metrics.js';
import type { BenchResult, BenchRun } from '../benchmark/model.js';
import type { BenchDeps } from '../benchmark/run-benchmark.js';
import { regressionChecks } from '../benchmark/compare.js';
import { benchCheckGroup, runBenchmarkJob, type BenchCheckStore, type BenchJob, type BenchJobOutcome } from '../benchmark/bench-job.js';
import { messageOf } from '../shared/errors.js';
import { clusterTarget } from '../config/clusters.js';
import { clusterLabel, clusterOfId, splitInstanceId } from '../checks/suite-instance.js';

/** What the composition root builds for the daemon (app/benchmark.ts buildBenchmark). */
export interface BenchmarkParts {
  deps(suite: Suite): BenchDeps;
  /** Stops and marks runs a crash left in the journal; answers their ids. */
  recover(): Promise<string[]>;
  store: { ids(suite: string, limit?: number): Promise<string[]>; get(runId: string): Promise<BenchRun | undefined> };
}

export interface DaemonBenchmarksDeps {
  config: Config;
  parts: BenchmarkParts;
  checks: BenchCheckStore;
  isPaused(suite: string): Promise<boolean>;
  alerts?: AlertSink;
  metrics: Metrics;
  logger: Logger;
  now: () => number;
}

export interface DaemonBenchmarks {
  readonly suites: ReadonlyMap<string, Suite>;
  run(job: BenchJob): Promise<BenchJobOutcome>;
  /** One recovery pass at a time; failures are logged. */
  recover(): Promise<void>;
  /** The latest results and the regression gauges, from Redis (before a scrape). */
  refresh(): Promise<void>;
  /** The newest stored run of a suite. */
  lastRun(suite: string): Promise<BenchRun | undefined>;
  /** Stops running benchmarks (shutdown): their Fortio loads are stopped and the runs marked. */
  abort(): void;
  /** The recovery pass in progress, if any (shutdown waits for it). */
  current(): Promise<void> | undefined;
}

/** Runs of one suite and Istio version kept as "latest" for the gauges. */
const LATEST_RUNS_READ = 20;

export function daemonBenchmarks(d: DaemonBenchmarksDeps): DaemonBenchmarks {
  const suites = new Map(d.config.suites.filter((s) => s.enabled && s.benchmark).map((s) => [s.name, s]));
  const stop = new AbortController();
  const runs = registerRunCounter(d.metrics);
  const readRun = runCache(d.parts.store, LATEST_RUNS_READ * Math.max(1, suites.size));
  let latest: BenchResult[] = [];
  if (!d.metrics.registry.getSingleMetric('mesh_soak_bench_actual_qps')) registerBenchMetrics(d.metrics.registry, () => latest);
  let recovering: Promise<void> | undefined;
  const setGauges = (suite: Suite, records: Record<string, CheckRecord>): void => setRegressionGauges(d.metrics, suite, records);
  return {
    suites,
    async run(job) {
      const startedAt = d.now();
      const out = await runBenchmarkJob(
        { suites, benchDeps: (s) => d.parts.deps(s), checks: d.checks, isPaused: d.isPaused, ...(d.alerts ? { alerts: d.alerts } : {}), prometheusUrl: clusterTarget(d.config, clusterOfId(job.suite)).prometheus.url, logger: d.logger, now: d.now, onRecords: setGauges },
        job,
        stop.signal,
      );
      runs.inc({ suite: splitInstanceId(job.suite).suite, outcome: out.outcome, ...clusterLabel(job.suite) });
      d.logger.debug({ suite: job.suite, durationMs: d.now() - startedAt }, 'benchmark job done');
      return out;
    },
    recover() {
      recovering ??= d.parts
        .recover()
        .then((ids) => void (ids.length > 0 && d.logger.warn({ runs: ids }, 'benchmark runs interrupted by a crash stopped and marked')))
        .catch((err: unknown) => d.logger.error({ err: messageOf(err) }, 'recovering interrupted benchmarks failed'))
        .finally(() => {
          recovering = undefined;
        });
      return recovering;
    },
    async refresh() {
      const next: BenchResult[] = [];
      for (const suite of suites.values()) {
        setGauges(suite, await d.checks.load(benchCheckGroup(suite.name)));
        next.push(...latestResults(await Promise.all((await d.parts.store.ids(suite.name, LATEST_RUNS_READ)).map(readRun))));
      }
      latest = next;
    },
    async lastRun(suite) {
      const [id] = await d.parts.store.ids(suite, 1);
      return id === undefined ? undefined : readRun(id);
    },
    abort: () => stop.abort(new Error('daemon shutting down')),
    current: () => recovering,
  };
}

function setRegressionGauges(metrics: Metrics, suite: Suite, records: Record<string, CheckRecord>): void {
  for (const spec of regressionChecks(suite.benchmark!.regression.thresholds)) {
    const record = records[spec.name];
    if (!record) continue;
    metrics.setCheckState(suite.name, spec.name, spec.severity, record.state);
    metrics.setCheckValue(suite.name, spec.name, worstInstance(record)?.value ?? null);
  }
}

/** Reads runs by id, keeping finished ones (they never change) up to `max`, oldest dropped first. */
function runCache(store: BenchmarkParts['store'], max: number): (id: string) => Promise<BenchRun | undefined> {
  const cache = new Map<string, BenchRun>();
  return async (id) => {
    const cached = cache.get(id);
    if (cached) return cached;
    const run = await store.get(id);
    if (run && run.state !== 'running') {
      cache.set(id, run);
      if (cache.size > max) cache.delete(cache.keys().next().value as string);
    }
    return run;
  };
}

/** Per Istio version, the results of its newest finished run (`runs` newest first). */
export function latestResults(runs: Array<BenchRun | undefined>): BenchResult[] {
  const seen = new Set<string>();
  const out: BenchResult[] = [];
  for (const run of runs) {
    if (!run || run.state !== 'done' || seen.has(run.istioVersion)) continue;
    seen.add(run.istioVersion);
    out.push(...run.results);
  }
  return out;
}

/** `cluster` only for an instance of a named cluster (the series without clusters: are as before). */
function registerRunCounter(metrics: Metrics): Counter<'suite' | 'outcome' | 'cluster'> {
  const name = 'mesh_soak_bench_runs_total';
  const existing = metrics.registry.getSingleMetric(name);
  if (existing) return existing as Counter<'suite' | 'outcome' | 'cluster'>;
  return new Counter({ name, help: 'Benchmark jobs by outcome (done, stopped, failed, busy, skipped)', labelNames: ['suite', 'outcome', 'cluster'], registers: [metrics.registry] });
}
