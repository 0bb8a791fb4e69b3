// The report's input and scope for the daemon's /report and `mesh-soak report`: the run
// ledger and the check records as a ReportSource (verdict/collect.ts), and which suites and
// links a configuration's report covers.

import type { Config } from '../config/model.js';
import { MESH_SUITE } from '../config/model.js';
import type { CheckStore } from '../adapters/redis/check-store.js';
import type { RunLedger } from '../adapters/redis/ledger.js';
import type { ReportScope, ReportSource } from '../verdict/collect.js';

export function reportSourceOf(ledger: RunLedger, store: Pick<CheckStore, 'load'>): ReportSource {
  return {
    range: (suite, from, to, limit) => ledger.range(suite, from, to, limit),
    versions: (from, to) => ledger.versions(from, to),
    states: async (suite) => Object.fromEntries(Object.entries(await store.load(suite)).map(([check, r]) => [check, r.state])),
  };
}

/** What a report covers: every enabled suite and the mesh-wide checks, and where to link. */
export function reportScope(config: Config, statusUrl?: string): ReportScope {
  const suites = config.suites.filter((s) => s.enabled).map((s) => ({ name: s.name, checks: s.checks.map((c) => c.name) }));
  if (config.checks.length > 0) suites.push({ name: MESH_SUITE, checks: config.checks.map((c) => c.name) });
  return {
    suites,
    links: {
      prometheus: config.prometheus.url,
      ...(config.clusters ? { prometheusByCluster: config.clusters.map((c) => ({ cluster: c.name, url: c.prometheus.url })) } : {}),
      ...(config.grafana ? { grafana: `${config.grafana.url.replace(/\/+$/, '')}/d/mesh-soak-overview` } : {}),
      ...(statusUrl ? { status: statusUrl } : {}),
    },
  };
}
