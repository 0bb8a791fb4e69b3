// Which BullMQ job schedulers the config asks for (pure), and bringing a queue's schedulers
// in line with that: upsert every wanted one, remove those of suites no longer configured.
// Upserting is idempotent, so every replica can do it at start-up.

import type { Queue } from 'bullmq';
import { MESH_SUITE, type Config, type Schedule } from '../../config/model.js';
import { splitInstanceId } from '../../checks/suite-instance.js';

export const TICK_JOB = 'tick';
export const DISRUPTION_JOB = 'disruption';
export const BENCHMARK_JOB = 'benchmark';

export interface WantedScheduler {
  id: string;
  suite: string;
  repeat: { every: number } | { pattern: string };
}

export interface SuiteJobData {
  suite: string;
  /** The suite instance's cluster (checks/suite-instance.ts); absent: the implicit cluster. */
  cluster?: string;
  manual?: boolean;
}

/** A suite instance's job data: `{ cluster, suite }`, or `{ suite }` alone as before clusters. */
export function jobDataOf(instance: string): SuiteJobData {
  return splitInstanceId(instance);
}

function repeatOf(schedule: Schedule): WantedScheduler['repeat'] {
  return 'every' in schedule ? { every: schedule.every } : { pattern: schedule.cron };
}

/**
 * One tick scheduler per enabled suite, one for the mesh-wide group when it has checks. With
 * clusters, `config` is the instance view (config/clusters.ts): one per suite instance.
 */
export function wantedTickSchedulers(config: Config): WantedScheduler[] {
  const out: WantedScheduler[] = [];
  for (const s of config.suites) {
    if (s.enabled) out.push({ id: `tick:${s.name}`, suite: s.name, repeat: { every: s.tickMs } });
  }
  if (config.checks.length > 0) out.push({ id: `tick:${MESH_SUITE}`, suite: MESH_SUITE, repeat: { every: config.tickMs } });
  return out;
}

/** One disruption scheduler per enabled suite that has a disruption. */
export function wantedDisruptionSchedulers(config: Config): WantedScheduler[] {
  return config.suites
    .filter((s) => s.enabled && s.disruption)
    .map((s) => ({ id: `disruption:${s.name}`, suite: s.name, repeat: repeatOf(s.disruption!.schedule) }));
}

/** One benchmark scheduler per enabled suite whose benchmark: section has a schedule. */
export function wantedBenchmarkSchedulers(config: Config): WantedScheduler[] {
  const out: WantedScheduler[] = [];
  for (const s of config.suites) {
    const schedule = s.benchmark?.schedule;
    if (s.enabled && schedule) out.push({ id: `benchmark:${s.name}`, suite: s.name, repeat: repeatOf(schedule) });
  }
  return out;
}

export interface SyncResult {
  upserted: string[];
  removed: string[];
}

export async function syncSchedulers(
  queue: Queue<SuiteJobData>,
  jobName: string,
  wanted: WantedScheduler[],
  jobOpts: { removeOnComplete: number; removeOnFail: number; attempts?: number },
): Promise<SyncResult> {
  const wantedIds = new Set(wanted.map((w) => w.id));
  const removed: string[] = [];
  const existing = await queue.getJobSchedulers(0, -1);
  for (const s of existing) {
    const id = s.id ?? s.key;
    if (!wantedIds.has(id)) {
      await queue.removeJobScheduler(id);
      removed.push(id);
    }
  }
  for (const w of wanted) {
    await queue.upsertJobScheduler(w.id, w.repeat, { name: jobName, data: jobDataOf(w.suite), opts: jobOpts });
  }
  return { upserted: wanted.map((w) => w.id), removed };
}
