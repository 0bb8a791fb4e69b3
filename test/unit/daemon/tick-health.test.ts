// The watchdog over time: a suite is stalled once no tick completed for the window
// (missedTicks × tick, at least minWindowMs), paused suites never are, and a failed tick
// is reported until a later tick completes.

import { describe, expect, it } from 'vitest';
import { TickHealth } from '../../../src/daemon/tick-health.js';

const T0 = 1_700_000_000_000;

function health(): TickHealth {
  return new TickHealth({ suites: [{ suite: 'web', tickMs: 1000 }, { suite: 'slow', tickMs: 60_000 }], startedAt: T0, missedTicks: 5, minWindowMs: 30_000 });
}

describe('TickHealth', () => {
  const cases: Array<{ name: string; events: Array<['done' | 'fail', string, number, string?]>; at: number; paused?: string[]; stalled: string[]; failing: string[] }> = [
    { name: 'fresh start: nothing stalled within the minimum window', events: [], at: T0 + 30_000, stalled: [], failing: [] },
    { name: 'no tick for longer than the minimum window', events: [], at: T0 + 30_001, stalled: ['web'], failing: [] },
    { name: 'a slow suite gets 5 of its own intervals', events: [], at: T0 + 299_000, stalled: ['web'], failing: [] },
    { name: 'the slow suite past 5 intervals', events: [['done', 'web', T0 + 290_000]], at: T0 + 300_001, stalled: ['slow'], failing: [] },
    { name: 'a completed tick resets the window', events: [['done', 'web', T0 + 20_000]], at: T0 + 45_000, stalled: [], failing: [] },
    { name: 'paused suites are not watched', events: [], at: T0 + 31_000, paused: ['web'], stalled: [], failing: [] },
    { name: 'a failed tick is reported', events: [['fail', 'web', T0 + 1000, 'redis out of memory']], at: T0 + 2000, stalled: [], failing: ['web'] },
    {
      name: 'a later completed tick clears the failure',
      events: [['fail', 'web', T0 + 1000, 'x'], ['done', 'web', T0 + 2000]],
      at: T0 + 3000,
      stalled: [],
      failing: [],
    },
    {
      name: 'an older completed record (from another replica) does not clear a newer failure',
      events: [['fail', 'web', T0 + 5000, 'x'], ['done', 'web', T0 + 4000]],
      at: T0 + 6000,
      stalled: [],
      failing: ['web'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const h = health();
      for (const [kind, suite, at, reason] of c.events) {
        if (kind === 'done') h.completed(suite, at);
        else h.failed(suite, reason ?? 'error', at);
      }
      const got = h.check(c.at, new Set(c.paused ?? []));
      expect(got.filter((x) => x.stalled).map((x) => x.suite)).toEqual(c.stalled);
      expect(got.filter((x) => x.failure).map((x) => x.suite)).toEqual(c.failing);
    });
  }

  it('says which suite and why in the readiness reasons', () => {
    const h = health();
    h.failed('web', 'redis out of memory (writes refused)', T0 + 1000);
    expect(TickHealth.reasons(h.check(T0 + 31_000), T0 + 31_000)).toEqual([
      'suite web: last tick failed: redis out of memory (writes refused)',
      'suite web: no completed tick for 31 s (watchdog window 30 s)',
    ]);
  });
});
