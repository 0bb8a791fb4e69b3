import { describe, expect, it } from 'vitest';
import { longestGraceMs, phaseOf, specInPhase, type SuitePhase } from '../../../src/checks/phases.js';
import { spec } from './fixtures.js';

const c = (op: '>' | '>=', value: number) => ({ op, value, text: `${op} ${value}` });

describe('phase-aware checks', () => {
  const phased = { ...spec({ fail: '> 0' }), phases: { during: { fail: c('>', 10) }, after: { graceMs: 60_000, fail: c('>', 5) } } };
  const table: Array<{ phase: SuitePhase; want: string; in: string }> = [
    { phase: { kind: 'steady' }, want: '> 0', in: 'steady' },
    { phase: { kind: 'during' }, want: '> 10', in: 'during' },
    { phase: { kind: 'after', sinceEndMs: 0 }, want: '> 5', in: 'after' },
    { phase: { kind: 'after', sinceEndMs: 59_999 }, want: '> 5', in: 'after' },
    { phase: { kind: 'after', sinceEndMs: 60_000 }, want: '> 0', in: 'steady' },
  ];
  for (const row of table) {
    it(`${JSON.stringify(row.phase)} → ${row.in} (${row.want})`, () => {
      expect(specInPhase(phased, row.phase).fail.text).toBe(row.want);
      expect(phaseOf(phased, row.phase)).toBe(row.in);
    });
  }

  it('a check without phases is itself in every phase; one with only steady uses it everywhere else too', () => {
    const plain = spec({ fail: '> 0' });
    expect(specInPhase(plain, { kind: 'during' })).toBe(plain);
    const steady = { ...plain, phases: { steady: { fail: c('>=', 2) } } };
    expect(specInPhase(steady, { kind: 'steady' }).fail.text).toBe('>= 2');
    expect(specInPhase(steady, { kind: 'during' }).fail.text).toBe('>= 2');
  });

  it('after without its own after phase is steady', () => {
    const onlyDuring = { ...spec({ fail: '> 0' }), phases: { during: { fail: c('>', 10) } } };
    expect(phaseOf(onlyDuring, { kind: 'after', sinceEndMs: 1 })).toBe('steady');
  });

  it('the longest grace of a group', () => {
    expect(longestGraceMs([spec({}), phased, { ...spec({}), phases: { after: { graceMs: 5000, fail: c('>', 1) } } }])).toBe(60_000);
    expect(longestGraceMs([])).toBe(0);
  });
});
