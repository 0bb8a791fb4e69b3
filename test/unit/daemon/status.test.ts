// The /api/v1/status body from stand-in sources on a fixed clock: generatedAt is the
// clock's, a suite's last tick and disruption come from its history, and NaN stays visible.

import { describe, expect, it } from 'vitest';
import { buildStatus, type StatusSources } from '../../../src/daemon/status.js';
import type { CheckRecord } from '../../../src/checks/types.js';
import type { ValueSnapshot } from '../../../src/adapters/redis/value-ring.js';
import { check, config, suite } from '../../integration/daemon/fixtures.js';
import { instanceView } from '../../../src/config/clusters.js';

const record: CheckRecord = {
  state: 'unknown',
  consecutiveErrors: 0,
  lastEvalAt: 1_000,
  instances: {
    '{}': { key: '{}', labels: {}, state: 'unknown', value: Number.NaN, activeSince: null, failingSince: null, lastTrueAt: null },
  },
};

function sources(now: number): StatusSources {
  return {
    config: config({ prometheusUrl: 'http://p', redisUrl: 'redis://r', suites: [suite('web', [check('c', 'up', '> 0'), check('new', 'up', '> 0')])] }),
    store: { load: async () => ({ c: record }) },
    history: {
      recentTicks: async () => [{ id: '1-0', event: { jobId: 't', scheduledAt: 1, startedAt: 2, durationMs: 3, worker: 'h:1' } }],
      lastDisruption: async () => ({ kind: 'disruption', jobId: 'd', outcome: 'success', startedAt: 5, durationMs: 6 }),
    },
    pause: { all: async () => new Set(['web']) },
    now: () => now,
  };
}

describe('buildStatus', () => {
  it('stamps the body with the clock it is given', async () => {
    const body = await buildStatus(sources(1_700_000_000_000));
    expect(body.generatedAt).toBe(1_700_000_000_000);
  });

  it('reads each suite from the stores', async () => {
    const [web] = (await buildStatus(sources(0))).suites;
    expect(web).toMatchObject({
      name: 'web',
      paused: true,
      lastTick: { jobId: 't', worker: 'h:1' },
      lastDisruption: { jobId: 'd', outcome: 'success', startedAt: 5, durationMs: 6 },
    });
    expect(web?.checks.map((c) => [c.name, c.state, c.value])).toEqual([
      ['c', 'unknown', 'NaN'],
      ['new', 'unknown', null],
    ]);
    expect(web?.checks[1]?.reason).toBe('not evaluated yet');
  });

  it('says whether the suite was checked: every check unknown or unevaluated is not', async () => {
    const [web] = (await buildStatus(sources(0))).suites;
    expect(web?.coverage).toEqual({ checked: false, reason: 'unknown', detail: 'every check is unknown' });
  });

  it('says a suite whose guard skipped it is not checked, with the guard’s reason', async () => {
    const skipped: CheckRecord = { state: 'skipped', instances: {}, consecutiveErrors: 0, lastEvalAt: 1, reason: 'the suite is not running (its guard is 0)' };
    const src = { ...sources(0), store: { load: async () => ({ c: skipped, new: skipped }) } };
    const [web] = (await buildStatus(src)).suites;
    expect(web?.coverage).toEqual({ checked: false, reason: 'not_running', detail: 'the suite is not running (its guard is 0)' });
  });

  it('draws each check\'s last values as a sparkline path; none without kept values or a finite one', async () => {
    const snapshots: ValueSnapshot[] = [{ t: 2, v: { c: 4, new: null } }, { t: 1, v: { c: 0, new: null } }, { t: 3, v: { c: 2 } }];
    const values = { recent: async () => snapshots };
    const [web] = (await buildStatus({ ...sources(0), values })).suites;
    expect(web?.checks.find((c) => c.name === 'c')?.sparkline).toEqual({ d: 'M0,19L60,1L120,10', min: 0, max: 4, last: 2, points: 3 });
    expect(web?.checks.find((c) => c.name === 'new')?.sparkline).toBeUndefined();
    const [plain] = (await buildStatus(sources(0))).suites;
    expect(plain?.checks.every((c) => c.sparkline === undefined)).toBe(true);
    // A ring that cannot be read leaves the page without sparklines, not without a status.
    const [broken] = (await buildStatus({ ...sources(0), values: { recent: async () => Promise.reject(new Error('down')) } })).suites;
    expect(broken?.checks.map((c) => c.name)).toEqual(['c', 'new']);
  });
});

describe('buildStatus with config clusters', () => {
  it('groups the instances by cluster with their counts, as an addition beside the flat list', async () => {
    const base = sources(0);
    const cfg = { ...base.config, clusters: ['east', 'west'].map((name) => ({ name, kubernetes: {}, prometheus: base.config.prometheus })) };
    const ok: CheckRecord = { state: 'ok', instances: {}, consecutiveErrors: 0, lastEvalAt: 1 };
    const failing: CheckRecord = { ...ok, state: 'failing' };
    const body = await buildStatus({ ...base, config: instanceView(cfg), store: { load: async (s: string) => (s === 'west/web' ? { c: failing, new: ok } : { c: ok, new: ok }) } });
    expect(body.suites.map((s) => [s.name, s.cluster])).toEqual([['east/web', 'east'], ['west/web', 'west']]);
    expect(body.clusters).toEqual([
      { name: 'east', suites: ['east/web'], counts: { ok: 2 }, unchecked: 0 },
      { name: 'west', suites: ['west/web'], counts: { failing: 1, ok: 1 }, unchecked: 0 },
    ]);
  });

  it('has no clusters field without config clusters', async () => {
    expect(await buildStatus(sources(0))).not.toHaveProperty('clusters');
  });
});
