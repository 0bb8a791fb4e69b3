// The latest benchmark results as gauges: filled from the source at each scrape, so the
// series mirror what is stored (a dropped result disappears).

import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { registerBenchMetrics } from '../../../src/telemetry/bench-metrics.js';
import type { BenchResult } from '../../../src/benchmark/model.js';
import { result } from './results-fixtures.js';

describe('registerBenchMetrics', () => {
  it('exports latency (µs), qps, errors and per-component CPU/memory of the latest results', async () => {
    const registry = new Registry();
    let latest: BenchResult[] = [result({ p99: 2500, cpu: 120, mem: 60 })];
    registerBenchMetrics(registry, () => latest);
    const text = await registry.metrics();
    const point = 'suite="bench",istio_version="1.24.0",mode="both",connections="2",qps="10",payload="1024"';
    expect(text).toContain(`mesh_soak_bench_latency_microseconds{${point},stat="p99"} 2500`);
    expect(text).toContain(`mesh_soak_bench_actual_qps{${point}} 10`);
    expect(text).toContain(`mesh_soak_bench_error_percent{${point}} 0`);
    expect(text).toContain(`mesh_soak_bench_cpu_millicores{${point},component="istio_proxy_fortioserver"} 120`);
    expect(text).toContain(`mesh_soak_bench_memory_mib{${point},component="istio_proxy_fortioserver"} 60`);
    latest = [];
    expect(await registry.metrics()).not.toContain('mesh_soak_bench_actual_qps{');
  });
});
