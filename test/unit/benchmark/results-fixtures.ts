// Builders of benchmark results for the unit tests and bench/.

import type { BenchMode, BenchResult, BenchRun, ComponentUsage } from '../../../src/benchmark/model.js';

export function usage(component: string, cpu: number | null, mem: number | null): ComponentUsage {
  return { component, cpuMilliAvg: cpu, cpuMilliMax: cpu === null ? null : cpu * 1.5, memMiAvg: mem, memMiMax: mem === null ? null : mem + 2 };
}

export interface ResultInput {
  runId?: string;
  istioVersion?: string;
  mode?: BenchMode;
  connections?: number;
  qps?: number | 'max';
  startedAt?: number;
  p99?: number | null;
  cpu?: number;
  mem?: number;
}

export function result(i: ResultInput = {}): BenchResult {
  const p99 = i.p99 === undefined ? 2000 : i.p99;
  return {
    runId: i.runId ?? 'run-1',
    suite: 'bench',
    istioVersion: i.istioVersion ?? '1.24.0',
    point: { mode: i.mode ?? 'both', connections: i.connections ?? 2, qps: i.qps ?? 10, payloadBytes: 1024 },
    startedAt: i.startedAt ?? 1_000_000,
    endedAt: (i.startedAt ?? 1_000_000) + 120_000,
    latency: {
      Labels: 'l', StartTime: '2026-12-01T10:00:00Z', RequestedQPS: 10, ActualQPS: 10, NumThreads: 2, RunType: 'HTTP', ActualDuration: 120,
      min: 300, max: 9000, avg: 900, p50: 800, p75: 1000, p90: 1500, p99, p999: 5000, errorPercent: 0, Payload: 1024,
    },
    resources: [usage('istio_proxy_fortioserver', i.cpu ?? 100, i.mem ?? 50), usage('discovery', 20, 200)],
    meshLatencyMs: { p50: 0.8, p90: 1.5, p99: 2 },
  };
}

export function run(id: string, istioVersion: string, results: BenchResult[], startedAt = 1_000_000): BenchRun {
  return { id, suite: 'bench', istioVersion, state: 'done', startedAt, finishedAt: startedAt + 1000, results };
}
