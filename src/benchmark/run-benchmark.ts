// One benchmark run: every point of the matrix in turn through the Fortio port (start, wait,
// read the result), its resources from Prometheus over the measured window, the run saved
// after each point, and each result compared with its baseline. The run holds the shared
// resources (its namespace and the control plane) for its whole length, and a journal entry
// names it while it runs, so a crash leaves it for recoverInterrupted() to stop and mark:
// a run is never left loading the mesh unowned. Ports in, no adapter imported; time comes
// from the `now` passed in.

import type { Clock } from '../shared/time.js';
import { findRegressions, sampleOf, selectBaseline, type Baseline, type BaselineSample, type Finding } from './compare.js';
import type { FortioResult } from './fortio-json.js';
import { expandMatrix, pointKey, type BenchmarkSpec, type BenchResult, type BenchRun, type MatrixPoint } from './model.js';
import { measuredWindow, readResources, type Component, type RangeQuery } from './resources.js';
import { clusterResource } from '../checks/suite-instance.js';
import { latencyRow } from './result.js';

/** What the Fortio REST API is asked to run (adapters/fortio/client.ts sends it). */
export interface FortioLoad {
  url: string;
  qps: number | 'max';
  connections: number;
  durationMs: number;
  labels: string;
  headers?: string[];
}

export interface FortioPort {
  start(load: FortioLoad, signal?: AbortSignal): Promise<{ runId: number; resultId: string }>;
  waitDone(runId: number, o: { pollMs: number; signal?: AbortSignal; deadlineMs: number; now?: () => number }): Promise<void>;
  result(resultId: string, signal?: AbortSignal): Promise<FortioResult>;
  stop(runId: number): Promise<void>;
}

/** A benchmark run in progress: enough to stop its Fortio load and mark it after a crash. */
export interface JournalEntry {
  runId: string;
  suite: string;
  /** The Fortio REST API the load runs on. */
  fortioUrl: string;
  /** Fortio's run id of the point in progress; null between points. */
  fortioRunId: number | null;
  /** Who runs it (daemon worker id or "cli:PID"). */
  owner: string;
  startedAt: number;
}

export interface BenchStorePort {
  save(run: BenchRun, keepRuns: number): Promise<void>;
  get(runId: string): Promise<BenchRun | undefined>;
  /** Baseline samples of the suite's finished runs, newest runs first, read until `enough` says so. */
  history(suite: string, o?: { enough?: (samples: readonly BaselineSample[]) => boolean }): Promise<BaselineSample[]>;
  journalPut(entry: JournalEntry): Promise<void>;
  journalRemove(runId: string): Promise<void>;
  journal(): Promise<JournalEntry[]>;
}

export interface HeldResources {
  /** Aborts when a lock was lost: stop loading. */
  readonly lost: AbortSignal;
  release(): Promise<void>;
}

export interface BenchDeps {
  fortio: FortioPort;
  prom: RangeQuery;
  store: BenchStorePort;
  /** Takes every named resource or none; undefined when one is held elsewhere. */
  acquire(resources: string[]): Promise<HeldResources | undefined>;
  now: Clock;
  owner: string;
  pollMs: number;
  components: Component[];
  onPoint?: (point: MatrixPoint, outcome: { result: BenchResult } | { error: string }) => void;
}

export interface PointFindings {
  result: BenchResult;
  baseline: Baseline | undefined;
  findings: Finding[];
}

export type BenchOutcome = { outcome: 'busy'; resources: string[] } | { outcome: BenchRun['state']; run: BenchRun; compared: PointFindings[] };

export interface BenchTarget {
  suite: string;
  namespace: string;
  spec: BenchmarkSpec;
  runId: string;
}

/**
 * The shared resources a benchmark of `namespace` holds; `suite`, the suite instance id, puts
 * them on its cluster (clusterResource), so benchmarks on two clusters do not exclude each other.
 */
export function benchResources(namespace: string, suite?: string): string[] {
  return [`namespace/${namespace}`, 'control-plane'].map((r) => (suite === undefined ? r : clusterResource(suite, r)));
}

/** The load URL of a point: the mode's target with ?size= the payload. */
export function loadUrl(spec: BenchmarkSpec, point: MatrixPoint): string {
  const target = spec.targets[point.mode];
  if (target === undefined) throw new Error(`no target URL for mode ${point.mode}`);
  const url = new URL(target);
  url.searchParams.set('size', String(point.payloadBytes));
  return url.toString();
}

/** Labels as runner.py named its runs: date, qps, connections, size, mode. */
export function runLabels(startedAt: number, point: MatrixPoint): string {
  const stamp = new Date(startedAt).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}_qps_${String(point.qps)}_c_${point.connections}_${point.payloadBytes}_${point.mode}`;
}

async function runPoint(t: BenchTarget, point: MatrixPoint, deps: BenchDeps, journal: JournalEntry, signal: AbortSignal): Promise<BenchResult> {
  const startedAt = deps.now();
  const started = await deps.fortio.start({ url: loadUrl(t.spec, point), qps: point.qps, connections: point.connections, durationMs: t.spec.durationMs, labels: runLabels(startedAt, point) }, signal);
  await deps.store.journalPut({ ...journal, fortioRunId: started.runId });
  try {
    await deps.fortio.waitDone(started.runId, { pollMs: deps.pollMs, signal, deadlineMs: startedAt + t.spec.durationMs * 2 + 60_000, now: deps.now });
  } catch (err) {
    await deps.fortio.stop(started.runId).catch(() => undefined);
    throw err;
  }
  const endedAt = deps.now();
  const fortio = await deps.fortio.result(started.resultId, signal);
  await deps.store.journalPut({ ...journal, fortioRunId: null });
  const window = measuredWindow({ startedAt, endedAt }, t.spec);
  const reading =
    window.kind === 'window'
      ? await readResources(deps.prom, { ...window, stepMs: t.spec.stepMs }, deps.components, t.namespace, signal)
      : { resources: [], meshLatencyMs: { p50: null, p90: null, p99: null } };
  return { runId: t.runId, suite: t.suite, istioVersion: t.spec.istioVersion, point, startedAt, endedAt, latency: latencyRow(fortio), ...reading };
}

/** Runs every point; the run ends done, stopped (signal or lost lock) or failed (first failing point). */
export async function runBenchmark(t: BenchTarget, deps: BenchDeps, signal: AbortSignal): Promise<BenchOutcome> {
  const resources = benchResources(t.namespace, t.suite);
  const held = await deps.acquire(resources);
  if (!held) return { outcome: 'busy', resources };
  const stop = AbortSignal.any([signal, held.lost]);
  const run: BenchRun = { id: t.runId, suite: t.suite, istioVersion: t.spec.istioVersion, state: 'running', startedAt: deps.now(), finishedAt: null, results: [] };
  const journal: JournalEntry = { runId: run.id, suite: t.suite, fortioUrl: t.spec.fortioUrl, fortioRunId: null, owner: deps.owner, startedAt: run.startedAt };
  try {
    await deps.store.journalPut(journal);
    await deps.store.save(run, t.spec.keepRuns);
    const history = await baselineHistory(deps.store, t.suite, t.spec);
    for (const point of expandMatrix(t.spec)) {
      if (stop.aborted) break;
      try {
        const result = await runPoint(t, point, deps, journal, stop);
        run.results.push(result);
        deps.onPoint?.(point, { result });
        await deps.store.save(run, t.spec.keepRuns);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        deps.onPoint?.(point, { error: message });
        if (stop.aborted) break;
        run.state = 'failed';
        run.reason = `point ${point.mode} c=${point.connections} qps=${String(point.qps)}: ${message}`;
        break;
      }
    }
    if (run.state === 'running') run.state = stop.aborted ? 'stopped' : 'done';
    if (run.state === 'stopped') run.reason = held.lost.aborted ? 'lost the shared-resource lock' : 'stopped on shutdown';
    run.finishedAt = deps.now();
    await deps.store.save(run, t.spec.keepRuns);
    await deps.store.journalRemove(run.id);
    return { outcome: run.state, run, compared: await compareWithBaselines(run, history, t.spec, deps.store) };
  } finally {
    await held.release().catch(() => undefined);
  }
}

/**
 * The history a run's baselines need, read newest first and no further than needed: for a
 * median, until every point of the matrix has its last N results under another Istio version
 * (older runs cannot change those medians); for a pinned run, nothing (compareWithBaselines
 * reads that run itself).
 */
export async function baselineHistory(store: Pick<BenchStorePort, 'history'>, suite: string, spec: BenchmarkSpec): Promise<BaselineSample[]> {
  const policy = spec.regression.baseline;
  if (policy.kind === 'pinned') return [];
  const keys = expandMatrix(spec).map(pointKey);
  const enough = (samples: readonly BaselineSample[]): boolean => {
    const counts = new Map<string, number>();
    for (const s of samples) if (s.istioVersion !== spec.istioVersion) counts.set(s.key, (counts.get(s.key) ?? 0) + 1);
    return keys.every((k) => (counts.get(k) ?? 0) >= policy.lastN);
  };
  return store.history(suite, { enough });
}

/** Each result against its baseline (a pinned run is read from the store if it is not in history). */
export async function compareWithBaselines(run: BenchRun, history: BaselineSample[], spec: BenchmarkSpec, store: Pick<BenchStorePort, 'get'>): Promise<PointFindings[]> {
  let pool = history;
  const policy = spec.regression.baseline;
  if (policy.kind === 'pinned' && !history.some((r) => r.runId === policy.runId)) {
    pool = [...history, ...((await store.get(policy.runId))?.results ?? []).map(sampleOf)];
  }
  // One pass to group the history by point, so each point looks only at its own results.
  const byPoint = new Map<string, BaselineSample[]>();
  for (const r of pool) {
    const key = r.key;
    const list = byPoint.get(key);
    if (list) list.push(r);
    else byPoint.set(key, [r]);
  }
  return run.results.map((result) => {
    const baseline = selectBaseline(result, byPoint.get(pointKey(result.point)) ?? [], policy);
    return { result, baseline, findings: baseline ? findRegressions(result, baseline, spec.regression.thresholds) : [] };
  });
}

/**
 * Runs a crash left in the journal: for each whose resources are free (its owner is gone;
 * a live owner renews its locks), stop its Fortio load, mark the run stopped and drop the
 * entry. Answers the run ids recovered.
 */
export async function recoverInterrupted(
  deps: Pick<BenchDeps, 'store' | 'acquire' | 'now'> & { fortioFor(url: string, suite: string): Pick<FortioPort, 'stop'>; namespaceOf(suite: string): string | undefined },
): Promise<string[]> {
  const recovered: string[] = [];
  for (const entry of await deps.store.journal()) {
    const ns = deps.namespaceOf(entry.suite);
    const held = await deps.acquire(ns === undefined ? [clusterResource(entry.suite, 'control-plane')] : benchResources(ns, entry.suite));
    if (!held) continue;
    try {
      let stopNote = '';
      if (entry.fortioRunId !== null) {
        const id = entry.fortioRunId;
        stopNote = await deps.fortioFor(entry.fortioUrl, entry.suite).stop(id).then(
          () => `; Fortio run ${id} stopped`,
          (err: unknown) => `; Fortio run ${id} could not be stopped (${err instanceof Error ? err.message : String(err)}), it ends by itself`,
        );
      }
      const run = await deps.store.get(entry.runId);
      if (run && run.state === 'running') {
        const reason = `interrupted: its owner ${entry.owner} stopped mid-run; recovered${stopNote}`;
        await deps.store.save({ ...run, state: 'stopped', finishedAt: deps.now(), reason }, Number.MAX_SAFE_INTEGER);
      }
      await deps.store.journalRemove(entry.runId);
      recovered.push(entry.runId);
    } finally {
      await held.release().catch(() => undefined);
    }
  }
  return recovered;
}
