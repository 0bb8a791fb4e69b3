// The go/no-go gate before a scheduled disruption: disrupting a suite that is already failing
// or cannot be judged proves nothing and hides the next failure, and without Prometheus no
// impact can be measured. Pure: the caller reads the check records and probes Prometheus.

import type { CheckRecord } from '../checks/types.js';
import type { SkipReason } from '../telemetry/metrics.js';

export type GateVerdict = { go: true } | { go: false; reason: SkipReason; message: string };

export interface GateInput {
  /** The suite's check names (from the config: a check with no record yet is unknown). */
  checks: string[];
  records: Record<string, CheckRecord>;
  /** Why Prometheus cannot be used, when it cannot. */
  prometheusDown?: string;
}

/** The names listed, at most `max`, then how many more. */
function list(names: string[], max = 5): string {
  return names.length > max ? `${names.slice(0, max).join(', ')} and ${names.length - max} more` : names.join(', ');
}

export function goNoGo(input: GateInput): GateVerdict {
  if (input.prometheusDown !== undefined) {
    return { go: false, reason: 'prometheus-unreachable', message: `Prometheus is unreachable: ${input.prometheusDown}` };
  }
  const failing = input.checks.filter((c) => input.records[c]?.state === 'failing');
  if (failing.length > 0) return { go: false, reason: 'suite-failing', message: `suite already failing: ${list(failing)}` };
  const unknown = input.checks.filter((c) => {
    const state = input.records[c]?.state;
    return state === undefined || state === 'unknown' || state === 'skipped';
  });
  if (unknown.length > 0) {
    const detail = unknown.map((c) => `${c} (${input.records[c]?.reason ?? input.records[c]?.state ?? 'not evaluated yet'})`);
    return { go: false, reason: 'suite-unknown', message: `suite state unknown: ${list(detail)}` };
  }
  return { go: true };
}
