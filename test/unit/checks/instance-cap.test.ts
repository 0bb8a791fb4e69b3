// The instance cap: past it a check keeps what can fail first, then what it already tracks,
// and counts the rest; the record says how many series it does not track.

import { describe, expect, it } from 'vitest';
import { capSamples } from '../../../src/checks/instance-cap.js';
import { evaluateGroup } from '../../../src/checks/evaluate-group.js';
import type { CheckRecord, MetricsProvider, Sample } from '../../../src/checks/types.js';
import { check } from '../../integration/daemon/fixtures.js';

const s = (pod: string, value: number): Sample => ({ labels: { pod }, value });

describe('capSamples', () => {
  const spec = check('errors', 'x', '> 5');
  it('keeps everything under the cap', () => {
    expect(capSamples(spec, [s('a', 1), s('b', 9)], undefined, 2)).toEqual({ kept: [s('a', 1), s('b', 9)], omitted: 0 });
  });
  it('keeps series whose condition holds first, then tracked ones, then answer order', () => {
    const prev = { instances: { '{pod="c"}': {} } } as unknown as CheckRecord;
    const got = capSamples(spec, [s('a', 1), s('b', 2), s('c', 3), s('d', 9)], prev, 2);
    expect(got).toEqual({ kept: [s('d', 9), s('c', 3)], omitted: 2 });
  });
});

describe('evaluateGroup with maxInstances', () => {
  it('stores at most the cap and counts the rest', async () => {
    const samples = Array.from({ length: 5000 }, (_, i) => s(`p${i}`, i === 4321 ? 10 : 0));
    const provider: MetricsProvider = { query: () => Promise.resolve(samples), close: () => Promise.resolve() };
    const r = await evaluateGroup({ checks: [check('errors', 'x', '> 5')] }, provider, {}, 1_700_000_000_000, { maxInstances: 100 });
    const record = r.records.errors!;
    expect(Object.keys(record.instances)).toHaveLength(100);
    expect(record.omittedInstances).toBe(4900);
    expect(record.state).toBe('failing');
    expect(r.transitions.length).toBeLessThanOrEqual(100);
  });
});
