// The checks' last values for the sparklines: the pure series and snapshot functions, and the
// ring on a real Redis (capped however many ticks write it, written in the caller's MULTI,
// unreadable entries skipped and reported).
import { describe, expect, it } from 'vitest';
import { checkSeries, snapshotOf, ValueRing, valueSnapshotCodec, VALUE_RING_LENGTH, type ValueSnapshot } from '../../../src/adapters/redis/value-ring.js';
import { stateKeys } from '../../../src/adapters/redis/keys.js';
import type { UnreadableRecord } from '../../../src/adapters/redis/codecs.js';
import { useRedis } from '../../contract/redis-fixture.js';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { History } from '../../../src/adapters/redis/history.js';
import type { PauseFlags } from '../../../src/adapters/redis/pause-flags.js';
import { parseCondition } from '../../../src/checks/condition.js';
import { evaluateGroup, type CheckGroup } from '../../../src/checks/evaluate-group.js';
import type { CheckSpec } from '../../../src/config/model.js';
import { runTick } from '../../../src/daemon/tick.js';
import { createMetrics } from '../../../src/telemetry/metrics.js';
import { memoryStore } from '../../fakes/memory-check-store.js';

const snap = (t: number, v: Record<string, number | null>): ValueSnapshot => ({ t, v });

describe('snapshotOf', () => {
  it('keeps finite values and turns null, NaN and ±Infinity into null', () => {
    expect(snapshotOf(5, [['a', 1.5], ['b', null], ['c', Number.NaN], ['d', Number.NEGATIVE_INFINITY], ['e', 0]])).toEqual({
      t: 5,
      v: { a: 1.5, b: null, c: null, d: null, e: 0 },
    });
  });
});

describe('checkSeries', () => {
  it.each<[string, ValueSnapshot[], number, Array<number | null>]>([
    ['oldest first, whatever the order read', [snap(3, { c: 3 }), snap(1, { c: 1 }), snap(2, { c: 2 })], 60, [1, 2, 3]],
    ['a tick without the check (or its value) is a gap', [snap(1, { c: 1 }), snap(2, { other: 9 }), snap(3, { c: null })], 60, [1, null, null]],
    ['only the last `max` ticks', [snap(1, { c: 1 }), snap(2, { c: 2 }), snap(3, { c: 3 })], 2, [2, 3]],
    ['max 0 draws nothing', [snap(1, { c: 1 })], 0, []],
    ['no snapshots, no values', [], 60, []],
  ])('%s', (_what, snapshots, max, expected) => {
    expect(checkSeries(snapshots, 'c', max)).toEqual(expected);
  });
});

describe('valueSnapshotCodec', () => {
  it('round-trips a snapshot and refuses a foreign entry with a reason', () => {
    const s = snap(1_700_000_000_000, { a: 0.25, b: null });
    expect(valueSnapshotCodec.parse(valueSnapshotCodec.encode(s))).toEqual({ kind: 'ok', value: s });
    expect(valueSnapshotCodec.parse('{"t":"x","v":{}}')).toMatchObject({ kind: 'corrupt', reason: expect.stringContaining('t') });
    expect(valueSnapshotCodec.parse('{"t":1,"v":{"a":"NaN"}}')).toMatchObject({ kind: 'corrupt' });
    expect(valueSnapshotCodec.parse('nope')).toMatchObject({ kind: 'corrupt', reason: expect.stringContaining('not JSON') });
  });
});

describe('ValueRing (real Redis)', () => {
  const redis = useRedis();

  async function write(ring: ValueRing, suite: string, s: ValueSnapshot): Promise<void> {
    const tx = redis.client().multi();
    ring.addTo(tx, suite, s);
    const res = await tx.exec();
    expect(res?.every(([err]) => err === null)).toBe(true);
  }

  it(`keeps the last ${VALUE_RING_LENGTH} ticks of a suite however many are written, oldest first`, async () => {
    const keys = stateKeys(redis.prefix());
    const ring = new ValueRing(redis.client(), keys);
    for (let i = 0; i < 250; i++) await write(ring, 's', snap(i, { c: i }));
    expect(await redis.client().llen(keys.checkValues('s'))).toBe(VALUE_RING_LENGTH);
    const got = await ring.recent('s');
    expect(got.map((x) => x.t)).toEqual(Array.from({ length: VALUE_RING_LENGTH }, (_, i) => 250 - VALUE_RING_LENGTH + i));
    expect(checkSeries(got, 'c').at(-1)).toBe(249);
    // Another suite's ring is its own.
    expect(await ring.recent('other')).toEqual([]);
  });

  it('honours a shorter length', async () => {
    const keys = stateKeys(redis.prefix());
    const ring = new ValueRing(redis.client(), keys, { length: 5 });
    for (let i = 0; i < 12; i++) await write(ring, 's', snap(i, { c: i }));
    expect((await ring.recent('s')).map((x) => x.t)).toEqual([7, 8, 9, 10, 11]);
  });

  it('skips and reports an entry it cannot read, keeping the others', async () => {
    const keys = stateKeys(redis.prefix());
    const seen: UnreadableRecord[] = [];
    const ring = new ValueRing(redis.client(), keys, { onUnreadable: (r) => seen.push(r) });
    await write(ring, 's', snap(1, { c: 1 }));
    await redis.client().rpush(keys.checkValues('s'), '{"foreign":true}');
    await write(ring, 's', snap(3, { c: 3 }));
    expect((await ring.recent('s')).map((x) => x.t)).toEqual([1, 3]);
    expect(seen).toEqual([{ key: keys.checkValues('s'), field: '1', reason: expect.any(String) }]);
  });

  it('gets one snapshot per tick, with every check of the suite, in the MULTI of the tick run entry', async () => {
    const keys = stateKeys(redis.prefix());
    const ring = new ValueRing(redis.client(), keys);
    const spec = (name: string): CheckSpec => {
      const fail = parseCondition('> 5');
      if ('error' in fail) throw new Error(fail.error);
      return { name, query: `q_${name}`, fail, forMs: 0, keepFiringForMs: 0, noData: 'unknown', errorLimit: 3, severity: 'warning', labels: {} };
    };
    const answers: Record<string, number> = { q_a: 1 };
    let clock = 1_000_000;
    const deps = {
      groups: new Map<string, CheckGroup>([['s', { suite: 's', checks: [spec('a'), spec('b')] }]]),
      store: memoryStore(),
      history: new History(redis.client(), keys),
      pause: { isPaused: async () => false } as unknown as PauseFlags,
      provider: {
        query: async (expr: string) => (answers[expr] === undefined ? [] : [{ labels: {}, value: answers[expr] as number }]),
        close: async () => undefined,
      },
      evaluate: evaluateGroup,
      metrics: createMetrics(new Registry(), 'test'),
      logger: pino({ level: 'silent' }),
      prometheusUrl: 'http://127.0.0.1:9090',
      worker: 'w',
      now: () => (clock += 1000),
      values: ring,
    };
    await runTick(deps, { id: 't1', suite: 's', scheduledAt: 0 });
    answers.q_a = 7;
    answers.q_b = 0.5;
    await runTick(deps, { id: 't2', suite: 's', scheduledAt: 0 });
    const got = await ring.recent('s');
    expect(got.map((x) => x.v)).toEqual([{ a: 1, b: null }, { a: 7, b: 0.5 }]);
    expect(await redis.client().xlen(keys.ticks('s'))).toBe(2);
  });
});
