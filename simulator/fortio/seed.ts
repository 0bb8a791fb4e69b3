// A finished benchmark run as the simulator's model computes it, without running it: each
// point's Fortio result JSON (resultJson, the same the simulated REST API serves) through
// the product's parser and fortio.py row. Latency only: resources are what Prometheus
// measured, and nothing was measured, so the run has none (its CPU/memory have no baseline
// and are not judged). The demo stores one as the previous Istio release, so its first
// scheduled run has a latency baseline (a slower proxy then fails the p99 check at once).

import { parseFortioResult } from '../../src/benchmark/fortio-json.js';
import { latencyRow } from '../../src/benchmark/result.js';
import { expandMatrix, type BenchmarkSpec, type BenchResult, type BenchRun, type MatrixPoint } from '../../src/benchmark/model.js';
import { resultJson, type SimRun } from './fortio-api.js';
import type { SimFaults } from './model.js';

function simulatedPoint(point: MatrixPoint, spec: BenchmarkSpec, at: { runId: string; suite: string; istioVersion: string; startedAt: number }, faults: SimFaults): BenchResult {
  const load = { mode: point.mode, qps: point.qps === 'max' ? 5000 : point.qps, connections: point.connections, payloadBytes: point.payloadBytes };
  const run: SimRun = { id: 1, resultId: 'seed', load, labels: `seed_${point.mode}`, url: 'http://fortioserver:8080/echo', requestedQps: String(point.qps), durationMs: spec.durationMs, startedAt: at.startedAt };
  const endedAt = at.startedAt + spec.durationMs;
  const parsed = parseFortioResult(JSON.stringify(resultJson(run, endedAt, faults)));
  if (parsed.kind !== 'ok') throw new Error(`simulated Fortio result did not parse: ${parsed.reason}`);
  return { runId: at.runId, suite: at.suite, istioVersion: at.istioVersion, point, startedAt: at.startedAt, endedAt, latency: latencyRow(parsed.value), resources: [], meshLatencyMs: { p50: null, p90: null, p99: null } };
}

/** Every point of `spec` as the model has it, as one finished run. */
export function simulatedRun(spec: BenchmarkSpec, o: { runId: string; suite: string; istioVersion: string; startedAt: number; faults?: SimFaults }): BenchRun {
  const faults = o.faults ?? { slowProxy: false };
  const results = expandMatrix(spec).map((p, i) => simulatedPoint(p, spec, { ...o, startedAt: o.startedAt + i * spec.durationMs }, faults));
  return { id: o.runId, suite: o.suite, istioVersion: o.istioVersion, state: 'done', startedAt: o.startedAt, finishedAt: o.startedAt + results.length * spec.durationMs, results };
}
