// The daemon's self-health series, beside metrics.ts' mesh_soak_* set: ticks that failed to
// run or persist (by a bounded reason), suites the watchdog finds stalled, each suite's last
// completed tick, job schedulers re-installed after Redis lost them, and Prometheus answers
// refused for their size. Created idempotently on a registry (a second call returns the
// same series), so several daemons in one test process can share nothing or everything.

import { Counter, Gauge, type Registry } from 'prom-client';
import { METRIC_PREFIX, exportInstanceLabels } from './metrics.js';

export interface HealthMetrics {
  readonly tickFailures: Counter<'suite' | 'reason' | 'cluster'>;
  readonly suiteStalled: Gauge<'suite' | 'cluster'>;
  readonly lastTickTimestamp: Gauge<'suite' | 'cluster'>;
  readonly schedulerReinstalls: Counter;
  readonly prometheusOverLimit: Counter<'limit'>;
  readonly recordedDirect: Counter<'reason' | 'cluster'>;
}

function once<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

export function healthMetrics(registry: Registry): HealthMetrics {
  const n = (s: string): string => METRIC_PREFIX + s;
  const registers = [registry];
  return {
    tickFailures: once(registry, n('tick_failures_total'), () => exportInstanceLabels(new Counter({
      name: n('tick_failures_total'),
      help: 'Ticks that failed to run or to persist their results, by reason (redis-oom, redis-auth, redis-unreachable, deadline, error).',
      labelNames: ['suite', 'reason', 'cluster'] as const,
      registers,
    }))),
    suiteStalled: once(registry, n('suite_stalled'), () => exportInstanceLabels(new Gauge({
      name: n('suite_stalled'),
      help: '1 while the suite has completed no tick for the watchdog window (several tick intervals), else 0.',
      labelNames: ['suite', 'cluster'] as const,
      registers,
    }))),
    lastTickTimestamp: once(registry, n('last_tick_timestamp_seconds'), () => exportInstanceLabels(new Gauge({
      name: n('last_tick_timestamp_seconds'),
      help: "When the suite's last tick completed (any replica, as this one last saw it), Unix seconds.",
      labelNames: ['suite', 'cluster'] as const,
      registers,
    }))),
    schedulerReinstalls: once(registry, n('scheduler_reinstalls_total'), () => new Counter({
      name: n('scheduler_reinstalls_total'),
      help: 'Times housekeeping found job schedulers missing in Redis and installed them again.',
      registers,
    })),
    prometheusOverLimit: once(registry, n('prometheus_responses_over_limit_total'), () => new Counter({
      name: n('prometheus_responses_over_limit_total'),
      help: 'Prometheus answers refused for their size, by limit (body_bytes, series).',
      labelNames: ['limit'] as const,
      registers,
    })),
    recordedDirect: once(registry, n('prometheus_recorded_direct_total'), () => new Counter({
      name: n('prometheus_recorded_direct_total'),
      help: 'With prometheus.recordingRules: expressions asked directly instead, by reason (missing: no recorded result, stale: too old, failed: the lookup failed).',
      labelNames: ['reason', 'cluster'] as const,
      registers,
    })),
  };
}
