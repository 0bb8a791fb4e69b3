// The daemon watching itself, so it never stops checking without saying so:
// - every tick runs through tick-guard.ts (one at a time per suite, a deadline, failures
//   logged, counted and remembered);
// - housekeeping passes: job schedulers missing from Redis (FLUSHALL, a Redis restarted empty)
//   are installed again; pause flags are re-asserted after a data loss (pause-flags.ts); the
//   shared tick records feed the watchdog, so a suite ticked by another replica is not stalled;
// - the watchdog: a suite with no completed tick for several tick intervals sets
//   suite_stalled{suite} and fails /readyz naming the suite, as does a suite whose last tick
//   failed (Redis out of memory, authentication refused, a deadline);
// - Redis' own errors are classified, so /readyz says "redis authentication failed" rather
//   than "unreachable", and an out-of-memory or auth problem is logged at error once per change.

import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config/model.js';
import { clusterTarget } from '../config/clusters.js';
import { clusterOfId } from '../checks/suite-instance.js';
import type { CheckGroup } from '../checks/evaluate-group.js';
import type { SuiteQueues } from '../adapters/bullmq/queues.js';
import type { History } from '../adapters/redis/history.js';
import type { StateKeys } from '../adapters/redis/keys.js';
import type { PauseFlags } from '../adapters/redis/pause-flags.js';
import { describeRedisProblem, redisProblemOf, type RedisProblem } from '../adapters/redis/redis-errors.js';
import { healthMetrics, type HealthMetrics } from '../telemetry/health-metrics.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { HousekeepingDeps } from './housekeeping.js';
import type { SchedulerKeeper } from './schedulers.js';
import { TickHealth } from './tick-health.js';
import { tickGuard, type GuardedOutcome } from './tick-guard.js';
import type { TickJob, TickOutcome } from './tick.js';

export interface WatchOptions {
  /** Tick intervals without a completed tick before a suite is stalled; default 5. */
  missedTicks?: number;
  /** The shortest stall window; default 30 s. */
  minWindowMs?: number;
  /** How long one tick may take; default max(tick, 2 × Prometheus timeout) + 5 s. */
  tickDeadlineMs?: (suite: string) => number;
}

export interface WatchDeps {
  config: Config;
  groups: Map<string, CheckGroup>;
  redis: Redis;
  keys: StateKeys;
  pause: PauseFlags;
  history: History;
  metrics: Metrics;
  logger: Logger;
  now: () => number;
  worker: string;
  options?: WatchOptions;
}

export interface SelfWatch {
  readonly health: TickHealth;
  readonly metrics: HealthMetrics;
  guard(run: (job: TickJob) => Promise<TickOutcome>): (job: TickJob) => Promise<GuardedOutcome>;
  /** The housekeeping passes and watchdog, once the queues and the keeper exist. */
  housekeeping(queues: SuiteQueues, keeper: SchedulerKeeper): Pick<HousekeepingDeps, 'passes' | 'always'>;
  /** /readyz reasons from the watchdog and failed ticks. */
  reasons(): string[];
  /** The /readyz reason while Redis does not answer. */
  redisDownReason(): string;
  /** An error from BullMQ's connections: out of memory, authentication and read-only are remembered. */
  noteError(err: Error): void;
}

export function selfWatch(d: WatchDeps): SelfWatch {
  const tickMs = (suite: string): number => d.config.suites.find((s) => s.name === suite)?.tickMs ?? d.config.tickMs;
  const health = new TickHealth({
    suites: [...d.groups.keys()].map((suite) => ({ suite, tickMs: tickMs(suite) })),
    startedAt: d.now(),
    ...(d.options?.missedTicks !== undefined ? { missedTicks: d.options.missedTicks } : {}),
    ...(d.options?.minWindowMs !== undefined ? { minWindowMs: d.options.minWindowMs } : {}),
  });
  const hm = healthMetrics(d.metrics.registry);
  // The instance's own cluster's Prometheus timeout (the top-level one without clusters:).
  const promTimeoutMs = (suite: string): number => clusterTarget(d.config, clusterOfId(suite)).prometheus.timeoutMs;
  const deadline = d.options?.tickDeadlineMs ?? ((suite: string) => Math.max(tickMs(suite), 2 * promTimeoutMs(suite)) + 5000);
  const problems = redisProblems(d.logger, d.now, d.options?.minWindowMs ?? 30_000);
  d.redis.on('error', problems.note);
  d.redis.on('ready', problems.clear);
  const stalled = new Set<string>();
  const watchdog = (): void => {
    for (const h of health.check(d.now(), d.pause.remembered())) {
      hm.suiteStalled.set({ suite: h.suite }, h.stalled ? 1 : 0);
      if (h.stalled && !stalled.has(h.suite)) {
        // The ticks that never ran are counted here: BullMQ could not even start them.
        hm.tickFailures.inc({ suite: h.suite, reason: problems.recent() ?? 'stalled' });
        d.logger.error({ suite: h.suite, lastCompletedAt: h.lastCompletedAt, windowMs: h.windowMs, redis: problems.recent() }, 'suite stalled: no completed tick');
      }
      if (!h.stalled && stalled.has(h.suite)) d.logger.info({ suite: h.suite }, 'suite ticking again');
      if (h.stalled) stalled.add(h.suite);
      else stalled.delete(h.suite);
    }
  };
  return {
    health,
    metrics: hm,
    guard: (run) => tickGuard({ redis: d.redis, guardKey: d.keys.tickRunning, health, metrics: hm, logger: d.logger, now: d.now, deadlineMs: deadline, worker: d.worker, onError: problems.note }, run),
    housekeeping: (queues, keeper) => ({ passes: passes(d, health, hm, queues, keeper), always: watchdog }),
    reasons: () => {
      const recent = problems.recent();
      return [...(recent ? [describeRedisProblem(recent)] : []), ...TickHealth.reasons(health.check(d.now(), d.pause.remembered()), d.now())];
    },
    redisDownReason: () => describeRedisProblem(problems.last() ?? 'redis-unreachable'),
    noteError: problems.note,
  };
}

function passes(d: WatchDeps, health: TickHealth, hm: HealthMetrics, queues: SuiteQueues, keeper: SchedulerKeeper): NonNullable<HousekeepingDeps['passes']> {
  return [
    {
      name: 'job schedulers',
      run: async () => {
        const missing = await queues.missingSchedulers(d.config);
        if (missing.length === 0) return;
        d.logger.warn({ missing }, 'job schedulers missing in redis; installing them again');
        hm.schedulerReinstalls.inc();
        keeper.reinstall();
      },
    },
    {
      // A scheduler whose next job was lost (a write refused half-way, out of memory) looks
      // installed but never fires: a stalled suite gets its schedulers upserted again.
      name: 'stalled suites',
      run: async () => {
        const stalled = health.check(d.now(), d.pause.remembered()).filter((h) => h.stalled).map((h) => h.suite);
        if (stalled.length === 0) return;
        d.logger.warn({ suites: stalled }, 'suites stalled; installing their job schedulers again');
        keeper.reinstall();
      },
    },
    { name: 'pause flags', run: () => d.pause.sync() },
    {
      name: 'tick records',
      run: async () => {
        for (const suite of d.groups.keys()) {
          const last = (await d.history.recentTicks(suite, 1))[0]?.event;
          if (last) health.completed(suite, last.startedAt + last.durationMs);
        }
      },
    },
  ];
}

/**
 * Redis problems seen on any connection: the last one (cleared when the state connection is
 * ready again), and a recent one other than "unreachable" (out of memory, authentication,
 * read-only) for `ttlMs` after it was last seen. Logged at error once per change.
 */
function redisProblems(logger: Logger, now: () => number, ttlMs: number) {
  let last: RedisProblem | undefined;
  let serious: { problem: RedisProblem; at: number } | undefined;
  return {
    note: (err: Error): void => {
      const problem = redisProblemOf(err);
      if (!problem) return;
      if (problem !== 'redis-unreachable') {
        if (serious?.problem !== problem || now() - serious.at > ttlMs) logger.error({ problem, err: err.message }, describeRedisProblem(problem));
        serious = { problem, at: now() };
      }
      last = problem;
    },
    clear: (): void => {
      last = undefined;
    },
    last: (): RedisProblem | undefined => last ?? serious?.problem,
    recent: (): RedisProblem | undefined => (serious && now() - serious.at <= ttlMs ? serious.problem : undefined),
  };
}
