// A suite's guard: the query that says whether the suite is running at all (the
// `running_query` of check_metrics.py). Its checks are only judged while it says yes;
// otherwise they are `skipped`, so a suite that was never deployed does not alert.
// "Not running" is a result with no series (a false comparison like `... > 0.5`
// filters every series out), or only series valued 0 or NaN (`sum(...)` of nothing
// useful). An error is not "not running": the caller turns it into the checks' error.

import type { QueryOutcome } from './types.js';

export type GuardVerdict = { running: true } | { running: false; reason: string } | { error: string };

export function guardVerdict(outcome: QueryOutcome): GuardVerdict {
  switch (outcome.kind) {
    case 'error':
      return { error: outcome.message };
    case 'skipped':
      return { running: false, reason: outcome.reason };
    case 'data': {
      if (outcome.samples.length === 0) {
        return { running: false, reason: 'the suite is not running (its guard returned no data)' };
      }
      const anyRunning = outcome.samples.some((s) => s.value !== 0 && !Number.isNaN(s.value));
      if (!anyRunning) return { running: false, reason: 'the suite is not running (its guard is 0)' };
      return { running: true };
    }
  }
}
