import { describe, expect, it } from 'vitest';
import { goNoGo } from '../../../src/disruption/gate.js';
import type { CheckRecord, CheckStateName } from '../../../src/checks/types.js';

const rec = (state: CheckStateName, reason?: string): CheckRecord => ({ state, instances: {}, consecutiveErrors: 0, lastEvalAt: 0, ...(reason ? { reason } : {}) });

describe('goNoGo', () => {
  const table: Array<{ name: string; records: Record<string, CheckRecord>; down?: string; want: unknown }> = [
    { name: 'every check ok: go', records: { a: rec('ok'), b: rec('ok') }, want: { go: true } },
    { name: 'pending is not failing yet: go', records: { a: rec('pending'), b: rec('ok') }, want: { go: true } },
    { name: 'a failing check: no-go, named', records: { a: rec('failing'), b: rec('ok') }, want: { go: false, reason: 'suite-failing', message: 'suite already failing: a' } },
    {
      name: 'failing wins over unknown',
      records: { a: rec('unknown'), b: rec('failing') },
      want: { go: false, reason: 'suite-failing', message: 'suite already failing: b' },
    },
    {
      name: 'unknown with its reason, and a check never evaluated',
      records: { a: rec('unknown', 'no data') },
      want: { go: false, reason: 'suite-unknown', message: 'suite state unknown: a (no data), b (not evaluated yet)' },
    },
    {
      name: 'skipped (the suite is not running) cannot be judged',
      records: { a: rec('skipped', 'the suite is not running'), b: rec('ok') },
      want: { go: false, reason: 'suite-unknown', message: 'suite state unknown: a (the suite is not running)' },
    },
    {
      name: 'Prometheus unreachable first, whatever the records say',
      records: { a: rec('ok'), b: rec('ok') },
      down: 'connect ECONNREFUSED',
      want: { go: false, reason: 'prometheus-unreachable', message: 'Prometheus is unreachable: connect ECONNREFUSED' },
    },
  ];
  for (const row of table) {
    it(row.name, () => {
      expect(goNoGo({ checks: ['a', 'b'], records: row.records, ...(row.down ? { prometheusDown: row.down } : {}) })).toEqual(row.want);
    });
  }

  it('a long list is cut after five names', () => {
    const checks = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7'];
    const records = Object.fromEntries(checks.map((c) => [c, rec('failing')]));
    expect(goNoGo({ checks, records })).toMatchObject({ message: 'suite already failing: c1, c2, c3, c4, c5 and 2 more' });
  });

  it('a suite with no checks has nothing to say against it', () => {
    expect(goNoGo({ checks: [], records: {} })).toEqual({ go: true });
  });
});
