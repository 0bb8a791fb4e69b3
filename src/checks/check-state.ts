// A check's state machine: one query outcome in, the check's new record and the
// instances' state changes out. Pure; the clock is the `now` argument (epoch ms).
//
// Per outcome:
//   data     every series is an instance keyed by its labels (instance-key.ts) and
//            stepped by instance-state.ts. No series: the `noData` policy speaks for a
//            single `{}` instance (ok → clear, unknown → unjudgeable, fail → holds).
//            Instances seen before and gone now resolve (keepFiringFor honoured) and
//            are dropped. A successful query resets the error count.
//   error    below errorLimit nothing changes (an unreachable Prometheus must never turn
//            a check ok, nor make it flap); a check with no record yet is unknown.
//            At errorLimit every instance (or a `{}` one) turns unknown. Timing memory
//            (activeSince, lastTrueAt) is kept, as Prometheus keeps an alert's activeAt
//            across failed evaluations.
//   skipped  the suite is not running: every instance is dropped, the check is skipped.
//   unknown  nothing can be judged (the guard's data source is missing): every instance
//            (or a `{}` one) turns unknown at once with the outcome's reason.
// The check's state is the worst of its instances' (STATE_ORDER). A transition is
// emitted for every instance whose state changed; an instance that did not exist
// counts as `ok`, so a new ok instance or a dropped ok instance emits nothing.

import type { CheckSpec, NoDataPolicy } from './model.js';
import { instanceKey, NO_LABELS_KEY } from './instance-key.js';
import { advanceInstance, keepsFiring, observeSample, withTexts, type Observation } from './instance-state.js';
import {
  STATE_ORDER,
  type CheckRecord,
  type CheckStateName,
  type InstanceState,
  type QueryOutcome,
  type Transition,
} from './types.js';

export interface CheckEvaluation {
  record: CheckRecord;
  transitions: Transition[];
}

/** The worst of `states` by STATE_ORDER; `empty` when there are none. */
export function worstState(states: Iterable<CheckStateName>, empty: CheckStateName = 'ok'): CheckStateName {
  let worst: CheckStateName | undefined;
  for (const s of states) {
    if (worst === undefined || STATE_ORDER.indexOf(s) < STATE_ORDER.indexOf(worst)) worst = s;
  }
  return worst ?? empty;
}

export function evaluateCheck(
  spec: CheckSpec,
  prev: CheckRecord | undefined,
  outcome: QueryOutcome,
  now: number,
): CheckEvaluation {
  switch (outcome.kind) {
    case 'data':
      return evaluateData(spec, prev, outcome.samples, now);
    case 'error':
      return evaluateError(spec, prev, outcome, now);
    case 'skipped':
      return evaluateSkipped(spec, prev, outcome.reason, now);
    case 'unknown':
      return evaluateUnknown(spec, prev, outcome.reason, now);
  }
}

function evaluateData(
  spec: CheckSpec,
  prev: CheckRecord | undefined,
  samples: { labels: Record<string, string>; value: number }[],
  now: number,
): CheckEvaluation {
  const observations = new Map<string, Observation>();
  if (samples.length === 0) {
    observations.set(NO_LABELS_KEY, noDataObservation(spec.noData));
  } else {
    // Prometheus never returns two series with one label set; if a provider does, the first wins.
    for (const s of samples) {
      const key = instanceKey(s.labels);
      if (!observations.has(key)) observations.set(key, observeSample(spec.fail, { ...s.labels }, s.value, spec.nan));
    }
  }

  const before = prev?.instances ?? {};
  const instances: Record<string, InstanceState> = {};
  const transitions: Transition[] = [];
  for (const [key, obs] of observations) {
    const old = before[key];
    const next = advanceInstance(spec, old, key, obs, now);
    instances[key] = next;
    noteChange(transitions, old?.state ?? 'ok', next, now);
  }
  for (const key in before) {
    if (observations.has(key)) continue;
    const old = before[key] as InstanceState;
    if (keepsFiring(spec, old, now)) {
      instances[key] = { ...old, activeSince: null };
    } else {
      noteChange(transitions, old.state, withTexts(spec, { ...old, state: 'ok', value: null }), now);
    }
  }
  return { record: recordOf(instances, 0, undefined, now, 'ok'), transitions };
}

function noDataObservation(policy: NoDataPolicy): Observation {
  switch (policy) {
    case 'ok':
      return { judgement: 'clear', value: null, labels: {} };
    case 'unknown':
      return { judgement: 'unjudgeable', value: null, labels: {}, reason: 'no data' };
    case 'fail':
      return { judgement: 'holds', value: null, labels: {} };
  }
}

function evaluateError(
  spec: CheckSpec,
  prev: CheckRecord | undefined,
  error: { errorKind: string; message: string },
  now: number,
): CheckEvaluation {
  const { errorKind, message } = error;
  const errors = (prev?.consecutiveErrors ?? 0) + 1;
  const reason = `${errors} consecutive query error${errors === 1 ? '' : 's'}: ${message}`;
  // An answer refused for its size (too_large) will not shrink by waiting: unknown at once.
  const atLimit = errors >= spec.errorLimit || errorKind === 'too_large';

  if (prev !== undefined && !atLimit) {
    const record = { ...prev, consecutiveErrors: errors, lastError: message, lastErrorKind: errorKind, lastEvalAt: now };
    return { record, transitions: [] };
  }
  const { instances, transitions } = allUnknown(spec, prev, { failingSince: null, reason }, now);
  return { record: recordOf(instances, errors, error, now, 'unknown'), transitions };
}

/**
 * Every instance of prev (or a `{}` one when it has none) made unknown with `change`, and the
 * transitions that makes: a check at errorLimit, or one nothing could judge.
 */
function allUnknown(
  spec: CheckSpec,
  prev: CheckRecord | undefined,
  change: Pick<InstanceState, 'failingSince' | 'reason'> & Partial<Pick<InstanceState, 'activeSince'>>,
  now: number,
): { instances: Record<string, InstanceState>; transitions: Transition[] } {
  const before: Record<string, InstanceState> =
    prev === undefined || Object.keys(prev.instances).length === 0 ? { [NO_LABELS_KEY]: blankInstance() } : prev.instances;
  const instances: Record<string, InstanceState> = {};
  const transitions: Transition[] = [];
  for (const [key, old] of Object.entries(before)) {
    const oldState = prev?.instances[key]?.state ?? 'ok';
    const next = withTexts(spec, { ...old, state: 'unknown', value: null, ...change });
    instances[key] = next;
    noteChange(transitions, oldState, next, now);
  }
  return { instances, transitions };
}

function evaluateSkipped(spec: CheckSpec, prev: CheckRecord | undefined, reason: string, now: number): CheckEvaluation {
  const transitions: Transition[] = [];
  for (const old of Object.values(prev?.instances ?? {})) {
    // A dropped ok instance is no news, as everywhere else.
    if (old.state === 'ok') continue;
    noteChange(transitions, old.state, withTexts(spec, { ...old, state: 'skipped', value: null }), now);
  }
  return { record: { state: 'skipped', instances: {}, consecutiveErrors: 0, reason, lastEvalAt: now }, transitions };
}

/**
 * Nothing could be judged (the guard's data source is missing): every instance (or a `{}`
 * one) is unknown at once, as at errorLimit, but no query failed, so no error is counted.
 */
function evaluateUnknown(spec: CheckSpec, prev: CheckRecord | undefined, reason: string, now: number): CheckEvaluation {
  const { instances, transitions } = allUnknown(spec, prev, { activeSince: null, failingSince: null, reason }, now);
  return { record: { state: 'unknown', instances, consecutiveErrors: 0, reason, lastEvalAt: now }, transitions };
}

function blankInstance(): InstanceState {
  return {
    key: NO_LABELS_KEY,
    labels: {},
    state: 'ok',
    value: null,
    activeSince: null,
    failingSince: null,
    lastTrueAt: null,
  };
}

function recordOf(
  instances: Record<string, InstanceState>,
  consecutiveErrors: number,
  lastError: { errorKind: string; message: string } | undefined,
  now: number,
  empty: CheckStateName,
): CheckRecord {
  const list = Object.values(instances);
  const state = worstState(
    list.map((i) => i.state),
    empty,
  );
  const record: CheckRecord = { state, instances, consecutiveErrors, lastEvalAt: now };
  if (lastError !== undefined) {
    record.lastError = lastError.message;
    record.lastErrorKind = lastError.errorKind;
  }
  if (state === 'unknown') {
    const reason = list.find((i) => i.state === 'unknown')?.reason;
    if (reason !== undefined) record.reason = reason;
  }
  return record;
}

/** Emits a transition when `from` differs from the instance's new state. */
function noteChange(out: Transition[], from: CheckStateName, next: InstanceState, now: number): void {
  if (from === next.state) return;
  const t: Transition = { key: next.key, labels: next.labels, from, to: next.state, value: next.value, at: now };
  if (next.summary !== undefined) t.summary = next.summary;
  if (next.description !== undefined) t.description = next.description;
  out.push(t);
}

/** The instance that decides the check's state (its value is the check's value). */
export function worstInstance(record: CheckRecord): InstanceState | undefined {
  let worst: InstanceState | undefined;
  for (const inst of Object.values(record.instances)) {
    if (!worst || STATE_ORDER.indexOf(inst.state) < STATE_ORDER.indexOf(worst.state)) worst = inst;
  }
  return worst;
}
