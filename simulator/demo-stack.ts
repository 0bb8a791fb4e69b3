// The whole loop on one machine, for `mesh-soak demo` and the end-to-end tests: real Redis,
// Prometheus and Alertmanager from the local binaries, a simulated cluster (the fake
// Kubernetes API with the suites applied to it, and a synthetic Istio metrics target that
// reacts to what the disruptions do), and the daemon with the four suites on short
// schedules. Alerts travel daemon → Alertmanager → a webhook receiver here, so a caller
// can see them arrive.
//
// simulator/ is not the product: the fake Kubernetes API (kube-api/), real local servers
// (local/), the Istio metrics model and the demo. It may import src/; src/ never imports it
// (the demo command loads demo-command.ts by a computed path). Its own tsconfig: simulator/tsconfig.json.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createWriteStream, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { loadConfig } from '../src/config/load-config.js';
import { MESH_SUITE, type Config } from '../src/config/model.js';
import { instanceView } from '../src/config/clusters.js';
import { splitInstanceId } from '../src/checks/suite-instance.js';
import { buildDisruptionRunner, buildKubeReaders, startDaemon, type Daemon } from '../src/app/index.js';
import { withTimeout } from '../src/shared/time.js';
import { applyManifests, createKubeClients, type KubeContext } from '../src/adapters/kube/index.js';
import { renderManifests } from '../src/config/suites/render-manifests.js';
import { createLogger } from '../src/telemetry/logger.js';
import { createMetrics } from '../src/telemetry/metrics.js';
import { version } from '../src/shared/version.js';
import { Fault, UserError } from '../src/shared/errors.js';
import { kubeCertificatesView, kubeClusterView } from './cluster-view.js';
import { CERT_MANAGER_TYPES } from './certmanager-metrics.js';
import { FAULT_KINDS, type FaultKind } from './istio-metrics.js';
import { startFakeKubeApi, type FakeKubeApi } from './kube-api/index.js';
import { freePort, startAlertmanager, startPrometheus, startRedis, type RunningAlertmanager, type RunningPrometheus, type RunningRedis } from './local/index.js';
import { startMetricsTarget, type MetricsTarget } from './metrics-target.js';
import { DEMO_BENCH_FAULT, startDemoBench, type DemoBench } from './fortio/demo-bench.js';

/** The benchmark's fault (fortio/demo-bench.ts) beside the Istio metrics model's. */
export type DemoFaultKind = FaultKind | typeof DEMO_BENCH_FAULT;

export interface ReceivedAlert {
  at: number;
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface DemoOptions {
  /** Check interval of every suite; default 5 s. */
  tickMs?: number;
  /** Disruption intervals by suite (as config `every` strings); defaults keep the demo lively. */
  schedules?: Record<string, string>;
  /** Suite params by suite (as in the config's `params`); defaults shorten pilot's outage. */
  params?: Record<string, Record<string, string | number>>;
  /** HTTP port of the daemon; default a free one. */
  port?: number;
  /** Admin token for pause/resume/trigger (also honoured from MESH_SOAK_ADMIN_TOKEN). */
  adminToken?: string;
  /** Where the daemon's JSON log goes; default `daemon.log` in the demo's temp dir. */
  logFile?: string;
  /** Scrape interval of Prometheus, seconds; default 1. */
  scrapeIntervalS?: number;
  onAlert?: (alert: ReceivedAlert) => void;
  /** Aborting it while starting stops what was started and rejects with DemoAborted. */
  signal?: AbortSignal;
  /** How long to wait for the daemon to install its job schedulers in Redis; default 30 s. */
  scheduledTimeoutMs?: number;
  /** Adds the benchmark suite (a 2×2 matrix in two modes, fortio/demo-bench.ts) every `benchmark` (e.g. "3m"); default none. */
  benchmark?: string;
  /**
   * Adds chaos-partial every minute, and puts it and istio-upgrader (also every minute) on the
   * control-plane lock, so the two due on the same minute show they never overlap; default off.
   */
  chaos?: boolean;
  /**
   * Simulated clusters (issue 15); default 1 (today's config, no `clusters:`). With more, each
   * gets its own fake Kubernetes API, Istio metrics target and Prometheus; http10 runs on all of
   * them, the other suites (and the benchmark) on cluster-1 only.
   */
  clusters?: number;
}

/** One simulated cluster of a many-cluster demo. */
export interface DemoCluster {
  name: string;
  kube: FakeKubeApi;
  target: MetricsTarget;
  prom: RunningPrometheus;
}

/** startDemoStack was aborted through its signal; everything it had started is stopped. */
export class DemoAborted extends Error {
  constructor() {
    super('demo start-up aborted');
    this.name = 'DemoAborted';
  }
}

export interface DemoStack {
  dir: string;
  configPath: string;
  config: Config;
  logFile: string;
  urls: { status: string; metrics: string; prometheus: string; alertmanager: string; kubeApi: string; faults: string };
  daemon: Daemon;
  kube: FakeKubeApi;
  /** With options.clusters > 1: every simulated cluster (the first is `kube` and `urls.prometheus` above). */
  clusters: DemoCluster[];
  alerts: ReceivedAlert[];
  /** Switches a simulated fault on or off for a suite (`mesh` is the control plane); `CLUSTER/SUITE` with clusters. */
  setFault(suite: string, kind: DemoFaultKind, on?: boolean): void;
  /** With options.benchmark: the finished benchmark runs as CSV. */
  benchCsv?: () => Promise<string>;
  stop(): Promise<void>;
}

const DEFAULT_SCHEDULES: Record<string, string> = {
  'graceful-shutdown': '30s',
  'gateway-bouncer': '1m',
  'istio-upgrader': '1m',
};

/** With `chaos`: istio-upgrader and chaos-partial due on the same minute, every minute. */
const CHAOS_SCHEDULES: Record<string, string> = { 'istio-upgrader': '1m', 'chaos-partial': '1m' };

const DEFAULT_PARAMS: Record<string, Record<string, string | number>> = {
  'gateway-bouncer': { pilotOutage: '20s' },
};

/** The control plane the suites assume exists (istio-upgrader rolls it, the sim reads it). */
const ISTIO_SYSTEM: KubernetesObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system' } },
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    // Labelled as Istio's charts label it: istio-upgrader rolls the deployments with an `istio` label.
    metadata: { name: 'istiod', namespace: 'istio-system', labels: { app: 'istiod', istio: 'pilot' } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'istiod' } },
      template: {
        metadata: { labels: { app: 'istiod' } },
        // PILOT_HTTP10: the simulated mesh refuses HTTP/1.0 (426 at the client) without it.
        spec: { containers: [{ name: 'discovery', image: 'docker.io/istio/pilot:1.24.0', env: [{ name: 'PILOT_HTTP10', value: '1' }] }] },
      },
    },
  } as KubernetesObject,
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'istio-ingressgateway', namespace: 'istio-system', labels: { app: 'istio-ingressgateway', istio: 'ingressgateway' } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'istio-ingressgateway' } },
      template: {
        metadata: { labels: { app: 'istio-ingressgateway' } },
        spec: { containers: [{ name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.24.0' }] },
      },
    },
  } as KubernetesObject,
];

function alertmanagerConfig(receiverUrl: string): string {
  return [
    'route:',
    '  receiver: demo',
    '  group_by: [alertname, suite, check]',
    '  group_wait: 0s',
    '  group_interval: 1s',
    '  repeat_interval: 1h',
    'receivers:',
    '  - name: demo',
    '    webhook_configs:',
    `      - url: ${JSON.stringify(receiverUrl)}`,
    '        send_resolved: true',
    '',
  ].join('\n');
}

async function startAlertReceiver(onAlert: (a: ReceivedAlert) => void): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { alerts?: Array<Omit<ReceivedAlert, 'at'>> };
        for (const a of body.alerts ?? []) onAlert({ at: Date.now(), status: a.status, labels: a.labels, annotations: a.annotations });
      } catch {
        // Not Alertmanager's shape; nothing to show.
      }
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/alerts`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function demoConfig(p: {
  prometheus: string;
  redis: string;
  kubeconfig: string;
  alertmanager: string;
  port: number;
  tickMs: number;
  schedules: Record<string, string>;
  params: Record<string, Record<string, string | number>>;
  extraSuites?: string;
  /** Suites holding the control-plane lock. */
  locked?: string[];
  /** Several clusters: http10 on all of them, every other suite on the first. */
  clusters?: Array<{ name: string; prometheus: string; kubeconfig: string }>;
}): string {
  const first = p.clusters?.[0]?.name;
  const every = (name: string) =>
    (p.schedules[name] ? `\n    schedule: { every: ${p.schedules[name]} }` : '') +
    (p.params[name] ? `\n    params: ${JSON.stringify(p.params[name])}` : '') +
    (p.locked?.includes(name) ? '\n    locks: [control-plane]' : '') +
    // Due on the same minute as istio-upgrader, which takes the lock first: it waits its turn instead of never running.
    (p.locked?.includes(name) && name === 'chaos-partial' ? '\n    overlap: { wait: 40s }' : '') +
    (first && name !== 'http10' ? `\n    clusters: [${first}]` : '');
  const targets = p.clusters
    ? `clusters:\n${p.clusters.map((c) => `  - name: ${c.name}\n    kubernetes: { kubeconfig: "${c.kubeconfig}" }\n    prometheus: { url: "${c.prometheus}", timeout: 5s }\n`).join('')}`
    : `prometheus: { url: "${p.prometheus}", timeout: 5s }\nkubernetes: { kubeconfig: "${p.kubeconfig}" }\n`;
  return `# Written by mesh-soak demo: the four suites on short schedules against a simulated cluster.
${targets}redis: { url: "${p.redis}" }
tick: ${p.tickMs}ms
http: { port: ${p.port} }
notify:
  alertmanager: { url: "${p.alertmanager}", resend: 30s }
suites:
  - use: http10${every('http10')}
  - use: graceful-shutdown${every('graceful-shutdown')}
  - use: gateway-bouncer${every('gateway-bouncer')}
  - use: istio-upgrader${every('istio-upgrader')}
  - use: release-qualification${every('release-qualification')}
${p.locked?.includes('chaos-partial') ? `  - use: chaos-partial${every('chaos-partial')}\n` : ''}${p.extraSuites ? `${p.extraSuites}\n` : ''}checks:
  - name: pilot-xds-rejects
    query: sum(increase(pilot_total_xds_rejects[1m]))
    fail: "> 0"
    noData: ok
    severity: critical
    summary: "proxies rejected {{value}} XDS updates in the last minute"
`;
}

/** Bound of one stop step of the demo (a server, the daemon, a connection). */
const STOP_STEP_MS = 4000;

/** Starts everything; on any failure stops what was already started and rethrows. */
export async function startDemoStack(options: DemoOptions = {}): Promise<DemoStack> {
  const dir = await mkdtemp(join(tmpdir(), 'mesh-soak-demo-'));
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  // Each step bounded, so one Ctrl-C always ends the demo: a server that does not stop in
  // time is killed by its own stop() (SIGKILL after its grace), the rest go on.
  const stopAll = async () => {
    for (const c of cleanups.reverse()) await withTimeout(Promise.resolve().then(c).catch(() => undefined), STOP_STEP_MS);
    cleanups.length = 0;
  };
  // Checked after each slow step: a Ctrl-C while starting stops at the next one.
  const checkAborted = () => {
    if (options.signal?.aborted) throw new DemoAborted();
  };
  try {
    const alerts: ReceivedAlert[] = [];
    const receiver = await startAlertReceiver((a) => {
      alerts.push(a);
      if (alerts.length > 10_000) alerts.splice(0, alerts.length - 10_000);
      options.onAlert?.(a);
    });
    cleanups.push(() => receiver.close());
    checkAborted();

    const redis: RunningRedis = await startRedis();
    cleanups.push(() => redis.stop());
    checkAborted();
    const am: RunningAlertmanager = await startAlertmanager({ configYaml: alertmanagerConfig(receiver.url) });
    cleanups.push(() => am.stop());
    checkAborted();
    const port = options.port ?? (await freePort());
    const many = (options.clusters ?? 1) > 1;
    // Under clusters: the benchmark is bound to cluster-1 (its Fortio behind that API server, its cAdvisor series in that Prometheus).
    const bench: DemoBench | undefined = options.benchmark ? await startDemoBench({ redisUrl: () => redis.url, schedule: options.benchmark, ...(many ? { cluster: 'cluster-1' } : {}) }) : undefined;
    if (bench) cleanups.push(() => bench.stop());
    const clusters: DemoCluster[] = [];
    for (let i = 1; i <= (options.clusters ?? 1); i++) {
      // The daemon's own metrics are scraped by the first cluster's Prometheus (Grafana's one).
      const extraJobs = i === 1 ? { 'mesh-soak': [`127.0.0.1:${port}`], ...(bench ? { cadvisor: [bench.scrapeTarget] } : {}) } : {};
      clusters.push(await startCluster(`cluster-${i}`, { scrapeIntervalS: options.scrapeIntervalS ?? 1, extraJobs, cleanups, checkAborted }));
    }
    const { kube, target, prom } = clusters[0]!;

    const configPath = join(dir, 'mesh-soak.yaml');
    await writeFile(
      configPath,
      demoConfig({
        prometheus: prom.url,
        redis: redis.url,
        kubeconfig: kube.kubeconfigPath,
        alertmanager: am.url,
        port,
        tickMs: options.tickMs ?? 5000,
        schedules: { ...DEFAULT_SCHEDULES, ...(options.chaos ? CHAOS_SCHEDULES : {}), ...options.schedules },
        params: { ...DEFAULT_PARAMS, ...options.params },
        ...(bench ? { extraSuites: bench.configEntry } : {}),
        ...(options.chaos ? { locked: ['istio-upgrader', 'chaos-partial'] } : {}),
        ...(many ? { clusters: clusters.map((c) => ({ name: c.name, prometheus: c.prom.url, kubeconfig: c.kube.kubeconfigPath })) } : {}),
      }),
    );
    const config = await loadConfig(configPath);
    await bench?.prepare(config, kube);

    // Each simulated cluster starts with the control plane and every suite bound to it deployed.
    for (const c of clusters) {
      const setup: KubeContext = createKubeClients(c.kube.kubeconfigPath);
      await applyManifests(setup, ISTIO_SYSTEM);
      for (const suite of instanceView(config).suites) {
        if (suite.cluster !== undefined && suite.cluster !== c.name) continue;
        await applyManifests(setup, (await renderManifests(suite)) as unknown as KubernetesObject[]);
      }
    }

    const logFile = options.logFile ?? join(dir, 'daemon.log');
    const logStream: WriteStream = createWriteStream(logFile, { flags: 'a' });
    // A line written after the demo closed its log (a bounded shutdown step that overran)
    // is lost, not a crash of the demo.
    logStream.on('error', () => undefined);
    cleanups.push(() => new Promise<void>((resolve) => logStream.end(() => resolve())));
    const logger = createLogger({ level: 'info', pretty: false, destination: logStream });
    const metrics = createMetrics(new Registry(), version);
    const abort = new AbortController();
    const built = await buildDisruptionRunner(config, { logger, metrics, signal: abort.signal, pollMs: 500 });
    cleanups.push(() => built.close());
    const runner = built.runner;
    const token = options.adminToken;
    // Events and pod statuses of a suite's namespace when one of its checks starts failing.
    const { evidence } = await buildKubeReaders(config, { metrics });
    const daemon = await startDaemon(config, {
      logger,
      metrics,
      disruptions: runner,
      ...(evidence ? { evidence } : {}),
      port,
      // Ctrl-C should end the demo in seconds: a tick still running is left to stall recovery.
      shutdownTimeoutMs: 2000,
      ...(token ? { adminToken: () => token } : {}),
    });
    cleanups.push(async () => {
      abort.abort();
      await daemon.stop();
    });
    checkAborted();
    await waitScheduled(daemon, options.scheduledTimeoutMs ?? 30_000, config.redis.url, options.signal);

    const namespaceOf = (suite: string): string => {
      if (suite === MESH_SUITE) return 'istio-system';
      const s = config.suites.find((x) => x.name === suite);
      if (!s) throw new UserError(`--fault: no suite "${suite}" (suites: ${[...config.suites.map((x) => x.name), MESH_SUITE].join(', ')})`);
      return s.namespace;
    };
    // `CLUSTER/SUITE` with several clusters: that cluster's simulated mesh; a plain SUITE: the first's.
    const targetOf = (instance: string): { model: MetricsTarget['model']; suite: string } => {
      const { cluster, suite } = splitInstanceId(instance);
      const c = cluster === undefined ? clusters[0] : clusters.find((x) => x.name === cluster);
      if (!c) throw new UserError(`--fault: no cluster "${cluster}" (clusters: ${clusters.map((x) => x.name).join(', ')})`);
      return { model: c.target.model, suite };
    };

    return {
      dir,
      configPath,
      config,
      logFile,
      urls: {
        status: `http://127.0.0.1:${daemon.port}/`,
        metrics: `http://127.0.0.1:${daemon.port}/metrics`,
        prometheus: prom.url,
        alertmanager: am.url,
        kubeApi: kube.url,
        faults: `${target.url}/faults`,
      },
      daemon,
      kube,
      clusters,
      alerts,
      setFault(instance, kind, on = true) {
        const { model, suite } = targetOf(instance);
        if (kind !== DEMO_BENCH_FAULT) return model.setFault(namespaceOf(suite), kind, on);
        // "bench" names the benchmark, whatever its suite is called.
        if (!bench || (suite !== 'bench' && !config.suites.find((s) => s.name === suite)?.benchmark)) throw new UserError(`--fault ${suite}:${kind}: use bench:${kind} (the demo's benchmark)`);
        bench.sim.faults.slowProxy = on;
      },
      ...(bench ? { benchCsv: () => bench.csv() } : {}),
      async stop() {
        await stopAll();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await stopAll();
    await rm(dir, { recursive: true, force: true });
    // A Ctrl-C reaches a server forked that instant, before it left the demo's process group,
    // so the server dies of the same SIGINT and its start fails: that is the interruption too.
    // (Checked after stopAll, whose awaits let the demo's own SIGINT handler run.)
    if (options.signal?.aborted) throw new DemoAborted();
    throw err;
  }
}

interface ClusterStart {
  scrapeIntervalS: number;
  extraJobs: Record<string, string[]>;
  cleanups: Array<() => Promise<unknown> | unknown>;
  checkAborted: () => void;
}

/** One simulated cluster: the fake Kubernetes API, the Istio metrics target reading it, and its Prometheus. */
async function startCluster(name: string, o: ClusterStart): Promise<DemoCluster> {
  const kube = await startFakeKubeApi({ rolloutStepMs: 300 });
  o.cleanups.push(() => kube.stop());
  // cert-manager's CRDs, so a suite with a Certificate (sds-certmanager) applies and the
  // simulated mesh exports cert-manager's metrics for it.
  for (const t of CERT_MANAGER_TYPES) kube.store.catalogue.add(t);
  o.checkAborted();
  const target: MetricsTarget = await startMetricsTarget({ view: kubeClusterView(kube.kubeconfigPath), certificates: kubeCertificatesView(kube.kubeconfigPath) });
  o.cleanups.push(() => target.stop());
  o.checkAborted();
  const prom: RunningPrometheus = await startPrometheus({ scrapeIntervalS: o.scrapeIntervalS, scrapeJobs: { istio: [target.hostPort], ...o.extraJobs } });
  o.cleanups.push(() => prom.stop());
  o.checkAborted();
  return { name, kube, target, prom };
}

/**
 * Bounded: with Redis unusable `scheduled` would wait for as long as the daemon retries,
 * and the demo would hang without a word.
 */
async function waitScheduled(daemon: Daemon, timeoutMs: number, redisUrl: string, signal: AbortSignal | undefined): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const outcome = await Promise.race([
    daemon.scheduled.then(() => 'scheduled' as const),
    new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    }),
    new Promise<'aborted'>((resolve) => {
      onAbort = () => resolve('aborted');
      if (signal?.aborted) resolve('aborted');
      else signal?.addEventListener('abort', onAbort, { once: true });
    }),
  ]);
  clearTimeout(timer);
  if (onAbort) signal?.removeEventListener('abort', onAbort);
  if (outcome === 'aborted') throw new DemoAborted();
  if (outcome === 'timeout') {
    throw new Fault('redis', `the daemon could not install its job schedulers at ${redisUrl} within ${Math.round(timeoutMs / 1000)} s`);
  }
}

/** `SUITE:KIND` from the command line, checked against the known fault kinds. */
export function parseFault(text: string): { suite: string; kind: DemoFaultKind } {
  const m = /^((?:[a-z0-9][a-z0-9_-]*\/)?[a-z0-9][a-z0-9_-]*):([a-z0-9-]+)$/.exec(text);
  const kinds: string[] = [...FAULT_KINDS, DEMO_BENCH_FAULT];
  if (!m || !kinds.includes(m[2] as string)) {
    throw new UserError(`--fault: "${text}" is not SUITE:KIND; KIND is one of ${kinds.join(', ')}`);
  }
  return { suite: m[1] as string, kind: m[2] as DemoFaultKind };
}
