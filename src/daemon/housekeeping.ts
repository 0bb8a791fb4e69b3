// In-process housekeeping on node-cron, every replica for itself: queue_jobs gauges from
// BullMQ's job counts, redis_up from a PING, history trimming, and the daemon's own passes
// (`passes`: job schedulers still installed, pause flags still set, the watchdog's view of
// the shared tick records) then the watchdog itself, which runs even while Redis is away.
// Each run is bounded and swallows its own failures — housekeeping never takes the daemon down.

import { schedule, type ScheduledTask } from 'node-cron';
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { Metrics } from '../telemetry/metrics.js';
import type { History } from '../adapters/redis/history.js';
import { messageOf } from '../shared/errors.js';
import { withTimeout } from '../shared/time.js';

export const JOB_STATES = ['waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized'] as const;

export interface HousekeepingDeps {
  queues: Queue[];
  history: History;
  suites: string[];
  metrics: Metrics;
  logger: Logger;
  /** Resolves true when Redis answered. */
  ping: () => Promise<boolean>;
  /** Deadline of each Redis call of one run; default 5 s. */
  callTimeoutMs?: number;
  /** Run on every pass while Redis answers, each under the call deadline, in order. */
  passes?: Array<{ name: string; run: () => Promise<unknown> }>;
  /** Run on every pass, Redis or not (the watchdog). */
  always?: () => void;
}

const CALL_TIMEOUT_MS = 5000;

async function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  const r = await withTimeout(p, ms);
  if (r === 'timeout') throw new Error(`${what}: no answer within ${ms} ms`);
  return r;
}

export async function housekeep(deps: HousekeepingDeps): Promise<void> {
  const up = await deps.ping();
  deps.metrics.redisUp.set(up ? 1 : 0);
  if (up) {
    await counts(deps);
    await runPasses(deps);
  }
  deps.always?.();
}

async function runPasses(deps: HousekeepingDeps): Promise<void> {
  const ms = deps.callTimeoutMs ?? CALL_TIMEOUT_MS;
  for (const p of deps.passes ?? []) {
    try {
      await withDeadline(p.run(), ms, p.name);
    } catch (err) {
      deps.logger.warn({ pass: p.name, err: messageOf(err) }, 'housekeeping pass failed; will retry');
    }
  }
}

async function counts(deps: HousekeepingDeps): Promise<void> {
  try {
    // A Redis that answers PING but then stalls must not hold the run (noOverlap would skip
    // every later one): each call has its own deadline.
    const ms = deps.callTimeoutMs ?? CALL_TIMEOUT_MS;
    for (const q of deps.queues) {
      const counts = await withDeadline(q.getJobCounts(...JOB_STATES), ms, `job counts of queue ${q.name}`);
      for (const state of JOB_STATES) deps.metrics.queueJobs.set({ queue: q.name, state }, counts[state] ?? 0);
    }
    await withDeadline(deps.history.trim(deps.suites), ms, 'history trim');
  } catch (err) {
    deps.logger.warn({ err: messageOf(err) }, 'housekeeping failed; will retry');
  }
}

export interface Housekeeping {
  /** One run now (at start), tracked like the scheduled ones. */
  runNow(): void;
  /** Stops the schedule and waits for the run in flight; later runs and their logs never happen. */
  stop(): Promise<void>;
}

/**
 * Every 15 s. A run still in flight when the daemon stops is awaited by stop(), and nothing
 * runs or logs after it: the log's destination may be closed right after the daemon stops.
 */
export function startHousekeeping(deps: HousekeepingDeps, expression = '*/15 * * * * *'): Housekeeping {
  let stopped = false;
  let inFlight: Promise<void> = Promise.resolve();
  const guarded: HousekeepingDeps = { ...deps, logger: quietAfterStop(deps.logger, () => stopped) };
  const run = (): Promise<void> => {
    if (stopped) return inFlight;
    inFlight = housekeep(guarded).catch(() => undefined);
    return inFlight;
  };
  const task: ScheduledTask = schedule(expression, run, { name: 'mesh-soak-housekeeping', noOverlap: true });
  return {
    runNow: () => void run(),
    async stop() {
      stopped = true;
      await task.stop();
      await inFlight;
    },
  };
}

/** A logger whose warnings are dropped once `isStopped()`: a run that outlived stop() stays silent. */
function quietAfterStop(logger: Logger, isStopped: () => boolean): Logger {
  return new Proxy(logger, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || !['warn', 'info', 'error', 'debug'].includes(String(prop))) return value;
      return (...args: unknown[]) => (isStopped() ? undefined : (value as (...a: unknown[]) => unknown).apply(target, args));
    },
  });
}
