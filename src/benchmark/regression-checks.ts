// A benchmark run's regressions as the suite's checks: one check per metric (p99, CPU, and
// memory when a threshold is set), one instance per matrix point and component, value = the
// change over the baseline in percent, failing above the threshold. Evaluated by the same
// state machine as every check (checks/check-state.ts), so the records, transitions and
// alert events are the ordinary ones. Pure; `now` is passed in.

import { evaluateCheck } from '../checks/check-state.js';
import type { GroupTransition } from '../checks/evaluate-group.js';
import type { CheckRecord } from '../checks/types.js';
import { REGRESSION_CHECK, regressionChecks, regressionSamples, type RegressionMetric } from './compare.js';
import type { RegressionThresholds } from './model.js';
import type { PointFindings } from './run-benchmark.js';

const METRIC_OF = Object.fromEntries(Object.entries(REGRESSION_CHECK).map(([m, name]) => [name, m])) as Record<string, RegressionMetric>;

export function evaluateRegressions(
  thresholds: RegressionThresholds,
  compared: readonly PointFindings[],
  prev: Record<string, CheckRecord>,
  now: number,
): { records: Record<string, CheckRecord>; transitions: GroupTransition[] } {
  const records: Record<string, CheckRecord> = {};
  const transitions: GroupTransition[] = [];
  for (const spec of regressionChecks(thresholds)) {
    const metric = METRIC_OF[spec.name] as RegressionMetric;
    const samples = regressionSamples(metric, compared);
    const { record, transitions: changes } = evaluateCheck(spec, prev[spec.name], { kind: 'data', samples }, now);
    records[spec.name] = record;
    for (const t of changes) transitions.push({ ...t, check: spec.name, severity: spec.severity });
  }
  return { records, transitions };
}
