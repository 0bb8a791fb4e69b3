// Known data in, known numbers and verdicts out: Prometheus is backfilled (promtool) with
// series shaped like what check_metrics.py watched, and the client's results at a chosen
// time must equal the hand-computed values; then the same checks go through the check
// engine (evaluateGroup) for ok / failing / pending / skipped / unknown verdicts.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateGroup } from '../../../src/checks/evaluate-group.js';
import { parseCondition } from '../../../src/checks/condition.js';
import type { CheckSpec, NoDataPolicy } from '../../../src/config/model.js';
import { PrometheusClient } from '../../../src/adapters/prometheus/client.js';
import type { MetricsProvider } from '../../../src/adapters/prometheus/types.js';
import { startPrometheus, type RunningPrometheus } from '../../harness/index.js';

const STEP_S = 10;
const MIB = 1024 * 1024;
// Evaluation time: 10 minutes ago on a 10 s boundary, so it falls on a sample and every
// [1m] window holds exactly 7 samples (no extrapolation surprises).
const T_S = Math.floor(Date.now() / 1000 / STEP_S) * STEP_S - 600;
const T_MS = T_S * 1000;
const START_S = T_S - 30 * 60;

type Series = { name: string; labels: Record<string, string>; valueAt: (t: number) => number };

function counter(rate: number): (t: number) => number {
  return (t) => rate * (t - START_S);
}

const istio = (ns: string, code: string) => ({
  reporter: 'destination',
  destination_service_namespace: ns,
  destination_service_name: 'httpbin',
  response_code: code,
});
const proxy = (ns: string, pod: string) => ({ namespace: ns, pod, container: 'istio-proxy' });

const SERIES: Series[] = [
  // ns1: 10 req/s of 200s and 0.5 req/s of 503s.
  { name: 'istio_requests_total', labels: istio('ns1', '200'), valueAt: counter(10) },
  { name: 'istio_requests_total', labels: istio('ns1', '503'), valueAt: counter(0.5) },
  // ns2: healthy, 2 req/s, and a 5xx counter that never moves.
  { name: 'istio_requests_total', labels: istio('ns2', '200'), valueAt: counter(2) },
  { name: 'istio_requests_total', labels: istio('ns2', '500'), valueAt: () => 3 },
  // Envoy CPU in ns1: pod a uses 20 millicores, pod b 80.
  { name: 'container_cpu_usage_seconds_total', labels: proxy('ns1', 'a'), valueAt: counter(0.02) },
  { name: 'container_cpu_usage_seconds_total', labels: proxy('ns1', 'b'), valueAt: counter(0.08) },
  // Envoy memory in ns1: 40 MiB, with one 70 MiB spike 20 s before T on pod b.
  { name: 'container_memory_working_set_bytes', labels: proxy('ns1', 'a'), valueAt: () => 40 * MIB },
  { name: 'container_memory_working_set_bytes', labels: proxy('ns1', 'b'), valueAt: (t) => (t === T_S - 20 ? 70 * MIB : 40 * MIB) },
  // istiod: no rejections.
  { name: 'pilot_total_xds_rejects', labels: { app: 'istiod', type: 'lds' }, valueAt: () => 0 },
  // Client-reported totals that never moved: the error ratio is 0/0.
  { name: 'stability_outgoing_requests_total', labels: { source: 'fortio', succeeded: 'False' }, valueAt: () => 0 },
  { name: 'stability_outgoing_requests_total', labels: { source: 'fortio', succeeded: 'True' }, valueAt: () => 100 },
];

function openMetrics(series: Series[]): string {
  const lines: string[] = [];
  const byName = new Map<string, Series[]>();
  for (const s of series) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
  for (const [name, list] of byName) {
    lines.push(`# TYPE ${name} gauge`);
    for (const s of list) {
      const labels = Object.entries(s.labels)
        .map(([k, v]) => `${k}="${v}"`)
        .join(',');
      for (let t = START_S; t <= T_S; t += STEP_S) lines.push(`${name}{${labels}} ${s.valueAt(t)} ${t}`);
    }
  }
  lines.push('# EOF');
  return lines.join('\n') + '\n';
}

const Q = {
  fiveXx: (ns: string) =>
    `sum(rate(istio_requests_total{reporter="destination", destination_service_namespace=~"${ns}", response_code=~"5.."}[1m]))`,
  sanity: (ns: string) => `sum(rate(istio_requests_total{destination_service_namespace="${ns}"}[10m]))`,
  cpu: (ns: string) => `rate(container_cpu_usage_seconds_total{container="istio-proxy", namespace=~"${ns}"}[1m]) * 1000`,
  memoryMiB: (ns: string) =>
    `max(max_over_time(container_memory_working_set_bytes{container="istio-proxy", namespace=~"${ns}"}[1m])) / 1024 / 1024`,
  xdsRejects: 'sum(pilot_total_xds_rejects)',
  errorRatio:
    'sum(rate(stability_outgoing_requests_total{source="fortio", succeeded="False"}[5m])) / sum(rate(stability_outgoing_requests_total{source="fortio"}[5m]))',
};

function check(name: string, query: string, fail: string, extra: { forMs?: number; noData?: NoDataPolicy } = {}): CheckSpec {
  const condition = parseCondition(fail);
  if ('error' in condition) throw new Error(condition.error);
  return {
    name,
    query,
    fail: condition,
    forMs: extra.forMs ?? 0,
    keepFiringForMs: 0,
    noData: extra.noData ?? 'unknown',
    errorLimit: 1,
    severity: 'critical',
    labels: {},
  };
}

describe('check_metrics-style queries on backfilled data', () => {
  let prom: RunningPrometheus;
  let client: PrometheusClient;
  /** The client, pinned to T: evaluateGroup asks for "now", the data lives at T. */
  let atT: MetricsProvider;

  beforeAll(async () => {
    prom = await startPrometheus({ backfillOpenMetrics: openMetrics(SERIES) });
    client = new PrometheusClient({ url: prom.url, timeoutMs: 10_000, concurrency: 4 });
    atT = { query: (expr, options) => client.query(expr, { ...options, time: T_MS }), close: async () => {} };
  });

  afterAll(async () => {
    await client?.close();
    await prom?.stop();
  });

  const at = (expr: string) => client.query(expr, { time: T_MS });

  it('5xx rate in a namespace with 503s is 0.5/s, and 0 where the 5xx counter is flat', async () => {
    expect(await at(Q.fiveXx('ns1'))).toEqual([{ labels: {}, value: 0.5 }]);
    expect(await at(Q.fiveXx('ns2'))).toEqual([{ labels: {}, value: 0 }]);
    expect(await at(Q.fiveXx('ns-absent'))).toEqual([]);
  });

  it('sanity traffic is the sum of every response code', async () => {
    expect((await at(Q.sanity('ns1')))[0]?.value).toBeCloseTo(10.5, 9);
    expect((await at(Q.sanity('ns2')))[0]?.value).toBeCloseTo(2, 9);
  });

  it('Envoy CPU in millicores, one sample per pod', async () => {
    const byPod = Object.fromEntries((await at(Q.cpu('ns1'))).map((s) => [s.labels.pod, s.value]));
    expect(byPod.a).toBeCloseTo(20, 6);
    expect(byPod.b).toBeCloseTo(80, 6);
  });

  it('Envoy memory peak over 1m in MiB catches the spike, and drops it once out of the window', async () => {
    expect(await at(Q.memoryMiB('ns1'))).toEqual([{ labels: {}, value: 70 }]);
    const later = await client.query(Q.memoryMiB('ns1'), { time: T_MS - 120_000 });
    expect(later).toEqual([{ labels: {}, value: 40 }]);
  });

  it('XDS rejects are 0; an idle client error ratio is NaN', async () => {
    expect(await at(Q.xdsRejects)).toEqual([{ labels: {}, value: 0 }]);
    expect((await at(Q.errorRatio))[0]?.value).toBeNaN();
  });

  it('gives the check engine ok, failing, pending and unknown verdicts on these values', async () => {
    const group = {
      checks: [
        check('5xx-ns1', Q.fiveXx('ns1'), '> 0'),
        check('5xx-ns2', Q.fiveXx('ns2'), '> 0'),
        check('sanity-ns1', Q.sanity('ns1'), '< 0.5'),
        check('cpu-ns1', Q.cpu('ns1'), '> 50'),
        check('memory-ns1', Q.memoryMiB('ns1'), '> 64', { forMs: 60_000 }),
        check('xds-rejects', Q.xdsRejects, '> 0'),
        check('error-ratio', Q.errorRatio, '> 0'),
        check('5xx-absent-ok', Q.fiveXx('ns-absent'), '> 0', { noData: 'ok' }),
        check('5xx-absent-unknown', Q.fiveXx('ns-absent'), '> 0'),
        check('broken', 'sum(rate(istio_requests_total[1m])', '> 0'),
      ],
    };
    const { records, errors } = await evaluateGroup(group, atT, {}, T_MS);
    const states = Object.fromEntries(Object.entries(records).map(([name, r]) => [name, r.state]));
    expect(states).toEqual({
      '5xx-ns1': 'failing',
      '5xx-ns2': 'ok',
      'sanity-ns1': 'ok',
      'cpu-ns1': 'failing',
      'memory-ns1': 'pending',
      'xds-rejects': 'ok',
      // 0/0 says nothing either way: the engine calls NaN unknown, never ok.
      'error-ratio': 'unknown',
      '5xx-absent-ok': 'ok',
      '5xx-absent-unknown': 'unknown',
      broken: 'unknown',
    });
    expect(errors).toBe(1);
    expect(records['5xx-ns1']?.instances['{}']?.value).toBe(0.5);
    const cpu = Object.values(records['cpu-ns1']?.instances ?? {});
    expect(cpu.map((i) => [i.labels.pod, i.state]).sort()).toEqual([
      ['a', 'ok'],
      ['b', 'failing'],
    ]);
    expect(records.broken?.lastError).toMatch(/HTTP 400: bad_data: .*parse error/);
  });

  it('skips every check when the guard says the suite is not running', async () => {
    const guarded = {
      guard: `${Q.sanity('ns-absent')} > 0.5`,
      checks: [check('5xx', Q.fiveXx('ns-absent'), '> 0'), check('cpu', Q.cpu('ns-absent'), '> 50')],
    };
    const { records } = await evaluateGroup(guarded, atT, {}, T_MS);
    expect(Object.values(records).map((r) => r.state)).toEqual(['skipped', 'skipped']);

    const running = { guard: `${Q.sanity('ns1')} > 0.5`, checks: [check('5xx', Q.fiveXx('ns1'), '> 0')] };
    expect((await evaluateGroup(running, atT, {}, T_MS)).records['5xx']?.state).toBe('failing');
  });
});
