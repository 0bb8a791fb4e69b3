// One disruption job of one suite. Three guards keep "exactly once, never overlapping"
// across replicas and crashes: a claim per job id (a stalled job that BullMQ hands out
// again is recognised and not run twice), the runner's per-suite lock (a slow disruption
// makes the next slot skip instead of overlapping it), and the pause flag.

import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Suite } from '../config/model.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { History } from '../adapters/redis/history.js';
import type { StateKeys } from '../adapters/redis/keys.js';
import type { PauseFlags } from '../adapters/redis/pause-flags.js';
import { ANOTHER_RUNNING, type DisruptionRunner } from './types.js';
import { messageOf } from '../shared/errors.js';

/** How long a claim remembers that a job id ran: far longer than any stall recovery. */
const CLAIM_TTL_S = 7 * 24 * 3600;

export interface DisruptionDeps {
  suites: Map<string, Suite>;
  redis: Redis;
  keys: StateKeys;
  history: History;
  pause: PauseFlags;
  metrics: Metrics;
  logger: Logger;
  runner?: DisruptionRunner;
  now?: () => number;
}

export interface DisruptionJob {
  id: string;
  suite: string;
  scheduledAt: number;
  /** Set by the trigger endpoint: a human asked for it, so the pause flag does not apply. */
  manual: boolean;
}

export type DisruptionJobOutcome = 'success' | 'failure' | 'skipped' | 'duplicate';

export async function runDisruptionJob(deps: DisruptionDeps, job: DisruptionJob): Promise<DisruptionJobOutcome> {
  const now = deps.now ?? Date.now;
  const suite = deps.suites.get(job.suite);
  const log = deps.logger.child({ suite: job.suite, jobId: job.id });
  if (!suite) {
    log.warn('disruption for a suite that is not configured; ignored');
    return 'skipped';
  }
  if (!job.manual && (await deps.pause.isPaused(job.suite))) {
    return record(deps, job, now(), 'skipped', 'suite paused', 0);
  }
  const claimed = await deps.redis.set(deps.keys.disruptionClaim(job.id), String(now()), 'EX', CLAIM_TTL_S, 'NX');
  if (claimed !== 'OK') {
    // A re-delivered (stalled) job: the first attempt started it; its restore journal, not a re-run, repairs it.
    log.warn('disruption job already started once (stalled or re-delivered); not running it again');
    return 'duplicate';
  }
  // Overlap is prevented by the runner's per-suite lock (src/suites/disruption-lock.ts), the
  // same lock its restore of crashed runs takes; a second lock here would only outlive a
  // crashed replica for longer.
  const startedAt = now();
  if (!deps.runner) return record(deps, job, startedAt, 'skipped', 'no disruption runner configured', 0);
  log.info({ scheduledAt: job.scheduledAt, manual: job.manual }, 'disruption started');
  let outcome: 'success' | 'failure';
  let message: string | undefined;
  try {
    const result = await deps.runner.run(suite, { id: job.id, scheduledAt: job.scheduledAt });
    if (result.outcome === 'failure' && result.message === ANOTHER_RUNNING) {
      return record(deps, job, startedAt, 'skipped', 'previous disruption still running', 0);
    }
    outcome = result.outcome;
    message = result.message;
  } catch (err) {
    outcome = 'failure';
    message = messageOf(err);
  }
  const durationMs = now() - startedAt;
  return record(deps, job, startedAt, outcome, message, durationMs);
}

async function record(
  deps: DisruptionDeps,
  job: DisruptionJob,
  startedAt: number,
  outcome: 'success' | 'failure' | 'skipped',
  message: string | undefined,
  durationMs: number,
): Promise<'success' | 'failure' | 'skipped'> {
  // One call counts the outcome and observes the duration, so disruptions_total and
  // disruption_duration_seconds_count always agree (a skipped run observes 0 s).
  deps.metrics.recordDisruption(job.suite, outcome, durationMs / 1000);
  await deps.history.append(job.suite, [
    { kind: 'disruption', jobId: job.id, outcome, ...(message ? { message } : {}), startedAt, durationMs },
  ]);
  const level = outcome === 'failure' ? 'error' : 'info';
  deps.logger[level]({ suite: job.suite, jobId: job.id, outcome, message, durationMs }, 'disruption');
  return outcome;
}
