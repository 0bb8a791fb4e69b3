// Runs one disruption of a suite — its steps in order, then the restore — and undoes what
// interrupted disruptions left behind. This is the DisruptionRunner the daemon's disruption
// job (job.ts) calls; `mesh-soak disrupt` and the demo use it too.
//
// Safety rests on three Redis records, all named by adapters/redis/keys.ts: the per-suite lock
// (no overlap across replicas, and restorePending never undoes a disruption in progress), the
// restore journal (what to undo, written before the change), and the claim of the job id
// (the one de-duplication: a re-delivered job is answered "already-done", never re-run; if
// its first attempt crashed, the journal — not a re-run — repairs it).
//
// src/disruption/ owns a disruption from job to request: job.ts, runner.ts, steps/, the
// restore journal, the lock, the dry-run plan and the ClusterOps port. May import: checks/,
// config/, adapters/redis/ (keys, codecs, stores), telemetry/, shared/ — never adapters/kube
// (the real ClusterOps is adapters/kube/cluster-ops.ts, wired by src/app/).

import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Step, Suite } from '../config/model.js';
import { stateKeys, type StateKeys } from '../adapters/redis/keys.js';
import type { ClusterOps } from './cluster-ops.js';
import { acquireAll, acquireLock, fenceOps, type HeldLock } from './lock.js';
import { RestoreJournal } from './restore-journal.js';
import { describeRestore, restoreEntry } from './steps/restore-entry.js';
import { executeStep } from './steps/execute-step.js';
import { describeStep } from './steps/step-kind.js';
import type { DisruptionJobRef, DisruptionResult, DisruptionRunner, StepReport } from './types.js';
import { messageOf } from '../shared/errors.js';
import { clusterResource } from '../checks/suite-instance.js';

export type { DisruptionResult, DisruptionRunner } from './types.js';

export type StepOutcome = 'success' | 'failure';

/** How long a claim remembers that a job id ran: far longer than any stall recovery. */
const CLAIM_TTL_S = 7 * 24 * 3600;

export interface DisruptionRunnerOptions {
  /** The cluster, as the operations the steps need (adapters/kube/cluster-ops.ts is the real one). */
  ops: ClusterOps;
  /**
   * With config `clusters:`: the cluster of a suite instance (by its id, the journal's suite),
   * or undefined for `ops`.
   */
  opsFor?: (suite: string) => ClusterOps | undefined;
  redis: Redis;
  /** Names of the lock, claim and journal keys; default under the prefix `mesh-soak`. */
  keys?: StateKeys;
  logger?: Logger;
  now?: () => number;
  onStep?: (suite: Suite, step: Step, outcome: StepOutcome) => void;
  /** TTL of the per-suite lock, renewed every third of it while held; default 15 s. */
  lockTtlMs?: number;
  /** waitRollout's polling interval; default 1 s. */
  pollMs?: number;
  /** Aborts running steps (the restore still runs): the daemon's shutdown. */
  signal?: AbortSignal;
  /**
   * With replicas (Sentinel): the claim is acknowledged by this many replicas (Redis WAIT,
   * bounded by timeoutMs) before any step runs, so a failover right after cannot lose it and
   * let a re-delivered job disrupt twice. Default: none (a standalone Redis).
   */
  claimReplicas?: { count: number; timeoutMs: number };
}

interface RunnerParts {
  options: DisruptionRunnerOptions;
  keys: StateKeys;
  journal: RestoreJournal;
  lockTtlMs: number;
  pollMs: number;
  now: () => number;
}

export function createDisruptionRunner(options: DisruptionRunnerOptions): DisruptionRunner {
  const keys = options.keys ?? stateKeys();
  const parts: RunnerParts = {
    options,
    keys,
    journal: new RestoreJournal(options.redis, keys),
    lockTtlMs: options.lockTtlMs ?? 15_000,
    pollMs: options.pollMs ?? 1000,
    now: options.now ?? Date.now,
  };
  return {
    run: (suite, job) => runDisruption(parts, suite, job),
    restorePending: () => restorePending(parts),
  };
}

function opsOf(p: RunnerParts, suite: string): ClusterOps {
  return p.options.opsFor?.(suite) ?? p.options.ops;
}

async function runDisruption(p: RunnerParts, suite: Suite, job: DisruptionJobRef): Promise<DisruptionResult> {
  const { redis } = p.options;
  const key = p.keys.disruptionLock(suite.name);
  const lock = await acquireLock(redis, key, p.lockTtlMs);
  if (!lock) return { outcome: 'busy' };
  const shared = await acquireShared(p, suite, job);
  if (!shared) {
    await lock.release().catch(() => undefined);
    return { outcome: 'busy', resources: suite.exclusive?.locks ?? [] };
  }
  const ops = fenceOps(opsOf(p, suite.name), lock, key);
  // The two lines bracket the exclusive section: a replica's 'taken' is always logged after
  // the previous holder's 'releasing'.
  const log = p.options.logger?.child({ suite: suite.name, jobId: job.id });
  log?.info('disruption lock taken');
  try {
    const claimed = await redis.set(p.keys.disruptionClaim(job.id), String(p.now()), 'EX', CLAIM_TTL_S, 'NX');
    if (claimed !== 'OK') return { outcome: 'already-done' };
    await replicateClaim(p, suite.name, job.id);
    await job.onStarted?.(p.now());
    const steps: StepReport[] = [];
    const failure = await runSteps(p, ops, suite, job, lock, steps);
    if (lock.lost.aborted) {
      // Someone else holds the suite now; restoring under them could undo their disruption.
      // The journal stays, and the holder's own restore (or the next tick) undoes it.
      return { outcome: 'failure', message: failure ?? messageOf(lock.lost.reason), steps };
    }
    const problems = [failure, ...(await restoreSuite(p, ops, suite.name))].filter((x): x is string => x !== undefined);
    return problems.length > 0 ? { outcome: 'failure', message: problems.join('; '), steps } : { outcome: 'success', steps };
  } finally {
    log?.info('disruption lock releasing');
    await shared.release().catch(() => undefined);
    await lock.release().catch(() => undefined);
  }
}

/** Waits (bounded) for replicas to hold the claim; a shortfall is logged, not fatal (Redis may have none left). */
async function replicateClaim(p: RunnerParts, suite: string, jobId: string): Promise<void> {
  const want = p.options.claimReplicas;
  if (!want || want.count <= 0) return;
  const acked = await p.options.redis.wait(want.count, want.timeoutMs).catch(() => 0);
  if (acked < want.count) p.options.logger?.warn({ suite, jobId, acked, wanted: want.count }, 'disruption claim not yet on the replicas');
}

/**
 * The suite's shared-resource locks (keys.resourceLock, the ones benchmarks take too), all or
 * none; under `overlap: { wait }` retried until the wait — or the missed-run deadline — runs out.
 */
async function acquireShared(p: RunnerParts, suite: Suite, job: DisruptionJobRef): Promise<Pick<HeldLock, 'lost' | 'release'> | undefined> {
  const ex = suite.exclusive;
  if (!ex || ex.locks.length === 0) return { lost: new AbortController().signal, release: () => Promise.resolve() };
  // On a named cluster the locks are that cluster's (benchResources does the same).
  const keys = [...ex.locks].sort().map((r) => p.keys.resourceLock(clusterResource(suite.name, r)));
  const deadline = ex.missedRunDeadlineMs !== undefined ? job.scheduledAt + ex.missedRunDeadlineMs : Number.POSITIVE_INFINITY;
  const giveUpAt = Math.min(p.now() + ex.waitMs, deadline);
  for (;;) {
    const held = await acquireAll(p.options.redis, keys, p.lockTtlMs);
    if (held || p.now() + p.pollMs > giveUpAt || p.options.signal?.aborted) return held;
    await new Promise((r) => setTimeout(r, p.pollMs));
  }
}

/** The steps in order, stopping at the first failure; resolves to that failure's message. Each step ran goes to `reports`. */
async function runSteps(p: RunnerParts, ops: ClusterOps, suite: Suite, job: DisruptionJobRef, lock: HeldLock, reports: StepReport[]): Promise<string | undefined> {
  const { logger, onStep, signal: shutdown } = p.options;
  const log = logger?.child({ suite: suite.name, jobId: job.id });
  const steps = suite.disruption?.steps ?? [];
  const signal = shutdown ? AbortSignal.any([lock.lost, shutdown]) : lock.lost;
  const choices = new Map<string, string[]>();
  for (const [i, step] of steps.entries()) {
    const what = `step ${i + 1}/${steps.length} (${describeStep(step, suite.namespace)})`;
    const startedAt = p.now();
    try {
      log?.info({ step: i + 1, what }, 'disruption step started');
      await executeStep(step, { ops, journal: p.journal, suite, job, signal, now: p.now, pollMs: p.pollMs, choices, ...(log ? { logger: log } : {}) });
      onStep?.(suite, step, 'success');
      reports.push({ what, outcome: 'success', startedAt, endedAt: p.now() });
    } catch (err) {
      const failure = `${what} failed: ${messageOf(err)}`;
      log?.error({ step: i + 1, what, err: messageOf(err) }, 'disruption step failed');
      onStep?.(suite, step, 'failure');
      reports.push({ what, outcome: 'failure', startedAt, endedAt: p.now() });
      return failure;
    }
  }
  return undefined;
}

/** Undoes every journal entry of the suite, newest first, through `ops` (fenced by its lock); resolves to what could not be undone. */
async function restoreSuite(p: RunnerParts, ops: ClusterOps, suite: string): Promise<string[]> {
  const { entries, unreadable } = await p.journal.entries(suite);
  const failures = unreadable.map((f) => `journal entry ${f} is unreadable; restore it by hand`);
  for (const e of entries.reverse()) {
    try {
      await restoreEntry(ops, e, p.now);
      await p.journal.clear(e);
      const scale = e.kind === 'scale' ? { namespace: e.namespace, deployment: e.deployment, replicas: e.original } : {};
      p.options.logger?.info({ suite, kind: e.kind, what: describeRestore(e), ...scale }, 'restored');
    } catch (err) {
      failures.push(`restore ${describeRestore(e)}: ${messageOf(err)}`);
    }
  }
  return failures;
}

async function restorePending(p: RunnerParts): Promise<number> {
  let pending = 0;
  for (const suite of await p.journal.suites()) {
    const key = p.keys.disruptionLock(suite);
    const lock = await acquireLock(p.options.redis, key, p.lockTtlMs);
    if (lock) {
      try {
        const failures = await restoreSuite(p, fenceOps(opsOf(p, suite), lock, key), suite);
        for (const f of failures) p.options.logger?.error({ suite, failure: f }, 'restore pending failed');
      } finally {
        await lock.release().catch(() => undefined);
      }
    }
    // A suite whose lock is held is mid-disruption: its entries are pending, not abandoned.
    pending += await p.journal.count(suite);
  }
  return pending;
}
