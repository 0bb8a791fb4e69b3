// Whether a group's checks judged anything: a suite whose every check is skipped (its guard
// says it is not running) or unknown (no data source, Prometheus unreachable) was not
// checked, and must be shown as such — never counted as a pass. Derived from the records
// alone, so every replica computes the same answer from the shared state. Pure.

import type { CheckRecord } from './types.js';
import { isNotDeployedReason } from './deployment.js';

/**
 * `checked`: at least one check judged ok, pending or failing. `not_deployed`: every check
 * skipped because the suite's objects are absent from the cluster. `not_running`: every check
 * skipped (the guard). `unknown`: every check unknown, or some unknown and the rest skipped.
 * `not_evaluated`: no record yet (never ticked, or a group without checks).
 */
export type CoverageReason = 'checked' | 'not_deployed' | 'not_running' | 'unknown' | 'not_evaluated';

export const COVERAGE_REASONS: readonly CoverageReason[] = ['checked', 'not_deployed', 'not_running', 'unknown', 'not_evaluated'];

export interface Coverage {
  checked: boolean;
  reason: CoverageReason;
  /** For humans: the first record's reason (why it is skipped or unknown); empty when checked. */
  detail: string;
}

export function groupCoverage(records: Array<CheckRecord | undefined>): Coverage {
  const present = records.filter((r): r is CheckRecord => r !== undefined);
  if (present.length === 0) return { checked: false, reason: 'not_evaluated', detail: 'no check has been evaluated yet' };
  if (present.some((r) => r.state !== 'skipped' && r.state !== 'unknown')) return { checked: true, reason: 'checked', detail: '' };
  const unknown = present.find((r) => r.state === 'unknown');
  if (unknown) return { checked: false, reason: 'unknown', detail: unknown.reason ?? 'every check is unknown' };
  const detail = present[0]?.reason ?? 'every check is skipped';
  return { checked: false, reason: isNotDeployedReason(detail) ? 'not_deployed' : 'not_running', detail };
}
