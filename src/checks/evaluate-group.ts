// One tick of one group of checks (a suite's, or the mesh-wide ones): the guard first (with
// every check's query beside it when the suite ran on the previous tick), then every check's
// query at once, then each outcome through the state machine.
// The queries are started together because a tick's length is what the user waits
// for; bounding how many are in flight is the provider's job, not this loop's.
// A provider failure never escapes: it becomes the check's `error` outcome, so one
// broken query cannot hide the others' results.
//
// src/checks/ is the pure core (model, conditions, durations, instance and check state,
// group evaluation, alert events, the ports it needs as types). May import: nothing outside
// src/checks/ (lint-enforced).

import type { CheckSpec, Severity } from './model.js';
import { evaluateCheck } from './check-state.js';
import { guardSourceVerdict, guardVerdict } from './guard.js';
import { capSamples, DEFAULT_MAX_INSTANCES } from './instance-cap.js';
import type { CheckRecord, MetricsProvider, QueryOutcome, Transition } from './types.js';
import { notDeployedReason, type DeploymentVerdict } from './deployment.js';
import { NO_LOGS_READER, type LogsReader } from './logs.js';

/** The checks evaluated together on one tick: a suite's, or the mesh-wide ones ("mesh"). */
export interface CheckGroup {
  /** The suite's name, or "mesh" for the mesh-wide checks. */
  suite: string;
  /** PromQL; when it says the suite is not running, every check is skipped. */
  guard?: string;
  /**
   * PromQL that returns a series when the guard's data source is missing (config builds it
   * from the guard's metrics as `absent(a) and absent(b)`). Asked only when the guard
   * returned no series: then the checks are `unknown` instead of skipped.
   */
  guardSource?: string;
  checks: CheckSpec[];
}

/** What the guard said on this tick (`none`: the group has no guard). */
export type GuardOutcome = 'none' | 'running' | 'not-running' | 'not-deployed' | 'source-missing' | 'error';

export type GroupTransition = Transition & { check: string; severity: Severity };

export interface GroupEvaluation {
  /** One record per check of the group, by check name (records of removed checks are not carried). */
  records: Record<string, CheckRecord>;
  transitions: GroupTransition[];
  /** Wall time of the tick, queries included. */
  durationMs: number;
  /** How many checks got an error outcome this tick (a failed guard counts for every check). */
  errors: number;
  guard: GuardOutcome;
}

/** What evaluating needs of a group: its guard and checks (the suite name is the caller's). */
export type GroupInput = Pick<CheckGroup, 'guard' | 'guardSource' | 'checks'> & {
  /** What the Kubernetes API said of the suite's objects this tick (deployment.ts); absent: not asked. */
  deployment?: DeploymentVerdict;
};

/** The evaluator as a port: the daemon's tick takes it as a function. */
export type EvaluateGroup = typeof evaluateGroup;

export async function evaluateGroup(
  group: GroupInput,
  provider: MetricsProvider,
  prev: Record<string, CheckRecord>,
  now: number,
  options: { signal?: AbortSignal; maxInstances?: number; logs?: LogsReader } = {},
): Promise<GroupEvaluation> {
  const started = performance.now();
  const { outcomes, guard } = await groupOutcomes(group, provider, prev, options.signal, options.logs);

  const records: Record<string, CheckRecord> = {};
  const transitions: GroupTransition[] = [];
  let errors = 0;
  group.checks.forEach((spec, i) => {
    let outcome = outcomes[i] as QueryOutcome;
    if (outcome.kind === 'error') errors += 1;
    let omitted = 0;
    if (outcome.kind === 'data') {
      const capped = capSamples(spec, outcome.samples, prev[spec.name], options.maxInstances ?? DEFAULT_MAX_INSTANCES);
      outcome = { kind: 'data', samples: capped.kept };
      omitted = capped.omitted;
    }
    const { record, transitions: changes } = evaluateCheck(spec, prev[spec.name], outcome, now);
    if (omitted > 0) record.omittedInstances = omitted;
    records[spec.name] = record;
    for (const t of changes) transitions.push({ ...t, check: spec.name, severity: spec.severity });
  });
  return { records, transitions, durationMs: performance.now() - started, errors, guard };
}

/** One outcome per check, in the order of `group.checks`, and what the guard said. */
async function groupOutcomes(
  group: GroupInput,
  provider: MetricsProvider,
  prev: Record<string, CheckRecord>,
  signal: AbortSignal | undefined,
  logs: LogsReader | undefined,
): Promise<{ outcomes: QueryOutcome[]; guard: GuardOutcome }> {
  const same = (o: QueryOutcome) => group.checks.map(() => o);
  const absent = group.deployment && notDeployedReason(group.deployment);
  if (absent !== undefined) return { outcomes: same({ kind: 'skipped', reason: absent }), guard: 'not-deployed' };
  const checkOutcomes = () =>
    Promise.all(group.checks.map((spec) => (spec.logs ? runLogs(logs, spec, signal) : runQuery(provider, spec.query, signal))));
  if (group.guard === undefined || group.guard.trim() === '') return { outcomes: await checkOutcomes(), guard: 'none' };
  // The guard's verdict decides; the checks' queries only overlap with it (one round trip
  // less per tick) while the suite ran on the previous tick. Their answers are dropped unless
  // the guard says running, so a guard error or unknown still wins over any check's answer.
  const guard = guardOutcome(group.guard, group.guardSource, provider, signal);
  const early = ranLastTick(group.checks, prev) ? checkOutcomes() : undefined;
  const stop = await guard;
  if (stop !== null) return { outcomes: same(stop.outcome), guard: stop.guard };
  return { outcomes: await (early ?? checkOutcomes()), guard: 'running' };
}

/**
 * Whether any check was judged (ok, pending, failing) on the previous tick: the guard said
 * running then, and most likely says so now. A suite that was skipped or never ticked asks
 * its guard first, so a suite that is not deployed costs Prometheus one query per tick.
 */
function ranLastTick(checks: CheckSpec[], prev: Record<string, CheckRecord>): boolean {
  return checks.some((c) => {
    const state = prev[c.name]?.state;
    return state === 'ok' || state === 'pending' || state === 'failing';
  });
}

/** Null when the suite is running; otherwise the outcome every check gets. */
async function guardOutcome(
  guard: string,
  guardSource: string | undefined,
  provider: MetricsProvider,
  signal: AbortSignal | undefined,
): Promise<{ outcome: QueryOutcome; guard: GuardOutcome } | null> {
  const answer = await runQuery(provider, guard, signal);
  const verdict = guardVerdict(answer);
  if ('error' in verdict) {
    const errorKind = answer.kind === 'error' ? answer.errorKind : 'unknown';
    return { outcome: { kind: 'error', errorKind, message: `guard query failed: ${verdict.error}` }, guard: 'error' };
  }
  if (verdict.running) return null;
  const skipped = { outcome: { kind: 'skipped', reason: verdict.reason } as QueryOutcome, guard: 'not-running' as const };
  if (!verdict.empty || guardSource === undefined || guardSource.trim() === '') return skipped;
  const sourceAnswer = await runQuery(provider, guardSource, signal);
  const source = guardSourceVerdict(sourceAnswer, guardSource);
  if ('error' in source) {
    const errorKind = sourceAnswer.kind === 'error' ? sourceAnswer.errorKind : 'unknown';
    return { outcome: { kind: 'error', errorKind, message: `guard source query failed: ${source.error}` }, guard: 'error' };
  }
  if (source.present) return skipped;
  return { outcome: { kind: 'unknown', reason: source.reason }, guard: 'source-missing' };
}

/** Reads a `logs` check's samples; without a reader the check is unknown at once. */
async function runLogs(logs: LogsReader | undefined, spec: CheckSpec, signal: AbortSignal | undefined): Promise<QueryOutcome> {
  if (!logs || !spec.logs) return { kind: 'unknown', reason: NO_LOGS_READER };
  const query = spec.logs;
  return runQuery({ query: () => logs(query, signal), close: () => Promise.resolve() }, spec.query, signal);
}

/** Runs one query; a rejection (or a synchronous throw) becomes an error outcome. */
async function runQuery(provider: MetricsProvider, expr: string, signal: AbortSignal | undefined): Promise<QueryOutcome> {
  try {
    const samples = await provider.query(expr, signal === undefined ? {} : { signal });
    return { kind: 'data', samples };
  } catch (err) {
    return { kind: 'error', errorKind: errorKindOf(err), message: errorMessageOf(err) };
  }
}

function errorKindOf(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'kind' in err && typeof err.kind === 'string') return err.kind;
  return 'unknown';
}

function errorMessageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
