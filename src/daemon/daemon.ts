// The daemon of `mesh-soak run`, given its parts by the composition root (src/app/): BullMQ
// queues whose workers run ticks (tick.ts) and disruptions (disruption/job.ts), the job
// schedulers kept installed (schedulers.ts), housekeeping, the alert re-send (alert-resend.ts)
// and the HTTP server over daemonBackend (backend.ts); stop() runs the shutdown table
// (shutdown.ts). Redis may be down at start-up or go away later: the daemon stays up, reports
// it on /readyz and redis_up, and carries on by itself when Redis is back.
//
// May import: checks/, config/, disruption/, adapters/, server/, telemetry/, shared/.

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config, Suite } from '../config/model.js';
import { activeGroups, type CheckGroup } from '../config/check-groups.js';
import { evaluateGroup } from '../checks/evaluate-group.js';
import type { Notifier } from '../adapters/notify/notifier.js';
import { warnUnreadable } from '../adapters/redis/codecs.js';
import type { MetricsProvider } from '../checks/types.js';
import type { Metrics } from '../telemetry/metrics.js';
import { CheckStore, COMPAT_MS } from '../adapters/redis/check-store.js';
import { History } from '../adapters/redis/history.js';
import { RunLedger } from '../adapters/redis/ledger.js';
import { ValueRing } from '../adapters/redis/value-ring.js';
import { MESH_SUITE } from '../config/model.js';
import { reportScope, reportSourceOf } from './report-source.js';
import { DEFAULT_RECOVERY_BOUND_MS, DEFAULT_SETTLE_MS, ISTIO_BUILD_QUERY, versionFromBuild, type ImpactTracker } from './impact-tracker.js';
import type { StateKeys } from '../adapters/redis/keys.js';
import { PauseFlags } from '../adapters/redis/pause-flags.js';
import { queueConnection } from '../adapters/redis/connection.js';
import { createSuiteQueues, type SuiteJob, type SuiteQueues } from '../adapters/bullmq/queues.js';
import { runDisruptionJob, type DisruptionDeps } from '../disruption/job.js';
import type { DisruptionRunner } from '../disruption/types.js';
import { startHttpServer, type HttpServerOptions, type RunningServer } from '../server/http-server.js';
import { startHousekeeping, type HousekeepingDeps } from './housekeeping.js';
import { countReplicas, leaveReplicas } from '../adapters/redis/replicas.js';
import { keepSchedulersInstalled, type SchedulerKeeper } from './schedulers.js';
import { startAlertResend } from './alert-resend.js';
import { selfWatch, type SelfWatch, type WatchOptions } from './self-watch.js';
import { daemonBackend } from './backend.js';
import { setCheckThresholds } from './check-gauges.js';
import { runShutdown, type ShutdownStep } from './shutdown.js';
import { runTick, type ClusterDeps, type TickDeps } from './tick.js';
import { instanceView } from '../config/clusters.js';
import { clusterOfId, instanceId, splitInstanceId } from '../checks/suite-instance.js';
import { withTimeout } from '../shared/time.js';
import { messageOf } from '../shared/errors.js';
import type { DeploymentProbe } from '../checks/deployment.js';
import type { LogsReader } from '../checks/logs.js';
import { daemonBenchmarks, type BenchmarkParts, type DaemonBenchmarks } from './benchmarks.js';
import { evidenceRecorder, suiteEvidenceNamespaces, type CaptureEvidence, type EvidenceRecorder } from './evidence.js';
import { DEFAULT_EVIDENCE_BOUNDS, type EvidenceBounds } from '../verdict/evidence.js';

/** A replica that has not said it is alive for this long is not counted (three housekeeping passes). */
const REPLICA_TTL_MS = 45_000;

export type { Notifier };

/** Everything the daemon runs on, built by src/app/. The daemon closes what it is given. */
export interface DaemonParts {
  logger: Logger;
  metrics: Metrics;
  provider: MetricsProvider;
  /** With config `clusters:`: each cluster's Prometheus (and logs reader), by name; the daemon closes them. */
  clusters?: ReadonlyMap<string, ClusterDeps>;
  notifier?: Notifier;
  /** Absent: disruptions are recorded as skipped. */
  disruptions?: DisruptionRunner;
  /** Whether a suite's objects exist (checks/deployment.ts); absent: the guard alone decides. */
  deployment?: DeploymentProbe;
  /** Reads events and pods when a check starts failing (adapters/kube/evidence.ts); absent: no evidence. */
  evidence?: CaptureEvidence;
  /** Evidence bounds; defaults in verdict/evidence.ts. */
  evidenceBounds?: Partial<EvidenceBounds>;
  /** Reads pod logs for `logs` checks; absent: those checks are unknown. */
  logs?: LogsReader;
  /** Benchmark runs of the suites with a benchmark: section; absent: benchmark jobs are ignored. */
  benchmarks?: BenchmarkParts;
  /** BullMQ lock of a benchmark job (renewed while it runs); default disruptionLockMs. */
  benchmarkLockMs?: number;
  /** The state connection (commands fail fast while Redis is away). */
  redis: Redis;
  keys: StateKeys;
  now: () => number;
  port: number;
  host?: string;
  adminToken: () => string | undefined;
  housekeepingCron?: string;
  shutdownTimeoutMs: number;
  disruptionLockMs: number;
  retryMs: number;
  /** Run after the daemon's own shutdown steps (connections the composition root opened). */
  extraShutdown?: ShutdownStep[];
  signal?: AbortSignal;
  /** The watchdog and tick deadline (self-watch.ts); defaults suit production. */
  watch?: WatchOptions;
  /** Run ledger bounds and the recovery judgement; defaults in ledger.ts and impact-tracker.ts. */
  ledger?: { maxEntries?: number; maxAgeMs?: number; recoveryBoundMs?: number; settleMs?: number };
}

export interface Daemon {
  readonly port: number;
  readonly metrics: Metrics;
  /** Resolves once the job schedulers are installed in Redis. */
  readonly scheduled: Promise<void>;
  stop(): Promise<void>;
}

interface Running {
  parts: DaemonParts;
  queues: SuiteQueues;
  keeper: SchedulerKeeper;
  housekeeping: { stop(): unknown };
  ping: () => Promise<boolean>;
  restoring: () => Promise<void> | undefined;
  stopResend: () => void;
  /** Takes this replica out of the replica count (replicas.ts). */
  leave: () => Promise<void>;
  benchmarks?: DaemonBenchmarks;
  evidence?: EvidenceRecorder;
}

export async function runDaemon(given: Config, parts: DaemonParts): Promise<Daemon> {
  // With clusters: every suite once per cluster it is bound to, named by its instance id.
  const config = instanceView(given);
  const { logger, metrics, redis } = parts;
  watchRedis(redis, metrics, logger);
  const { store, history, pause, ledger, values } = stateOf(config, parts);
  const groups = activeGroups(config);
  setCheckThresholds(metrics, groups);
  for (const s of config.suites) if (s.enabled && s.disruption) metrics.zeroDisruptionSeries(s.name);
  const suites = new Map<string, Suite>(config.suites.filter((s) => s.enabled).map((s) => [s.name, s]));
  const restorer = interruptedRestorer(parts);
  const evidence = evidenceOf(config, parts, ledger);
  const tickDeps = tickDepsOf(config, parts, { groups, store, history, pause, values, impact: impactTrackerOf(config, parts, ledger, groups), ...(evidence ? { evidence } : {}) });
  const benchmarks = benchmarksOf(config, parts, store, pause);
  const watch = selfWatch({ config, groups, redis, keys: parts.keys, pause, history, metrics, logger, now: parts.now, worker: tickDeps.worker, ...(parts.watch ? { options: parts.watch } : {}) });
  const tick = watch.guard((job) => runTick(tickDeps, job));
  const { bump, version } = stateVersion(redis);
  const queues = suiteQueuesOf(config, parts, { tick, restorer, benchmarks, bump, suites, groups, history, pause, store, ledger, noteError: watch.noteError });
  const keeper = keepSchedulersInstalled(async () => {
    await pause.sync();
    logger.info(await queues.installSchedulers(config), 'job schedulers installed');
    await restorer.restore();
    await benchmarks?.recover();
  }, { retryMs: parts.retryMs, logger });
  reinstallOnReconnect(redis, keeper, logger);
  const ping = async (): Promise<boolean> => (await withTimeout(redis.ping().catch(() => 'down'), 1000)) === 'PONG';
  const watched = watch.housekeeping(queues, keeper);
  // Each pass also re-divides the ticks among the replicas alive now (replicas.ts, tickShare).
  const share = async (): Promise<number> => queues.shareTicks(await countReplicas(redis, parts.keys.replicas(), tickDeps.worker, parts.now(), REPLICA_TTL_MS));
  const passes = [...(watched.passes ?? []), { name: 'tick share', run: share }];
  const hk: HousekeepingDeps = { queues: queues.all, history, suites: [...groups.keys()], metrics, logger, ping, ...watched, passes };
  const housekeeping = startHousekeeping(hk, parts.housekeepingCron);
  let stopped = false;
  const leave = (): Promise<void> => leaveReplicas(redis, parts.keys.replicas(), tickDeps.worker);
  const running: Running = { parts, queues, keeper, housekeeping, ping, restoring: restorer.current, stopResend: () => undefined, leave, ...(benchmarks ? { benchmarks } : {}), ...(evidence ? { evidence } : {}) };
  const backend = daemonBackend({
    config, groups, suites, store, history, pause, values, metrics, ping, now: parts.now,
    triggerDisruption: (suite) => queues.triggerDisruption(suite),
    ...(benchmarks ? { benchmarks: { ...benchmarks, trigger: (suite: string) => queues.triggerBenchmark(suite) } } : {}),
    redisDownReason: watch.redisDownReason,
    notReadyReasons: () => notReady(keeper, watch, stopped),
    ledger, report: { source: reportSourceOf(ledger, store), scope: reportScope(config, '/') },
  });
  const server = await listen(parts, backend, running, { requireTokenForStatus: config.http.requireTokenForStatus === true, stateVersion: version });
  if (parts.notifier?.resend) {
    const resend = parts.notifier.resend.bind(parts.notifier);
    const targets = { ...(tickDeps.clusters ? { clusters: tickDeps.clusters } : {}), provider: tickDeps.provider, prometheusUrl: tickDeps.prometheusUrl };
    running.stopResend = startAlertResend({ groups, store, ...targets, resend, logger }, config.notify.alertmanager?.resendMs ?? 60_000);
  }
  housekeeping.runNow();
  logger.info({ port: server.port, suites: [...groups.keys()], prefix: parts.keys.prefix }, 'daemon started');
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped = true;
    stopping ??= stopDaemon(running, server);
    return stopping;
  };
  // Aborted while starting: stop at once (the listener below would never fire).
  if (parts.signal?.aborted) void stop();
  else parts.signal?.addEventListener('abort', () => void stop(), { once: true });
  return { port: server.port, metrics, scheduled: keeper.installed, stop };
}

interface QueueParts {
  tick: (job: SuiteJob) => Promise<unknown>;
  restorer: { restore(): Promise<void> };
  benchmarks: DaemonBenchmarks | undefined;
  bump: () => void;
  suites: Map<string, Suite>;
  groups: Map<string, unknown>;
  history: History;
  pause: PauseFlags;
  store: DisruptionDeps['store'];
  ledger: DisruptionDeps['ledger'];
  noteError: (err: Error) => void;
}

/** The queues, their workers running ticks (then restores and benchmark recovery), disruptions and benchmarks. */
function suiteQueuesOf(config: Config, parts: DaemonParts, x: QueueParts): SuiteQueues {
  return createSuiteQueues({
    connection: queueConnection(config.redis),
    prefix: parts.keys.prefix,
    logger: parts.logger,
    onTick: async (job) => {
      await x.tick(job).finally(x.bump);
      void x.restorer.restore();
      void x.benchmarks?.recover();
    },
    onDisruption: (job) => runDisruptionJob(disruptionDepsOf(config, parts, x), job).finally(x.bump),
    // One slot per suite (a suite never overlaps itself), plus one: a slow suite holds only its own.
    tickConcurrency: x.groups.size + 1,
    disruptionConcurrency: Math.max(1, x.suites.size),
    disruptionLockMs: parts.disruptionLockMs,
    ...(x.benchmarks ? { onBenchmark: (job) => x.benchmarks!.run(job).finally(x.bump) } : {}),
    ...(parts.benchmarkLockMs !== undefined ? { benchmarkLockMs: parts.benchmarkLockMs } : {}),
    onError: x.noteError,
  });
}

function benchmarksOf(config: Config, parts: DaemonParts, store: CheckStore, pause: PauseFlags): DaemonBenchmarks | undefined {
  if (!parts.benchmarks) return undefined;
  const alerts = parts.notifier ? { alerts: parts.notifier } : {};
  return daemonBenchmarks({ config, parts: parts.benchmarks, checks: store, isPaused: (s) => pause.isPaused(s), ...alerts, metrics: parts.metrics, logger: parts.logger, now: parts.now });
}

/**
 * What /metrics and /api/v1/status report changes when a tick or disruption ends or Redis
 * comes or goes: their 1 s cache is dropped then.
 */
function stateVersion(redis: Redis): { bump(): void; version(): number } {
  let v = 0;
  const bump = (): void => void v++;
  redis.on('ready', bump);
  redis.on('close', bump);
  return { bump, version: () => v };
}

function notReady(keeper: SchedulerKeeper, watch: SelfWatch, stopped: boolean): string[] {
  return [...(keeper.isInstalled() ? [] : ['job schedulers not installed yet']), ...watch.reasons(), ...(stopped ? ['shutting down'] : [])];
}

/**
 * The state stores over Redis. Check records and pause flags are also remembered in
 * process, so a Redis that lost its data (flushed, restarted empty) gets them back.
 */
function stateOf(config: Config, parts: DaemonParts): { store: CheckStore; history: History; pause: PauseFlags; ledger: RunLedger; values: ValueRing } {
  const { logger, redis, keys, now } = parts;
  const onUnreadable = warnUnreadable(logger);
  const longestTick = Math.max(config.tickMs, ...config.suites.map((s) => s.tickMs));
  const remember = {
    maxAgeMs: Math.max(10 * 60_000, 10 * longestTick),
    now,
    onRestored: (suite: string, checks: number) => logger.warn({ suite, checks }, "check records missing in redis; using this replica's last evaluation"),
  };
  return {
    store: new CheckStore(redis, keys, { onUnreadable, remember, compatMs: Math.max(COMPAT_MS, 10 * longestTick) }),
    history: new History(redis, keys, { onUnreadable }),
    pause: new PauseFlags(redis, keys, { now, onReasserted: (suites) => logger.warn({ suites }, 'pause flags missing in redis after a data loss; set again') }),
    ledger: new RunLedger(redis, keys, { now, onUnreadable, ...ledgerBounds(config, parts) }),
    values: new ValueRing(redis, keys, { onUnreadable }),
  };
}

function ledgerBounds(config: Config, parts: DaemonParts): { maxEntries?: number; maxAgeMs?: number } {
  const o = { ...config.ledger, ...parts.ledger };
  return { ...(o.maxEntries ? { maxEntries: o.maxEntries } : {}), ...(o.maxAgeMs ? { maxAgeMs: o.maxAgeMs } : {}) };
}

function impactTrackerOf(config: Config, parts: DaemonParts, ledger: RunLedger, groups: Map<string, CheckGroup>): ImpactTracker {
  const o = { ...config.ledger, ...parts.ledger };
  return {
    ledger,
    metrics: parts.metrics,
    logger: parts.logger,
    groups,
    meshSuite: MESH_SUITE,
    recoveryBoundMs: o.recoveryBoundMs ?? DEFAULT_RECOVERY_BOUND_MS,
    settleMs: o.settleMs ?? DEFAULT_SETTLE_MS,
    istioVersion: async () => versionFromBuild(await parts.provider.query(ISTIO_BUILD_QUERY)),
    versionEveryMs: config.tickMs,
  };
}

function disruptionDepsOf(config: Config, parts: DaemonParts, state: Pick<DisruptionDeps, 'suites' | 'history' | 'pause' | 'store' | 'ledger'>): DisruptionDeps {
  return {
    ...state,
    metrics: parts.metrics,
    logger: parts.logger,
    now: parts.now,
    probePrometheus: (suite) => probePrometheus(parts.clusters?.get(clusterOfId(suite))?.provider ?? parts.provider),
    mesh: { suite: MESH_SUITE, checks: config.checks.map((c) => c.name) },
    ...(config.clusters ? { meshOf: (suite: string) => state.suites.get(instanceId({ ...splitInstanceId(suite), suite: MESH_SUITE })) } : {}),
    ...(parts.disruptions ? { runner: parts.disruptions } : {}),
  };
}

/** Why Prometheus cannot be used for a disruption's impact, or undefined when it answers. */
async function probePrometheus(provider: MetricsProvider): Promise<string | undefined> {
  try {
    const answer = await withTimeout(provider.query('vector(1)').then(() => 'up'), 5000);
    return answer === 'up' ? undefined : 'no answer within 5s';
  } catch (err) {
    return messageOf(err);
  }
}

/** The evidence recorder when the daemon was given a capture (a Kubernetes API to read). */
function evidenceOf(config: Config, parts: DaemonParts, ledger: RunLedger): EvidenceRecorder | undefined {
  if (!parts.evidence) return undefined;
  const bounds: EvidenceBounds = { ...DEFAULT_EVIDENCE_BOUNDS, ...parts.evidenceBounds };
  const namespaces = new Map(config.suites.filter((s) => s.enabled).map((s) => [s.name, suiteEvidenceNamespaces(s, bounds.maxNamespaces)]));
  return evidenceRecorder({ capture: parts.evidence, ledger, namespacesOf: (suite) => namespaces.get(suite) ?? [], bounds, logger: parts.logger, metrics: parts.metrics });
}

function tickDepsOf(config: Config, parts: DaemonParts, state: Pick<TickDeps, 'groups' | 'store' | 'history' | 'pause' | 'values' | 'impact' | 'evidence'>): TickDeps {
  return {
    ...state,
    provider: parts.provider,
    ...(parts.clusters ? { clusters: parts.clusters } : {}),
    ...(parts.deployment ? { deployment: parts.deployment } : {}),
    ...(parts.logs ? { logs: parts.logs } : {}),
    evaluate: evaluateGroup,
    metrics: parts.metrics,
    logger: parts.logger,
    ...(parts.notifier ? { alerts: parts.notifier } : {}),
    prometheusUrl: config.prometheus.url,
    worker: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    now: parts.now,
    ...(config.prometheus.maxInstancesPerCheck !== undefined ? { maxInstances: config.prometheus.maxInstancesPerCheck } : {}),
  };
}

function watchRedis(redis: Redis, metrics: Metrics, logger: Logger): void {
  redis.on('error', (err: Error) => logger.debug({ err: err.message }, 'redis connection error'));
  redis.on('ready', () => metrics.redisUp.set(1));
  redis.on('close', () => metrics.redisUp.set(0));
  metrics.redisUp.set(0);
}

/** A Redis that comes back empty (no persistence, failover) has lost the schedulers. */
function reinstallOnReconnect(redis: Redis, keeper: SchedulerKeeper, logger: Logger): void {
  let connectedOnce = false;
  redis.on('ready', () => {
    if (connectedOnce) {
      logger.info('redis reconnected; re-installing job schedulers');
      keeper.reinstall();
    }
    connectedOnce = true;
  });
}

/**
 * Whatever an interrupted disruption left behind (a pilot scaled to 0 by a replica that died)
 * is undone on every tick, not only at start-up; one restore pass at a time.
 */
function interruptedRestorer(parts: DaemonParts): { restore(): Promise<void>; current(): Promise<void> | undefined } {
  let restoring: Promise<void> | undefined;
  const restore = (): Promise<void> => {
    const runner = parts.disruptions;
    if (!runner) return Promise.resolve();
    restoring ??= runner
      .restorePending()
      .then((pending) => void parts.metrics.restoresPending.set(pending))
      .catch((err: unknown) => parts.logger.error({ err: messageOf(err) }, 'restoring interrupted disruptions failed'))
      .finally(() => {
        restoring = undefined;
      });
    return restoring;
  };
  return { restore, current: () => restoring };
}

async function listen(
  parts: DaemonParts,
  backend: ReturnType<typeof daemonBackend>,
  running: Running,
  extra: Pick<HttpServerOptions, 'requireTokenForStatus' | 'stateVersion'>,
): Promise<RunningServer> {
  try {
    return await startHttpServer({ port: parts.port, ...(parts.host ? { host: parts.host } : {}), backend, logger: parts.logger, adminToken: parts.adminToken, ...extra });
  } catch (err) {
    // Undo everything made so far, so a failed start leaves no timer, socket or connection
    // holding the process open.
    running.keeper.stop();
    await runShutdown([
      { name: 'workers', close: () => running.queues.closeWorkers(0), timeoutMs: 3000 },
      { name: 'queues', close: () => running.queues.closeQueues(500), timeoutMs: 3000 },
      { name: 'housekeeping', close: () => running.housekeeping.stop(), timeoutMs: 1000 },
      { name: 'notifier', close: () => parts.notifier?.close?.(), timeoutMs: 2000 },
      { name: 'provider', close: () => closeProviders(parts), timeoutMs: 2000 },
      { name: 'redis', close: () => parts.redis.disconnect(), timeoutMs: 1000 },
      ...(parts.extraShutdown ?? []),
    ], parts.logger);
    throw err;
  }
}

async function stopDaemon(r: Running, server: RunningServer): Promise<void> {
  const { parts } = r;
  r.keeper.stop();
  r.stopResend();
  // Without Redis a running job cannot finish its writes and BullMQ cannot close cleanly:
  // do not wait the full bound for what cannot happen.
  const reachable = await r.ping();
  const workersMs = reachable ? parts.shutdownTimeoutMs : 1000;
  const steps: ShutdownStep[] = [
    { name: 'housekeeping', close: () => r.housekeeping.stop(), timeoutMs: 2000 },
    // A running benchmark stops its Fortio load and marks its run before the workers close.
    { name: 'benchmarks', close: () => r.benchmarks?.abort(), timeoutMs: 1000 },
    { name: 'workers', close: () => closeWorkers(r, workersMs), timeoutMs: workersMs + 3000 },
    // Taking no more ticks: the other replicas may take its share at once.
    ...(reachable ? [{ name: 'replica count', close: () => r.leave(), timeoutMs: 1000 }] : []),
    { name: 'restore', close: () => r.restoring(), timeoutMs: 10_000 },
    // Captures still running write their entry (each bounded by its own timeout) before Redis closes.
    { name: 'evidence', close: () => r.evidence?.close(), timeoutMs: 5000 },
    { name: 'benchmark recovery', close: () => r.benchmarks?.current(), timeoutMs: 10_000 },
    { name: 'notifier flush', close: () => parts.notifier?.flush?.(5000), timeoutMs: 6000 },
    { name: 'notifier', close: () => parts.notifier?.close?.(), timeoutMs: 2000 },
    { name: 'queues', close: () => r.queues.closeQueues(reachable ? 3000 : 500), timeoutMs: 5000 },
    { name: 'http server', close: () => server.close(), timeoutMs: 5000 },
    { name: 'provider', close: () => closeProviders(parts), timeoutMs: 2000 },
    { name: 'redis', close: () => parts.redis.quit(), timeoutMs: 1000 },
    { name: 'redis socket', close: () => parts.redis.disconnect(), timeoutMs: 1000 },
    ...(parts.extraShutdown ?? []),
  ];
  await runShutdown(steps, parts.logger);
  parts.logger.info('daemon stopped');
}

/** The provider and every cluster's, each once. */
async function closeProviders(parts: DaemonParts): Promise<void> {
  const all = new Set<MetricsProvider>([parts.provider, ...[...(parts.clusters?.values() ?? [])].map((c) => c.provider)]);
  await Promise.all([...all].map((p) => p.close()));
}

async function closeWorkers(r: Running, timeoutMs: number): Promise<void> {
  // Stop taking jobs and let the running ones finish, within bounds.
  const clean = await r.queues.closeWorkers(timeoutMs);
  if (!clean) r.parts.logger.warn({ timeoutMs }, 'running jobs did not finish in time; leaving them to stall recovery');
}
