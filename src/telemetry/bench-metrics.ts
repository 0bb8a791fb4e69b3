// The latest benchmark results as gauges, for the benchmark dashboard: per suite, Istio
// version and matrix point, fortio.py's latency columns (µs), ActualQPS, error %, and each
// component's average CPU (millicores) and memory (MiB). Filled at scrape time from
// `latest()`, which the caller keeps current from the bench store (one run per suite and
// Istio version), so the series always mirror what is stored.

import { Gauge, type Registry } from 'prom-client';
import type { BenchResult } from '../benchmark/model.js';
import { splitInstanceId } from '../checks/suite-instance.js';

const POINT = ['suite', 'istio_version', 'mode', 'connections', 'qps', 'payload', 'cluster'] as const;

/** A suite instance's result (`cluster/suite`) carries `suite` and `cluster`; otherwise no `cluster` label, as before. */
function pointLabels(r: BenchResult): Partial<Record<(typeof POINT)[number], string>> {
  const { suite, cluster } = splitInstanceId(r.suite);
  return { suite, istio_version: r.istioVersion, mode: r.point.mode, connections: String(r.point.connections), qps: String(r.point.qps), payload: String(r.point.payloadBytes), ...(cluster === undefined ? {} : { cluster }) };
}

export function registerBenchMetrics(registry: Registry, latest: () => readonly BenchResult[]): void {
  // Registered first, so its collect() refreshes every gauge before any is read.
  const latency = new Gauge({
    name: 'mesh_soak_bench_latency_microseconds',
    help: 'Latest benchmark latency per point (fortio.py columns, µs)',
    labelNames: [...POINT, 'stat'],
    registers: [registry],
    collect: () => refresh(),
  });
  const qps = new Gauge({ name: 'mesh_soak_bench_actual_qps', help: 'Latest benchmark ActualQPS per point', labelNames: [...POINT], registers: [registry] });
  const errors = new Gauge({ name: 'mesh_soak_bench_error_percent', help: 'Latest benchmark errorPercent per point', labelNames: [...POINT], registers: [registry] });
  const cpu = new Gauge({ name: 'mesh_soak_bench_cpu_millicores', help: 'Latest benchmark average CPU per point and component', labelNames: [...POINT, 'component'], registers: [registry] });
  const mem = new Gauge({ name: 'mesh_soak_bench_memory_mib', help: 'Latest benchmark average memory per point and component', labelNames: [...POINT, 'component'], registers: [registry] });
  function refresh(): void {
      for (const g of [latency, qps, errors, cpu, mem]) g.reset();
      for (const r of latest()) {
        const l = pointLabels(r);
        for (const stat of ['min', 'avg', 'p50', 'p75', 'p90', 'p99', 'p999', 'max'] as const) {
          const v = r.latency[stat];
          if (v !== null) latency.set({ ...l, stat }, v);
        }
        qps.set(l, r.latency.ActualQPS);
        if (r.latency.errorPercent !== null) errors.set(l, r.latency.errorPercent);
        for (const c of r.resources) {
          if (c.cpuMilliAvg !== null) cpu.set({ ...l, component: c.component }, c.cpuMilliAvg);
          if (c.memMiAvg !== null) mem.set({ ...l, component: c.component }, c.memMiAvg);
        }
      }
  }
}
