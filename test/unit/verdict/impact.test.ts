import { describe, expect, it } from 'vitest';
import { computeImpact, isFinal, type DisruptionWindow, type ImpactInput, type StateChange } from '../../../src/verdict/impact.js';
import type { CheckStateName } from '../../../src/checks/types.js';

const SEC = 1000;
const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);
const SUITE = 'graceful-shutdown';

function window(over: Partial<DisruptionWindow> = {}): DisruptionWindow {
  return {
    id: 'd1',
    suite: SUITE,
    startedAt: T0,
    endedAt: T0 + 60 * SEC,
    before: { [`${SUITE}/5xx`]: 'ok', [`${SUITE}/p99`]: 'ok', 'mesh/xds': 'ok' },
    ...over,
  };
}

function change(check: string, to: CheckStateName, atSec: number, suite = SUITE, from: CheckStateName = 'ok'): StateChange {
  return { suite, check, from, to, value: null, at: T0 + atSec * SEC };
}

function input(over: Partial<ImpactInput> = {}): ImpactInput {
  return {
    disruption: window(),
    suiteChecks: [{ suite: SUITE, check: '5xx' }, { suite: SUITE, check: 'p99' }],
    meshChecks: [{ suite: 'mesh', check: 'xds' }],
    changes: [],
    evaluatedAt: T0 + 70 * SEC,
    recoveryBoundMs: 300 * SEC,
    settleMs: 30 * SEC,
    ...over,
  };
}

const phasesOf = (i: ImpactInput): Record<string, string[]> =>
  Object.fromEntries(computeImpact(i).checks.map((c) => [`${c.suite}/${c.check}`, c.phases]));

describe('computeImpact: phases per check', () => {
  const cases: Array<{ name: string; over: Partial<ImpactInput>; want: Record<string, string[]> }> = [
    { name: 'nothing failed', over: {}, want: { [`${SUITE}/5xx`]: [], [`${SUITE}/p99`]: [], 'mesh/xds': [] } },
    {
      name: 'failed during, recovered before the end',
      over: { changes: [change('5xx', 'failing', 10), change('5xx', 'ok', 40, SUITE, 'failing')] },
      want: { [`${SUITE}/5xx`]: ['during'], [`${SUITE}/p99`]: [], 'mesh/xds': [] },
    },
    {
      name: 'failing before stays counted before and during',
      over: { disruption: window({ before: { [`${SUITE}/5xx`]: 'failing', [`${SUITE}/p99`]: 'ok', 'mesh/xds': 'ok' } }) },
      want: { [`${SUITE}/5xx`]: ['before', 'during'], [`${SUITE}/p99`]: [], 'mesh/xds': [] },
    },
    {
      name: 'failed after the end (p99) and a mesh-wide check during',
      over: { changes: [change('xds', 'failing', 30, 'mesh'), change('p99', 'failing', 65)], evaluatedAt: T0 + 90 * SEC },
      want: { [`${SUITE}/5xx`]: [], [`${SUITE}/p99`]: ['after'], 'mesh/xds': ['during'] },
    },
    {
      name: 'failing across the end counts during and after',
      over: { changes: [change('5xx', 'failing', 50), change('5xx', 'ok', 80, SUITE, 'failing')], evaluatedAt: T0 + 90 * SEC },
      want: { [`${SUITE}/5xx`]: ['during'], [`${SUITE}/p99`]: [], 'mesh/xds': [] },
    },
    {
      name: 'changes before the start are ignored (the before state says it)',
      over: { changes: [change('5xx', 'failing', -30), change('5xx', 'ok', -10, SUITE, 'failing')] },
      want: { [`${SUITE}/5xx`]: [], [`${SUITE}/p99`]: [], 'mesh/xds': [] },
    },
    {
      name: 'pending is not failing',
      over: { changes: [change('5xx', 'pending', 10)], evaluatedAt: T0 + 90 * SEC },
      want: { [`${SUITE}/5xx`]: [], [`${SUITE}/p99`]: [], 'mesh/xds': [] },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(phasesOf(input(c.over))).toEqual(c.want);
    });
  }

  it('a failure that starts after the recovery is not the disruption\'s', () => {
    const i = input({ changes: [change('p99', 'failing', 200)], evaluatedAt: T0 + 210 * SEC });
    // recovered at the end (+60 s, ok through the 30 s settle time); p99 failing at +200 s is another story
    const impact = computeImpact(i);
    expect(impact.recovery).toEqual({ status: 'recovered', seconds: 0, at: T0 + 60 * SEC });
    expect(impact.checks.find((c) => c.check === 'p99')?.phases).toEqual([]);
  });

  it('a failing state at the end counts as after only when it lasts past the end', () => {
    const i = input({ changes: [change('5xx', 'failing', 50)], evaluatedAt: T0 + 90 * SEC });
    // still failing at +90 s: after is not a new failure, it is the same one: during only
    expect(computeImpact(i).checks.find((c) => c.check === '5xx')?.phases).toEqual(['during']);
  });
});

describe('computeImpact: recovery over time', () => {
  // One disruption, the suite's 5xx check failing from +50 s to +95 s; the tick evaluates every 10 s.
  const changes = [change('5xx', 'failing', 50), change('5xx', 'ok', 95, SUITE, 'failing')];
  const table: Array<{ atSec: number; endedAtSec: number | null; want: unknown }> = [
    { atSec: 30, endedAtSec: null, want: { status: 'pending' } },
    { atSec: 55, endedAtSec: 60, want: { status: 'pending' } },
    { atSec: 70, endedAtSec: 60, want: { status: 'pending' } },
    { atSec: 90, endedAtSec: 60, want: { status: 'pending' } },
    { atSec: 100, endedAtSec: 60, want: { status: 'pending' } },
    { atSec: 130, endedAtSec: 60, want: { status: 'recovered', seconds: 35, at: T0 + 95 * SEC } },
    { atSec: 400, endedAtSec: 60, want: { status: 'recovered', seconds: 35, at: T0 + 95 * SEC } },
  ];
  for (const row of table) {
    it(`at +${row.atSec}s (ended ${row.endedAtSec === null ? 'not yet' : `+${row.endedAtSec}s`})`, () => {
      const d = window({ endedAt: row.endedAtSec === null ? null : T0 + row.endedAtSec * SEC });
      const known = changes.filter((c) => c.at <= T0 + row.atSec * SEC);
      const impact = computeImpact(input({ disruption: d, changes: known, evaluatedAt: T0 + row.atSec * SEC }));
      expect(impact.recovery).toEqual(row.want);
      expect(isFinal(impact)).toBe((row.want as { status: string }).status !== 'pending');
    });
  }

  it('is 0 s when every check is ok at the end and stays ok for the settle time', () => {
    expect(computeImpact(input({ evaluatedAt: T0 + 89 * SEC })).recovery).toEqual({ status: 'pending' });
    expect(computeImpact(input({ evaluatedAt: T0 + 90 * SEC })).recovery).toEqual({ status: 'recovered', seconds: 0, at: T0 + 60 * SEC });
  });

  it('a check failing within the settle time after an all-ok moment resets the recovery', () => {
    const i = input({ changes: [change('p99', 'failing', 70), change('p99', 'ok', 80, SUITE, 'failing')], evaluatedAt: T0 + 200 * SEC });
    expect(computeImpact(i).recovery).toEqual({ status: 'recovered', seconds: 20, at: T0 + 80 * SEC });
    expect(computeImpact(i).checks.find((c) => c.check === 'p99')?.phases).toEqual(['after']);
  });

  it('is pending while no tick evaluated since the end', () => {
    expect(computeImpact(input({ evaluatedAt: T0 + 59 * SEC })).recovery).toEqual({ status: 'pending' });
  });

  it('not recovered once the bound passed with a check still failing, naming it', () => {
    const i = input({ changes: [change('5xx', 'failing', 50)], evaluatedAt: T0 + 400 * SEC, recoveryBoundMs: 300 * SEC });
    expect(computeImpact({ ...i, evaluatedAt: T0 + 380 * SEC }).recovery.status).toBe('pending');
    const impact = computeImpact(i);
    expect(impact.recovery).toEqual({ status: 'not-recovered', boundSeconds: 300, notOk: [`${SUITE}/5xx`] });
    expect(impact.checks.find((c) => c.check === '5xx')?.phases).toEqual(['during']);
  });

  it('an unknown check (no data) is not recovered: unknown is never ok', () => {
    const i = input({ changes: [change('p99', 'unknown', 30)], evaluatedAt: T0 + 400 * SEC, recoveryBoundMs: 300 * SEC });
    expect(computeImpact(i).recovery).toMatchObject({ status: 'not-recovered', notOk: [`${SUITE}/p99`] });
  });

  it('a recovery after the bound is not a recovery', () => {
    const i = input({ changes: [change('5xx', 'failing', 50), change('5xx', 'ok', 500, SUITE, 'failing')], evaluatedAt: T0 + 510 * SEC });
    expect(computeImpact(i).recovery.status).toBe('not-recovered');
  });

  it('a check skipped before and still skipped does not block the recovery; one that turned skipped does', () => {
    const before = { [`${SUITE}/5xx`]: 'skipped', [`${SUITE}/p99`]: 'ok', 'mesh/xds': 'ok' } as const;
    expect(computeImpact(input({ disruption: window({ before }), evaluatedAt: T0 + 100 * SEC })).recovery.status).toBe('recovered');
    const turned = input({ changes: [change('p99', 'skipped', 30)], evaluatedAt: T0 + 100 * SEC });
    expect(computeImpact(turned).recovery.status).toBe('pending');
  });

  it('a suite with no checks says so instead of recovering', () => {
    expect(computeImpact(input({ suiteChecks: [] })).recovery).toEqual({ status: 'no-checks' });
  });

  it('mesh-wide checks do not hold up the suite\'s recovery', () => {
    const i = input({ changes: [change('xds', 'failing', 30, 'mesh')], evaluatedAt: T0 + 100 * SEC });
    expect(computeImpact(i).recovery.status).toBe('recovered');
  });
});
