// The composition root of `mesh-soak run`: wires Redis state, BullMQ queues, schedulers and
// workers, the check engine, metrics, notifications and the HTTP server together, and owns
// their lifecycle. Redis may be down at start-up or go away later: the daemon stays up,
// reports it on /readyz and redis_up, and carries on by itself when Redis is back.

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { Config, Suite } from '../config/model.js';
import { evaluateGroup } from '../checks/evaluate-group.js';
import { NotificationDispatcher } from '../adapters/notify/dispatcher.js';
import { createSinks } from '../adapters/notify/sinks.js';
import { PrometheusClient } from '../adapters/prometheus/client.js';
import { BatchingProvider } from '../adapters/prometheus/batching-provider.js';
import type { MetricsProvider } from '../adapters/prometheus/types.js';
import { createMetrics, promOutcome, type Metrics } from '../telemetry/metrics.js';
import { activeGroups } from '../config/check-groups.js';
import { refreshCheckGauges } from './check-gauges.js';
import { version } from '../shared/version.js';
import { CheckStore } from '../adapters/redis/check-store.js';
import { History } from '../adapters/redis/history.js';
import { stateKeys } from '../adapters/redis/keys.js';
import { PauseFlags } from '../adapters/redis/pause-flags.js';
import { firingEventsFromState, type AlertEvent, type AlertSink } from '../checks/alert-event.js';
import { runDisruptionJob, type DisruptionDeps } from '../disruption/job.js';
import type { DisruptionRunner } from '../disruption/types.js';
import { housekeep, startHousekeeping, type HousekeepingDeps } from './housekeeping.js';
import { scheduledAt } from '../adapters/bullmq/job-timing.js';
import {
  DISRUPTION_JOB,
  TICK_JOB,
  syncSchedulers,
  wantedDisruptionSchedulers,
  wantedTickSchedulers,
  type SuiteJobData,
} from '../adapters/bullmq/schedules.js';
import { runTick, type TickDeps } from './tick.js';
import { startHttpServer, type Readiness, type RunningServer, type ServerBackend } from '../server/http-server.js';
import { buildStatus } from '../server/status.js';
import { messageOf } from '../shared/errors.js';

/** What the daemon needs of src/notify's NotificationDispatcher. */
export interface Notifier extends AlertSink {
  resendFiring?(): unknown;
  /** Re-sends these firing alerts to the sinks that expire them (Alertmanager). */
  resend?(events: AlertEvent[]): unknown;
  flush?(ms: number): Promise<unknown>;
  close?(): Promise<unknown>;
}

export interface DaemonOptions {
  logger: Logger;
  /** Aborting it stops the daemon (same as stop()). */
  signal?: AbortSignal;
  /** Absent: disruptions are recorded as skipped. */
  disruptions?: DisruptionRunner;
  /** Default: a NotificationDispatcher over config.notify's sinks (none configured: alerts are only logged). */
  notifier?: Notifier;
  /** Default: a PrometheusClient on config.prometheus. */
  provider?: MetricsProvider;
  metrics?: Metrics;
  /** Redis key prefix for queues and state; default "mesh-soak". Lets tests share a Redis. */
  prefix?: string;
  /** Overrides config.http.port (0: any free port). */
  port?: number;
  host?: string;
  /** Default: process.env.MESH_SOAK_ADMIN_TOKEN, read per request. */
  adminToken?: () => string | undefined;
  /** node-cron expression for housekeeping; default every 15 s. */
  housekeepingCron?: string;
  /** How long stop() waits for running jobs before forcing; default 10 s. */
  shutdownTimeoutMs?: number;
  /** BullMQ lock of a disruption job; must outlast the longest step. Default 10 min. */
  disruptionLockMs?: number;
  /** How often to retry installing schedulers while Redis is away; default 2 s. */
  retryMs?: number;
}

export interface Daemon {
  readonly port: number;
  readonly metrics: Metrics;
  /** Resolves once the job schedulers are installed in Redis. */
  readonly scheduled: Promise<void>;
  stop(): Promise<void>;
}

const RETENTION = { removeOnComplete: 200, removeOnFail: 500 };
const TICK_QUEUE = 'ticks';
const DISRUPTION_QUEUE = 'disruptions';

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

export async function runDaemon(config: Config, options: DaemonOptions): Promise<Daemon> {
  const logger = options.logger;
  const prefix = options.prefix ?? 'mesh-soak';
  const worker = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const metrics = options.metrics ?? createMetrics(new Registry(), version);
  // One tick's queries travel as a few batched requests (see batching-provider.ts).
  const provider =
    options.provider ??
    new BatchingProvider(new PrometheusClient({
      url: config.prometheus.url,
      timeoutMs: config.prometheus.timeoutMs,
      headers: config.prometheus.headers,
      concurrency: config.prometheus.concurrency,
      onRequest: (outcome, seconds) =>
        metrics.prometheusRequestDuration.observe({ outcome: promOutcome(outcome) }, seconds),
    }));

  const sinks = options.notifier ? [] : createSinks(config.notify);
  const notifier: Notifier | undefined =
    options.notifier ??
    (sinks.length > 0
      ? new NotificationDispatcher({ sinks, onOutcome: (sink, outcome) => metrics.recordNotification(sink, outcome), logger })
      : undefined);

  // State commands fail after one retry instead of piling up while Redis is away.
  const redis = new Redis(config.redis.url, { maxRetriesPerRequest: 1, lazyConnect: false });
  redis.on('error', (err: Error) => logger.debug({ err: err.message }, 'redis connection error'));
  redis.on('ready', () => metrics.redisUp.set(1));
  redis.on('close', () => metrics.redisUp.set(0));
  metrics.redisUp.set(0);

  const keys = stateKeys(prefix);
  const store = new CheckStore(redis, keys);
  const history = new History(redis, keys);
  const pause = new PauseFlags(redis, keys);
  const groups = activeGroups(config);
  const suitesByName = new Map<string, Suite>(config.suites.filter((s) => s.enabled).map((s) => [s.name, s]));

  const connection = { url: config.redis.url, maxRetriesPerRequest: null };
  const tickQueue = new Queue<SuiteJobData>(TICK_QUEUE, { connection, prefix });
  const disruptionQueue = new Queue<SuiteJobData>(DISRUPTION_QUEUE, { connection, prefix });
  for (const q of [tickQueue, disruptionQueue]) q.on('error', (err: Error) => logger.debug({ err: err.message, queue: q.name }, 'queue error'));

  const tickDeps: TickDeps = {
    groups,
    store,
    history,
    pause,
    provider,
    evaluate: evaluateGroup,
    metrics,
    logger,
    ...(notifier ? { alerts: notifier } : {}),
    prometheusUrl: config.prometheus.url,
    worker,
  };
  const disruptionDeps: DisruptionDeps = {
    suites: suitesByName,
    redis,
    keys,
    history,
    pause,
    metrics,
    logger,
    ...(options.disruptions ? { runner: options.disruptions } : {}),
  };

  // Whatever an interrupted disruption left behind (a pilot scaled to 0 by a replica that
  // died) is undone on every tick, not only at start-up; one restore pass at a time.
  let restoring: Promise<void> | undefined;
  const restoreInterrupted = (): Promise<void> => {
    const runner = options.disruptions;
    if (!runner) return Promise.resolve();
    restoring ??= runner
      .restorePending()
      .then((pending) => void metrics.restoresPending.set(pending))
      .catch((err: unknown) => logger.error({ err: messageOf(err) }, 'restoring interrupted disruptions failed'))
      .finally(() => {
        restoring = undefined;
      });
    return restoring;
  };

  const tickWorker = new Worker<SuiteJobData>(
    TICK_QUEUE,
    async (job: Job<SuiteJobData>) => {
      await runTick(tickDeps, { id: job.id ?? '', suite: job.data.suite, scheduledAt: scheduledAt(job) });
      void restoreInterrupted();
    },
    { connection, prefix, concurrency: Math.max(2, groups.size), lockDuration: 60_000 },
  );
  const disruptionWorker = new Worker<SuiteJobData>(
    DISRUPTION_QUEUE,
    async (job: Job<SuiteJobData>) => {
      return runDisruptionJob(disruptionDeps, {
        id: job.id ?? '',
        suite: job.data.suite,
        scheduledAt: scheduledAt(job),
        manual: job.data.manual === true,
      });
    },
    {
      connection,
      prefix,
      concurrency: Math.max(1, suitesByName.size),
      // Renewed while the job runs; long so a busy event loop never loses a running disruption.
      lockDuration: options.disruptionLockMs ?? 600_000,
    },
  );
  for (const w of [tickWorker, disruptionWorker]) {
    w.on('error', (err: Error) => logger.debug({ err: err.message, queue: w.name }, 'worker error'));
    w.on('failed', (job, err) => logger.error({ queue: w.name, jobId: job?.id, suite: job?.data.suite, err: err.message }, 'job failed'));
  }

  let stopped = false;
  let schedulesInstalled = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let attempt: () => Promise<void> = async () => undefined;
  // stop() resolves it too, so nobody awaits the schedulers of a stopped daemon forever.
  let settleScheduled: () => void = () => undefined;
  const scheduled = new Promise<void>((resolve) => {
    settleScheduled = resolve;
    attempt = async (): Promise<void> => {
      if (stopped) return resolve();
      clearTimeout(retryTimer);
      try {
        const ticks = await syncSchedulers(tickQueue, TICK_JOB, wantedTickSchedulers(config), RETENTION);
        const disr = await syncSchedulers(disruptionQueue, DISRUPTION_JOB, wantedDisruptionSchedulers(config), {
          ...RETENTION,
          attempts: 1,
        });
        schedulesInstalled = true;
        logger.info(
          { ticks: ticks.upserted, disruptions: disr.upserted, removed: [...ticks.removed, ...disr.removed] },
          'job schedulers installed',
        );
        await restoreInterrupted();
        resolve();
      } catch (err) {
        // stop() may have run while this attempt was waiting on Redis: no timer after it.
        if (stopped) return resolve();
        logger.warn({ err: messageOf(err) }, 'cannot install job schedulers yet; retrying');
        retryTimer = setTimeout(() => void attempt(), options.retryMs ?? 2000);
      }
    };
    void attempt();
  });
  // A Redis that comes back empty (no persistence, failover) has lost the schedulers:
  // install them again on every reconnect. Upserting is idempotent, so this is safe.
  let connectedOnce = false;
  redis.on('ready', () => {
    if (connectedOnce && !stopped) {
      logger.info('redis reconnected; re-installing job schedulers');
      void attempt();
    }
    connectedOnce = true;
  });

  const ping = async (): Promise<boolean> => {
    try {
      return (await withTimeout(redis.ping(), 1000)) === 'PONG';
    } catch {
      return false;
    }
  };

  const hk: HousekeepingDeps = {
    queues: [tickQueue, disruptionQueue],
    history,
    suites: [...groups.keys()],
    metrics,
    logger,
    ping,
  };
  const housekeeping = startHousekeeping(hk, options.housekeepingCron);

  const backend: ServerBackend = {
    async metrics() {
      // Ticks go to whichever replica is free: report the state all replicas share in
      // Redis, not only what this one last evaluated (bounded; stale beats no answer).
      await withTimeout(refreshCheckGauges({ store, groups, metrics }).catch(() => undefined), 1000);
      return { contentType: metrics.registry.contentType, body: await metrics.registry.metrics() };
    },
    async readiness(): Promise<Readiness> {
      const reasons: string[] = [];
      const up = await ping();
      metrics.redisUp.set(up ? 1 : 0);
      if (!up) reasons.push('redis unreachable');
      else if (!schedulesInstalled) reasons.push('job schedulers not installed yet');
      if (stopped) reasons.push('shutting down');
      return { ready: reasons.length === 0, reasons };
    },
    status: () => buildStatus({ config, store, history, pause }),
    async suiteAction(suite, action) {
      if (!groups.has(suite)) return { result: 'not-found' };
      if (action === 'pause' || action === 'resume') {
        await pause.set(suite, action === 'pause');
        return { result: 'ok' };
      }
      if (!suitesByName.get(suite)?.disruption) return { result: 'conflict', message: `suite ${suite} has no disruption` };
      await disruptionQueue.add(DISRUPTION_JOB, { suite, manual: true }, RETENTION);
      return { result: 'ok' };
    },
  };
  let server: RunningServer;
  try {
    server = await startHttpServer({
      port: options.port ?? config.http.port,
      ...(options.host ? { host: options.host } : {}),
      backend,
      logger,
      adminToken: options.adminToken ?? (() => process.env.MESH_SOAK_ADMIN_TOKEN || undefined),
    });
  } catch (err) {
    // Undo everything made above, so a failed start leaves no timer, socket or connection
    // holding the process open.
    stopped = true;
    clearTimeout(retryTimer);
    settleScheduled();
    await Promise.allSettled([
      withTimeout(Promise.allSettled([tickWorker.close(true), disruptionWorker.close(true), tickQueue.close(), disruptionQueue.close()]), 3000),
      Promise.resolve(housekeeping.stop()),
      notifier?.close?.(),
      provider.close(),
    ]);
    redis.disconnect();
    throw err;
  }
  // Only once listening: a failed start has no interval to clear.
  let resendTimer: NodeJS.Timeout | undefined;
  if (notifier?.resendFiring || notifier?.resend) {
    const n = notifier;
    // Re-send what the shared state says is failing, not only what this replica fired: if
    // the replica that fired an alert dies, Alertmanager must not see it expire.
    const specs = new Map([...groups.values()].map((g) => [g.suite, new Map(g.checks.map((c) => [c.name, c]))]));
    const resendFromState = async (): Promise<void> => {
      if (!n.resend) {
        n.resendFiring?.();
        return;
      }
      const events: AlertEvent[] = [];
      for (const g of groups.values()) {
        const records = await store.load(g.suite);
        events.push(...firingEventsFromState(g.suite, records, specs.get(g.suite) ?? new Map(), config.prometheus.url));
      }
      n.resend(events);
    };
    resendTimer = setInterval(() => {
      void withTimeout(resendFromState(), 5000).catch((err: unknown) => logger.debug({ err: messageOf(err) }, 'alert re-send from state failed'));
    }, config.notify.alertmanager?.resendMs ?? 60_000);
    resendTimer.unref();
  }
  void housekeep(hk);
  logger.info({ port: server.port, suites: [...groups.keys()], prefix }, 'daemon started');

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      stopped = true;
      clearTimeout(retryTimer);
      clearInterval(resendTimer);
      settleScheduled();
      await Promise.resolve(housekeeping.stop()).catch((err: unknown) => logger.warn({ err: messageOf(err) }, 'stopping housekeeping failed'));
      // Without Redis a running job cannot finish its writes and BullMQ cannot close
      // cleanly: do not wait the full bound for what cannot happen.
      const redisReachable = await ping();
      const timeout = redisReachable ? (options.shutdownTimeoutMs ?? 10_000) : 1000;
      // Stop taking jobs and let the running ones finish, within bounds. A worker whose close
      // fails (Redis gone) is forced like one that timed out: shutdown itself never fails.
      const closed = await withTimeout(Promise.allSettled([tickWorker.close(), disruptionWorker.close()]), timeout);
      const failed = closed === 'timeout' ? [] : closed.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      for (const r of failed) logger.warn({ err: messageOf(r.reason) }, 'closing a worker failed; forcing it');
      if (closed === 'timeout' || failed.length > 0) {
        logger.warn({ timeoutMs: timeout }, 'running jobs did not finish in time; leaving them to stall recovery');
        await withTimeout(Promise.allSettled([tickWorker.close(true), disruptionWorker.close(true)]), 2000);
      }
      if (restoring) await withTimeout(restoring, 10_000);
      if (notifier?.flush) await withTimeout(notifier.flush(5000).catch(() => undefined), 6000);
      if (notifier?.close) await withTimeout(notifier.close().catch(() => undefined), 2000);
      const queuesClosed = await withTimeout(Promise.allSettled([tickQueue.close(), disruptionQueue.close()]), redisReachable ? 3000 : 500);
      // With Redis away BullMQ's close can wait for a connection that never comes, and its
      // clients keep reconnecting: drop the sockets so nothing outlives stop().
      if (closed === 'timeout' || failed.length > 0 || queuesClosed === 'timeout') {
        await withTimeout(Promise.allSettled([tickWorker.disconnect(), disruptionWorker.disconnect(), tickQueue.disconnect(), disruptionQueue.disconnect()]), 1000);
      }
      await server.close().catch((err: unknown) => logger.warn({ err: messageOf(err) }, 'closing the HTTP server failed'));
      await provider.close().catch(() => undefined);
      await withTimeout(redis.quit().catch(() => undefined), 1000);
      redis.disconnect();
      logger.info('daemon stopped');
    })().catch((err: unknown) => {
      // Whatever is left is logged, not thrown: after SIGTERM the exit code stays 0.
      logger.error({ err: messageOf(err) }, 'error while stopping');
    });
    return stopping;
  };
  // Aborted while starting: stop at once (the listener below would never fire).
  if (options.signal?.aborted) void stop();
  else options.signal?.addEventListener('abort', () => void stop(), { once: true });

  return { port: server.port, metrics, scheduled, stop };
}
