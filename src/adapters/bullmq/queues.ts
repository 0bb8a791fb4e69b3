// mesh-soak's BullMQ queues (ticks, disruptions, benchmarks) and their workers, behind a few
// small functions: make them, install the wanted job schedulers, trigger one, close them. The daemon hands in
// the job handlers; nothing else in mesh-soak touches BullMQ.
//
// May import: config/ (model types), shared/.

import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Redis, RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../../config/model.js';
import { scheduledAt } from './job-timing.js';
import {
  BENCHMARK_JOB,
  DISRUPTION_JOB,
  TICK_JOB,
  jobDataOf,
  syncSchedulers,
  wantedBenchmarkSchedulers,
  wantedDisruptionSchedulers,
  wantedTickSchedulers,
  type SuiteJobData,
} from './schedules.js';
import { withTimeout } from '../../shared/time.js';
import { instanceId } from '../../checks/suite-instance.js';

const RETENTION = { removeOnComplete: 200, removeOnFail: 500 };
const TICK_QUEUE = 'ticks';
const DISRUPTION_QUEUE = 'disruptions';
const BENCHMARK_QUEUE = 'benchmarks';

/** A job as the daemon's handlers see it: no BullMQ types. */
export interface SuiteJob {
  id: string;
  /** The suite instance's id: `cluster/suite`, or the suite's name with the implicit cluster. */
  suite: string;
  scheduledAt: number;
  manual: boolean;
}

export interface QueueOptions {
  /**
   * ioredis options of the connection, or (Redis Cluster) a factory of clients, one per queue
   * and worker, closed with them (adapters/redis/connection.ts queueConnection).
   */
  connection: RedisOptions | (() => Redis);
  prefix: string;
  logger: Logger;
  onTick: (job: SuiteJob) => Promise<unknown>;
  onDisruption: (job: SuiteJob) => Promise<unknown>;
  tickConcurrency: number;
  disruptionConcurrency: number;
  /** BullMQ lock of a disruption job; must outlast the longest step. */
  disruptionLockMs: number;
  /**
   * Runs a benchmark job; absent (no benchmark suite in the config): no benchmark worker, and a
   * benchmark job stays queued for a replica that has one. The queue itself is kept, so stale
   * benchmark schedulers are still removed.
   */
  onBenchmark?: (job: SuiteJob) => Promise<unknown>;
  /** BullMQ lock of a benchmark job (renewed while it runs); default disruptionLockMs. */
  benchmarkLockMs?: number;
  /** Told of every queue and worker error (Redis refusing writes stops ticks here, before any handler runs). */
  onError?: (err: Error) => void;
}

export interface SuiteQueues {
  readonly all: Queue[];
  /** Upserts the config's schedulers and removes stale ones; throws while Redis is away. */
  installSchedulers(config: Config): Promise<{ ticks: string[]; disruptions: string[]; benchmarks: string[]; removed: string[] }>;
  /** Ids of the config's schedulers absent from Redis (flushed, restarted empty); throws while Redis is away. */
  missingSchedulers(config: Config): Promise<string[]>;
  /** Queues a manual disruption of the suite. */
  triggerDisruption(suite: string): Promise<void>;
  /** Queues a manual benchmark run of the suite. */
  triggerBenchmark(suite: string): Promise<void>;
  /**
   * Sets this replica's tick concurrency to its share among `replicas` (tickShare), so a burst
   * of due ticks is split between the replicas instead of going to the first one awake;
   * returns the concurrency set.
   */
  shareTicks(replicas: number): number;
  /** Stops taking jobs; waits for running ones up to timeoutMs, then forces. Resolves true when clean. */
  closeWorkers(timeoutMs: number): Promise<boolean>;
  /** Closes the queues within timeoutMs, then drops every socket. */
  closeQueues(timeoutMs: number): Promise<void>;
}

/** A replica's tick concurrency: its share of `full` over `replicas` tick workers, one spare; `full` when alone or unknown. */
export function tickShare(full: number, replicas: number): number {
  if (!Number.isInteger(replicas) || replicas <= 1) return full;
  return Math.min(full, Math.ceil(full / replicas) + 1);
}

function toSuiteJob(job: Job<SuiteJobData>): SuiteJob {
  return { id: job.id ?? '', suite: instanceId(job.data), scheduledAt: scheduledAt(job), manual: job.data.manual === true };
}

/** What one queue or worker is given: the options, or a new client from the factory (kept in `made`). */
function connectionFor(c: QueueOptions['connection'], made: Redis[]): ConnectionOptions {
  // BullMQ hands options to ioredis as they are (its type is looser than ioredis' own).
  if (typeof c !== 'function') return { ...c, maxRetriesPerRequest: null } as ConnectionOptions;
  const client = c();
  made.push(client);
  return client as unknown as ConnectionOptions;
}

type Base = () => { connection: ConnectionOptions; prefix: string };

function makeWorkers(o: QueueOptions, base: Base): Worker<SuiteJobData>[] {
  const onBenchmark = o.onBenchmark;
  return [
    new Worker<SuiteJobData>(TICK_QUEUE, (job) => o.onTick(toSuiteJob(job)), { ...base(), concurrency: o.tickConcurrency, lockDuration: 60_000 }),
    // Renewed while the job runs; long so a busy event loop never loses a running disruption.
    new Worker<SuiteJobData>(DISRUPTION_QUEUE, (job) => o.onDisruption(toSuiteJob(job)), {
      ...base(),
      concurrency: o.disruptionConcurrency,
      lockDuration: o.disruptionLockMs,
    }),
    // One benchmark at a time per replica: each holds the control plane exclusively anyway.
    // No benchmark suite: no worker (two Redis connections and a blocking loop fewer).
    ...(onBenchmark ? [new Worker<SuiteJobData>(BENCHMARK_QUEUE, (job) => onBenchmark(toSuiteJob(job)), { ...base(), concurrency: 1, lockDuration: o.benchmarkLockMs ?? o.disruptionLockMs })] : []),
  ];
}

export function createSuiteQueues(o: QueueOptions): SuiteQueues {
  // Clients this module made (cluster mode): BullMQ never closes a client it was handed.
  const made: Redis[] = [];
  const base: Base = () => ({ connection: connectionFor(o.connection, made), prefix: o.prefix });
  const tickQueue = new Queue<SuiteJobData>(TICK_QUEUE, base());
  const disruptionQueue = new Queue<SuiteJobData>(DISRUPTION_QUEUE, base());
  const benchmarkQueue = new Queue<SuiteJobData>(BENCHMARK_QUEUE, base());
  const queues = [tickQueue, disruptionQueue, benchmarkQueue];
  const workers = makeWorkers(o, base);
  for (const q of queues) {
    q.on('error', (err: Error) => {
      o.logger.debug({ err: err.message, queue: q.name }, 'queue error');
      o.onError?.(err);
    });
  }
  for (const w of workers) {
    w.on('error', (err: Error) => {
      o.logger.debug({ err: err.message, queue: w.name }, 'worker error');
      o.onError?.(err);
    });
    w.on('failed', (job, err) => o.logger.error({ queue: w.name, jobId: job?.id, suite: job?.data.suite, err: err.message }, 'job failed'));
  }
  return {
    all: queues,
    async installSchedulers(config) {
      const ticks = await syncSchedulers(tickQueue, TICK_JOB, wantedTickSchedulers(config), RETENTION);
      const disr = await syncSchedulers(disruptionQueue, DISRUPTION_JOB, wantedDisruptionSchedulers(config), { ...RETENTION, attempts: 1 });
      const bench = await syncSchedulers(benchmarkQueue, BENCHMARK_JOB, wantedBenchmarkSchedulers(config), { ...RETENTION, attempts: 1 });
      return { ticks: ticks.upserted, disruptions: disr.upserted, benchmarks: bench.upserted, removed: [...ticks.removed, ...disr.removed, ...bench.removed] };
    },
    async missingSchedulers(config) {
      const ids = async (q: Queue<SuiteJobData>): Promise<Set<string>> => new Set((await q.getJobSchedulers(0, -1)).map((x) => x.id ?? x.key));
      const [ticks, disr, bench] = await Promise.all([ids(tickQueue), ids(disruptionQueue), ids(benchmarkQueue)]);
      return [
        ...wantedTickSchedulers(config).filter((w) => !ticks.has(w.id)),
        ...wantedDisruptionSchedulers(config).filter((w) => !disr.has(w.id)),
        ...wantedBenchmarkSchedulers(config).filter((w) => !bench.has(w.id)),
      ].map((w) => w.id);
    },
    shareTicks: (replicas) => ((workers[0] as Worker<SuiteJobData>).concurrency = tickShare(o.tickConcurrency, replicas)),
    async triggerDisruption(suite) {
      await disruptionQueue.add(DISRUPTION_JOB, { ...jobDataOf(suite), manual: true }, RETENTION);
    },
    async triggerBenchmark(suite) {
      await benchmarkQueue.add(BENCHMARK_JOB, { ...jobDataOf(suite), manual: true }, { ...RETENTION, attempts: 1 });
    },
    async closeWorkers(timeoutMs) {
      // A worker whose close fails (Redis gone) is forced like one that timed out.
      const closed = await withTimeout(Promise.allSettled(workers.map((w) => w.close())), timeoutMs);
      const clean = closed !== 'timeout' && closed.every((r) => r.status === 'fulfilled');
      if (!clean) await withTimeout(Promise.allSettled(workers.map((w) => w.close(true))), 2000);
      return clean;
    },
    async closeQueues(timeoutMs) {
      await withTimeout(Promise.allSettled(queues.map((q) => q.close())), timeoutMs);
      // With Redis away BullMQ's close can wait for a connection that never comes, and its
      // clients keep reconnecting: drop the sockets so nothing outlives the daemon.
      await withTimeout(Promise.allSettled([...workers, ...queues].map((x) => x.disconnect())), 1000);
      for (const client of made) client.disconnect();
    },
  };
}
