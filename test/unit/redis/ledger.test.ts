import { describe, expect, it } from 'vitest';
import { RunLedger, type LedgerEntry } from '../../../src/adapters/redis/ledger.js';
import { stateKeys } from '../../../src/adapters/redis/keys.js';
import type { UnreadableRecord } from '../../../src/adapters/redis/codecs.js';
import { useRedis } from '../../contract/redis-fixture.js';

const redis = useRedis();
const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);

function state(at: number, check = 'c1'): LedgerEntry {
  return { kind: 'state', suite: 's', check, from: 'ok', to: 'failing', value: Number.NaN, at };
}

describe('RunLedger (real Redis)', () => {
  it('keeps at most maxEntries per suite, the newest, however many are written', async () => {
    const keys = stateKeys(redis.prefix());
    const ledger = new RunLedger(redis.client(), keys, { maxEntries: 50, now: () => T0 + 10_000 * 1000 });
    for (let i = 0; i < 20; i++) {
      await ledger.append('s', Array.from({ length: 10 }, (_, j) => state(T0 + (i * 10 + j) * 1000)));
    }
    expect(await ledger.count('s')).toBe(50);
    const all = await ledger.range('s', 0, Number.MAX_SAFE_INTEGER, 1000);
    expect(all.map((e) => e.at)).toEqual(Array.from({ length: 50 }, (_, i) => T0 + (150 + i) * 1000));
    // NaN survives the round trip
    expect(all[0]).toMatchObject({ kind: 'state', value: Number.NaN });
  });

  it('drops entries older than maxAgeMs on every write', async () => {
    const keys = stateKeys(redis.prefix());
    let now = T0;
    const ledger = new RunLedger(redis.client(), keys, { maxAgeMs: 60_000, now: () => now });
    await ledger.append('s', [state(T0 - 120_000), state(T0 - 30_000), state(T0)]);
    expect((await ledger.range('s', 0, T0 + 1, 10)).map((e) => e.at)).toEqual([T0 - 30_000, T0]);
    now = T0 + 45_000;
    await ledger.append('s', [state(now)]);
    expect((await ledger.range('s', 0, now, 10)).map((e) => e.at)).toEqual([T0, now]);
  });

  it('reads a time range, newest `limit` of it, oldest first; skips and reports a foreign entry', async () => {
    const keys = stateKeys(redis.prefix());
    const unreadable: UnreadableRecord[] = [];
    const ledger = new RunLedger(redis.client(), keys, { now: () => T0, onUnreadable: (r) => unreadable.push(r) });
    await ledger.append('s', [1, 2, 3, 4, 5].map((i) => state(T0 - i * 1000)));
    await redis.client().zadd(keys.ledger('s'), T0 - 2500, '{"kind":"state","oops":1}');
    const got = await ledger.range('s', T0 - 4000, T0 - 2000, 10);
    expect(got.map((e) => e.at)).toEqual([T0 - 4000, T0 - 3000, T0 - 2000]);
    expect(unreadable).toHaveLength(1);
    expect(unreadable[0]?.key).toBe(keys.ledger('s'));
    expect((await ledger.range('s', 0, T0, 2)).map((e) => e.at)).toEqual([T0 - 2000, T0 - 1000]);
  });

  it('a row that is not JSON at all: the range is read row by row, that row reported, the rest kept', async () => {
    const keys = stateKeys(redis.prefix());
    const unreadable: UnreadableRecord[] = [];
    const ledger = new RunLedger(redis.client(), keys, { now: () => T0, onUnreadable: (r) => unreadable.push(r) });
    await ledger.append('s', [1, 2, 3].map((i) => state(T0 - i * 1000)));
    await redis.client().zadd(keys.ledger('s'), T0 - 1500, 'not json, {');
    const got = await ledger.range('s', 0, T0, 10);
    expect(got.map((e) => e.at)).toEqual([T0 - 3000, T0 - 2000, T0 - 1000]);
    expect(got[0]).toMatchObject({ value: Number.NaN });
    expect(unreadable.map((u) => u.field)).toEqual(['not json, {']);
  });

  it('opens, ends and closes a disruption window; the last window outlives the close', async () => {
    const keys = stateKeys(redis.prefix());
    const ledger = new RunLedger(redis.client(), keys, { now: () => T0 });
    const w = { id: 'j1', suite: 's', startedAt: T0, endedAt: null, before: { 's/c1': 'ok' as const } };
    await ledger.openDisruption(w);
    expect(await ledger.open('s')).toEqual({ windows: [w], last: w });
    const ended = { ...w, endedAt: T0 + 5000 };
    await ledger.endDisruption(ended, { kind: 'disruption', id: 'j1', suite: 's', startedAt: T0, at: T0 + 5000, outcome: 'success', steps: [] });
    expect((await ledger.open('s')).windows).toEqual([ended]);
    await ledger.closeDisruption('s', 'j1', { kind: 'impact', id: 'j1', suite: 's', at: T0 + 9000, checks: [], recovery: { status: 'recovered', seconds: 4, at: T0 + 9000 } });
    expect(await ledger.open('s')).toEqual({ windows: [], last: ended });
    expect((await ledger.range('s', 0, T0 + 10_000, 10)).map((e) => e.kind)).toEqual(['disruption', 'impact']);
  });

  it('keeps at most 16 open windows, dropping the oldest ids', async () => {
    const keys = stateKeys(redis.prefix());
    const ledger = new RunLedger(redis.client(), keys, { now: () => T0 });
    for (let i = 0; i < 20; i++) await ledger.openDisruption({ id: `j${String(i).padStart(2, '0')}`, suite: 's', startedAt: T0 + i, endedAt: null, before: {} });
    const { windows } = await ledger.open('s');
    expect(windows).toHaveLength(16);
    expect(windows[0]?.id).toBe('j04');
  });

  it('records version spans: one per version, extended while it stays', async () => {
    const keys = stateKeys(redis.prefix());
    const ledger = new RunLedger(redis.client(), keys, { now: () => T0 });
    await ledger.recordVersion('1.27.0', 'istio_build', T0);
    await ledger.recordVersion('1.27.0', 'istio_build', T0 + 10_000);
    await ledger.recordVersion('1.28.0', 'istio_build', T0 + 20_000);
    await ledger.recordVersion('1.28.0', 'istio_build', T0 + 30_000);
    expect(await ledger.versions(0, T0 + 60_000)).toEqual([
      { version: '1.27.0', source: 'istio_build', firstSeen: T0, lastSeen: T0 + 10_000 },
      { version: '1.28.0', source: 'istio_build', firstSeen: T0 + 20_000, lastSeen: T0 + 30_000 },
    ]);
    expect((await ledger.versions(T0 + 15_000, T0 + 60_000)).map((v) => v.version)).toEqual(['1.28.0']);
  });
});
