// Phase-aware checks: a check may hold a different `fail` condition while its suite is being
// disrupted (`during`) and for a grace time after the disruption ended (`after`), e.g. a
// little 5xx tolerated during a control-plane roll, none 60 s after it. Outside those it
// uses its own `fail` (`steady`, which phases.steady may override). Pure: the caller says
// which phase the suite is in.

import type { CheckSpec } from './model.js';

export type SuitePhase =
  | { kind: 'steady' }
  | { kind: 'during' }
  /** The suite's last disruption ended `sinceEndMs` ago. */
  | { kind: 'after'; sinceEndMs: number };

/** Which phase a check is judged in: `after` only within its own grace time. */
export function phaseOf(spec: Pick<CheckSpec, 'phases'>, suite: SuitePhase): 'steady' | 'during' | 'after' {
  if (suite.kind === 'during') return 'during';
  if (suite.kind === 'after' && spec.phases?.after && suite.sinceEndMs < spec.phases.after.graceMs) return 'after';
  return 'steady';
}

/** The check with the condition of the phase it is judged in (itself when nothing changes). */
export function specInPhase(spec: CheckSpec, suite: SuitePhase): CheckSpec {
  const p = spec.phases;
  if (!p) return spec;
  const fail = p[phaseOf(spec, suite)]?.fail ?? p.steady?.fail ?? spec.fail;
  return fail === spec.fail ? spec : { ...spec, fail };
}

/** The longest `after` grace of a group's checks: how long a suite stays in its after phase. */
export function longestGraceMs(specs: CheckSpec[]): number {
  return Math.max(0, ...specs.map((s) => s.phases?.after?.graceMs ?? 0));
}
