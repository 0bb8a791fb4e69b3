import { describe, expect, it } from 'vitest';
import { guardVerdict } from '../../../src/checks/guard.js';

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

  it('says not running for no series (a false comparison filters them all out)', () => {
    expect(guardVerdict(data())).toEqual({ running: false, reason: 'the suite is not running (its guard returned no data)' });
  });

  it('says not running when every series is 0 or NaN', () => {
    expect(guardVerdict(data(0))).toEqual({ running: false, reason: 'the suite is not running (its guard is 0)' });
    expect(guardVerdict(data(0, NaN))).toMatchObject({ running: false });
    expect(guardVerdict(data(NaN))).toMatchObject({ running: false });
  });

  it('passes an error on rather than calling it "not running"', () => {
    expect(guardVerdict({ kind: 'error', errorKind: 'timeout', message: 'query timed out after 10s' })).toEqual({
      error: 'query timed out after 10s',
    });
  });

  it('keeps the reason of an outcome that is already skipped', () => {
    expect(guardVerdict({ kind: 'skipped', reason: 'paused' })).toEqual({ running: false, reason: 'paused' });
  });
});
