// The check gauges (check_state, check_failing, check_value) as Redis knows them. BullMQ
// hands each tick to whichever replica is free, so the gauges a replica set from its own last
// tick can be older than the other replica's; reading every group's records from the shared
// CheckStore right before a scrape makes every replica report the same, current state. It
// also forgets series of checks and suites that left the config, so none linger.

import type { CheckGroup } from '../checks/evaluate-group.js';
import { worstInstance } from '../checks/check-state.js';
import type { CheckRecord } from '../checks/types.js';
import type { Severity } from '../checks/model.js';
import { groupCoverage } from '../checks/coverage.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { CheckStore } from '../adapters/redis/check-store.js';

export interface CheckGaugeDeps {
  store: Pick<CheckStore, 'load'>;
  groups: Map<string, CheckGroup>;
  metrics: Metrics;
}

/** The three gauges of one check from its record: the one place they are written. */
export function setCheckGauges(metrics: Metrics, suite: string, check: string, severity: Severity, record: CheckRecord): void {
  metrics.setCheckState(suite, check, severity, record.state);
  metrics.setCheckValue(suite, check, worstInstance(record)?.value ?? null);
}

/** check_threshold of every configured check, from its steady condition; set once as the daemon starts. */
export function setCheckThresholds(metrics: Metrics, groups: Map<string, CheckGroup>): void {
  for (const [suite, group] of groups) {
    for (const spec of group.checks) metrics.setCheckThreshold(suite, spec.name, spec.phases?.steady?.fail ?? spec.fail);
  }
}

/**
 * Sets the three check gauges of every configured check from its record in Redis, and
 * forgets the series of checks no longer configured. Records are all read before any gauge
 * is touched, so a Redis error (which rejects) leaves the gauges exactly as they were.
 * A configured check with no record yet (never ticked) keeps whatever it had.
 */
export async function refreshCheckGauges(deps: CheckGaugeDeps): Promise<void> {
  const { store, groups, metrics } = deps;
  const suites = [...groups.keys()];
  const loaded = await Promise.all(suites.map((suite) => store.load(suite)));

  suites.forEach((suite, i) => {
    const group = groups.get(suite);
    const records = loaded[i];
    if (!group || !records) return;
    for (const spec of group.checks) {
      const record = records[spec.name];
      if (!record) continue;
      setCheckGauges(metrics, suite, spec.name, spec.severity, record);
    }
    if (group.checks.length > 0) metrics.setSuiteCoverage(suite, groupCoverage(group.checks.map((c) => records[c.name])).reason);
  });

  const goneSuites = new Set<string>();
  for (const { suite, check } of metrics.knownChecks()) {
    const group = groups.get(suite);
    if (!group) goneSuites.add(suite);
    else if (!group.checks.some((c) => c.name === check)) metrics.forgetCheck(suite, check);
  }
  for (const suite of goneSuites) metrics.forgetSuite(suite);
}
