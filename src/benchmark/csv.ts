// Benchmark results as CSV with the original's column names (fortio.py's row, then
// prom.py's per-component columns cpu_mili_avg_<component>, cpu_mili_max_…, mem_Mi_avg_…,
// mem_Mi_max_…), followed by mesh-soak's own columns (run, Istio version, matrix point,
// istio_request_duration percentiles in ms). Latencies min…p999 and avg are µs, as in
// fortio.py. RFC 4180 quoting; empty cell for a value that was not measured.

import type { BenchResult } from './model.js';

export const LATENCY_COLUMNS = [
  'Labels', 'StartTime', 'RequestedQPS', 'ActualQPS', 'NumThreads', 'RunType', 'ActualDuration',
  'min', 'max', 'p50', 'p75', 'p90', 'p99', 'p999', 'errorPercent', 'Payload',
] as const;

export const EXTRA_COLUMNS = ['avg', 'run_id', 'istio_version', 'mode', 'conn', 'qps', 'payload_bytes', 'istio_p50_ms', 'istio_p90_ms', 'istio_p99_ms'] as const;

const STATS = [
  ['cpu_mili_avg', 'cpuMilliAvg'],
  ['cpu_mili_max', 'cpuMilliMax'],
  ['mem_Mi_avg', 'memMiAvg'],
  ['mem_Mi_max', 'memMiMax'],
] as const;

function cell(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : v;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Component names in first-seen order over all results, so every row has the same columns. */
function componentNames(results: BenchResult[]): string[] {
  const names = new Set<string>();
  for (const r of results) for (const c of r.resources) names.add(c.component);
  return [...names];
}

export function csvHeader(components: string[]): string[] {
  const resource = components.flatMap((c) => STATS.map(([prefix]) => `${prefix}_${c}`));
  return [...LATENCY_COLUMNS, ...resource, ...EXTRA_COLUMNS];
}

function row(r: BenchResult, components: string[]): string[] {
  const byName = new Map(r.resources.map((c) => [c.component, c]));
  const latency = LATENCY_COLUMNS.map((k) => cell(r.latency[k]));
  const resource = components.flatMap((name) => STATS.map(([, field]) => cell(byName.get(name)?.[field])));
  const extra = [
    r.latency.avg, r.runId, r.istioVersion, r.point.mode, r.point.connections, String(r.point.qps), r.point.payloadBytes,
    r.meshLatencyMs.p50, r.meshLatencyMs.p90, r.meshLatencyMs.p99,
  ].map(cell);
  return [...latency, ...resource, ...extra];
}

export function toCsv(results: BenchResult[]): string {
  const components = componentNames(results);
  const lines = [csvHeader(components).map(cell).join(','), ...results.map((r) => row(r, components).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}
