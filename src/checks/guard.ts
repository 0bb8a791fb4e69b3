// A suite's guard: the query that says whether the suite is running at all (the
// `running_query` of check_metrics.py). Its checks are only judged while it says yes;
// otherwise they are `skipped`, so a suite that was never deployed does not alert.
// "Not running" is a result with no series (a false comparison like `... > 0.5`
// filters every series out), or only series valued 0 or NaN (`sum(...)` of nothing
// useful). An error is not "not running": the caller turns it into the checks' error.
//
// An empty answer cannot tell "not deployed" from "the metric the guard reads does not
// exist here" (no kube-state-metrics, no Istio telemetry). So an empty guard is checked
// against its data source (the group's `guardSource`: a query that returns a series when
// none of the guard's metrics exist): when the source is missing the suite is `unknown`,
// never skipped, because skipping would be a pass for something nobody checked.

import type { QueryOutcome } from './types.js';

export type GuardVerdict =
  | { running: true }
  /** `empty`: the guard returned no series at all (its data source must be asked). */
  | { running: false; reason: string; empty: boolean }
  | { error: string };

export function guardVerdict(outcome: QueryOutcome): GuardVerdict {
  switch (outcome.kind) {
    case 'error':
      return { error: outcome.message };
    case 'skipped':
    case 'unknown':
      return { running: false, reason: outcome.reason, empty: false };
    case 'data': {
      if (outcome.samples.length === 0) {
        return { running: false, reason: 'the suite is not running (its guard returned no data)', empty: true };
      }
      const anyRunning = outcome.samples.some((s) => s.value !== 0 && !Number.isNaN(s.value));
      if (!anyRunning) return { running: false, reason: 'the suite is not running (its guard is 0)', empty: false };
      return { running: true };
    }
  }
}

export type GuardSourceVerdict = { present: true } | { present: false; reason: string } | { error: string };

/**
 * The answer of the group's `guardSource` query, asked when the guard returned nothing:
 * any series means none of the guard's metrics exist (the query is built of `absent()`).
 */
export function guardSourceVerdict(outcome: QueryOutcome, guardSource: string): GuardSourceVerdict {
  switch (outcome.kind) {
    case 'error':
      return { error: outcome.message };
    case 'skipped':
    case 'unknown':
      return { present: false, reason: outcome.reason };
    case 'data':
      if (outcome.samples.length === 0) return { present: true };
      return {
        present: false,
        reason: `the guard's data source is missing (${guardSource} is true): whether the suite runs cannot be told`,
      };
  }
}
