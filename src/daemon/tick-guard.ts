// How the daemon runs one tick job safely (around tick.ts' runTick):
// - one tick of a suite at a time: an in-process guard, and a Redis guard key (SET NX with a
//   TTL of the deadline) so replicas never run a suite's ticks side by side and overwrite each
//   other's records; a slot that finds its suite busy is skipped (logged, not an error);
// - a deadline: a tick that has not finished by then is recorded as failed ('deadline')
//   and its slot released for the next one only when it really ends (in-process);
// - failures that stop checking are never silent: logged at error with a bounded reason
//   (redis-oom, redis-auth, redis-unreachable, deadline, error), counted in
//   tick_failures_total, and handed to TickHealth for /readyz.

import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { describeRedisProblem, redisProblemOf } from '../adapters/redis/redis-errors.js';
import type { HealthMetrics } from '../telemetry/health-metrics.js';
import { messageOf } from '../shared/errors.js';
import { withTimeout } from '../shared/time.js';
import type { TickHealth } from './tick-health.js';
import type { TickJob, TickOutcome } from './tick.js';

export interface TickGuardDeps {
  redis: Redis;
  /** The Redis key of a suite's running-tick guard. */
  guardKey: (suite: string) => string;
  health: TickHealth;
  metrics: HealthMetrics;
  logger: Logger;
  now: () => number;
  /** How long one tick may take. */
  deadlineMs: (suite: string) => number;
  worker: string;
  /** Told of the error of every failed tick. */
  onError?: (err: Error) => void;
}

export type GuardedOutcome = TickOutcome | { ran: false; reason: 'busy' } | { ran: false; reason: 'failed'; failure: string };

export function tickGuard(d: TickGuardDeps, run: (job: TickJob) => Promise<TickOutcome>): (job: TickJob) => Promise<GuardedOutcome> {
  const running = new Set<string>();
  const fail = (job: TickJob, reason: string, err?: unknown): GuardedOutcome => {
    d.metrics.tickFailures.inc({ suite: job.suite, reason });
    const problem = redisProblemOf(err);
    const text = problem ? describeRedisProblem(problem) : reason === 'deadline' ? `no result within ${d.deadlineMs(job.suite)} ms` : 'error (see the log)';
    d.health.failed(job.suite, text, d.now());
    d.logger.error({ suite: job.suite, jobId: job.id, reason, ...(err === undefined ? {} : { err: messageOf(err) }) }, 'tick failed');
    return { ran: false, reason: 'failed', failure: reason };
  };
  return async (job) => {
    const { suite } = job;
    if (running.has(suite)) return busy(d, job);
    running.add(suite);
    let release = true;
    try {
      const deadlineMs = d.deadlineMs(suite);
      const acquired = await d.redis.set(d.guardKey(suite), `${d.worker}:${job.id}`, 'PX', deadlineMs, 'NX');
      if (acquired !== 'OK') return busy(d, job);
      const work = run(job);
      const settled = await withTimeout(work, deadlineMs);
      if (settled === 'timeout') {
        // Keep this suite's in-process slot until the late tick really ends.
        release = false;
        void work.catch(() => undefined).finally(() => running.delete(suite));
        return fail(job, 'deadline');
      }
      await d.redis.del(d.guardKey(suite)).catch(() => undefined);
      if (settled.ran || settled.reason === 'paused') {
        const at = d.now();
        d.health.completed(suite, at);
        d.metrics.lastTickTimestamp.set({ suite }, at / 1000);
      }
      return settled;
    } catch (err) {
      await d.redis.del(d.guardKey(suite)).catch(() => undefined);
      if (err instanceof Error) d.onError?.(err);
      return fail(job, redisProblemOf(err) ?? 'error', err);
    } finally {
      if (release) running.delete(suite);
    }
  };
}

function busy(d: TickGuardDeps, job: TickJob): GuardedOutcome {
  d.logger.warn({ suite: job.suite, jobId: job.id }, 'tick skipped: the previous tick of the suite is still running');
  return { ran: false, reason: 'busy' };
}
