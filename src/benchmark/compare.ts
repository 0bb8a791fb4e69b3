// Comparing benchmark results: the baseline of a result (a pinned run, or the median of the
// last N results of the same matrix point under another Istio version), the regression
// findings against thresholds (p99 +10 %, CPU +15 % by default), the samples that turn
// findings into ordinary checks (one instance per point and component, value = change in
// percent, so a regression goes through the same states, metrics and alerts as any check),
// and the delta table of two runs. Pure: history and the current result are passed in.

import type { CheckSpec } from '../checks/model.js';
import type { Sample } from '../checks/types.js';
import { pointKey, type BaselinePolicy, type BenchResult, type BenchRun, type RegressionThresholds } from './model.js';

export interface Baseline {
  p99: number | null;
  cpu: Record<string, number>;
  mem: Record<string, number>;
  /** The run ids the baseline comes from. */
  from: string[];
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function finite(values: Array<number | null | undefined>): number[] {
  return values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
}

/** What a baseline needs of one stored result: small, so history reads stay cheap. */
export interface BaselineSample {
  runId: string;
  istioVersion: string;
  startedAt: number;
  /** pointKey() of the result's matrix point. */
  key: string;
  p99: number | null;
  cpu: Record<string, number>;
  mem: Record<string, number>;
}

export function sampleOf(r: BenchResult): BaselineSample {
  const cpu: Record<string, number> = {};
  const mem: Record<string, number> = {};
  for (const c of r.resources) {
    if (c.cpuMilliAvg !== null) cpu[c.component] = c.cpuMilliAvg;
    if (c.memMiAvg !== null) mem[c.component] = c.memMiAvg;
  }
  return { runId: r.runId, istioVersion: r.istioVersion, startedAt: r.startedAt, key: pointKey(r.point), p99: r.latency.p99, cpu, mem };
}

function baselineOf(samples: BaselineSample[]): Baseline | undefined {
  if (samples.length === 0) return undefined;
  const components = new Set(samples.flatMap((s) => Object.keys(s.cpu).concat(Object.keys(s.mem))));
  const cpu: Record<string, number> = {};
  const mem: Record<string, number> = {};
  for (const name of components) {
    const c = median(finite(samples.map((s) => s.cpu[name])));
    const m = median(finite(samples.map((s) => s.mem[name])));
    if (c !== null) cpu[name] = c;
    if (m !== null) mem[name] = m;
  }
  return { p99: median(finite(samples.map((s) => s.p99))), cpu, mem, from: samples.map((s) => s.runId) };
}

/**
 * The baseline of `current` under `policy`, from `history` (any order; the current run's
 * own results are never used). Undefined when nothing comparable was stored.
 */
export function selectBaseline(current: BenchResult, history: readonly BaselineSample[], policy: BaselinePolicy): Baseline | undefined {
  const key = pointKey(current.point);
  const same = history.filter((r) => r.runId !== current.runId && r.key === key);
  if (policy.kind === 'pinned') return baselineOf(same.filter((r) => r.runId === policy.runId));
  const other = same.filter((r) => r.istioVersion !== current.istioVersion).sort((a, b) => b.startedAt - a.startedAt);
  return baselineOf(other.slice(0, policy.lastN));
}

export type RegressionMetric = 'p99' | 'cpu' | 'mem';

export interface Finding {
  metric: RegressionMetric;
  /** The component for cpu/mem; absent for p99. */
  component?: string;
  baseline: number;
  value: number;
  /** (value − baseline) ÷ baseline × 100. */
  changePercent: number;
  thresholdPercent: number;
  regressed: boolean;
}

function finding(metric: RegressionMetric, baseline: number, value: number, thresholdPercent: number, component?: string): Finding | undefined {
  if (!(baseline > 0) || !Number.isFinite(value)) return undefined;
  const changePercent = ((value - baseline) / baseline) * 100;
  const f: Finding = { metric, baseline, value, changePercent, thresholdPercent, regressed: changePercent > thresholdPercent };
  if (component !== undefined) f.component = component;
  return f;
}

/** Every comparable metric of `current` against `baseline`. */
export function findRegressions(current: BenchResult, baseline: Baseline, t: RegressionThresholds): Finding[] {
  const out: Array<Finding | undefined> = [];
  if (baseline.p99 !== null && current.latency.p99 !== null) out.push(finding('p99', baseline.p99, current.latency.p99, t.p99Percent));
  for (const c of current.resources) {
    const cpuBase = baseline.cpu[c.component];
    if (cpuBase !== undefined && c.cpuMilliAvg !== null) out.push(finding('cpu', cpuBase, c.cpuMilliAvg, t.cpuPercent, c.component));
    const memBase = baseline.mem[c.component];
    if (t.memPercent !== undefined && memBase !== undefined && c.memMiAvg !== null) out.push(finding('mem', memBase, c.memMiAvg, t.memPercent, c.component));
  }
  return out.filter((f): f is Finding => f !== undefined);
}

/** The check names regressions are reported under, one per metric. */
export const REGRESSION_CHECK = { p99: 'bench-p99-regression', cpu: 'bench-cpu-regression', mem: 'bench-mem-regression' } as const;

/** The checks of a benchmark suite: a finding's change in percent fails above its threshold. */
export function regressionChecks(t: RegressionThresholds): CheckSpec[] {
  const spec = (metric: RegressionMetric, threshold: number, what: string): CheckSpec => ({
    name: REGRESSION_CHECK[metric],
    query: `mesh_soak_bench_change_percent{metric="${metric}"}`,
    fail: { op: '>', value: threshold, text: `> ${threshold}` },
    forMs: 0,
    keepFiringForMs: 0,
    noData: 'ok',
    errorLimit: 1,
    severity: 'warning',
    summary: `${what} {{value}} % over the baseline (mode {{labels.mode}}, c {{labels.connections}}, qps {{labels.qps}})`,
    labels: {},
  });
  const checks = [spec('p99', t.p99Percent, 'p99 latency'), spec('cpu', t.cpuPercent, 'CPU of {{labels.component}}')];
  if (t.memPercent !== undefined) checks.push(spec('mem', t.memPercent, 'memory of {{labels.component}}'));
  return checks;
}

/** The samples one check reads: one per (point, component) finding of its metric. */
export function regressionSamples(metric: RegressionMetric, findings: ReadonlyArray<{ result: BenchResult; findings: Finding[] }>): Sample[] {
  const samples: Sample[] = [];
  for (const { result, findings: list } of findings) {
    for (const f of list) {
      if (f.metric !== metric) continue;
      const p = result.point;
      const labels: Record<string, string> = { mode: p.mode, connections: String(p.connections), qps: String(p.qps), payload: String(p.payloadBytes) };
      if (f.component !== undefined) labels['component'] = f.component;
      samples.push({ labels, value: Math.round(f.changePercent * 100) / 100 });
    }
  }
  return samples;
}

export interface DeltaRow {
  point: string;
  metric: string;
  a: number | null;
  b: number | null;
  /** (b − a) ÷ a × 100; null when either side is missing or a is 0. */
  deltaPercent: number | null;
}

function delta(point: string, metric: string, a: number | null | undefined, b: number | null | undefined): DeltaRow {
  const x = a ?? null;
  const y = b ?? null;
  return { point, metric, a: x, b: y, deltaPercent: x !== null && y !== null && x !== 0 ? ((y - x) / x) * 100 : null };
}

/** Per common matrix point: ActualQPS, p50/p90/p99 (µs), errors and every component's CPU/memory. */
export function compareRuns(a: BenchRun, b: BenchRun): DeltaRow[] {
  const bByKey = new Map(b.results.map((r) => [pointKey(r.point), r]));
  const rows: DeltaRow[] = [];
  for (const ra of a.results) {
    const key = pointKey(ra.point);
    const rb = bByKey.get(key);
    if (!rb) continue;
    for (const m of ['ActualQPS', 'p50', 'p90', 'p99', 'errorPercent'] as const) rows.push(delta(key, `${m}${m.startsWith('p') ? '_us' : ''}`, ra.latency[m], rb.latency[m]));
    for (const ca of ra.resources) {
      const cb = rb.resources.find((c) => c.component === ca.component);
      rows.push(delta(key, `cpu_mili_avg_${ca.component}`, ca.cpuMilliAvg, cb?.cpuMilliAvg));
      rows.push(delta(key, `mem_Mi_avg_${ca.component}`, ca.memMiAvg, cb?.memMiAvg));
    }
  }
  return rows;
}
