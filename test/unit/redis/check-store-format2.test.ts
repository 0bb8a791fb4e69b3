// CheckStore's format 2 writes only the fields whose text differs from what it knows Redis
// holds; a read that crossed a save (a scrape's gauge refresh beside a tick) must not make it
// believe Redis holds the older texts. One real Redis (test/contract/redis-fixture.ts).

import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { useRedis } from '../../contract/redis-fixture.js';
import { CheckStore } from '../../../src/adapters/redis/check-store.js';
import { checkRecordCodec } from '../../../src/adapters/redis/codecs.js';
import { stateKeys } from '../../../src/adapters/redis/keys.js';
import type { CheckRecord } from '../../../src/checks/types.js';

const shared = useRedis();

const record = (at: number, state: 'ok' | 'failing'): CheckRecord => ({
  state,
  consecutiveErrors: 0,
  lastEvalAt: at,
  instances: { '{}': { key: '{}', labels: {}, state, value: at, activeSince: null, failingSince: state === 'failing' ? at : null, lastTrueAt: null } },
});

describe('CheckStore format 2', () => {
  it('a read sent before a save and answered after it does not make the next save skip a changed field', async () => {
    const keys = stateKeys(shared.prefix());
    const store = new CheckStore(shared.client(), keys);
    await store.save('web', { a: record(1, 'ok') });
    await store.load('web');
    const crossing = store.load('web');
    await store.save('web', { a: record(2, 'failing') });
    expect(await crossing).toEqual({ a: record(1, 'ok') });
    // Its stable part is the first save's text again: it must still be written over the second's.
    await store.save('web', { a: record(3, 'ok') });
    expect(await new CheckStore(shared.client(), keys).load('web')).toEqual({ a: record(3, 'ok') });
  });

  it("a save over another writer's save replaces the hash instead of mixing their fields", async () => {
    const keys = stateKeys(shared.prefix());
    const a = new CheckStore(shared.client(), keys);
    const b = new CheckStore(shared.client(), keys);
    const two = (at: number): CheckRecord => {
      const r = record(at, 'failing');
      return { ...r, instances: { ...r.instances, '{pod="p2"}': { ...r.instances['{}']!, key: '{pod="p2"}', labels: { pod: 'p2' } } } };
    };
    // x failing since t=1: only its value and evaluation time change from tick to tick.
    const x = (at: number): CheckRecord => ({ ...record(at, 'failing'), instances: { '{}': { ...record(at, 'failing').instances['{}']!, failingSince: 1 } } });
    await a.save('web', { x: x(1), y: record(1, 'ok') });
    await a.load('web');
    // Another replica's tick: x gained a second instance.
    await b.load('web');
    await b.save('web', { x: two(2), y: record(2, 'ok') });
    // A tick of this replica that ran on its older view finishes late: x as it knew it, so
    // x's field text is unchanged from what this store last wrote.
    await a.save('web', { x: x(3), y: record(3, 'ok') });
    const fresh = new CheckStore(shared.client(), keys);
    const read = await fresh.read('web');
    expect(read.unreadable).toEqual([]);
    expect(read.records).toEqual({ x: x(3), y: record(3, 'ok') });
  });

  it('saves a suite of 5,000 checks (more fields than one Lua unpack takes) and only the changes after', async () => {
    const keys = stateKeys(shared.prefix());
    const store = new CheckStore(shared.client(), keys);
    const many = (at: number, failing: number): Record<string, CheckRecord> =>
      Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`c${i}`, record(at, i === failing ? 'failing' : 'ok')]));
    await store.save('big', many(1, -1));
    await store.load('big');
    await store.save('big', many(2, 7));
    expect(await new CheckStore(shared.client(), keys).load('big')).toEqual(many(2, 7));
  });

  it('a save over its own last save sends only the changed fields, not the whole hash again', async () => {
    const keys = stateKeys(shared.prefix());
    const store = new CheckStore(shared.client(), keys);
    const suite = (at: number, failing: number): Record<string, CheckRecord> =>
      Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`check-${i}`, record(at, i === failing ? 'failing' : 'ok')]));
    const socket = (shared.client() as unknown as { stream: Socket }).stream;
    const sent = async (save: () => Promise<void>): Promise<number> => {
      const before = socket.bytesWritten;
      await save();
      return socket.bytesWritten - before;
    };
    const whole = await sent(() => store.save('web', suite(1, -1)));
    // One check turned failing: its field and `$tick` (every value) change, the 199 others do not.
    const diff = await sent(() => store.save('web', suite(2, 5)));
    expect(diff).toBeLessThan(whole / 4);
    expect(await new CheckStore(shared.client(), keys).load('web')).toEqual(suite(2, 5));
  });

  it('writes format 1 for compatMs after reading it as the latest (a suite ticked less often than the default window)', async () => {
    const keys = stateKeys(shared.prefix());
    let now = 1_000_000;
    const store = new CheckStore(shared.client(), keys, { now: () => now, compatMs: 60 * 60_000 });
    await shared.client().hset(keys.checks('slow'), 'a', checkRecordCodec.encode(record(now, 'ok')));
    await store.load('slow');
    now += 45 * 60_000;
    await store.save('slow', { a: record(now, 'failing') });
    const v1 = await shared.client().hgetall(keys.checks('slow'));
    expect(Object.keys(v1)).toEqual(['a']);
    expect(checkRecordCodec.parse(v1['a']!)).toEqual({ kind: 'ok', value: record(now, 'failing') });
  });
});
