// One instance (one series) of a check, stepped through one tick, the way Prometheus
// steps an alerting rule's alerts:
//   condition holds  → pending (activeSince = first tick it held), failing once it has
//                      held for `for`; at once when `for` is 0. Failing stays failing
//                      while it holds.
//   condition clear  → ok, unless the instance is failing and `keepFiringFor` has not
//                      run out since the condition last held: then it stays failing.
//   unjudgeable      → unknown (NaN value, or no data under `noData: unknown`), with the
//                      same keepFiringFor grace as "clear": NaN is why a ratio like
//                      errors/requests flickers when traffic pauses, and keepFiringFor
//                      exists to ride out exactly such flickers.
// NaN is unknown rather than ok because a comparison with NaN says nothing: calling it
// ok would hide a broken query (0/0) behind a green check. A check's `nan` policy can say
// otherwise: `ok` (NaN is clear) or `fail` (NaN holds, `for` applies as for any value).

import type { CheckSpec, Condition, NanPolicy } from './model.js';
import { conditionHolds } from './condition.js';
import { renderAlertTemplate } from './template.js';
import type { InstanceState } from './types.js';

export type Judgement = 'holds' | 'clear' | 'unjudgeable';

/** What one tick saw of one instance. */
export interface Observation {
  judgement: Judgement;
  value: number | null;
  labels: Record<string, string>;
  /** Why it is unjudgeable, for humans. */
  reason?: string;
}

export function observeSample(fail: Condition, labels: Record<string, string>, value: number, nan: NanPolicy = 'unknown'): Observation {
  if (Number.isNaN(value)) {
    if (nan === 'ok') return { judgement: 'clear', value, labels };
    if (nan === 'fail') return { judgement: 'holds', value, labels };
    return { judgement: 'unjudgeable', value, labels, reason: 'the query returned NaN' };
  }
  return { judgement: conditionHolds(fail, value) ? 'holds' : 'clear', value, labels };
}

/** True while a failing instance whose condition stopped holding must keep failing. */
export function keepsFiring(spec: CheckSpec, prev: InstanceState | undefined, now: number): boolean {
  return (
    prev !== undefined &&
    prev.state === 'failing' &&
    spec.keepFiringForMs > 0 &&
    prev.lastTrueAt !== null &&
    now - prev.lastTrueAt < spec.keepFiringForMs
  );
}

/** The instance's state after this tick's observation. */
export function advanceInstance(
  spec: CheckSpec,
  prev: InstanceState | undefined,
  key: string,
  obs: Observation,
  now: number,
): InstanceState {
  const base = { key, labels: obs.labels, value: obs.value };
  let next: InstanceState;
  if (obs.judgement === 'holds') {
    const activeSince = prev?.activeSince ?? now;
    const wasFailing = prev?.state === 'failing';
    const failing = wasFailing || now - activeSince >= spec.forMs;
    next = {
      ...base,
      state: failing ? 'failing' : 'pending',
      activeSince,
      failingSince: failing ? (wasFailing ? (prev?.failingSince ?? now) : now) : null,
      lastTrueAt: now,
    };
  } else if (keepsFiring(spec, prev, now)) {
    next = {
      ...base,
      state: 'failing',
      activeSince: null,
      failingSince: prev?.failingSince ?? now,
      lastTrueAt: prev?.lastTrueAt ?? null,
    };
  } else {
    next = {
      ...base,
      state: obs.judgement === 'clear' ? 'ok' : 'unknown',
      activeSince: null,
      failingSince: null,
      lastTrueAt: prev?.lastTrueAt ?? null,
    };
    if (obs.judgement === 'unjudgeable' && obs.reason !== undefined) next.reason = obs.reason;
  }
  return withTexts(spec, next);
}

/**
 * Renders the check's summary/description for the instance's current value. `inst` is the
 * caller's fresh object: without texts to render or drop it is returned as is (most checks,
 * every tick), else a copy.
 */
export function withTexts(spec: CheckSpec, inst: InstanceState): InstanceState {
  if (spec.summary === undefined && spec.description === undefined && inst.summary === undefined && inst.description === undefined) return inst;
  const ctx = { value: inst.value, labels: { ...spec.labels, ...inst.labels } };
  const { summary: _summary, description: _description, ...rest } = inst;
  const out: InstanceState = rest;
  if (spec.summary !== undefined) out.summary = renderAlertTemplate(spec.summary, ctx);
  if (spec.description !== undefined) out.description = renderAlertTemplate(spec.description, ctx);
  return out;
}
