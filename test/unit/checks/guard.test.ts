import { describe, expect, it } from 'vitest';
import { guardSourceVerdict, guardVerdict } from '../../../src/checks/guard.js';

const data = (...values: number[]) => ({
  kind: 'data' as const,
  samples: values.map((value, i) => ({ labels: { i: String(i) }, value })),
});

describe('guardVerdict', () => {
  it('says running when any series is non-zero', () => {
    expect(guardVerdict(data(1))).toEqual({ running: true });
    expect(guardVerdict(data(0, NaN, 0.2))).toEqual({ running: true });
    expect(guardVerdict(data(-1))).toEqual({ running: true });
  });

  it('says not running for no series, marked empty so the data source gets asked', () => {
    expect(guardVerdict(data())).toEqual({
      running: false,
      reason: 'the suite is not running (its guard returned no data)',
      empty: true,
    });
  });

  it('says not running when every series is 0 or NaN (an answer, not an empty one)', () => {
    expect(guardVerdict(data(0))).toEqual({ running: false, reason: 'the suite is not running (its guard is 0)', empty: false });
    expect(guardVerdict(data(0, NaN))).toMatchObject({ running: false, empty: false });
    expect(guardVerdict(data(NaN))).toMatchObject({ running: false, empty: false });
  });

  it('passes an error on rather than calling it "not running"', () => {
    expect(guardVerdict({ kind: 'error', errorKind: 'timeout', message: 'query timed out after 10s' })).toEqual({
      error: 'query timed out after 10s',
    });
  });

  it('keeps the reason of an outcome that is already skipped', () => {
    expect(guardVerdict({ kind: 'skipped', reason: 'paused' })).toEqual({ running: false, reason: 'paused', empty: false });
  });
});

describe('guardSourceVerdict', () => {
  const source = 'absent(kube_deployment_status_replicas)';

  it('says present when absent() returned nothing', () => {
    expect(guardSourceVerdict(data(), source)).toEqual({ present: true });
  });

  it('says missing, naming the source query, when absent() returned a series', () => {
    const v = guardSourceVerdict(data(1), source);
    expect(v).toMatchObject({ present: false });
    expect('reason' in v && v.reason).toContain(source);
    expect('reason' in v && v.reason).toContain('data source is missing');
  });

  it('passes an error on', () => {
    expect(guardSourceVerdict({ kind: 'error', errorKind: 'unreachable', message: 'ECONNREFUSED' }, source)).toEqual({
      error: 'ECONNREFUSED',
    });
  });
});
