// CPU and memory per component over one point's load window, as perf/benchmark's prom.py
// read them: Prometheus query_range (step 15 s by default) over the window minus the
// warm-up at the start and the cool-down at the end (defaults 62 s and 30 s), CPU in
// millicores from rate(container_cpu_usage_seconds_total[1m]) × 1000, memory in MiB from
// container_memory_usage_bytes ÷ 2^20; plus istio_request_duration_milliseconds p50/p90/
// p99 at the server for comparison. The queries and the arithmetic are pure; the range
// queries go through the RangeQuery port (src/adapters/prometheus/range-query.ts).

import type { ComponentUsage } from './model.js';

export interface RangeSeries {
  labels: Record<string, string>;
  /** [epoch ms, value] pairs; NaN kept as NaN. */
  points: Array<[number, number]>;
}

export interface RangeQuery {
  queryRange(expr: string, range: { startMs: number; endMs: number; stepMs: number }, signal?: AbortSignal): Promise<RangeSeries[]>;
}

/** One container measured: the pods (by a name regex) of a namespace, and a container name. */
export interface Component {
  /** Column suffix, as the original's: istio_proxy_fortioserver, discovery, ... */
  name: string;
  namespace: string;
  podRegex: string;
  container: string;
}

/** The components the original measured, for the suite's namespace and the control plane's. */
export function defaultComponents(namespace: string, istioNamespace = 'istio-system'): Component[] {
  const c = (name: string, ns: string, pod: string, container: string): Component => ({ name, namespace: ns, podRegex: `${pod}-.*`, container });
  return [
    c('istio_proxy_fortioclient', namespace, 'fortioclient', 'istio-proxy'),
    c('istio_proxy_fortioserver', namespace, 'fortioserver', 'istio-proxy'),
    c('istio_proxy_istio-ingressgateway', istioNamespace, 'istio-ingressgateway', 'istio-proxy'),
    c('discovery', istioNamespace, 'istiod', 'discovery'),
    c('captured_fortioclient', namespace, 'fortioclient', 'captured'),
    c('captured_fortioserver', namespace, 'fortioserver', 'captured'),
    c('uncaptured_fortioclient', namespace, 'fortioclient', 'uncaptured'),
    c('uncaptured_fortioserver', namespace, 'fortioserver', 'uncaptured'),
  ];
}

export type MeasuredWindow = { kind: 'window'; startMs: number; endMs: number } | { kind: 'too-short'; reason: string };

/** The load window minus warm-up and cool-down; too short when nothing is left. */
export function measuredWindow(run: { startedAt: number; endedAt: number }, cut: { warmupMs: number; cooldownMs: number }): MeasuredWindow {
  const startMs = run.startedAt + cut.warmupMs;
  const endMs = run.endedAt - cut.cooldownMs;
  if (endMs <= startMs) {
    const lengthS = (run.endedAt - run.startedAt) / 1000;
    return { kind: 'too-short', reason: `the run lasted ${lengthS} s, not more than warm-up + cool-down (${(cut.warmupMs + cut.cooldownMs) / 1000} s)` };
  }
  return { kind: 'window', startMs, endMs };
}

function selector(c: Component): string {
  return `namespace="${c.namespace}",pod=~"${c.podRegex}",container="${c.container}"`;
}

export function cpuQuery(c: Component): string {
  return `sum(rate(container_cpu_usage_seconds_total{${selector(c)}}[1m])) * 1000`;
}

export function memoryQuery(c: Component): string {
  return `sum(container_memory_usage_bytes{${selector(c)}}) / 1048576`;
}

export function meshLatencyQuery(namespace: string, quantile: number): string {
  return `histogram_quantile(${quantile}, sum by (le) (rate(istio_request_duration_milliseconds_bucket{reporter="destination",destination_workload="fortioserver",destination_workload_namespace="${namespace}"}[1m])))`;
}

/** Average and maximum of every finite point of every series; nulls when there is none. */
export function avgMax(series: RangeSeries[]): { avg: number | null; max: number | null } {
  let sum = 0;
  let n = 0;
  let max = -Infinity;
  for (const s of series) {
    for (const [, v] of s.points) {
      if (!Number.isFinite(v)) continue;
      sum += v;
      n += 1;
      if (v > max) max = v;
    }
  }
  return n === 0 ? { avg: null, max: null } : { avg: sum / n, max };
}

export interface ResourceReading {
  resources: ComponentUsage[];
  meshLatencyMs: { p50: number | null; p90: number | null; p99: number | null };
}

/** Every component's CPU and memory, and the mesh percentiles, over the window (queries at once). */
export async function readResources(
  prom: RangeQuery,
  window: { startMs: number; endMs: number; stepMs: number },
  components: Component[],
  namespace: string,
  signal?: AbortSignal,
): Promise<ResourceReading> {
  const q = (expr: string): Promise<RangeSeries[]> => prom.queryRange(expr, window, signal);
  const usage = components.map(async (c): Promise<ComponentUsage> => {
    const [cpu, mem] = await Promise.all([q(cpuQuery(c)), q(memoryQuery(c))]);
    const a = avgMax(cpu);
    const b = avgMax(mem);
    return { component: c.name, cpuMilliAvg: a.avg, cpuMilliMax: a.max, memMiAvg: b.avg, memMiMax: b.max };
  });
  const mesh = [0.5, 0.9, 0.99].map(async (quantile) => avgMax(await q(meshLatencyQuery(namespace, quantile))).avg);
  const [resources, [p50, p90, p99]] = await Promise.all([Promise.all(usage), Promise.all(mesh)]);
  return { resources, meshLatencyMs: { p50: p50 ?? null, p90: p90 ?? null, p99: p99 ?? null } };
}
