// The Fortio result parser and fortio.py's row: every field type Fortio writes (numbers,
// string QPS, "max", -1 status codes, one-bucket histograms, null fields) is read without
// loss, and the row's values are those fortio.py computed (µs, truncation, half-even).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFortioResult, type FortioResult } from '../../../src/benchmark/fortio-json.js';
import { latencyRow, MAX_QPS_VALUE, roundHalfEven } from '../../../src/benchmark/result.js';

const fixture = readFileSync(join(import.meta.dirname, '../../fixtures/fortio/http-result.json'), 'utf8');

function parsed(text: string): FortioResult {
  const r = parseFortioResult(text);
  if (r.kind !== 'ok') throw new Error(r.reason);
  return r.value;
}

function variant(change: (raw: Record<string, unknown>) => void): string {
  const raw = JSON.parse(fixture) as Record<string, unknown>;
  change(raw);
  return JSON.stringify(raw);
}

describe('parseFortioResult', () => {
  it('keeps every field of a real HTTP result, known or not, with its type', () => {
    const value = parsed(fixture);
    expect(JSON.parse(JSON.stringify(value))).toEqual(JSON.parse(fixture));
    expect(value.RetCodes).toEqual({ '-1': 2, '200': 3597, '503': 1 });
    expect((value as Record<string, unknown>)['ConnReuseRange']).toEqual([0, 0]);
    expect((value as Record<string, unknown>)['Payload']).toBeNull();
  });

  it.each([
    ['RequestedQPS "max"', (r: Record<string, unknown>) => (r['RequestedQPS'] = 'max')],
    ['fractional string QPS', (r: Record<string, unknown>) => (r['RequestedQPS'] = '12.5')],
    ['only socket errors', (r: Record<string, unknown>) => (r['RetCodes'] = { '-1': 10 })],
    ['null RetCodes and Sizes (TCP)', (r: Record<string, unknown>) => ((r['RetCodes'] = null), (r['Sizes'] = null), (r['RunType'] = 'TCP'))],
    ['no Percentiles, one bucket', (r: Record<string, unknown>) => {
      const h = r['DurationHistogram'] as Record<string, unknown>;
      delete h['Percentiles'];
      h['Data'] = [{ Start: 0.001, End: 0.001, Percent: 100, Count: 1 }];
    }],
    ['null Data (empty histogram)', (r: Record<string, unknown>) => ((r['ErrorsDurationHistogram'] as Record<string, unknown>)['Data'] = null)],
  ])('reads %s without loss', (_name, change) => {
    const text = variant(change);
    expect(JSON.parse(JSON.stringify(parsed(text)))).toEqual(JSON.parse(text));
  });

  it.each([
    ['not JSON', '{"RunType":', /^not JSON/],
    ['a missing histogram', variant((r) => delete r['DurationHistogram']), /^DurationHistogram: /],
    ['a number where Fortio writes a string', variant((r) => (r['RequestedQPS'] = 40)), /^RequestedQPS: /],
    ['a string ret-code count', variant((r) => (r['RetCodes'] = { '200': '5' })), /^RetCodes\.200: /],
  ])('refuses %s, naming the field', (_name, text, reason) => {
    const r = parseFortioResult(text);
    expect(r.kind).toBe('invalid');
    if (r.kind === 'invalid') expect(r.reason).toMatch(reason);
  });
});

describe('latencyRow (fortio.py)', () => {
  it('computes the columns of a real result in µs and seconds', () => {
    expect(latencyRow(parsed(fixture))).toEqual({
      Labels: '2026-12-01-103000_qps_40_c_4_1024_both',
      StartTime: '2026-12-01T10:30:00.123456789Z',
      RequestedQPS: 40,
      ActualQPS: 40,
      NumThreads: 4,
      RunType: 'HTTP',
      ActualDuration: 90,
      min: 489,
      max: 12001,
      avg: 1083,
      p50: 883,
      p75: 1314,
      p90: 1740,
      p99: 1976,
      p999: 11600,
      errorPercent: (100 * 3) / 3600,
      Payload: 1147,
    });
  });

  it.each([
    ['"max" requested qps', (r: Record<string, unknown>) => (r['RequestedQPS'] = 'max'), { RequestedQPS: MAX_QPS_VALUE }],
    ['"12.5" rounds half to even', (r: Record<string, unknown>) => (r['RequestedQPS'] = '12.5'), { RequestedQPS: 12 }],
    ['ActualQPS 41.5 rounds to 42', (r: Record<string, unknown>) => (r['ActualQPS'] = 41.5), { ActualQPS: 42 }],
    ['only -1 codes: 100 % errors', (r: Record<string, unknown>) => {
      r['RetCodes'] = { '-1': 3600 };
    }, { errorPercent: 100 }],
    ['no "200" key at all', (r: Record<string, unknown>) => (r['RetCodes'] = {}), { errorPercent: 100 }],
    ['zero requests: no error rate', (r: Record<string, unknown>) => {
      (r['Sizes'] as Record<string, unknown>)['Count'] = 0;
    }, { errorPercent: null }],
    ['TCP run: no HTTP columns', (r: Record<string, unknown>) => ((r['RunType'] = 'TCP'), (r['Sizes'] = null)), { errorPercent: null, Payload: null }],
    ['no percentiles: null columns', (r: Record<string, unknown>) => {
      delete (r['DurationHistogram'] as Record<string, unknown>)['Percentiles'];
    }, { p50: null, p99: null, p999: null }],
  ])('%s', (_name, change, expected) => {
    expect(latencyRow(parsed(variant(change)))).toMatchObject(expected);
  });

  it.each([
    [0.5, 0], [1.5, 2], [2.5, 2], [2.4999, 2], [2.51, 3], [39.98874011427518, 40],
  ])('roundHalfEven(%s) = %s, as Python 3 round()', (x, y) => {
    expect(roundHalfEven(x)).toBe(y);
  });
});
