// Runs one disruption of a suite — its steps in order, then the restore — and undoes what
// interrupted disruptions left behind. This is the DisruptionRunner the daemon
// (src/scheduler/) calls; `mesh-soak disrupt` uses it too.
//
// Safety rests on three Redis records: the per-suite lock (no overlap across replicas, and
// restorePending never undoes a disruption in progress), the restore journal (what to undo,
// written before the change), and the completed-jobs set (a re-delivered job is not re-run).

import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Step, Suite } from '../config/model.js';
import { ANOTHER_RUNNING, type DisruptionRunner, type DisruptionResult } from './types.js';
import type { KubeContext } from '../adapters/kube/index.js';
import type { ClusterOps } from './cluster-ops.js';
import { kubeClusterOps } from '../adapters/kube/cluster-ops.js';
import { CompletedJobs } from './completed-jobs.js';
import { acquireDisruptionLock, disruptionLockKey } from './disruption-lock.js';
import { RestoreJournal, type JournalEntry } from './restore-journal.js';
import { executeStep } from './steps/execute-step.js';
import { describeStep } from './steps/step-kind.js';
import { messageOf } from '../shared/errors.js';

export type { DisruptionRunner, DisruptionResult } from './types.js';
export { ANOTHER_RUNNING } from './types.js';

export type StepOutcome = 'success' | 'failure';

export interface DisruptionRunnerOptions {
  /** The cluster, as the operations the steps need (see kube-cluster-ops.ts for the real one). */
  ops: ClusterOps;
  redis: Redis;
  logger?: Logger;
  now?: () => number;
  onStep?: (suite: Suite, step: Step, outcome: StepOutcome) => void;
  /** Prefix of every Redis key; default `mesh-soak`. */
  keyPrefix?: string;
  /** TTL of the per-suite lock, renewed every third of it while held; default 15 s. */
  lockTtlMs?: number;
  /** waitRollout's polling interval; default 1 s. */
  pollMs?: number;
  /** Aborts running steps (the restore still runs): the daemon's shutdown. */
  signal?: AbortSignal;
}

export const ALREADY_DONE = 'already done';

/** The daemon's entry point: the runner over a real cluster. */
export function createDisruptionRunner(
  options: Omit<DisruptionRunnerOptions, 'ops'> & { kube: KubeContext },
): DisruptionRunner {
  const { kube, ...rest } = options;
  return createDisruptionRunnerWithOps({ ...rest, ops: kubeClusterOps(kube) });
}

/** The runner over any ClusterOps (a fake one in tests of the runner's own logic). */
export function createDisruptionRunnerWithOps(options: DisruptionRunnerOptions): DisruptionRunner {
  const prefix = options.keyPrefix ?? 'mesh-soak';
  const lockTtlMs = options.lockTtlMs ?? 15_000;
  const pollMs = options.pollMs ?? 1000;
  const now = options.now ?? Date.now;
  const journal = new RestoreJournal(options.redis, prefix);
  const completed = new CompletedJobs(options.redis, prefix);
  const { ops, redis, logger } = options;

  async function restoreSuite(suite: string): Promise<string[]> {
    const { entries, unreadable } = await journal.entries(suite);
    const failures = unreadable.map((f) => `journal entry ${f} is unreadable; restore it by hand`);
    for (const e of entries) {
      try {
        await restoreEntry(e);
        await journal.clear(e);
        logger?.info({ suite, namespace: e.namespace, deployment: e.deployment, replicas: e.original }, 'restored');
      } catch (err) {
        failures.push(`restore ${e.deployment} in ${e.namespace} to ${e.original} replicas: ${messageOf(err)}`);
      }
    }
    return failures;
  }

  async function restoreEntry(e: JournalEntry): Promise<void> {
    await ops.setScale(e.namespace, e.deployment, e.original);
    // Clear only what the API confirms: read it back rather than trust the write.
    const actual = await ops.getScale(e.namespace, e.deployment);
    if (actual !== e.original) throw new Error(`the API reports ${actual} replicas after the restore`);
  }

  return {
    async run(suite, job): Promise<DisruptionResult> {
      const log = logger?.child({ suite: suite.name, jobId: job.id });
      const steps = suite.disruption?.steps ?? [];
      if (await completed.has(suite.name, job.id)) return { outcome: 'success', message: ALREADY_DONE };
      const lock = await acquireDisruptionLock(redis, disruptionLockKey(prefix, suite.name), lockTtlMs);
      if (!lock) return { outcome: 'failure', message: ANOTHER_RUNNING };
      try {
        // The same job may have finished on another replica between the check and the lock.
        if (await completed.has(suite.name, job.id)) return { outcome: 'success', message: ALREADY_DONE };
        const signal = options.signal ? AbortSignal.any([lock.lost, options.signal]) : lock.lost;
        let failure: string | undefined;
        for (const [i, step] of steps.entries()) {
          const what = `step ${i + 1}/${steps.length} (${describeStep(step, suite.namespace)})`;
          try {
            log?.info({ step: i + 1 }, `${what} started`);
            await executeStep(step, { ops, journal, suite, job, signal, now, pollMs });
            options.onStep?.(suite, step, 'success');
          } catch (err) {
            failure = `${what} failed: ${messageOf(err)}`;
            log?.error({ step: i + 1, err }, failure);
            options.onStep?.(suite, step, 'failure');
            break;
          }
        }
        if (lock.lost.aborted) {
          // Someone else holds the suite now; restoring under them could undo their disruption.
          // The journal stays, and the holder's own restore (or the next tick) undoes it.
          return { outcome: 'failure', message: failure ?? messageOf(lock.lost.reason) };
        }
        const restoreFailures = await restoreSuite(suite.name);
        await completed.add(suite.name, job.id, now());
        const problems = [failure, ...restoreFailures].filter((p): p is string => p !== undefined);
        if (problems.length > 0) return { outcome: 'failure', message: problems.join('; ') };
        return { outcome: 'success' };
      } finally {
        await lock.release().catch(() => undefined);
      }
    },

    async restorePending(): Promise<number> {
      let pending = 0;
      for (const suite of await journal.suites()) {
        const lock = await acquireDisruptionLock(redis, disruptionLockKey(prefix, suite), lockTtlMs);
        if (lock) {
          try {
            const failures = await restoreSuite(suite);
            for (const f of failures) logger?.error({ suite }, `restore pending: ${f}`);
          } finally {
            await lock.release().catch(() => undefined);
          }
        }
        // A suite whose lock is held is mid-disruption: its entries are pending, not abandoned.
        pending += await journal.count(suite);
      }
      return pending;
    },
  };
}

