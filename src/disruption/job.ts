// One scheduled (or manually triggered) disruption job of one suite, as the daemon's BullMQ
// worker hands it over: honours the pause flag and the go/no-go gate (gate.ts: a scheduled
// run of a suite already failing or unknown, or with Prometheus unreachable, is skipped with
// its reason), asks the runner (runner.ts) to run it, and records the outcome — metrics,
// history, the run ledger (the window the tick judges impact in, then the run with its
// steps) and one log line. The runner owns overlap (the locks) and de-duplication (the
// job's claim); this module only decides and reports.

import type { Logger } from 'pino';
import type { Suite } from '../config/model.js';
import type { Metrics, SkipReason } from '../telemetry/metrics.js';
import type { History } from '../adapters/redis/history.js';
import type { PauseFlags } from '../adapters/redis/pause-flags.js';
import type { CheckStore } from '../adapters/redis/check-store.js';
import type { RunLedger } from '../adapters/redis/ledger.js';
import type { CheckStateName } from '../checks/types.js';
import type { DisruptionWindow } from '../verdict/impact.js';
import type { DisruptionResult, DisruptionRunner, StepReport } from './types.js';
import { goNoGo, type GateVerdict } from './gate.js';
import { messageOf } from '../shared/errors.js';

export interface DisruptionDeps {
  suites: Map<string, Suite>;
  history: History;
  pause: PauseFlags;
  metrics: Metrics;
  logger: Logger;
  runner?: DisruptionRunner;
  now: () => number;
  /** Check records: the gate's input and the states the impact starts from. Absent: no gate. */
  store?: Pick<CheckStore, 'load'>;
  /** The run ledger; absent: only history and metrics record the run. */
  ledger?: RunLedger;
  /** Resolves to why Prometheus cannot be used, or undefined when it answers. */
  probePrometheus?: (suite: string) => Promise<string | undefined>;
  /** The mesh-wide checks (suite `meshSuite`), whose states at the start the window keeps too. */
  mesh?: { suite: string; checks: string[] };
  /** With config clusters: the mesh-wide checks' suite instance of a suite instance's cluster (instead of `mesh`). */
  meshOf?: (suite: string) => Suite | undefined;
}

export interface DisruptionJob {
  id: string;
  suite: string;
  scheduledAt: number;
  /** Set by the trigger endpoint: a human asked for it, so the pause flag and the gate do not apply. */
  manual: boolean;
}

/** What the job reports; `duplicate` is a re-delivered job the runner had already taken. */
export type DisruptionJobOutcome = 'success' | 'failure' | 'skipped' | 'duplicate';

type Recorded = { outcome: 'success' | 'failure' | 'skipped'; message?: string; skip?: SkipReason; steps?: StepReport[] };

export async function runDisruptionJob(deps: DisruptionDeps, job: DisruptionJob): Promise<DisruptionJobOutcome> {
  const suite = deps.suites.get(job.suite);
  const log = deps.logger.child({ suite: job.suite, jobId: job.id });
  if (!suite) {
    log.warn('disruption for a suite that is not configured; ignored');
    return 'skipped';
  }
  const startedAt = deps.now();
  const skip = (reason: SkipReason, message: string): Promise<'skipped'> =>
    record(deps, job, startedAt, { outcome: 'skipped', message, skip: reason }, 0, undefined) as Promise<'skipped'>;
  if (!job.manual && (await deps.pause.isPaused(job.suite))) return skip('paused', 'suite paused');
  if (!deps.runner) return skip('no-runner', 'no disruption runner configured');
  const late = startedAt - job.scheduledAt;
  const deadlineMs = suite.exclusive?.missedRunDeadlineMs;
  if (!job.manual && deadlineMs !== undefined && late > deadlineMs) return skip('missed-deadline', `started ${Math.round(late / 1000)}s after its slot, past missedRunDeadline`);
  const verdict = job.manual ? { go: true as const } : await gate(deps, suite);
  if (!verdict.go) return skip(verdict.reason, verdict.message);
  log.info({ scheduledAt: job.scheduledAt, manual: job.manual }, 'disruption started');
  let window: DisruptionWindow | undefined;
  const onStarted = async (at: number): Promise<void> => {
    deps.metrics.disruptionInProgress.set({ suite: job.suite }, 1);
    window = { id: job.id, suite: job.suite, startedAt: at, endedAt: null, before: await beforeStates(deps, suite) };
    await deps.ledger?.openDisruption(window).catch((err: unknown) => log.warn({ err: messageOf(err) }, 'run ledger: disruption window not opened'));
  };
  let result: DisruptionResult;
  try {
    result = await deps.runner.run(suite, { id: job.id, scheduledAt: job.scheduledAt, onStarted });
  } catch (err) {
    result = { outcome: 'failure', message: messageOf(err) };
  } finally {
    deps.metrics.disruptionInProgress.set({ suite: job.suite }, 0);
  }
  switch (result.outcome) {
    case 'already-done':
      // A re-delivered (stalled) job: the first attempt took it; its restore journal, not a re-run, repairs it.
      log.warn('disruption job already started once (stalled or re-delivered); not running it again');
      return 'duplicate';
    case 'busy':
      if (result.resources && result.resources.length > 0) return skip('lock-held', `a shared resource is held by another suite's disruption or benchmark: ${result.resources.join(', ')}`);
      return skip('busy', 'previous disruption still running');
    case 'failure':
    case 'success':
      return record(deps, job, window?.startedAt ?? startedAt, result, deps.now() - startedAt, window);
  }
}

async function gate(deps: DisruptionDeps, suite: Suite): Promise<GateVerdict> {
  if (!deps.store) return { go: true };
  const [records, prometheusDown] = await Promise.all([deps.store.load(suite.name), deps.probePrometheus?.(suite.name)]);
  return goNoGo({ checks: suite.checks.map((c) => c.name), records, ...(prometheusDown !== undefined ? { prometheusDown } : {}) });
}

/** Each check's state (the suite's and the mesh-wide ones) as the disruption starts. */
async function beforeStates(deps: DisruptionDeps, suite: Suite): Promise<Record<string, CheckStateName>> {
  const out: Record<string, CheckStateName> = {};
  if (!deps.store) return out;
  // With config clusters: the mesh-wide checks of the instance's cluster are its sibling suite `CLUSTER/mesh`.
  const meshSibling = deps.meshOf?.(suite.name);
  const mesh = meshSibling ? { suite: meshSibling.name, checks: meshSibling.checks.map((c) => c.name) } : deps.mesh;
  const groups = [{ suite: suite.name, checks: suite.checks.map((c) => c.name) }, ...(mesh ? [mesh] : [])];
  for (const g of groups) {
    const records = await deps.store.load(g.suite).catch(() => ({}) as Awaited<ReturnType<CheckStore['load']>>);
    for (const check of g.checks) out[`${g.suite}/${check}`] = records[check]?.state ?? 'unknown';
  }
  return out;
}

async function record(
  deps: DisruptionDeps,
  job: DisruptionJob,
  startedAt: number,
  result: Recorded,
  durationMs: number,
  window: DisruptionWindow | undefined,
): Promise<'success' | 'failure' | 'skipped'> {
  const { outcome, message } = result;
  // One call counts the outcome and observes the duration, so disruptions_total and
  // disruption_duration_seconds_count always agree (a skipped run observes 0 s).
  deps.metrics.recordDisruption(job.suite, outcome, durationMs / 1000);
  if (outcome !== 'skipped') deps.metrics.markDisruptionWindow(job.suite, outcome, startedAt, deps.now());
  if (result.skip) deps.metrics.disruptionSkips.inc({ suite: job.suite, reason: result.skip });
  await deps.history.append(job.suite, [
    { kind: 'disruption', jobId: job.id, outcome, ...(message ? { message } : {}), startedAt, durationMs },
  ]);
  await recordInLedger(deps, job, startedAt, result, window);
  const level = outcome === 'failure' ? 'error' : 'info';
  deps.logger[level]({ suite: job.suite, jobId: job.id, outcome, message, skip: result.skip, durationMs }, 'disruption');
  return outcome;
}

async function recordInLedger(deps: DisruptionDeps, job: DisruptionJob, startedAt: number, result: Recorded, window: DisruptionWindow | undefined): Promise<void> {
  if (!deps.ledger) return;
  const at = deps.now();
  const entry = {
    kind: 'disruption' as const,
    id: job.id,
    suite: job.suite,
    startedAt,
    at,
    outcome: result.outcome,
    ...(result.message ? { reason: result.message } : {}),
    ...(result.skip ? { skip: result.skip } : {}),
    steps: result.steps ?? [],
  };
  try {
    if (window) await deps.ledger.endDisruption({ ...window, endedAt: at }, entry);
    else await deps.ledger.append(job.suite, [entry]);
  } catch (err) {
    deps.logger.warn({ suite: job.suite, jobId: job.id, err: messageOf(err) }, 'run ledger: disruption not recorded');
  }
}
