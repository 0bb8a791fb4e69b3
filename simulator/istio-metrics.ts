// A model of the series a real mesh gives Prometheus (Istio's request metrics, cAdvisor's
// sidecar usage, kube-state-metrics' deployment and restart counts, istiod's XDS counters),
// driven by the state of the (simulated) cluster so that disruptions show up the way they
// would in a mesh: a rollout without graceful drain cuts requests (5xx), a gateway that
// turns ready while pilot is down drops the client's connections (restarts, 5xx).
//
// Healthy by default; faults are switched on per namespace so a demo or test can make a
// check fail on purpose and watch the alert arrive. Pure: time comes in through update().

export interface DeploymentView {
  namespace: string;
  name: string;
  replicas: number;
  available: number;
  /** A rollout is in progress (generation not observed yet, or not every replica updated). */
  rolling: boolean;
  pods: string[];
}

/**
 * - `5xx`: the namespace's first server answers 1 request/s with 503.
 * - `no-drain`: sidecars do not drain, so requests in flight during a rollout fail.
 * - `early-ready`: a gateway restarted while its pilot is down turns ready unconfigured.
 * - `cpu`, `memory`: the namespace's sidecars use 80 millicores / 100 MiB.
 * - `xds-rejects`: istiod's config is rejected by proxies (mesh-wide counter grows).
 */
export const FAULT_KINDS = ['5xx', 'no-drain', 'early-ready', 'cpu', 'memory', 'xds-rejects'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

type Labels = Record<string, string>;

interface Family {
  type: 'counter' | 'gauge';
  help: string;
  series: Map<string, { labels: Labels; value: number }>;
}

const MIB = 1024 * 1024;

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

  /** Advances every counter by the time since the previous update and sets the gauges. */
  update(deployments: DeploymentView[], nowMs: number): void {
    const dt = this.lastMs === null ? 0 : Math.max(0, (nowMs - this.lastMs) / 1000);
    this.lastMs = nowMs;
    this.resetGauges();

    const byNamespace = new Map<string, DeploymentView[]>();
    for (const d of deployments) byNamespace.set(d.namespace, [...(byNamespace.get(d.namespace) ?? []), d]);

    for (const [ns, list] of byNamespace) {
      for (const d of list) this.kubeState(d);
      if (ns === 'istio-system') this.controlPlane(list, dt);
      else this.dataPlane(ns, list, dt);
    }
    // istiod's XDS counters exist even when the simulated cluster has no istio-system.
    this.add('pilot_total_xds_rejects', 'counter', 'Total rejected XDS responses from proxies.', {}, this.has('istio-system', 'xds-rejects') ? 0.5 * dt : 0);
  }

  private kubeState(d: DeploymentView): void {
    const l = { namespace: d.namespace, deployment: d.name };
    this.set('kube_deployment_status_replicas', 'Number of replicas per deployment.', l, d.replicas);
    this.set('kube_deployment_status_replicas_available', 'Available replicas per deployment.', l, d.available);
  }

  private controlPlane(list: DeploymentView[], dt: number): void {
    for (const d of list.filter((x) => isPilot(x.name))) {
      // A rolling istiod re-pushes configuration to every proxy.
      this.add('pilot_xds_pushes', 'counter', 'Pilot XDS pushes by type.', { type: 'cds' }, (d.rolling ? 5 : 0.2) * dt);
      this.add('pilot_xds_push_errors', 'counter', 'Pilot XDS push errors.', {}, 0);
    }
    for (const d of list) this.sidecars(d, dt);
  }

  private dataPlane(ns: string, list: DeploymentView[], dt: number): void {
    const pilot = list.find((d) => isPilot(d.name));
    const pilotDown = pilot !== undefined && pilot.available === 0;
    const clients = list.filter((d) => isClient(d.name));
    const servers = list.filter((d) => !isClient(d.name) && !isPilot(d.name) && !isGateway(d.name));
    const gateway = list.find((d) => isGateway(d.name));
    const clientName = clients[0]?.name ?? 'fortio-client';

    servers.forEach((server, i) => {
      const serving = server.available > 0;
      const ok = serving ? this.qps : 0;
      let failed = serving ? 0 : this.qps;
      if (i === 0 && this.has(ns, '5xx')) failed += 1;
      if (server.rolling && this.has(ns, 'no-drain')) failed += 2;
      const viaGateway = gateway !== undefined;
      const source = viaGateway ? gateway.name : clientName;
      this.requests(ns, server.name, source, '200', ok * dt);
      this.requests(ns, server.name, source, '503', failed * dt);
    });

    if (gateway) {
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
    for (const c of clients) {
      for (const pod of c.pods) {
        this.add('kube_pod_container_status_restarts_total', 'counter', 'Container restarts.', { namespace: ns, pod, container: c.name }, 0);
      }
    }
    for (const d of list) this.sidecars(d, dt);
  }

  private requests(ns: string, destination: string, source: string, code: string, n: number): void {
    const common = {
      destination_service_namespace: ns,
      destination_service_name: destination,
      destination_workload: destination,
      source_workload: source,
      source_workload_namespace: ns,
      response_code: code,
    };
    this.add('istio_requests_total', 'counter', 'Requests seen by Envoy.', { ...common, reporter: 'destination' }, n);
    this.add('istio_requests_total', 'counter', 'Requests seen by Envoy.', { ...common, reporter: 'source' }, n);
  }

  private sidecars(d: DeploymentView, dt: number): void {
    const cores = this.has(d.namespace, 'cpu') ? 0.08 : 0.012;
    const bytes = (this.has(d.namespace, 'memory') ? 100 : 40) * MIB;
    for (const pod of d.pods) {
      const l = { namespace: d.namespace, pod, container: 'istio-proxy' };
      this.add('container_cpu_usage_seconds_total', 'counter', 'Cumulative CPU time consumed.', l, cores * dt);
      this.set('container_memory_working_set_bytes', 'Current working set.', l, bytes);
    }
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
    for (const [name, f] of [...this.families].sort(([a], [b]) => a.localeCompare(b))) {
      if (f.series.size === 0) continue;
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
