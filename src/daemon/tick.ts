// One tick of one suite: load the suite's check records from Redis, evaluate the group
// against Prometheus, save the records, and report — metrics, history, one log line per
// tick and per state change, and firing/resolved alert events for the notifier.

import type { Logger } from 'pino';
import type { CheckSpec, Severity } from '../checks/model.js';
import type { CheckRecord } from '../checks/types.js';
import { groupCoverage } from '../checks/coverage.js';
import type { CheckGroup, EvaluateGroup, GroupTransition } from '../checks/evaluate-group.js';
import type { MetricsProvider } from '../adapters/prometheus/types.js';
import type { EvaluationResult, Metrics } from '../telemetry/metrics.js';
import type { CheckStore } from '../adapters/redis/check-store.js';
import type { History, HistoryEvent } from '../adapters/redis/history.js';
import type { PauseFlags } from '../adapters/redis/pause-flags.js';
import { setCheckGauges } from './check-gauges.js';
import type { DeploymentProbe, DeploymentVerdict } from '../checks/deployment.js';
import type { LogsReader } from '../checks/logs.js';
import { MESH_SUITE } from '../config/model.js';
import { clusterOfId, splitInstanceId } from '../checks/suite-instance.js';
import { alertEventsFor, type AlertEvent, type AlertSink } from '../checks/alert-event.js';
import { longestGraceMs, specInPhase, type SuitePhase } from '../checks/phases.js';
import type { OpenDisruptions } from '../adapters/redis/ledger.js';
import type { DisruptionWindow } from '../verdict/impact.js';
import type { EvidenceRecorder } from './evidence.js';
import { afterTick, checkChanges, currentDisruption, recordIstioVersion, type ImpactTracker } from './impact-tracker.js';
import { snapshotOf, type ValueRing } from '../adapters/redis/value-ring.js';
import { worstInstance } from '../checks/check-state.js';
import { groupQueries, PrefetchProvider } from './prefetch.js';

/** What a tick of one cluster's suite instances reads (config `clusters:`, issue 15). */
export interface ClusterDeps {
  provider: MetricsProvider;
  prometheusUrl: string;
  logs?: LogsReader;
  /** The cluster's prometheus.maxInstancesPerCheck; absent: no cap. */
  maxInstances?: number;
}

export interface TickDeps {
  /** By cluster name; an instance of a cluster not here uses provider, prometheusUrl, logs and maxInstances below. */
  clusters?: ReadonlyMap<string, ClusterDeps>;
  groups: Map<string, CheckGroup>;
  store: CheckStore;
  history: History;
  pause: PauseFlags;
  provider: MetricsProvider;
  /** Whether the suite's objects exist; absent: not asked (the guard alone decides). */
  deployment?: DeploymentProbe;
  /** Reads pod logs for `logs` checks; absent: they are unknown. */
  logs?: LogsReader;
  evaluate: EvaluateGroup;
  metrics: Metrics;
  logger: Logger;
  alerts?: AlertSink;
  prometheusUrl: string;
  worker: string;
  now?: () => number;
  /** Instances one check tracks (prometheus.maxInstancesPerCheck). */
  maxInstances?: number;
  /** The run ledger and disruption impact (impact-tracker.ts); absent: neither is kept. */
  impact?: ImpactTracker;
  /** Evidence from the Kubernetes API when a check starts failing (evidence.ts); absent: none. */
  evidence?: Pick<EvidenceRecorder, 'onChanges'>;
  /** The checks' last values for the status page's sparklines; absent: not kept. */
  values?: Pick<ValueRing, 'addTo'>;
}

export interface TickJob {
  id: string;
  suite: string;
  scheduledAt: number;
}

export type TickOutcome =
  | { ran: true; states: Record<string, number>; durationMs: number }
  | { ran: false; reason: string };

export async function runTick(deps: TickDeps, job: TickJob): Promise<TickOutcome> {
  const now = deps.now ?? Date.now;
  const startedAt = now();
  const { suite } = job;
  const group = deps.groups.get(suite);
  if (!group) {
    deps.logger.warn({ suite, jobId: job.id }, 'tick for a suite that is not configured; ignored');
    return { ran: false, reason: 'unknown suite' };
  }
  const lagSeconds = Math.max(0, startedAt - job.scheduledAt) / 1000;
  deps.metrics.tickLag.observe({ suite }, lagSeconds);
  if (await deps.pause.isPaused(suite)) {
    deps.logger.info({ suite, jobId: job.id }, 'tick skipped: suite paused');
    return { ran: false, reason: 'paused' };
  }

  const laps = lapTimer(now, startedAt);
  const target = targetOf(deps, suite);
  const scoped = tickProvider(deps, suite, group, target);
  // Independent reads, one round trip's wait instead of three, while the queries travel.
  const [prev, open, deployment] = await Promise.all([deps.store.load(suite), openDisruptions(deps, suite), askDeployment(deps, suite)]);
  const disruption = currentDisruption(open, startedAt, longestGraceMs(group.checks));
  const checks = group.checks.map((c) => specInPhase(c, suitePhase(disruption, startedAt)));
  const input = { guard: group.guard, guardSource: group.guardSource, checks, ...(deployment ? { deployment } : {}) };
  laps.lap('read');
  const result = await deps.evaluate(input, scoped, prev, startedAt, {
    ...(target.maxInstances !== undefined ? { maxInstances: target.maxInstances } : {}),
    ...(target.logs ? { logs: target.logs } : {}),
  });
  ranBefore(deps).set(suite, result.guard === 'running' || result.guard === 'none');
  laps.lap('evaluate');
  await deps.store.save(suite, result.records);
  const changes = deps.impact || deps.evidence ? checkChanges(suite, prev, result.records, startedAt) : [];
  if (deps.impact) {
    await afterTick(deps.impact, suite, open, changes, startedAt);
    void recordIstioVersion(deps.impact, startedAt);
  }
  // Beside the tick, never awaited: the API's events and pods for checks that started failing.
  deps.evidence?.onChanges(suite, changes);
  laps.lap('save');

  const specs = new Map(group.checks.map((c) => [c.name, c]));
  const states = reportRecords(deps, suite, group.checks, result.records, prev);

  // Blamed on alerts: the disruption whose impact is still being judged (running, or not yet recovered).
  const blamed = open.windows.at(-1);
  const events = announce({ ...deps, prometheusUrl: target.prometheusUrl }, suite, specs, result.transitions, prev, blamed && describeDisruption(blamed));
  const durationMs = laps.lap('report') - startedAt;
  deps.metrics.tickDuration.observe({ suite }, durationMs / 1000);
  // One round trip for the state changes, the run entry and the checks' values.
  const values = deps.values;
  const snapshot = values && snapshotOf(startedAt, group.checks.map((c) => [c.name, checkValue(result.records[c.name])]));
  await deps.history.recordTickWith(
    suite,
    events,
    { jobId: job.id, scheduledAt: job.scheduledAt, startedAt, durationMs, worker: deps.worker },
    snapshot && ((tx) => values.addTo(tx, suite, snapshot)),
  );
  deps.logger.info(
    { suite, jobId: job.id, durationMs, phasesMs: laps.done, lagMs: startedAt - job.scheduledAt, states, errors: result.errors },
    'tick',
  );
  return { ran: true, states, durationMs };
}

/**
 * Where a tick's time went, for its log line (`phasesMs`): read (pause flag, records, ledger,
 * deployment), evaluate (guard and checks: Prometheus), save (records, ledger), report
 * (gauges, alerts). Each lap is the time since the previous one; lap() returns the clock's reading.
 */
function lapTimer(now: () => number, startedAt: number): { lap(name: string): number; done: Record<string, number> } {
  let last = startedAt;
  const done: Record<string, number> = {};
  return {
    done,
    lap(name) {
      const t = now();
      done[name] = t - last;
      last = t;
      return t;
    },
  };
}

/** Per daemon (its groups map): whether a suite's checks ran on this process' last tick of it, so the next tick's queries start early. */
const lastRan = new WeakMap<Map<string, CheckGroup>, Map<string, boolean>>();

function ranBefore(deps: TickDeps): Map<string, boolean> {
  let ran = lastRan.get(deps.groups);
  if (!ran) lastRan.set(deps.groups, (ran = new Map()));
  return ran;
}

/**
 * This tick's provider: batches of this tick's queries only (BatchingProvider.scoped: another
 * suite's slow query never holds ours), sent at once when the checks ran on the last tick.
 */
function tickProvider(deps: TickDeps, suite: string, group: CheckGroup, target: ClusterDeps): MetricsProvider {
  const provider = new PrefetchProvider((target.provider as { scoped?: () => MetricsProvider }).scoped?.() ?? target.provider);
  // Used once: a tick that fails before it knows the guard's answer (Redis down) prefetches
  // nothing next time. Answers nobody takes (the guard said skip) are left to finish: a signal
  // would take them out of their batch, and it happens on one tick per running → skipped turn.
  if (ranBefore(deps).get(suite) === true) provider.start(groupQueries(group));
  ranBefore(deps).set(suite, false);
  return provider;
}

/** Each check's metrics from its new record, and the suite's coverage; returns how many records are in each state. */
function reportRecords(
  deps: TickDeps,
  suite: string,
  checks: CheckSpec[],
  records: Record<string, CheckRecord>,
  prev: Record<string, CheckRecord>,
): Record<string, number> {
  const states: Record<string, number> = {};
  for (const spec of checks) {
    const record = records[spec.name];
    if (!record) continue;
    states[record.state] = (states[record.state] ?? 0) + 1;
    report(deps.metrics, suite, spec.severity, spec.name, record, prev[spec.name]);
  }
  reportCoverage(deps, suite, checks.map((c) => records[c.name]));
  return states;
}

/** What targetOf picks from: the clusters' deps and the implicit cluster's. */
export type ClusterTargets = Pick<TickDeps, 'clusters' | 'provider' | 'prometheusUrl' | 'logs' | 'maxInstances'>;

/** The suite instance's cluster's Prometheus (provider, URL, instance cap) and logs reader; the tick's, the alert re-send's. */
export function targetOf(deps: ClusterTargets, suite: string): ClusterDeps {
  const own = deps.clusters?.get(clusterOfId(suite));
  if (own) return own;
  return { provider: deps.provider, prometheusUrl: deps.prometheusUrl, ...(deps.logs ? { logs: deps.logs } : {}), ...(deps.maxInstances !== undefined ? { maxInstances: deps.maxInstances } : {}) };
}

/** A check's value as its gauge shows it: the worst instance's; null without a record or value. */
function checkValue(record: CheckRecord | undefined): number | null {
  return record ? (worstInstance(record)?.value ?? null) : null;
}

/** The API's verdict on the suite's objects; an error is logged and the guard decides alone. */
async function askDeployment(deps: TickDeps, suite: string): Promise<DeploymentVerdict | undefined> {
  if (!deps.deployment || splitInstanceId(suite).suite === MESH_SUITE) return undefined;
  const verdict = await deps.deployment(suite);
  if ('error' in verdict) deps.logger.warn({ suite, err: verdict.error }, 'cannot tell whether the suite is deployed; its guard decides');
  return verdict;
}

/** The suite's open disruptions; none when no ledger is kept or it cannot be read (the tick goes on). */
async function openDisruptions(deps: TickDeps, suite: string): Promise<OpenDisruptions> {
  if (!deps.impact) return { windows: [] };
  try {
    return await deps.impact.ledger.open(suite);
  } catch (err) {
    deps.logger.warn({ suite, err: err instanceof Error ? err.message : String(err) }, 'run ledger not readable; checks judged as steady');
    return { windows: [] };
  }
}

function suitePhase(d: ReturnType<typeof currentDisruption>, now: number): SuitePhase {
  if (!d) return { kind: 'steady' };
  if (d.running || d.window.endedAt === null) return { kind: 'during' };
  return { kind: 'after', sinceEndMs: now - d.window.endedAt };
}

function describeDisruption(w: DisruptionWindow): string {
  const started = new Date(w.startedAt).toISOString();
  return w.endedAt === null ? `${w.id} (running since ${started})` : `${w.id} (started ${started}, ended ${new Date(w.endedAt).toISOString()})`;
}

/** A suite whose checks judged nothing (all skipped or unknown) is said so: gauge and log. */
function reportCoverage(deps: TickDeps, suite: string, records: Array<CheckRecord | undefined>): void {
  const coverage = groupCoverage(records);
  deps.metrics.setSuiteCoverage(suite, coverage.reason);
  if (!coverage.checked) deps.logger.warn({ suite, reason: coverage.reason, detail: coverage.detail }, 'suite not checked');
}

/** Logs each state change and hands alert events to the notifier; returns the history events. */
function announce(
  deps: TickDeps,
  suite: string,
  specs: Map<string, CheckSpec>,
  transitions: GroupTransition[],
  prev: Record<string, CheckRecord>,
  disruption: string | undefined,
): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  for (const t of transitions) {
    events.push({ kind: 'state', check: t.check, instance: t.key, from: t.from, to: t.to, value: t.value, at: t.at });
    deps.logger.info(
      { suite, check: t.check, severity: t.severity, instance: t.labels, from: t.from, to: t.to, value: t.value },
      'check state changed',
    );
  }
  if (deps.alerts) {
    const alertEvents = alertEventsFor(suite, transitions, specs, deps.prometheusUrl, (check, key) => {
      return prev[check]?.instances[key]?.failingSince ?? null;
    });
    if (alertEvents.length > 0) deps.alerts.enqueue(disruption ? alertEvents.map((e): AlertEvent => ({ ...e, disruption })) : alertEvents);
  }
  return events;
}

function report(
  metrics: Metrics,
  suite: string,
  severity: Severity,
  check: string,
  record: CheckRecord,
  prev: CheckRecord | undefined,
): void {
  setCheckGauges(metrics, suite, check, severity, record);
  metrics.recordEvaluation(suite, check, evaluationResult(record, prev));
}

/**
 * 'error' when this tick's query failed, else the resulting state. consecutiveErrors grows
 * on each failed query and resets on any answer, so a count above the previous tick's (or a
 * first record born with errors) means this tick errored even while the state stays put
 * under errorLimit.
 */
export function evaluationResult(record: CheckRecord, prev: CheckRecord | undefined): EvaluationResult {
  if (record.consecutiveErrors > 0 && record.consecutiveErrors > (prev?.consecutiveErrors ?? 0)) return 'error';
  return record.state;
}

