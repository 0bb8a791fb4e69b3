// The composition root, the only one: builds mesh-soak's adapters from a Config and hands
// them to whatever runs — the daemon (`run`, the demo, tests), `check`, `disrupt`. Every
// default that needs a real external system is chosen here and nowhere else.
//
// May import anything in src/ (it is the top of the dependency order); nothing in src/ but
// commands/ imports it.

import { healthMetrics } from '../telemetry/health-metrics.js';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { Config } from '../config/model.js';
import type { MetricsProvider } from '../checks/types.js';
import { createMetrics, promOutcome, type Metrics } from '../telemetry/metrics.js';
import { PrometheusClient } from '../adapters/prometheus/client.js';
import { BatchingProvider } from '../adapters/prometheus/batching-provider.js';
import { RecordedProvider, type DirectReason } from '../adapters/prometheus/recorded-provider.js';
import { NotificationDispatcher } from '../adapters/notify/dispatcher.js';
import { createSinks } from '../adapters/notify/sinks.js';
import { stateKeys, type StateKeys } from '../adapters/redis/keys.js';
import { createRedisClient, keyPrefix } from '../adapters/redis/connection.js';
import type { KubeClientOptions } from '../adapters/kube/index.js';
import type { DisruptionRunner, StepOutcome } from '../disruption/runner.js';
import type { Step, Suite } from '../config/model.js';
import { runDaemon, type Daemon, type Notifier } from '../daemon/daemon.js';
import type { ShutdownStep } from '../daemon/shutdown.js';
import type { WatchOptions } from '../daemon/self-watch.js';
import { version } from '../shared/version.js';
import type { DeploymentProbe, SuiteObjects } from '../checks/deployment.js';
import type { LogsReader } from '../checks/logs.js';
import { messageOf } from '../shared/errors.js';
import { RunLedger } from '../adapters/redis/ledger.js';
import { CheckStore } from '../adapters/redis/check-store.js';
import type { ReportSource } from '../verdict/collect.js';
import { reportScope, reportSourceOf } from '../daemon/report-source.js';
import type { CaptureEvidence } from '../daemon/evidence.js';
import type { EvidenceBounds } from '../verdict/evidence.js';
import { clusterNames, clusterTarget, instanceView } from '../config/clusters.js';
import { clusterOfId } from '../checks/suite-instance.js';
import type { ClusterDeps } from '../daemon/tick.js';

export type { Daemon, Notifier };

/**
 * The one Prometheus provider (of config.prometheus): a tick's queries travel as a few batched
 * requests, or with prometheus.recordingRules are read from recorded results (asked directly
 * when a result is missing or stale). `cluster`: the clusters[] entry it serves, as prometheus_request_duration_seconds' cluster label.
 */
export function buildProvider(config: Config, metrics?: Metrics, cluster?: string): MetricsProvider {
  const labels = cluster === undefined ? {} : { cluster };
  const client = new PrometheusClient({
    url: config.prometheus.url,
    timeoutMs: config.prometheus.timeoutMs,
    headers: config.prometheus.headers,
    concurrency: config.prometheus.concurrency,
    ...(config.prometheus.maxBodyBytes !== undefined ? { maxBodyBytes: config.prometheus.maxBodyBytes } : {}),
    ...(config.prometheus.maxSeries !== undefined ? { maxSeries: config.prometheus.maxSeries } : {}),
    ...(metrics
      ? {
          onRequest: (outcome, seconds) => metrics.prometheusRequestDuration.observe({ outcome: promOutcome(outcome), ...labels }, seconds),
          onOverLimit: (limit) => healthMetrics(metrics.registry).prometheusOverLimit.inc({ limit }),
        }
      : {}),
  });
  const batching = new BatchingProvider(client);
  const recording = config.prometheus.recordingRules;
  if (!recording) return batching;
  return new RecordedProvider(client, batching, {
    maxAgeMs: recording.maxAgeMs ?? defaultRecordedMaxAgeMs(config),
    ...(metrics ? { onDirect: (reason: DirectReason) => healthMetrics(metrics.registry).recordedDirect.inc({ reason, ...labels }) } : {}),
  });
}

/** Twice the longest tick plus 30 s: a group evaluated at its interval is never that old. */
export function defaultRecordedMaxAgeMs(config: Config): number {
  return 2 * Math.max(config.tickMs, ...config.suites.map((s) => s.tickMs)) + 30_000;
}

type KubeReporter = { onRequest?: (verb: string, resource: string, code: number | string) => void };

/** kube_requests_total's reporter; `cluster` labels the requests of a clusters[] entry. */
function kubeReporter(metrics: Metrics | undefined, cluster?: string): KubeReporter {
  if (!metrics) return {};
  const labels = cluster === undefined ? {} : { cluster };
  return { onRequest: (verb, resource, code) => metrics.kubeRequests.inc({ verb, resource, code: String(code), ...labels }) };
}

/** Kubernetes clients of every cluster, by name ("default" without clusters:); the cluster label only with clusters:. */
async function kubeClientsByCluster(config: Config, o: { metrics?: Metrics | undefined; retry?: KubeClientOptions['retry'] }): Promise<Map<string, import('../adapters/kube/index.js').KubeContext>> {
  const { createKubeClients } = await import('../adapters/kube/index.js');
  const out = new Map<string, import('../adapters/kube/index.js').KubeContext>();
  for (const name of clusterNames(config)) {
    const k = clusterTarget(config, name).kubernetes;
    out.set(name, createKubeClients(k.kubeconfig, {
      ...(k.context !== undefined ? { context: k.context } : {}),
      ...(o.retry ? { retry: o.retry } : {}),
      ...kubeReporter(o.metrics, config.clusters ? name : undefined),
    }));
  }
  return out;
}

/** The dispatcher over config.notify's sinks; none configured: undefined (alerts are only logged). */
export function buildNotifier(config: Config, metrics: Metrics, logger: Logger): Notifier | undefined {
  const sinks = createSinks(config.notify);
  if (sinks.length === 0) return undefined;
  return new NotificationDispatcher({ sinks, onOutcome: (sink, outcome) => metrics.recordNotification(sink, outcome), logger });
}

export interface RunnerOptions {
  logger?: Logger;
  metrics?: Metrics;
  keys?: StateKeys;
  signal?: AbortSignal;
  /** For tests and the demo: faster polling and retries. */
  pollMs?: number;
  lockTtlMs?: number;
  kubeRetry?: KubeClientOptions['retry'];
  onStep?: (suite: Suite, step: Step, outcome: StepOutcome) => void;
  /** Where the runner keeps its journal; default a new connection to config.redis.url. */
  redis?: Redis;
}

export interface BuiltRunner {
  runner: DisruptionRunner;
  /** Closes the connection the runner was given by this builder (not one passed in). */
  close(): Promise<void>;
}

/** The disruption runner over the real Kubernetes API (loaded only when needed). */
export async function buildDisruptionRunner(config: Config, o: RunnerOptions = {}): Promise<BuiltRunner> {
  const { kubeClusterOps } = await import('../adapters/kube/cluster-ops.js');
  const { createDisruptionRunner } = await import('../disruption/runner.js');
  const kube = await kubeClientsByCluster(config, { metrics: o.metrics, ...(o.kubeRetry ? { retry: o.kubeRetry } : {}) });
  const ops = new Map([...kube].map(([name, k]) => [name, kubeClusterOps(k)]));
  // Without clusters: the one cluster; with them, a suite instance's (by its id) and the first for a plain suite (`disrupt`).
  const first = ops.get(clusterNames(config)[0]!)!;
  // The journal's connection: commands queue while Redis is away instead of failing a restore.
  const redis = o.redis ?? createRedisClient(config.redis, { maxRetriesPerRequest: null });
  if (!o.redis) redis.on('error', (err: Error) => o.logger?.debug({ err: err.message }, 'journal redis error'));
  const runner = createDisruptionRunner({
    ops: first,
    ...(config.clusters ? { opsFor: (suite: string) => ops.get(clusterOfId(suite)) } : {}),
    redis,
    keys: o.keys ?? stateKeys(keyPrefix(config.redis)),
    ...(o.logger ? { logger: o.logger } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.pollMs !== undefined ? { pollMs: o.pollMs } : {}),
    ...(o.lockTtlMs !== undefined ? { lockTtlMs: o.lockTtlMs } : {}),
    ...(o.onStep ? { onStep: o.onStep } : {}),
    // Through Sentinel a failover may lose the newest writes: the claim waits for a replica.
    ...(config.redis.sentinels ? { claimReplicas: { count: 1, timeoutMs: 1000 } } : {}),
  });
  return { runner, close: () => (o.redis ? Promise.resolve() : closeRedis(redis)) };
}

/** The probe's API calls are few and a tick waits for them: short timeouts, one retry. */
const PROBE_RETRY = { attempts: 2, totalMs: 5_000, requestTimeoutMs: 5_000 };
/** A log read may be a few MB: a longer request timeout. */
const LOGS_RETRY = { attempts: 2, totalMs: 60_000, requestTimeoutMs: 30_000 };
/** Evidence is read once, beside the tick, within the recorder's own timeout: no retry. */
const EVIDENCE_RETRY = { attempts: 1, totalMs: 10_000, requestTimeoutMs: 10_000 };

export interface KubeReaders {
  /** "Is the suite deployed", from its namespace and Deployments (enabled suites with manifests). */
  deployment?: DeploymentProbe;
  /** The `logs` check kind's reader (when some enabled check reads logs); with clusters:, the first cluster's (`check`), the daemon takes logsByCluster. */
  logs?: LogsReader;
  /** Events and pod statuses of a suite's namespaces when a check starts failing (any enabled suite), read from the suite instance's own cluster. */
  evidence?: CaptureEvidence;
  /** With clusters: each cluster's logs reader, by name (DaemonOptions.logsByCluster). */
  logsByCluster?: ReadonlyMap<string, LogsReader>;
  /** Why a reader is missing, for the caller to log; the guard or `unknown` decides then. */
  off: string[];
}

async function expectedObjects(given: Config): Promise<Map<string, SuiteObjects>> {
  const { suiteObjects } = await import('../config/suites/suite-objects.js');
  // With clusters: keyed by suite instance id, each asked of its own cluster.
  const config = instanceView(given);
  const objects = new Map<string, SuiteObjects>();
  for (const s of config.suites.filter((x) => x.enabled)) {
    const found = await suiteObjects(s).catch(() => undefined);
    if (found) objects.set(s.name, found);
  }
  return objects;
}

/** What the ticks and `check` read from the Kubernetes API besides Prometheus. */
export async function buildKubeReaders(config: Config, o: { metrics?: Metrics } = {}): Promise<KubeReaders> {
  const objects = await expectedObjects(config);
  const enabled = config.suites.filter((x) => x.enabled);
  const readsLogs = [...enabled.flatMap((s) => s.checks), ...config.checks].some((c) => c.logs !== undefined);
  if (enabled.length === 0 && !readsLogs) return { off: ['no enabled suite has manifests or logs checks'] };
  const { probeSuiteObjects } = await import('../adapters/kube/suite-objects.js');
  const { kubeLogsReader } = await import('../adapters/kube/pod-logs.js');
  const { captureEvidence } = await import('../adapters/kube/evidence.js');
  try {
    const kube = await kubeClientsByCluster(config, { metrics: o.metrics, retry: PROBE_RETRY });
    const first = clusterNames(config)[0]!;
    const readers: KubeReaders = { off: objects.size === 0 ? ['no enabled suite has manifests'] : [] };
    if (objects.size > 0) {
      readers.deployment = async (suite, signal) => {
        const expected = objects.get(suite);
        return expected ? probeSuiteObjects(kube.get(clusterOfId(suite)) ?? kube.get(first)!, expected, signal) : { deployed: true };
      };
    }
    if (readsLogs) {
      const logs = await kubeClientsByCluster(config, { metrics: o.metrics, retry: LOGS_RETRY });
      readers.logs = kubeLogsReader(logs.get(first)!);
      if (config.clusters) readers.logsByCluster = new Map([...logs].map(([name, k]) => [name, kubeLogsReader(k)]));
    }
    if (enabled.length > 0) {
      // Each suite instance's evidence from its own cluster's API.
      const evidenceKube = await kubeClientsByCluster(config, { metrics: o.metrics, retry: EVIDENCE_RETRY });
      readers.evidence = (namespaces, bounds, signal, suite) => captureEvidence(evidenceKube.get(clusterOfId(suite)) ?? evidenceKube.get(first)!, namespaces, bounds, signal);
    }
    return readers;
  } catch (err) {
    return { off: [messageOf(err)] };
  }
}

/** quit() waits for Redis, which may be gone: bounded, then the socket is dropped. */
export async function closeRedis(redis: Redis): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    redis.quit().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, 1000);
    }),
  ]);
  clearTimeout(timer);
  redis.disconnect();
}

export interface DaemonOptions {
  logger: Logger;
  /** Aborting it stops the daemon (same as stop()). */
  signal?: AbortSignal;
  /** Absent: disruptions are recorded as skipped. */
  disruptions?: DisruptionRunner;
  /** Default: buildNotifier(config). */
  notifier?: Notifier;
  /** Default: buildProvider(config). */
  provider?: MetricsProvider;
  /** Asks the Kubernetes API whether a suite is deployed (buildKubeReaders); absent: the guard alone decides. */
  deployment?: DeploymentProbe;
  /** Reads pod logs for `logs` checks (buildKubeReaders); absent: those checks are unknown. */
  logs?: LogsReader;
  /** Reads events and pods when a check starts failing (buildKubeReaders); absent: no evidence. */
  evidence?: CaptureEvidence;
  /** Evidence bounds (counts, bytes, rate, timeout); defaults in verdict/evidence.ts. */
  evidenceBounds?: Partial<EvidenceBounds>;
  /** With config clusters: each cluster's logs reader (buildKubeReaders). */
  logsByCluster?: ReadonlyMap<string, LogsReader>;
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
  now?: () => number;
  extraShutdown?: ShutdownStep[];
  /** Watchdog window and tick deadline; defaults suit production. */
  watch?: WatchOptions;
  /** Benchmark runs: Redis lock TTL (default 30 s), Fortio status polling (default 2 s), BullMQ job lock (default 10 min). */
  bench?: { lockTtlMs?: number; pollMs?: number; jobLockMs?: number };
}

/** The daemon with every part not given built from the config. */
export async function startDaemon(config: Config, o: DaemonOptions): Promise<Daemon> {
  const metrics = o.metrics ?? createMetrics(new Registry(), version);
  // State commands fail after one retry instead of piling up while Redis is away.
  const redis = createRedisClient(config.redis, { maxRetriesPerRequest: 1, lazyConnect: false });
  const notifier = o.notifier ?? buildNotifier(config, metrics, o.logger);
  const keys = stateKeys(keyPrefix(config.redis, o.prefix));
  // The benchmark modules (Fortio client, run orchestrator, bench store) only when a suite has a benchmark.
  const benchmarks = config.suites.some((s) => s.enabled && s.benchmark)
    ? (await import('./benchmark.js')).buildBenchmark(config, { redis, owner: `daemon:${hostname()}:${process.pid}`, keys, ...(o.bench?.lockTtlMs !== undefined ? { lockTtlMs: o.bench.lockTtlMs } : {}), ...(o.bench?.pollMs !== undefined ? { pollMs: o.bench.pollMs } : {}) })
    : undefined;
  const clusters = clusterDeps(config, metrics, o.logsByCluster);
  return runDaemon(config, {
    logger: o.logger,
    metrics,
    provider: o.provider ?? [...(clusters?.values() ?? [])][0]?.provider ?? buildProvider(config, metrics),
    ...(clusters ? { clusters } : {}),
    ...(notifier ? { notifier } : {}),
    ...(o.disruptions ? { disruptions: o.disruptions } : {}),
    ...(o.deployment ? { deployment: o.deployment } : {}),
    ...(o.logs ? { logs: o.logs } : {}),
    ...(o.evidence ? { evidence: o.evidence } : {}),
    ...(o.evidenceBounds ? { evidenceBounds: o.evidenceBounds } : {}),
    redis,
    keys,
    now: o.now ?? Date.now,
    ...(benchmarks ? { benchmarks, benchmarkLockMs: o.bench?.jobLockMs ?? 600_000 } : {}),
    port: o.port ?? config.http.port,
    ...(o.host ? { host: o.host } : {}),
    adminToken: o.adminToken ?? (() => process.env.MESH_SOAK_ADMIN_TOKEN || undefined),
    ...(o.housekeepingCron ? { housekeepingCron: o.housekeepingCron } : {}),
    shutdownTimeoutMs: o.shutdownTimeoutMs ?? 10_000,
    disruptionLockMs: o.disruptionLockMs ?? 600_000,
    retryMs: o.retryMs ?? 2000,
    ...(o.extraShutdown ? { extraShutdown: o.extraShutdown } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.watch ? { watch: o.watch } : {}),
  });
}

/** With config clusters: each cluster's Prometheus provider (cluster-labelled), URL, instance cap and logs reader. */
function clusterDeps(config: Config, metrics: Metrics, logs: ReadonlyMap<string, LogsReader> | undefined): Map<string, ClusterDeps> | undefined {
  if (!config.clusters) return undefined;
  return new Map(
    config.clusters.map((c) => {
      const reader = logs?.get(c.name);
      const deps: ClusterDeps = {
        provider: buildProvider({ ...config, prometheus: c.prometheus }, metrics, c.name),
        prometheusUrl: c.prometheus.url,
        ...(reader ? { logs: reader } : {}),
        ...(c.prometheus.maxInstancesPerCheck !== undefined ? { maxInstances: c.prometheus.maxInstancesPerCheck } : {}),
      };
      return [c.name, deps];
    }),
  );
}

/** The report's input over Redis: the run ledger and the check records (read-only). */
export function buildReportSource(redis: Redis, keys: StateKeys = stateKeys()): ReportSource {
  return reportSourceOf(new RunLedger(redis, keys), new CheckStore(redis, keys));
}

export { reportScope };
