// What the HTTP server (src/server/) serves, answered from the daemon's parts: /metrics
// (with the check gauges refreshed from the state all replicas share), /readyz, the status
// body and the admin actions on suites.

import type { Config, Suite } from '../config/model.js';
import type { CheckGroup } from '../checks/evaluate-group.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { CheckStore } from '../adapters/redis/check-store.js';
import type { History } from '../adapters/redis/history.js';
import type { PauseFlags } from '../adapters/redis/pause-flags.js';
import type { Readiness, ServerBackend } from '../server/http-server.js';
import { refreshCheckGauges } from './check-gauges.js';
import { buildStatus } from './status.js';
import { withTimeout } from '../shared/time.js';
import type { BenchmarkStatusSource } from './status.js';

export interface BackendDeps {
  config: Config;
  groups: Map<string, CheckGroup>;
  suites: Map<string, Suite>;
  store: CheckStore;
  history: History;
  pause: PauseFlags;
  metrics: Metrics;
  ping: () => Promise<boolean>;
  now: () => number;
  triggerDisruption: (suite: string) => Promise<void>;
  /** The benchmark suites: trigger a run, refresh their gauges before a scrape, last run for the status. */
  benchmarks?: BenchmarkStatusSource & { trigger(suite: string): Promise<void>; refresh(): Promise<void> };
  /** The reason while Redis does not answer ("redis unreachable", "redis authentication failed"). */
  redisDownReason?: () => string;
  /** Why the daemon is not ready beyond Redis (schedulers missing, stalled or failing suites, shutting down). */
  notReadyReasons: () => string[];
}

export function daemonBackend(d: BackendDeps): ServerBackend {
  return {
    async metrics() {
      // Ticks go to whichever replica is free: report the state all replicas share in
      // Redis, not only what this one last evaluated (bounded; stale beats no answer).
      await withTimeout(refreshCheckGauges({ store: d.store, groups: d.groups, metrics: d.metrics }).catch(() => undefined), 1000);
      // After the check gauges: that refresh forgets the regression checks, which are not the suite's own.
      if (d.benchmarks) await withTimeout(d.benchmarks.refresh().catch(() => undefined), 1000);
      return { contentType: d.metrics.registry.contentType, body: await d.metrics.registry.metrics() };
    },
    async readiness(): Promise<Readiness> {
      const up = await d.ping();
      d.metrics.redisUp.set(up ? 1 : 0);
      const down = d.redisDownReason?.() ?? 'redis unreachable';
      const reasons = up ? d.notReadyReasons() : [down, ...d.notReadyReasons().filter((r) => r === 'shutting down')];
      return { ready: reasons.length === 0, reasons };
    },
    status: () => buildStatus({ config: d.config, store: d.store, history: d.history, pause: d.pause, now: d.now, ...(d.benchmarks ? { benchmarks: d.benchmarks } : {}) }),
    async suiteAction(suite, action) {
      if (!d.groups.has(suite)) return { result: 'not-found' };
      if (action === 'pause' || action === 'resume') {
        await d.pause.set(suite, action === 'pause');
        return { result: 'ok' };
      }
      if (d.benchmarks?.suites.has(suite)) {
        await d.benchmarks.trigger(suite);
        return { result: 'ok' };
      }
      if (!d.suites.get(suite)?.disruption) return { result: 'conflict', message: `suite ${suite} has no disruption` };
      await d.triggerDisruption(suite);
      return { result: 'ok' };
    },
  };
}
