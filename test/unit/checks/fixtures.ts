// Builders shared by the check engine's unit tests: a CheckSpec from a few fields,
// outcomes, and a driver that feeds a sequence of outcomes through evaluateCheck.

import type { CheckSpec } from '../../../src/config/model.js';
import { evaluateCheck } from '../../../src/checks/check-state.js';
import { parseCondition } from '../../../src/checks/condition.js';
import type { CheckRecord, QueryOutcome, Sample, Transition } from '../../../src/checks/types.js';

export const T0 = 1_700_000_000_000;
export const SEC = 1000;

export function spec(over: Partial<Omit<CheckSpec, 'fail'>> & { fail?: string } = {}): CheckSpec {
  const { fail = '> 0', ...rest } = over;
  const cond = parseCondition(fail);
  if ('error' in cond) throw new Error(cond.error);
  return {
    name: 'c',
    query: 'q',
    fail: cond,
    forMs: 0,
    keepFiringForMs: 0,
    noData: 'unknown',
    errorLimit: 3,
    severity: 'warning',
    labels: {},
    ...rest,
  };
}

export const scalar = (value: number): QueryOutcome => ({ kind: 'data', samples: [{ labels: {}, value }] });
export const series = (...samples: Sample[]): QueryOutcome => ({ kind: 'data', samples });
export const empty = (): QueryOutcome => ({ kind: 'data', samples: [] });
export const failure = (message = 'connect ECONNREFUSED', errorKind = 'unreachable'): QueryOutcome => ({
  kind: 'error',
  errorKind,
  message,
});
export const skipped = (reason = 'the suite is not running'): QueryOutcome => ({ kind: 'skipped', reason });

export interface Step {
  record: CheckRecord;
  transitions: Transition[];
}

/** Feeds outcomes at T0, T0+step, ... and returns every tick's result. */
export function run(s: CheckSpec, outcomes: QueryOutcome[], stepMs = 30 * SEC, start?: CheckRecord): Step[] {
  let prev = start;
  return outcomes.map((o, i) => {
    const r = evaluateCheck(s, prev, o, T0 + i * stepMs);
    prev = r.record;
    return r;
  });
}

export const states = (steps: Step[]): string[] => steps.map((s) => s.record.state);
