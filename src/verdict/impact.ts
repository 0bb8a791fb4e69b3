// What one disruption did to the mesh, computed from check state changes: for each check of
// the disrupted suite (and each mesh-wide check), whether it was failing before the
// disruption, failed during it, or failed after it ended; and the recovery time — from the
// disruption's end until every check of the suite is ok again, or "not recovered" once a
// bound has passed. Pure: the clock and the latest evaluation time are passed in, results
// are data. The daemon's tick (daemon/impact-tracker.ts) feeds it from the run ledger.
//
// May import: checks/ (state names).

import type { CheckStateName } from '../checks/types.js';

export type ImpactPhase = 'before' | 'during' | 'after';
export const IMPACT_PHASES: readonly ImpactPhase[] = ['before', 'during', 'after'];

/** A check's own state changed (the worst of its instances'), as the tick saw it. */
export interface StateChange {
  suite: string;
  check: string;
  from: CheckStateName;
  to: CheckStateName;
  value: number | null;
  at: number;
}

/** A check the impact is computed for: `suite` is the disrupted suite or `mesh`. */
export interface CheckRef {
  suite: string;
  check: string;
}

/** One disruption as the ledger keeps it while its impact is still open. */
export interface DisruptionWindow {
  id: string;
  suite: string;
  startedAt: number;
  /** Null while the disruption runs. */
  endedAt: number | null;
  /** Each check's state when the disruption started, keyed by checkKey(). */
  before: Record<string, CheckStateName>;
}

export type Recovery =
  /** Still running, or ended and not yet judged (no evaluation since its end, bound not reached). */
  | { status: 'pending' }
  | { status: 'recovered'; seconds: number; at: number }
  /** Some check of the suite was still not ok `boundSeconds` after the end. */
  | { status: 'not-recovered'; boundSeconds: number; notOk: string[] }
  /** The suite has no checks: nothing can say it recovered. */
  | { status: 'no-checks' };

export interface CheckImpact extends CheckRef {
  phases: ImpactPhase[];
}

export interface Impact {
  disruptionId: string;
  suite: string;
  checks: CheckImpact[];
  recovery: Recovery;
}

export interface ImpactInput {
  disruption: DisruptionWindow;
  /** The suite's checks (judge recovery) and mesh-wide checks (impact only). */
  suiteChecks: CheckRef[];
  meshChecks: CheckRef[];
  /** State changes of those checks from the disruption's start on (any order; others ignored). */
  changes: StateChange[];
  /** The suite's latest evaluation: states after it are not known yet. */
  evaluatedAt: number;
  recoveryBoundMs: number;
  /** How long every check must stay ok for a recovery to count (a check failing just after the end resets it). */
  settleMs: number;
}

export function checkKey(ref: CheckRef): string {
  return `${ref.suite}/${ref.check}`;
}

/** The impact so far; `recovery.status` says whether it is final ('pending' is not). */
export function computeImpact(input: ImpactInput): Impact {
  const { disruption } = input;
  const timelines = timelinesOf(input);
  const recovery = recoveryOf(input, timelines);
  const cutoff = cutoffOf(input, recovery);
  const checks = [...input.suiteChecks, ...input.meshChecks].map((ref) => ({
    ...ref,
    phases: phasesOf(timelines.get(checkKey(ref)) ?? emptyTimeline(), disruption, cutoff),
  }));
  return { disruptionId: disruption.id, suite: disruption.suite, checks, recovery };
}

/** Whether the impact will not change any more. */
export function isFinal(impact: Impact): boolean {
  return impact.recovery.status !== 'pending';
}

interface Timeline {
  initial: CheckStateName;
  changes: Array<{ at: number; to: CheckStateName }>;
}

function emptyTimeline(): Timeline {
  return { initial: 'unknown', changes: [] };
}

function timelinesOf(input: ImpactInput): Map<string, Timeline> {
  const out = new Map<string, Timeline>();
  for (const ref of [...input.suiteChecks, ...input.meshChecks]) {
    const key = checkKey(ref);
    out.set(key, { initial: input.disruption.before[key] ?? 'unknown', changes: [] });
  }
  const sorted = [...input.changes].sort((a, b) => a.at - b.at);
  for (const c of sorted) {
    if (c.at < input.disruption.startedAt) continue;
    out.get(checkKey(c))?.changes.push({ at: c.at, to: c.to });
  }
  return out;
}

/** The state at time t (changes at exactly t count). */
function stateAt(tl: Timeline, t: number): CheckStateName {
  let state = tl.initial;
  for (const c of tl.changes) {
    if (c.at > t) break;
    state = c.to;
  }
  return state;
}

function failedWithin(tl: Timeline, from: number, to: number, inclusiveFrom: boolean): boolean {
  if (stateAt(tl, from) === 'failing' && inclusiveFrom) return true;
  return tl.changes.some((c) => c.to === 'failing' && c.at > from && c.at <= to);
}

function phasesOf(tl: Timeline, d: DisruptionWindow, cutoff: number): ImpactPhase[] {
  const phases: ImpactPhase[] = [];
  if (tl.initial === 'failing') phases.push('before');
  const duringEnd = d.endedAt ?? cutoff;
  if (tl.initial === 'failing' || failedWithin(tl, d.startedAt, duringEnd, true)) phases.push('during');
  if (d.endedAt !== null && failedWithin(tl, d.endedAt, cutoff, false)) phases.push('after');
  return phases;
}

/** Until when failures count as "after": the recovery, the bound, or the latest evaluation. */
function cutoffOf(input: ImpactInput, recovery: Recovery): number {
  const end = input.disruption.endedAt;
  if (recovery.status === 'recovered') return recovery.at;
  if (end !== null && recovery.status === 'not-recovered') return end + input.recoveryBoundMs;
  return input.evaluatedAt;
}

function recovered(tl: Timeline, t: number, before: CheckStateName): boolean {
  const s = stateAt(tl, t);
  // A check skipped (its suite not running) before the disruption and still skipped says nothing new.
  return s === 'ok' || (s === 'skipped' && before === 'skipped');
}

function recoveryOf(input: ImpactInput, timelines: Map<string, Timeline>): Recovery {
  const end = input.disruption.endedAt;
  if (end === null) return { status: 'pending' };
  if (input.suiteChecks.length === 0) return { status: 'no-checks' };
  const bound = end + input.recoveryBoundMs;
  const tls = input.suiteChecks.map((ref) => {
    const key = checkKey(ref);
    return { key, tl: timelines.get(key) ?? emptyTimeline(), before: input.disruption.before[key] ?? 'unknown' };
  });
  const allOk = (t: number): boolean => tls.every((c) => recovered(c.tl, t, c.before));
  // A candidate holds when every check is ok at it and no check left ok within the settle time after it.
  const holds = (t: number): boolean =>
    allOk(t) && tls.every((c) => c.tl.changes.every((ch) => ch.at <= t || ch.at > t + input.settleMs || recovered(c.tl, ch.at, c.before)));
  // The candidates: the end itself, then every change of a suite check up to the bound.
  const changeTimes = tls.flatMap((c) => c.tl.changes.map((ch) => ch.at)).filter((t) => t > end && t <= bound);
  for (const t of [end, ...changeTimes].sort((a, b) => a - b)) {
    if (t + input.settleMs > input.evaluatedAt) break;
    if (holds(t)) return { status: 'recovered', seconds: (t - end) / 1000, at: t };
  }
  if (input.evaluatedAt < bound + input.settleMs) return { status: 'pending' };
  const notOk = tls.filter((c) => !recovered(c.tl, bound, c.before)).map((c) => c.key);
  return { status: 'not-recovered', boundSeconds: input.recoveryBoundMs / 1000, notOk };
}
