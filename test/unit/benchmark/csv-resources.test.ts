// CSV with the original's columns, and the measured window and resource arithmetic.

import { describe, expect, it } from 'vitest';
import { csvHeader, toCsv } from '../../../src/benchmark/csv.js';
import { avgMax, cpuQuery, defaultComponents, measuredWindow, memoryQuery, readResources, type RangeQuery } from '../../../src/benchmark/resources.js';
import { expandMatrix } from '../../../src/benchmark/model.js';
import { result } from './results-fixtures.js';

describe('toCsv', () => {
  it('writes fortio.py and prom.py column names, then mesh-soak columns', () => {
    const header = csvHeader(['istio_proxy_fortioserver']);
    expect(header.slice(0, 16)).toEqual(['Labels', 'StartTime', 'RequestedQPS', 'ActualQPS', 'NumThreads', 'RunType', 'ActualDuration', 'min', 'max', 'p50', 'p75', 'p90', 'p99', 'p999', 'errorPercent', 'Payload']);
    expect(header).toContain('cpu_mili_avg_istio_proxy_fortioserver');
    expect(header).toContain('mem_Mi_max_istio_proxy_fortioserver');
    expect(header).toContain('istio_version');
  });

  it('one row per result, quoted where needed, empty for unmeasured values', () => {
    const r = result({ p99: null });
    r.latency.Labels = 'a,"b"';
    const lines = toCsv([r]).split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    const cells = lines[1]!.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/);
    const header = lines[0]!.split(',');
    expect(cells).toHaveLength(header.length);
    expect(cells[0]).toBe('"a,""b"""');
    expect(cells[header.indexOf('p99')]).toBe('');
    expect(cells[header.indexOf('cpu_mili_avg_istio_proxy_fortioserver')]).toBe('100');
    expect(cells[header.indexOf('mode')]).toBe('both');
  });
});

describe('measuredWindow', () => {
  it.each([
    ['defaults cut 62 s and 30 s', 0, 120_000, { kind: 'window', startMs: 62_000, endMs: 90_000 }],
    ['exactly 92 s leaves nothing', 0, 92_000, { kind: 'too-short' }],
  ])('%s', (_n, startedAt, endedAt, expected) => {
    expect(measuredWindow({ startedAt, endedAt }, { warmupMs: 62_000, cooldownMs: 30_000 })).toMatchObject(expected);
  });
});

describe('resources', () => {
  it('queries name the pod, container and namespace as prom.py did', () => {
    const [client] = defaultComponents('twopods');
    expect(cpuQuery(client!)).toBe('sum(rate(container_cpu_usage_seconds_total{namespace="twopods",pod=~"fortioclient-.*",container="istio-proxy"}[1m])) * 1000');
    expect(memoryQuery(client!)).toBe('sum(container_memory_usage_bytes{namespace="twopods",pod=~"fortioclient-.*",container="istio-proxy"}) / 1048576');
  });

  it.each([
    ['no series', [], { avg: null, max: null }],
    ['NaN points skipped', [{ labels: {}, points: [[1, 2], [2, Number.NaN], [3, 4]] as Array<[number, number]> }], { avg: 3, max: 4 }],
  ])('avgMax: %s', (_n, series, expected) => expect(avgMax(series)).toEqual(expected));

  it('reads every component over the given window', async () => {
    const seen: Array<{ expr: string; startMs: number; endMs: number }> = [];
    const prom: RangeQuery = {
      queryRange: async (expr, range) => {
        seen.push({ expr, startMs: range.startMs, endMs: range.endMs });
        return [{ labels: {}, points: [[range.startMs, expr.includes('cpu') ? 10 : 5], [range.endMs, expr.includes('cpu') ? 30 : 7]] }];
      },
    };
    const r = await readResources(prom, { startMs: 62_000, endMs: 90_000, stepMs: 15_000 }, defaultComponents('twopods'), 'twopods');
    expect(r.resources).toHaveLength(8);
    expect(r.resources[0]).toEqual({ component: 'istio_proxy_fortioclient', cpuMilliAvg: 20, cpuMilliMax: 30, memMiAvg: 6, memMiMax: 7 });
    expect(r.meshLatencyMs.p99).toBe(6);
    expect(new Set(seen.map((s) => `${s.startMs}-${s.endMs}`))).toEqual(new Set(['62000-90000']));
  });
});

describe('expandMatrix', () => {
  it('modes × connections × qps × sizes, modes outermost', () => {
    const points = expandMatrix({ modes: ['both', 'baseline'], connections: [2, 4], qps: [10, 'max'], payloadBytes: [1024] });
    expect(points).toHaveLength(8);
    expect(points[0]).toEqual({ mode: 'both', connections: 2, qps: 10, payloadBytes: 1024 });
    expect(points[4]?.mode).toBe('baseline');
  });
});
