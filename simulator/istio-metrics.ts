// A model of the series a real mesh gives Prometheus (Istio's request metrics, cAdvisor's
// sidecar usage, kube-state-metrics' deployment and restart counts, istiod's XDS counters),
// driven by the state of the (simulated) cluster so that disruptions show up the way they
// would in a mesh: a rollout without graceful drain cuts requests (5xx), a gateway that
// turns ready while pilot is down drops the client's connections (restarts, 5xx).
//
// Healthy by default; faults are switched on per namespace so a demo or test can make a
// check fail on purpose and watch the alert arrive. Pure: time comes in through update().

import { CERT_FAULTS, CertManagerModel, type CertificateView } from './certmanager-metrics.js';

export interface ContainerView {
  name: string;
  /** The image, e.g. docker.io/istio/pilot:1.24.0 (istio_build's tag comes from istiod's). */
  image?: string;
  /** command and args, in order. */
  argv: string[];
  env: Record<string, string>;
}

export interface DeploymentView {
  namespace: string;
  name: string;
  replicas: number;
  available: number;
  /** A rollout is in progress (generation not observed yet, or not every replica updated). */
  rolling: boolean;
  pods: string[];
  /** The pod template's containers (what the HTTP/1.0 model reads: the client's argv, istiod's env). */
  containers?: ContainerView[];
}

/**
 * - `5xx`: the namespace's first server answers 1 request/s with 503.
 * - `no-drain`: sidecars do not drain, so requests in flight during a rollout fail.
 * - `early-ready`: a gateway restarted while its pilot is down turns ready unconfigured.
 * - `cpu`, `memory`: the namespace's sidecars use 80 millicores / 100 MiB.
 * - `xds-rejects`: istiod's config is rejected by proxies (mesh-wide counter grows).
 */
/**
 * Mesh-wide faults (set on `istio-system`, i.e. the release-qualification or istio-upgrader
 * suite), one per release-qualification check:
 * - `5xx` (on istio-system): every server also answers 10 requests/s with 503;
 * - `no-ingress`: the ingress gateway in istio-system sends nothing; `ingress-errors`: its
 *   requests are answered 503; `ingress-latency`: they take 400 ms; `latency` (any
 *   namespace, or istio-system for all): workloads answer in 200 ms;
 * - `no-istio-metrics`: istio_requests_total and the duration buckets vanish;
 * - `proxy-cpu`, `proxy-memory`: the namespace's sidecars (istio-system: the gateway's) use
 *   1.5 cores / 95 % of their 1 GiB limit; `ingress-memory-growth`: the gateway's proxy grows
 *   20 kB/s; `istiod-cpu`, `istiod-memory`, `istiod-memory-growth`: the same for istiod's
 *   discovery container (2 GiB limit);
 * - `xds-push-errors`: pilot_xds_pushes{type="cds_senderr"} grows 1/s (pushes 0.2/s);
 * - `istiod-not-ready`, `istiod-unavailable`: kube-state-metrics says so of istiod.
 * HTTP/1.0 (http10): a client sending HTTP/1.0 (curl --http1.0, fortio -http1.0) is refused
 * by its own sidecar with 426 unless istiod runs with PILOT_HTTP10=1, and with 400 when it
 * sends no Host header (Fortio's fast client does not); `no-host` and `no-pilot-http10`
 * force those on a namespace. Both show at reporter="source" only: the server sees nothing.
 * cert-manager (sds-certmanager): `cert-not-ready`, `cert-expiring`, `cert-expired` act on the
 * namespace's Certificates (certmanager-metrics.ts); with `cert-expired` the namespace's
 * gateway fails every TLS handshake, so no request passes it.
 */
export const FAULT_KINDS = [
  '5xx',
  'no-drain',
  'early-ready',
  'cpu',
  'memory',
  'xds-rejects',
  'no-ingress',
  'ingress-errors',
  'ingress-latency',
  'latency',
  'no-istio-metrics',
  'proxy-cpu',
  'proxy-memory',
  'ingress-memory-growth',
  'istiod-cpu',
  'istiod-memory',
  'istiod-memory-growth',
  'xds-push-errors',
  'istiod-not-ready',
  'istiod-unavailable',
  'no-host',
  'no-pilot-http10',
  ...CERT_FAULTS,
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

type Labels = Record<string, string>;

interface Family {
  type: 'counter' | 'gauge';
  help: string;
  series: Map<string, { labels: Labels; value: number }>;
}

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
const MESH = 'istio-system';
/** Upper bounds (ms) of istio_request_duration_milliseconds' buckets, as Istio's defaults. */
const BUCKETS = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000];
const PROXY_LIMIT = GIB;
const ISTIOD_LIMIT = 2 * GIB;
/** Requests/s the istio-system ingress gateway sends into the mesh. */
const INGRESS_QPS = 20;
/** The namespace label of the ingress gateway's destination (load outside the suites). */
export const INGRESS_LOAD_NAMESPACE = 'istio-load';

/** How an HTTP/1.0 client's requests fare, from its argv and istiod's PILOT_HTTP10. */
function http10Answer(argv: string[], pilotHttp10: boolean, noHost: boolean): '200' | '400' | '426' | null {
  const http10 = argv.some((a) => a === '--http1.0' || a === '-http1.0' || a.includes('--http1.0'));
  if (!http10) return null;
  if (!pilotHttp10) return '426';
  // curl always sends Host; Fortio's -http1.0 fast client only with an explicit -H Host:.
  const host = argv.some((a) => a.includes('curl')) || argv.some((a) => /^host:/i.test(a.trim()));
  return host && !noHost ? '200' : '400';
}

function isClient(name: string): boolean {
  return name.includes('client');
}
function isPilot(name: string): boolean {
  return name === 'istiod' || name.startsWith('istiod-') || name.includes('pilot');
}
function isGateway(name: string): boolean {
  return name.includes('gateway');
}

function labelKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(',');
}

export class IstioMetricsModel {
  private readonly families = new Map<string, Family>();
  private readonly faults = new Map<string, Set<FaultKind>>();
  private lastMs: number | null = null;
  private readonly gatewayRestartDebt = new Map<string, number>();
  /** Namespaces whose gateway was restarted during the current pilot outage. */
  private readonly unconfiguredGateway = new Set<string>();
  /** Requests/s each server receives from its clients. */
  private readonly qps: number;

  constructor(options: { qps?: number } = {}) {
    this.qps = options.qps ?? 10;
  }

  private readonly certs = new CertManagerModel();

  /** cert-manager's metrics for the cluster's Certificates; after update(), which resets the gauges. */
  updateCertificates(certs: CertificateView[], nowMs: number): void {
    for (const s of this.certs.update(certs, nowMs, (ns, kind) => this.has(ns, kind))) this.set(s.name, s.help, s.labels, s.value);
  }

  setFault(namespace: string, kind: FaultKind, on: boolean): void {
    const set = this.faults.get(namespace) ?? new Set<FaultKind>();
    if (on) set.add(kind);
    else set.delete(kind);
    this.faults.set(namespace, set);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  activeFaults(): Array<{ namespace: string; kind: FaultKind }> {
    return [...this.faults].flatMap(([namespace, kinds]) => [...kinds].map((kind) => ({ namespace, kind })));
  }

  private has(namespace: string, kind: FaultKind): boolean {
    return this.faults.get(namespace)?.has(kind) ?? false;
  }

  /** A fault set on the namespace itself or, mesh-wide, on istio-system. */
  private hasHere(namespace: string, kind: FaultKind): boolean {
    return this.has(namespace, kind) || this.has(MESH, kind);
  }

  /** Advances every counter by the time since the previous update and sets the gauges. */
  update(deployments: DeploymentView[], nowMs: number): void {
    const dt = this.lastMs === null ? 0 : Math.max(0, (nowMs - this.lastMs) / 1000);
    this.lastMs = nowMs;
    this.resetGauges();

    const byNamespace = new Map<string, DeploymentView[]>();
    for (const d of deployments) byNamespace.set(d.namespace, [...(byNamespace.get(d.namespace) ?? []), d]);
    const istiod = byNamespace.get(MESH)?.find((d) => isPilot(d.name));
    const pilotEnv = Object.assign({}, ...(istiod?.containers ?? []).map((c) => c.env)) as Record<string, string>;
    this.pilotHttp10 = ['1', 'true'].includes((pilotEnv['PILOT_HTTP10'] ?? '').toLowerCase());

    for (const [ns, list] of byNamespace) {
      for (const d of list) this.kubeState(d);
      if (ns === MESH) this.controlPlane(list, dt);
      else this.dataPlane(ns, list, dt);
    }
    // istiod's XDS counters exist even when the simulated cluster has no istio-system.
    this.add('pilot_total_xds_rejects', 'counter', 'Total rejected XDS responses from proxies.', {}, this.has(MESH, 'xds-rejects') ? 0.5 * dt : 0);
  }

  private pilotHttp10 = false;
  /** Servers (namespace/name) that have had an available replica since the model started. */
  private readonly everServed = new Set<string>();
  /** Bytes each pod's container has grown under a memory-growth fault (kept when it ends). */
  private readonly grown = new Map<string, number>();

  private kubeState(d: DeploymentView): void {
    const l = { namespace: d.namespace, deployment: d.name };
    const meshPilot = d.namespace === MESH && isPilot(d.name);
    const unavailable = meshPilot && this.has(MESH, 'istiod-unavailable') ? Math.max(1, d.replicas - d.available) : Math.max(0, d.replicas - d.available);
    this.set('kube_deployment_status_replicas', 'Number of replicas per deployment.', l, d.replicas);
    this.set('kube_deployment_status_replicas_available', 'Available replicas per deployment.', l, d.available);
    this.set('kube_deployment_status_replicas_unavailable', 'Unavailable replicas per deployment.', l, unavailable);
    if (isPilot(d.name)) {
      const ready = meshPilot && this.has(MESH, 'istiod-not-ready') ? 0 : 1;
      for (const pod of d.pods) {
        this.set('kube_pod_container_status_ready', 'Whether the container passes its readiness probe.', { namespace: d.namespace, pod, container: 'discovery' }, ready);
      }
    }
  }

  private controlPlane(list: DeploymentView[], dt: number): void {
    for (const d of list.filter((x) => isPilot(x.name))) {
      // A rolling istiod re-pushes configuration to every proxy.
      this.add('pilot_xds_pushes', 'counter', 'Pilot XDS pushes by type.', { type: 'cds' }, (d.rolling ? 5 : 0.2) * dt);
      this.add('pilot_xds_pushes', 'counter', 'Pilot XDS pushes by type.', { type: 'cds_senderr' }, this.has(MESH, 'xds-push-errors') ? dt : 0);
      this.add('pilot_xds_push_errors', 'counter', 'Pilot XDS push errors.', {}, this.has(MESH, 'xds-push-errors') ? dt : 0);
      // Istio's build info, one series per running istiod pod, tagged with its image's tag.
      const tag = /:([^:/@]+)$/.exec(d.containers?.find((c) => c.image?.includes('pilot'))?.image ?? '')?.[1];
      if (tag) for (const pod of d.pods) this.set('istio_build', 'Istio component build info.', { component: 'pilot', tag, pod }, 1);
    }
    const gateway = list.find((d) => isGateway(d.name));
    if (gateway) this.ingress(gateway, dt);
    for (const d of list) this.sidecars(d, dt);
  }

  /** The mesh's ingress gateway sends INGRESS_QPS into the load namespace. */
  private ingress(gateway: DeploymentView, dt: number): void {
    const sending = gateway.available > 0 && !this.has(MESH, 'no-ingress');
    const n = sending ? INGRESS_QPS * dt : 0;
    const errors = this.has(MESH, 'ingress-errors');
    const common = {
      source_workload: gateway.name,
      source_workload_namespace: MESH,
      destination_service_namespace: INGRESS_LOAD_NAMESPACE,
      destination_service_name: 'load',
      destination_workload: 'load',
      destination_workload_namespace: INGRESS_LOAD_NAMESPACE,
    };
    for (const reporter of ['source', 'destination']) {
      this.add('istio_requests_total', 'counter', 'Requests seen by Envoy.', { ...common, reporter, response_code: '200' }, errors ? 0 : n);
      this.add('istio_requests_total', 'counter', 'Requests seen by Envoy.', { ...common, reporter, response_code: '503' }, errors ? n : 0);
    }
    const ms = this.has(MESH, 'ingress-latency') ? 400 : 5;
    this.durations({ ...common, reporter: 'source' }, ms, n);
  }

  private dataPlane(ns: string, list: DeploymentView[], dt: number): void {
    const pilot = list.find((d) => isPilot(d.name));
    const pilotDown = pilot !== undefined && pilot.available === 0;
    const clients = list.filter((d) => isClient(d.name));
    const servers = list.filter((d) => !isClient(d.name) && !isPilot(d.name) && !isGateway(d.name));
    const gateway = list.find((d) => isGateway(d.name));
    const clientName = clients[0]?.name ?? 'fortio-client';
    const refusal = this.http10Refusal(ns, clients);

    servers.forEach((server, i) => {
      const serving = server.available > 0;
      // A server still starting (never available yet, e.g. right after the suite is applied,
      // while the stand-in's pods pass readiness) has no traffic yet; one that lost its last
      // available pod fails its clients' requests.
      const key = `${ns}/${server.name}`;
      if (serving) this.everServed.add(key);
      const starting = !serving && !this.everServed.has(key);
      const viaGateway = gateway !== undefined;
      const source = viaGateway ? gateway.name : clientName;
      if (refusal !== null) {
        // The client's own sidecar answers; the server never sees a request.
        this.requests(ns, server.name, source, '200', 0);
        this.refused(ns, source, refusal, this.qps * dt);
        return;
      }
      // A gateway serving an expired certificate: the client's handshakes fail, no request passes.
      const tlsBroken = viaGateway && this.has(ns, 'cert-expired');
      const ok = serving && !tlsBroken ? this.qps : 0;
      let failed = serving || starting || tlsBroken ? 0 : this.qps;
      if (i === 0 && this.has(ns, '5xx')) failed += 1;
      if (this.has(MESH, '5xx')) failed += this.qps;
      if (server.rolling && this.has(ns, 'no-drain')) failed += 2;
      this.requests(ns, server.name, source, '200', ok * dt);
      this.requests(ns, server.name, source, '503', failed * dt);
    });

    if (gateway) this.bouncerGateway(ns, gateway, clients, pilotDown, dt);
    for (const c of clients) {
      for (const pod of c.pods) {
        this.add('kube_pod_container_status_restarts_total', 'counter', 'Container restarts.', { namespace: ns, pod, container: c.name }, 0);
      }
    }
    for (const d of list) this.sidecars(d, dt);
  }

  /** 426/400 when the namespace's client speaks HTTP/1.0 and the mesh refuses it; else null. */
  private http10Refusal(ns: string, clients: DeploymentView[]): '400' | '426' | null {
    for (const c of clients) {
      for (const container of c.containers ?? []) {
        const answer = http10Answer(container.argv, this.pilotHttp10 && !this.has(ns, 'no-pilot-http10'), this.has(ns, 'no-host'));
        if (answer === '400' || answer === '426') return answer;
      }
    }
    return null;
  }

  /** A request the client's sidecar answered itself: reporter="source", no destination. */
  private refused(ns: string, source: string, code: string, n: number): void {
    const l = {
      reporter: 'source',
      source_workload: source,
      source_workload_namespace: ns,
      destination_service_namespace: 'unknown',
      destination_service_name: 'unknown',
      destination_workload: 'unknown',
      response_code: code,
    };
    this.add('istio_requests_total', 'counter', 'Requests seen by Envoy.', l, n);
  }

  private bouncerGateway(ns: string, gateway: DeploymentView, clients: DeploymentView[], pilotDown: boolean, dt: number): void {
    // A gateway pod started while pilot is down serves unconfigured for the whole outage.
    if (!pilotDown) this.unconfiguredGateway.delete(ns);
    else if (gateway.rolling) this.unconfiguredGateway.add(ns);
    const earlyReady = this.unconfiguredGateway.has(ns) && this.has(ns, 'early-ready');
    // The client's first connection error comes at once, then one every 5 s.
    if (earlyReady && !this.gatewayRestartDebt.has(ns)) this.gatewayRestartDebt.set(ns, 1);
    if (!earlyReady) this.gatewayRestartDebt.delete(ns);
    const gw = { reporter: 'source', source_workload: gateway.name, source_workload_namespace: ns };
    this.add('istio_requests_total', 'counter', 'Requests seen by Envoy.', { ...gw, response_code: '503', destination_service_namespace: ns }, earlyReady ? 5 * dt : 0);
    // The Fortio client exits on a connection error and kubelet restarts it.
    const debt = (this.gatewayRestartDebt.get(ns) ?? 0) + (earlyReady ? dt / 5 : 0);
    const restarts = Math.floor(debt);
    if (earlyReady) this.gatewayRestartDebt.set(ns, debt - restarts);
    for (const c of clients) {
      for (const pod of c.pods.slice(0, 1)) {
        this.add('kube_pod_container_status_restarts_total', 'counter', 'Container restarts.', { namespace: ns, pod, container: c.name }, restarts);
      }
    }
  }

  private requests(ns: string, destination: string, source: string, code: string, n: number): void {
    const common = {
      destination_service_namespace: ns,
      destination_service_name: destination,
      destination_workload: destination,
      destination_workload_namespace: ns,
      source_workload: source,
      source_workload_namespace: ns,
      response_code: code,
    };
    this.add('istio_requests_total', 'counter', 'Requests seen by Envoy.', { ...common, reporter: 'destination' }, n);
    this.add('istio_requests_total', 'counter', 'Requests seen by Envoy.', { ...common, reporter: 'source' }, n);
    const { response_code: _code, ...noCode } = common;
    const ms = this.hasHere(ns, 'latency') ? 200 : 3;
    this.durations({ ...noCode, reporter: 'destination' }, ms, n);
  }

  /** `n` requests of `ms` each into istio_request_duration_milliseconds' buckets. */
  private durations(labels: Labels, ms: number, n: number): void {
    const name = 'istio_request_duration_milliseconds_bucket';
    for (const le of BUCKETS) this.add(name, 'counter', 'Request durations (ms), cumulative buckets.', { ...labels, le: String(le) }, le >= ms ? n : 0);
    this.add(name, 'counter', 'Request durations (ms), cumulative buckets.', { ...labels, le: '+Inf' }, n);
  }

  private sidecars(d: DeploymentView, dt: number): void {
    if (isPilot(d.name)) {
      this.discovery(d, dt);
      return;
    }
    const ns = d.namespace;
    const gatewayHere = ns !== MESH || isGateway(d.name);
    const cores = this.has(ns, 'proxy-cpu') && gatewayHere ? 1.5 : this.has(ns, 'cpu') ? 0.08 : 0.012;
    const base = this.has(ns, 'proxy-memory') && gatewayHere ? 0.95 * PROXY_LIMIT : (this.has(ns, 'memory') ? 100 : 40) * MIB;
    const growing = ns === MESH && isGateway(d.name) && this.has(MESH, 'ingress-memory-growth');
    for (const pod of d.pods) {
      const l = { namespace: ns, pod, container: 'istio-proxy' };
      this.add('container_cpu_usage_seconds_total', 'counter', 'Cumulative CPU time consumed.', l, cores * dt);
      this.set('container_memory_working_set_bytes', 'Current working set.', l, base + this.grow(`${ns}/${pod}/istio-proxy`, growing, dt));
      this.set('container_spec_memory_limit_bytes', 'Memory limit of the container.', l, PROXY_LIMIT);
    }
  }

  /** istiod has no sidecar: its container is `discovery`. */
  private discovery(d: DeploymentView, dt: number): void {
    const mesh = d.namespace === MESH;
    const cores = mesh && this.has(MESH, 'istiod-cpu') ? 1.5 : 0.05;
    const base = mesh && this.has(MESH, 'istiod-memory') ? 0.95 * ISTIOD_LIMIT : 200 * MIB;
    const growing = mesh && this.has(MESH, 'istiod-memory-growth');
    for (const pod of d.pods) {
      const l = { namespace: d.namespace, pod, container: 'discovery' };
      this.add('container_cpu_usage_seconds_total', 'counter', 'Cumulative CPU time consumed.', l, cores * dt);
      this.set('container_memory_working_set_bytes', 'Current working set.', l, base + this.grow(`${d.namespace}/${pod}/discovery`, growing, dt));
      this.set('container_spec_memory_limit_bytes', 'Memory limit of the container.', l, ISTIOD_LIMIT);
    }
  }

  /** The container's growth so far: +20 kB/s while `growing`, kept (flat) afterwards. */
  private grow(key: string, growing: boolean, dt: number): number {
    const bytes = (this.grown.get(key) ?? 0) + (growing ? 20_000 * dt : 0);
    this.grown.set(key, bytes);
    return bytes;
  }

  private family(name: string, type: Family['type'], help: string): Family {
    let f = this.families.get(name);
    if (!f) {
      f = { type, help, series: new Map() };
      this.families.set(name, f);
    }
    return f;
  }

  private add(name: string, type: 'counter', help: string, labels: Labels, delta: number): void {
    const f = this.family(name, type, help);
    const key = labelKey(labels);
    const s = f.series.get(key);
    if (s) s.value += delta;
    else f.series.set(key, { labels, value: delta });
  }

  private set(name: string, help: string, labels: Labels, value: number): void {
    this.family(name, 'gauge', help).series.set(labelKey(labels), { labels, value });
  }

  /** Gauges describe the present: series of deleted deployments and pods must vanish. */
  private resetGauges(): void {
    for (const f of this.families.values()) if (f.type === 'gauge') f.series.clear();
  }

  /** Prometheus text exposition format 0.0.4. */
  render(): string {
    const out: string[] = [];
    const hidden = this.has(MESH, 'no-istio-metrics') ? new Set(['istio_requests_total', 'istio_request_duration_milliseconds_bucket']) : new Set<string>();
    for (const [name, f] of [...this.families].sort(([a], [b]) => a.localeCompare(b))) {
      if (f.series.size === 0 || hidden.has(name)) continue;
      out.push(`# HELP ${name} ${f.help}`, `# TYPE ${name} ${f.type}`);
      for (const { labels, value } of f.series.values()) {
        const l = Object.entries(labels)
          .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
          .join(',');
        out.push(`${name}${l ? `{${l}}` : ''} ${value}`);
      }
    }
    return out.join('\n') + '\n';
  }
}
