// One tick of one group of checks (a suite's, or the mesh-wide ones): the guard first,
// then every check's query at once, then each outcome through the state machine.
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
import { guardVerdict } from './guard.js';
import { capSamples, DEFAULT_MAX_INSTANCES } from './instance-cap.js';
import type { CheckRecord, MetricsProvider, QueryOutcome, Transition } from './types.js';

/** The checks evaluated together on one tick: a suite's, or the mesh-wide ones ("mesh"). */
export interface CheckGroup {
  /** The suite's name, or "mesh" for the mesh-wide checks. */
  suite: string;
  /** PromQL; when it says the suite is not running, every check is skipped. */
  guard?: string;
  checks: CheckSpec[];
}

export type GroupTransition = Transition & { check: string; severity: Severity };

export interface GroupEvaluation {
  /** One record per check of the group, by check name (records of removed checks are not carried). */
  records: Record<string, CheckRecord>;
  transitions: GroupTransition[];
  /** Wall time of the tick, queries included. */
  durationMs: number;
  /** How many checks got an error outcome this tick (a failed guard counts for every check). */
  errors: number;
}

/** What evaluating needs of a group: its guard and checks (the suite name is the caller's). */
export type GroupInput = Pick<CheckGroup, 'guard' | 'checks'>;

/** The evaluator as a port: the daemon's tick takes it as a function. */
export type EvaluateGroup = typeof evaluateGroup;

export async function evaluateGroup(
  group: GroupInput,
  provider: MetricsProvider,
  prev: Record<string, CheckRecord>,
  now: number,
  options: { signal?: AbortSignal; maxInstances?: number } = {},
): Promise<GroupEvaluation> {
  const started = performance.now();
  const outcomes = await groupOutcomes(group, provider, options.signal);

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
  return { records, transitions, durationMs: performance.now() - started, errors };
}

/** One outcome per check, in the order of `group.checks`. */
async function groupOutcomes(
  group: GroupInput,
  provider: MetricsProvider,
  signal: AbortSignal | undefined,
): Promise<QueryOutcome[]> {
  if (group.guard !== undefined && group.guard.trim() !== '') {
    const guardOutcome = await runQuery(provider, group.guard, signal);
    const verdict = guardVerdict(guardOutcome);
    if ('error' in verdict) {
      const errorKind = guardOutcome.kind === 'error' ? guardOutcome.errorKind : 'unknown';
      const failed: QueryOutcome = { kind: 'error', errorKind, message: `guard query failed: ${verdict.error}` };
      return group.checks.map(() => failed);
    }
    if (!verdict.running) {
      const skipped: QueryOutcome = { kind: 'skipped', reason: verdict.reason };
      return group.checks.map(() => skipped);
    }
  }
  return Promise.all(group.checks.map((spec) => runQuery(provider, spec.query, signal)));
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
