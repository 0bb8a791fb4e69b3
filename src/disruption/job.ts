// One scheduled (or manually triggered) disruption job of one suite, as the daemon's BullMQ
// worker hands it over: honours the pause flag, asks the runner (runner.ts) to run it, and
// records the outcome — metrics, history and one log line. The runner owns overlap (the
// suite lock) and de-duplication (the job's claim); this module only reports.

import type { Logger } from 'pino';
import type { Suite } from '../config/model.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { History } from '../adapters/redis/history.js';
import type { PauseFlags } from '../adapters/redis/pause-flags.js';
import type { DisruptionResult, DisruptionRunner } from './types.js';
import { messageOf } from '../shared/errors.js';

export interface DisruptionDeps {
  suites: Map<string, Suite>;
  history: History;
  pause: PauseFlags;
  metrics: Metrics;
  logger: Logger;
  runner?: DisruptionRunner;
  now: () => number;
}

export interface DisruptionJob {
  id: string;
  suite: string;
  scheduledAt: number;
  /** Set by the trigger endpoint: a human asked for it, so the pause flag does not apply. */
  manual: boolean;
}

/** What the job reports; `duplicate` is a re-delivered job the runner had already taken. */
export type DisruptionJobOutcome = 'success' | 'failure' | 'skipped' | 'duplicate';

type Recorded = { outcome: 'success' | 'failure' | 'skipped'; message?: string };

export async function runDisruptionJob(deps: DisruptionDeps, job: DisruptionJob): Promise<DisruptionJobOutcome> {
  const suite = deps.suites.get(job.suite);
  const log = deps.logger.child({ suite: job.suite, jobId: job.id });
  if (!suite) {
    log.warn('disruption for a suite that is not configured; ignored');
    return 'skipped';
  }
  const startedAt = deps.now();
  if (!job.manual && (await deps.pause.isPaused(job.suite))) {
    return record(deps, job, startedAt, { outcome: 'skipped', message: 'suite paused' }, 0);
  }
  if (!deps.runner) return record(deps, job, startedAt, { outcome: 'skipped', message: 'no disruption runner configured' }, 0);
  log.info({ scheduledAt: job.scheduledAt, manual: job.manual }, 'disruption started');
  let result: DisruptionResult;
  try {
    result = await deps.runner.run(suite, { id: job.id, scheduledAt: job.scheduledAt });
  } catch (err) {
    result = { outcome: 'failure', message: messageOf(err) };
  }
  switch (result.outcome) {
    case 'already-done':
      // A re-delivered (stalled) job: the first attempt took it; its restore journal, not a re-run, repairs it.
      log.warn('disruption job already started once (stalled or re-delivered); not running it again');
      return 'duplicate';
    case 'busy':
      return record(deps, job, startedAt, { outcome: 'skipped', message: 'previous disruption still running' }, 0);
    case 'failure':
      return record(deps, job, startedAt, result, deps.now() - startedAt);
    case 'success':
      return record(deps, job, startedAt, result, deps.now() - startedAt);
  }
}

async function record(
  deps: DisruptionDeps,
  job: DisruptionJob,
  startedAt: number,
  result: Recorded,
  durationMs: number,
): Promise<'success' | 'failure' | 'skipped'> {
  const { outcome, message } = result;
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
