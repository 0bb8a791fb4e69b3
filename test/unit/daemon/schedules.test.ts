import { describe, expect, it } from 'vitest';
import { wantedDisruptionSchedulers, wantedTickSchedulers } from '../../../src/adapters/bullmq/schedules.js';
import { scheduledAt } from '../../../src/adapters/bullmq/job-timing.js';
import { tickShare } from '../../../src/adapters/bullmq/queues.js';
import { check, config, suite } from '../../integration/daemon/fixtures.js';

const base = { prometheusUrl: 'http://127.0.0.1:1', redisUrl: 'redis://127.0.0.1:1' };

describe('wanted schedulers', () => {
  it('gives each enabled suite a tick on its own interval and the mesh group the global one', () => {
    const cfg = config({
      ...base,
      tickMs: 30_000,
      suites: [suite('a', [], { tickMs: 5000 }), suite('off', [], { enabled: false })],
      checks: [check('x', 'up', '> 0')],
    });
    expect(wantedTickSchedulers(cfg)).toEqual([
      { id: 'tick:a', suite: 'a', repeat: { every: 5000 } },
      { id: 'tick:mesh', suite: 'mesh', repeat: { every: 30_000 } },
    ]);
  });

  it('has no mesh tick without mesh-wide checks', () => {
    expect(wantedTickSchedulers(config({ ...base, suites: [] }))).toEqual([]);
  });

  it('schedules disruptions by every or cron, only for enabled suites that have one', () => {
    const cfg = config({
      ...base,
      suites: [
        suite('every', [], { disruption: { schedule: { every: 60_000 }, steps: [] } }),
        suite('cron', [], { disruption: { schedule: { cron: '*/5 * * * *' }, steps: [] } }),
        suite('off', [], { enabled: false, disruption: { schedule: { every: 1000 }, steps: [] } }),
        suite('none', []),
      ],
    });
    expect(wantedDisruptionSchedulers(cfg)).toEqual([
      { id: 'disruption:every', suite: 'every', repeat: { every: 60_000 } },
      { id: 'disruption:cron', suite: 'cron', repeat: { pattern: '*/5 * * * *' } },
    ]);
  });
});

describe('scheduledAt', () => {
  it('reads the slot from a scheduler job id', () => {
    expect(scheduledAt({ id: 'repeat:tick:web:1795610339921', timestamp: 1, opts: { delay: 5 } })).toBe(1795610339921);
  });
  it('falls back to timestamp plus the original delay for one-off jobs', () => {
    expect(scheduledAt({ id: '17', timestamp: 1000, opts: { delay: 250 } })).toBe(1250);
    expect(scheduledAt({ id: '18', timestamp: 1000, opts: {} })).toBe(1000);
  });
});

describe('tickShare', () => {
  it("is a replica's share of the tick slots (one spare), the full count alone or when the replicas are unknown", () => {
    const table: Array<[full: number, replicas: number, share: number]> = [
      [101, 0, 101], // CLIENT LIST refused: unknown
      [101, 1, 101],
      [101, 2, 52],
      [101, 3, 35],
      [3, 3, 2],
      [2, 5, 2],
      [101, Number.NaN, 101],
    ];
    for (const [full, replicas, share] of table) expect(tickShare(full, replicas), `${full} over ${replicas}`).toBe(share);
  });
});
