// One scheduled (or triggered) benchmark job of one suite, as the daemon's BullMQ worker hands
// it over, and the same for `bench run`: honour the pause flag (scheduled runs only), run the
// matrix (run-benchmark.ts) under the caller's stop signal, turn the run's findings into the
// suite's regression checks (evaluated by the ordinary state machine from the records stored
// before) and hand their transitions to the alert sink. Regression records live in their own
// check group (benchCheckGroup), so the suite's ticks, which replace the suite's records,
// never erase them. Ports in, no adapter imported; the clock is passed in.

import { randomBytes } from 'node:crypto';
import type { Suite } from '../config/model.js';
import type { CheckRecord } from '../checks/types.js';
import type { GroupTransition } from '../checks/evaluate-group.js';
import { alertEventsFor, type AlertSink } from '../checks/alert-event.js';
import { regressionChecks } from './compare.js';
import { evaluateRegressions } from './regression-checks.js';
import { runBenchmark, type BenchDeps, type BenchOutcome } from './run-benchmark.js';
import type { BenchRun } from './model.js';

/** Where a suite's regression check records are kept (a name no suite can have: ':' is not allowed in one). */
export function benchCheckGroup(suite: string): string {
  return `${suite}:benchmark`;
}

/** A run id: suite, UTC second and a short random tail (two runs in one second stay apart). */
export function benchRunId(suite: string, now: number): string {
  const stamp = new Date(now).toISOString().replace(/[-:.]/g, '').slice(0, 15);
  return `${suite}-${stamp}-${randomBytes(2).toString('hex')}`;
}

export interface BenchJobLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** The check store's two calls a benchmark needs (records under benchCheckGroup(suite)). */
export interface BenchCheckStore {
  load(group: string): Promise<Record<string, CheckRecord>>;
  save(group: string, records: Record<string, CheckRecord>): Promise<void>;
}

export interface BenchJobDeps {
  suites: ReadonlyMap<string, Suite>;
  /** The ports a run of the suite needs (app/benchmark.ts buildBenchmark). */
  benchDeps(suite: Suite): BenchDeps;
  checks: BenchCheckStore;
  isPaused(suite: string): Promise<boolean>;
  alerts?: AlertSink;
  prometheusUrl: string;
  logger: BenchJobLogger;
  now: () => number;
  /** Told of the regression records after every finished run (gauges). */
  onRecords?: (suite: Suite, records: Record<string, CheckRecord>) => void;
}

export interface BenchJob {
  id: string;
  suite: string;
  /** Asked for by a human (trigger, CLI): the pause flag does not apply. */
  manual: boolean;
}

export type BenchJobOutcome =
  | { outcome: 'skipped'; reason: string }
  | { outcome: 'busy'; resources: string[] }
  | { outcome: BenchRun['state']; run: BenchRun; failing: number; transitions: GroupTransition[] };

export async function runBenchmarkJob(deps: BenchJobDeps, job: BenchJob, signal: AbortSignal): Promise<BenchJobOutcome> {
  const suite = deps.suites.get(job.suite);
  const log = { suite: job.suite, jobId: job.id };
  if (!suite?.benchmark) {
    deps.logger.warn(log, 'benchmark for a suite without a benchmark section; ignored');
    return { outcome: 'skipped', reason: 'no benchmark configured' };
  }
  if (!job.manual && (await deps.isPaused(job.suite))) {
    deps.logger.info(log, 'benchmark skipped: suite paused');
    return { outcome: 'skipped', reason: 'suite paused' };
  }
  const runId = benchRunId(suite.name, deps.now());
  deps.logger.info({ ...log, runId, manual: job.manual }, 'benchmark started');
  const out = await runBenchmark({ suite: suite.name, namespace: suite.namespace, spec: suite.benchmark, runId }, deps.benchDeps(suite), signal);
  if (out.outcome === 'busy') {
    deps.logger.warn({ ...log, resources: out.resources }, 'benchmark skipped: its resources are held by another benchmark or disruption');
    return out;
  }
  const { failing, transitions } = await recordRegressions(deps, suite, out);
  const level = out.run.state === 'done' && failing === 0 ? 'info' : 'warn';
  deps.logger[level]({ ...log, runId, state: out.run.state, reason: out.run.reason, points: out.run.results.length, failing }, 'benchmark finished');
  return { outcome: out.run.state, run: out.run, failing, transitions };
}

/** Evaluates the regression checks, stores their records, hands transitions to the alert sink. */
export async function recordRegressions(
  deps: Pick<BenchJobDeps, 'checks' | 'alerts' | 'prometheusUrl' | 'now' | 'onRecords'>,
  suite: Suite,
  out: Exclude<BenchOutcome, { outcome: 'busy' }>,
): Promise<{ failing: number; transitions: GroupTransition[] }> {
  const thresholds = suite.benchmark!.regression.thresholds;
  const group = benchCheckGroup(suite.name);
  const prev = await deps.checks.load(group);
  const { records, transitions } = evaluateRegressions(thresholds, out.compared, prev, deps.now());
  await deps.checks.save(group, records);
  deps.onRecords?.(suite, records);
  if (deps.alerts && transitions.length > 0) {
    const checks = new Map(regressionChecks(thresholds).map((c) => [c.name, c]));
    deps.alerts.enqueue(alertEventsFor(suite.name, transitions, checks, deps.prometheusUrl, (check, key) => prev[check]?.instances[key]?.failingSince ?? null));
  }
  const failing = Object.values(records).reduce((n, r) => n + Object.values(r.instances).filter((i) => i.state === 'failing').length, 0);
  return { failing, transitions };
}
