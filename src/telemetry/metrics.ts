// mesh-soak's own metrics (DESIGN.md "Own metrics"): one prom-client registry holding every
// mesh_soak_* series plus prom-client's default process metrics. Callers get typed handles and
// a few helpers that keep label sets consistent (a check's five state series, forgetting suites
// that left the config) so /metrics never shows contradictory series. Freshness across
// replicas is src/daemon/check-gauges.ts' job: it resets the check gauges from Redis and
// forgets checks no longer configured.
//
// May import: checks/ (types), shared/.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Severity } from '../config/model.js';
import type { CheckStateName } from '../checks/types.js';
import type { Condition } from '../checks/model.js';
import { COVERAGE_REASONS, type CoverageReason } from '../checks/coverage.js';
import type { PromErrorKind } from '../adapters/prometheus/types.js';
import { splitInstanceId } from '../checks/suite-instance.js';

export const METRIC_PREFIX = 'mesh_soak_';

const CHECK_STATES: readonly CheckStateName[] = ['ok', 'pending', 'failing', 'unknown', 'skipped'];

// Ticks run every few seconds; lag and duration are interesting from milliseconds upwards,
// and anything past a minute is simply "broken".
const FAST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const PROM_REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
// Disruptions include rollouts that can take many minutes.
const DISRUPTION_BUCKETS = [1, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600];
// Recovery: 0 s (nothing broke) up to the recovery bound's usual range.
const RECOVERY_BUCKETS = [0, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800];

/** Why a disruption was skipped: a bounded set (the disruption_skips_total reason label). */
export const SKIP_REASONS = ['paused', 'busy', 'no-runner', 'suite-failing', 'suite-unknown', 'prometheus-unreachable', 'lock-held', 'missed-deadline'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

const DEFAULT_METRICS_PROMTOOL_REJECTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

export type EvaluationResult = CheckStateName | 'error';
export type DisruptionOutcome = 'success' | 'failure' | 'skipped' | (string & {});
/** 'success' or the PrometheusError kind: a bounded set, and says what went wrong. */
export type PromRequestOutcome = 'success' | PromErrorKind | 'error';

const PROM_OUTCOMES: ReadonlySet<string> = new Set<PromRequestOutcome>([
  'success',
  'unreachable',
  'timeout',
  'http',
  'bad_data',
  'execution',
  'too_large',
]);

/**
 * The `outcome` label of prometheus_request_duration_seconds for a request that ended in
 * `kind` ('success' or a PrometheusError kind). Anything else becomes 'error', so a new
 * or misspelt kind cannot grow the label set without bound.
 */
export function promOutcome(kind: string): PromRequestOutcome {
  return PROM_OUTCOMES.has(kind) ? (kind as PromRequestOutcome) : 'error';
}
export type NotificationOutcome = 'success' | 'failure' | 'dropped';

/**
 * Slots of the last-disruption gauges per suite and outcome: Grafana draws a band only after
 * its disruption ended (a sweep over the following minute and the disruption's length), so
 * consecutive disruptions take turns in 4 slots and one never overwrites a band still drawn.
 */
export const DISRUPTION_SLOTS = 4;

/** Which side of a threshold fails: above it, below it, or at/away from it (== / !=). */
export type ThresholdBound = 'upper' | 'lower' | 'equal';
const THRESHOLD_BOUNDS: readonly ThresholdBound[] = ['upper', 'lower', 'equal'];

/** The lines a check's condition draws on its value panel: one, or two for `outside A..B`. */
export function thresholdLines(c: Condition): Array<{ bound: ThresholdBound; value: number }> {
  switch (c.op) {
    case '>':
    case '>=':
      return [{ bound: 'upper', value: c.value }];
    case '<':
    case '<=':
      return [{ bound: 'lower', value: c.value }];
    case '==':
    case '!=':
      return [{ bound: 'equal', value: c.value }];
    case 'outside':
      return [{ bound: 'lower', value: c.low }, { bound: 'upper', value: c.high }];
  }
}

export interface Metrics {
  readonly registry: Registry;
  readonly checkState: Gauge<'suite' | 'check' | 'severity' | 'state' | 'cluster'>;
  readonly checkFailing: Gauge<'suite' | 'check' | 'severity' | 'cluster'>;
  readonly checkValue: Gauge<'suite' | 'check' | 'cluster'>;
  readonly checkEvaluations: Counter<'suite' | 'check' | 'result' | 'cluster'>;
  readonly tickDuration: Histogram<'suite' | 'cluster'>;
  readonly tickLag: Histogram<'suite' | 'cluster'>;
  readonly disruptions: Counter<'suite' | 'outcome' | 'cluster'>;
  readonly disruptionDuration: Histogram<'suite' | 'cluster'>;
  readonly restoresPending: Gauge;
  readonly prometheusRequestDuration: Histogram<'outcome' | 'cluster'>;
  readonly kubeRequests: Counter<'verb' | 'resource' | 'code' | 'cluster'>;
  readonly notifications: Counter<'sink' | 'outcome'>;
  readonly queueJobs: Gauge<'queue' | 'state'>;
  readonly redisUp: Gauge;
  readonly buildInfo: Gauge<'version'>;
  /** From a disruption's end until every check of its suite is ok again (not observed when it never was). */
  readonly recoverySeconds: Histogram<'suite' | 'cluster'>;
  /** Per disruption, each check that failed before, during or after it (once per phase). */
  readonly disruptionImpact: Counter<'suite' | 'check' | 'phase' | 'cluster'>;
  /** Disruptions whose suite was still not ok at the recovery bound. */
  readonly notRecovered: Counter<'suite' | 'cluster'>;
  /** Disruptions skipped, by reason (a SKIP_REASONS value). */
  readonly disruptionSkips: Counter<'suite' | 'reason' | 'cluster'>;
  /** Evidence captures when a check started failing, by outcome (captured, partial, failed, limited). */
  readonly evidenceCaptures: Counter<'outcome'>;
  /** 1 while a disruption of the suite runs (Grafana draws it as a band), else 0. */
  readonly disruptionInProgress: Gauge<'suite' | 'cluster'>;
  /** One series per suite: 1 when its last tick judged something, 0 with the reason when not. */
  readonly suiteChecked: Gauge<'suite' | 'reason' | 'cluster'>;
  /** Each check's steady `fail` threshold (Grafana draws it on the value panel); bound says which side fails. */
  readonly checkThreshold: Gauge<'suite' | 'check' | 'bound' | 'cluster'>;
  /**
   * Start and end (Unix seconds) of the suite's last finished disruption with that outcome in
   * that slot (a disruption's count on this replica modulo DISRUPTION_SLOTS): Grafana's bands.
   */
  readonly disruptionLastStart: Gauge<'suite' | 'outcome' | 'slot' | 'cluster'>;
  readonly disruptionLastEnd: Gauge<'suite' | 'outcome' | 'slot' | 'cluster'>;
  /**
   * Sets the check's five state series (1 for `state`, 0 for the others) and check_failing.
   * A severity change removes the series under the old severity.
   */
  setCheckState(suite: string, check: string, severity: Severity, state: CheckStateName): void;
  /** The worst instance's value; null (no data) is exported as NaN. */
  setCheckValue(suite: string, check: string, value: number | null): void;
  recordEvaluation(suite: string, check: string, result: EvaluationResult): void;
  recordNotification(sink: string, outcome: NotificationOutcome): void;
  /** Counts a finished disruption and observes its duration (seconds). */
  recordDisruption(suite: string, outcome: DisruptionOutcome, seconds: number): void;
  /** Sets the last start/end timestamps of a disruption that ran (not a skipped one), in the suite's next slot; times in ms. */
  markDisruptionWindow(suite: string, outcome: DisruptionOutcome, startedAtMs: number, endedAtMs: number): void;
  /**
   * Creates the series of a suite that disrupts at zero (recovery_seconds, not-recovered,
   * disruptions by outcome, in-progress), so the first event is an increase Prometheus sees.
   */
  zeroDisruptionSeries(suite: string): void;
  /** Sets check_threshold from the check's condition (its lines: thresholdLines). */
  setCheckThreshold(suite: string, check: string, condition: Condition): void;
  /** Sets the suite's one suite_checked series (its reason's), removing the other reasons'. */
  setSuiteCoverage(suite: string, reason: CoverageReason): void;
  /** Removes every per-check series of a check no longer configured. */
  forgetCheck(suite: string, check: string): void;
  /** Removes every series labelled with a suite no longer configured. */
  forgetSuite(suite: string): void;
  /** Every (suite, check) with per-check series on the registry, to find those to forget. */
  knownChecks(): Array<{ suite: string; check: string }>;
}

/** Builds every metric on `registry` (a fresh one by default). Call once per registry. */
// A declarative table of metric definitions (one entry per metric name in DESIGN.md), exempt
// from the function-length rule: splitting it would scatter the metric names.
// eslint-disable-next-line max-lines-per-function
export function createMetrics(registry: Registry = new Registry(), version: string): Metrics {
  const name = (n: string): string => METRIC_PREFIX + n;
  const registers = [registry];

  const checkState = new Gauge({
    name: name('check_state'),
    help: 'Current state of a check: 1 for the state it is in, 0 for the others.',
    labelNames: ['suite', 'check', 'severity', 'state', 'cluster'] as const,
    registers,
  });
  const checkFailing = new Gauge({
    name: name('check_failing'),
    help: '1 while the check is failing, else 0.',
    labelNames: ['suite', 'check', 'severity', 'cluster'] as const,
    registers,
  });
  const checkValue = new Gauge({
    name: name('check_value'),
    help: "Last value of the check's worst instance (NaN when there is no data).",
    labelNames: ['suite', 'check', 'cluster'] as const,
    registers,
  });
  const suiteChecked = new Gauge({
    name: name('suite_checked'),
    help: "1 when the suite's last tick judged at least one check; 0 when its objects are absent from the Kubernetes API (reason not_deployed), every check was skipped (reason not_running), unknown (reason unknown) or never evaluated (reason not_evaluated).",
    labelNames: ['suite', 'reason', 'cluster'] as const,
    registers,
  });
  const checkEvaluations = new Counter({
    name: name('check_evaluations_total'),
    help: 'Check evaluations, by resulting state (or error).',
    labelNames: ['suite', 'check', 'result', 'cluster'] as const,
    registers,
  });
  const tickDuration = new Histogram({
    name: name('tick_duration_seconds'),
    help: "Time to evaluate all of a suite's checks once.",
    labelNames: ['suite', 'cluster'] as const,
    buckets: FAST_BUCKETS,
    registers,
  });
  const tickLag = new Histogram({
    name: name('tick_lag_seconds'),
    help: 'How late a tick started: start time minus scheduled time.',
    labelNames: ['suite', 'cluster'] as const,
    buckets: FAST_BUCKETS,
    registers,
  });
  const disruptions = new Counter({
    name: name('disruptions_total'),
    help: 'Disruptions run, by outcome.',
    labelNames: ['suite', 'outcome', 'cluster'] as const,
    registers,
  });
  const disruptionDuration = new Histogram({
    name: name('disruption_duration_seconds'),
    help: 'Wall time of a disruption, restore included.',
    labelNames: ['suite', 'cluster'] as const,
    buckets: DISRUPTION_BUCKETS,
    registers,
  });
  const recoverySeconds = new Histogram({
    name: name('recovery_seconds'),
    help: "Time from a disruption's end until every check of its suite was ok again.",
    labelNames: ['suite', 'cluster'] as const,
    buckets: RECOVERY_BUCKETS,
    registers,
  });
  const disruptionImpact = new Counter({
    name: name('disruption_impact_total'),
    help: 'Checks that failed before, during or after a disruption (once per disruption, check and phase).',
    labelNames: ['suite', 'check', 'phase', 'cluster'] as const,
    registers,
  });
  const notRecovered = new Counter({
    name: name('disruption_not_recovered_total'),
    help: 'Disruptions after which the suite was still not ok at the recovery bound.',
    labelNames: ['suite', 'cluster'] as const,
    registers,
  });
  const evidenceCaptures = new Counter({
    name: name('evidence_captures_total'),
    help: 'Evidence captures (events and pod statuses) when a check started failing, by outcome: captured, partial, failed, limited (rate limit).',
    labelNames: ['outcome'] as const,
    registers,
  });
  const disruptionSkips = new Counter({
    name: name('disruption_skips_total'),
    help: 'Disruptions skipped, by reason (suite failing or unknown, Prometheus unreachable, lock held, ...).',
    labelNames: ['suite', 'reason', 'cluster'] as const,
    registers,
  });
  const disruptionInProgress = new Gauge({
    name: name('disruption_in_progress'),
    help: 'Disruptions of the suite running now on this replica (1 while one runs, else 0).',
    labelNames: ['suite', 'cluster'] as const,
    registers,
  });
  const disruptionLastStart = new Gauge({
    name: name('disruption_last_start_timestamp_seconds'),
    help: "Start of the suite's last finished disruption with this outcome in this slot (a disruption's count modulo 4), in Unix seconds; Grafana draws disruptions as bands from it.",
    labelNames: ['suite', 'outcome', 'slot', 'cluster'] as const,
    registers,
  });
  const disruptionLastEnd = new Gauge({
    name: name('disruption_last_end_timestamp_seconds'),
    help: "End of the suite's last finished disruption with this outcome in this slot, in Unix seconds.",
    labelNames: ['suite', 'outcome', 'slot', 'cluster'] as const,
    registers,
  });
  const checkThreshold = new Gauge({
    name: name('check_threshold'),
    help: "The check's fail threshold (its steady condition): bound upper fails above it, lower below it, equal at (==) or away from (!=) it.",
    labelNames: ['suite', 'check', 'bound', 'cluster'] as const,
    registers,
  });
  const restoresPending = new Gauge({
    name: name('restores_pending'),
    help: 'Entries in the restore journal not yet undone.',
    registers,
  });
  const prometheusRequestDuration = new Histogram({
    name: name('prometheus_request_duration_seconds'),
    help: 'Duration of requests to the Prometheus HTTP API, by outcome.',
    labelNames: ['outcome', 'cluster'] as const,
    buckets: PROM_REQUEST_BUCKETS,
    registers,
  });
  const kubeRequests = new Counter({
    name: name('kube_requests_total'),
    help: 'Requests to the Kubernetes API, by verb, resource and HTTP status code.',
    labelNames: ['verb', 'resource', 'code', 'cluster'] as const,
    registers,
  });
  const notifications = new Counter({
    name: name('notifications_total'),
    help: 'Alert events handed to a notification sink, by outcome (success, failure, dropped).',
    labelNames: ['sink', 'outcome'] as const,
    registers,
  });
  const queueJobs = new Gauge({
    name: name('queue_jobs'),
    help: 'Jobs in the work queues, by queue and state.',
    labelNames: ['queue', 'state'] as const,
    registers,
  });
  const redisUp = new Gauge({
    name: name('redis_up'),
    help: '1 when Redis answered the last ping, else 0.',
    registers,
  });
  const buildInfo = new Gauge({
    name: name('build_info'),
    help: 'Always 1; the version label says which mesh-soak is running.',
    labelNames: ['version'] as const,
    registers,
  });
  buildInfo.set({ version }, 1);
  collectDefaultMetrics({ register: registry });
  // These three are gauges named like counters; promtool's linter rejects them. Their
  // per-type siblings (nodejs_active_handles{type}, ...) carry the same information.
  for (const n of DEFAULT_METRICS_PROMTOOL_REJECTS) registry.removeSingleMetric(n);

  for (const m of [checkState, checkFailing, checkValue, suiteChecked, checkEvaluations, tickDuration, tickLag, disruptions, disruptionDuration, recoverySeconds, disruptionImpact, notRecovered, disruptionSkips, disruptionInProgress, disruptionLastStart, disruptionLastEnd, checkThreshold]) {
    exportInstanceLabels(m);
  }

  // prom-client can only remove exact label sets, so remember which ones each check used.
  const severities = new Map<string, Severity>();
  // What the six state series of each check last said: a tick that leaves a check's state and
  // severity as they were sets nothing (six label hashes per check per tick saved).
  const shown = new Map<string, string>();
  // Likewise check_value's last value (Object.is: NaN equals NaN), one label hash per check per tick saved when it holds.
  const valueShown = new Map<string, number>();
  const results = new Map<string, Set<EvaluationResult>>();
  const key = (suite: string, check: string): string => JSON.stringify([suite, check]);
  const checksOf = new Map<string, Set<string>>();
  const disruptionOutcomes = new Map<string, Set<string>>();
  const windowsMarked = new Map<string, number>();
  const remember = (suite: string, check: string): void => {
    let set = checksOf.get(suite);
    if (!set) checksOf.set(suite, (set = new Set()));
    set.add(check);
  };

  const removeStateSeries = (suite: string, check: string, severity: Severity): void => {
    for (const s of CHECK_STATES) checkState.remove({ suite, check, severity, state: s });
    checkFailing.remove({ suite, check, severity });
  };

  const metrics: Metrics = {
    registry,
    checkState,
    checkFailing,
    checkValue,
    checkEvaluations,
    tickDuration,
    tickLag,
    disruptions,
    disruptionDuration,
    restoresPending,
    prometheusRequestDuration,
    kubeRequests,
    notifications,
    queueJobs,
    redisUp,
    buildInfo,
    suiteChecked,
    recoverySeconds,
    disruptionImpact,
    notRecovered,
    disruptionSkips,
    evidenceCaptures,
    disruptionInProgress,
    checkThreshold,
    disruptionLastStart,
    disruptionLastEnd,
    setSuiteCoverage(suite, reason) {
      for (const r of COVERAGE_REASONS) if (r !== reason) suiteChecked.remove({ suite, reason: r });
      suiteChecked.set({ suite, reason }, reason === 'checked' ? 1 : 0);
    },
    setCheckState(suite, check, severity, state) {
      const k = key(suite, check);
      const now = `${severity}/${state}`;
      if (shown.get(k) === now) return;
      const previous = severities.get(k);
      if (previous !== undefined && previous !== severity) removeStateSeries(suite, check, previous);
      severities.set(k, severity);
      remember(suite, check);
      for (const s of CHECK_STATES) checkState.set({ suite, check, severity, state: s }, s === state ? 1 : 0);
      checkFailing.set({ suite, check, severity }, state === 'failing' ? 1 : 0);
      shown.set(k, now);
    },
    setCheckValue(suite, check, value) {
      const k = key(suite, check);
      const v = value ?? Number.NaN;
      if (valueShown.has(k) && Object.is(valueShown.get(k), v)) return;
      remember(suite, check);
      checkValue.set({ suite, check }, v);
      valueShown.set(k, v);
    },
    recordEvaluation(suite, check, result) {
      const k = key(suite, check);
      let set = results.get(k);
      if (!set) results.set(k, (set = new Set()));
      set.add(result);
      remember(suite, check);
      checkEvaluations.inc({ suite, check, result });
    },
    recordNotification(sink, outcome) {
      notifications.inc({ sink, outcome });
    },
    recordDisruption(suite, outcome, seconds) {
      let set = disruptionOutcomes.get(suite);
      if (!set) disruptionOutcomes.set(suite, (set = new Set()));
      set.add(outcome);
      disruptions.inc({ suite, outcome });
      disruptionDuration.observe({ suite }, seconds);
    },
    markDisruptionWindow(suite, outcome, startedAtMs, endedAtMs) {
      let set = disruptionOutcomes.get(suite);
      if (!set) disruptionOutcomes.set(suite, (set = new Set()));
      set.add(outcome);
      const n = windowsMarked.get(suite) ?? 0;
      windowsMarked.set(suite, n + 1);
      const slot = String(n % DISRUPTION_SLOTS);
      disruptionLastStart.set({ suite, outcome, slot }, startedAtMs / 1000);
      disruptionLastEnd.set({ suite, outcome, slot }, endedAtMs / 1000);
    },
    zeroDisruptionSeries(suite) {
      recoverySeconds.zero({ suite });
      notRecovered.inc({ suite }, 0);
      for (const outcome of ['success', 'failure'] as const) disruptions.inc({ suite, outcome }, 0);
      disruptionInProgress.set({ suite }, 0);
    },
    setCheckThreshold(suite, check, condition) {
      remember(suite, check);
      for (const bound of THRESHOLD_BOUNDS) checkThreshold.remove({ suite, check, bound });
      for (const l of thresholdLines(condition)) checkThreshold.set({ suite, check, bound: l.bound }, l.value);
    },
    forgetCheck(suite, check) {
      const k = key(suite, check);
      for (const bound of THRESHOLD_BOUNDS) checkThreshold.remove({ suite, check, bound });
      const severity = severities.get(k);
      if (severity !== undefined) removeStateSeries(suite, check, severity);
      severities.delete(k);
      shown.delete(k);
      valueShown.delete(k);
      checkValue.remove({ suite, check });
      for (const result of results.get(k) ?? []) checkEvaluations.remove({ suite, check, result });
      results.delete(k);
      checksOf.get(suite)?.delete(check);
    },
    forgetSuite(suite) {
      for (const check of [...(checksOf.get(suite) ?? [])]) metrics.forgetCheck(suite, check);
      checksOf.delete(suite);
      // Per-suite histograms and counters: removing an absent label set is a no-op.
      tickDuration.remove({ suite });
      tickLag.remove({ suite });
      disruptionDuration.remove({ suite });
      recoverySeconds.remove({ suite });
      disruptionInProgress.remove({ suite });
      notRecovered.remove({ suite });
      for (const reason of SKIP_REASONS) disruptionSkips.remove({ suite, reason });
      for (const reason of COVERAGE_REASONS) suiteChecked.remove({ suite, reason });
      const outcomes = new Set<string>(['success', 'failure', 'skipped', ...(disruptionOutcomes.get(suite) ?? [])]);
      for (const outcome of outcomes) {
        disruptions.remove({ suite, outcome });
        for (let slot = 0; slot < DISRUPTION_SLOTS; slot++) {
          disruptionLastStart.remove({ suite, outcome, slot: String(slot) });
          disruptionLastEnd.remove({ suite, outcome, slot: String(slot) });
        }
      }
      windowsMarked.delete(suite);
      disruptionOutcomes.delete(suite);
    },
    knownChecks() {
      const out: Array<{ suite: string; check: string }> = [];
      for (const [suite, checks] of checksOf) for (const check of checks) out.push({ suite, check });
      return out;
    },
  };
  return metrics;
}

type LabelArg = Record<string, string | number | undefined>;

/** `{ suite: 'east/http10' }` → `{ suite: 'http10', cluster: 'east' }`; anything else as it is. */
function splitSuiteLabel(first: unknown): unknown {
  if (typeof first !== 'object' || first === null) return first;
  const labels = first as LabelArg;
  const id = labels['suite'];
  if (typeof id !== 'string' || !id.includes('/')) return first;
  const { cluster, suite } = splitInstanceId(id);
  return { ...labels, suite, cluster };
}

const LABELLED_METHODS = ['set', 'inc', 'dec', 'observe', 'remove', 'labels', 'startTimer'] as const;

/**
 * Callers label per-suite series with the suite *instance* id (checks/suite-instance.ts); the
 * exported series carry `suite` and, for an instance of a named cluster, `cluster` (issue 15).
 * Without `clusters:` the id is the suite's name and the series are exactly as before.
 */
export function exportInstanceLabels<M extends object>(metric: M): M {
  const m = metric as Record<string, unknown>;
  for (const method of LABELLED_METHODS) {
    const f = m[method];
    if (typeof f !== 'function') continue;
    m[method] = (first: unknown, ...rest: unknown[]): unknown => (f as (...a: unknown[]) => unknown).call(metric, splitSuiteLabel(first), ...rest);
  }
  return metric;
}
