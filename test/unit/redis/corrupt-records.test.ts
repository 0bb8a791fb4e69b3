// Garbage written straight into a real Redis, where the stores keep their records: every
// read still answers, skipping what it cannot read and saying which field and why; the
// good records around it come back whole.

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { useRedis } from '../../contract/redis-fixture.js';
import { CheckStore } from '../../../src/adapters/redis/check-store.js';
import { History, type HistoryEvent } from '../../../src/adapters/redis/history.js';
import { stateKeys } from '../../../src/adapters/redis/keys.js';
import { journalEntryCodec, warnUnreadable, type UnreadableRecord } from '../../../src/adapters/redis/codecs.js';
import { RestoreJournal, type ScaleIntent } from '../../../src/disruption/restore-journal.js';
import type { CheckRecord } from '../../../src/checks/types.js';

// One real Redis for the file (test/contract/redis-fixture.ts).
const shared = useRedis();
let redis: Redis;
beforeAll(() => {
  redis = shared.client();
});
afterEach(async () => {
  await redis.flushall();
});

const keys = stateKeys('corrupt-test');
const GARBAGE = ['{', 'null', '42', '"text"', '[]', '{"state":"ok","instances":{}}', '{"$num":"NaN"}'];

const good: CheckRecord = {
  state: 'ok',
  consecutiveErrors: 0,
  lastEvalAt: 5,
  instances: { '{}': { key: '{}', labels: {}, state: 'ok', value: Number.NaN, activeSince: null, failingSince: null, lastTrueAt: null } },
};

describe('CheckStore with unreadable fields', () => {
  it('loads the readable records and reports each unreadable field', async () => {
    const reported: UnreadableRecord[] = [];
    const store = new CheckStore(redis, keys, { onUnreadable: (u) => reported.push(u) });
    await store.save('web', { good });
    await redis.hset(keys.checks2('web'), ...GARBAGE.flatMap((g, i) => [`bad${i}`, g]));
    expect(await store.load('web')).toEqual({ good });
    expect(reported.map((u) => u.field).sort()).toEqual(GARBAGE.map((_, i) => `bad${i}`).sort());
    expect(reported.every((u) => u.key === keys.checks2('web') && u.reason.length > 0)).toBe(true);
  });

  it('read() returns them instead, and the next save replaces them', async () => {
    const store = new CheckStore(redis, keys);
    await redis.hset(keys.checks('web'), 'bad', '{"state":1}', 'good', JSON.stringify(good));
    const { records, unreadable } = await store.read('web');
    expect(Object.keys(records)).toEqual(['good']);
    expect(unreadable).toEqual([{ key: keys.checks('web'), field: 'bad', reason: expect.stringMatching(/^state: /) }]);
    await store.save('web', records);
    expect(await redis.hkeys(keys.checks('web'))).toEqual(['good']);
  });

  it('reports through a logger as one fixed message with fields', async () => {
    const lines: Array<[object, string]> = [];
    const store = new CheckStore(redis, keys, { onUnreadable: warnUnreadable({ warn: (obj, msg) => lines.push([obj, msg]) }) });
    await redis.hset(keys.checks('web'), 'bad', '{');
    await store.load('web');
    expect(lines).toEqual([[{ key: keys.checks('web'), field: 'bad', reason: expect.stringMatching(/^not JSON/) }, 'unreadable redis record; skipped']]);
  });
});

describe('History with unreadable entries', () => {
  const older: HistoryEvent = { kind: 'disruption', jobId: 'd1', outcome: 'success', startedAt: 1, durationMs: 2 };

  it('skips them in recent(), lastDisruption() and recentTicks(), reporting each entry id', async () => {
    const reported: UnreadableRecord[] = [];
    const history = new History(redis, keys, { onUnreadable: (u) => reported.push(u) });
    await history.append('web', [older]);
    const ids = [
      await redis.xadd(keys.history('web'), '*', 'e', '{"kind":"disruption","jobId":"d2","outcome":"busy","startedAt":3,"durationMs":1}'),
      await redis.xadd(keys.history('web'), '*', 'e', 'not json'),
      await redis.xadd(keys.history('web'), '*', 'other', '{}', 'more', 'x'),
    ];
    expect((await history.recent('web', 10)).map((e) => e.event)).toEqual([older]);
    expect(await history.lastDisruption('web')).toEqual(older);
    expect(reported.map((u) => u.field)).toEqual([...ids.reverse(), ...ids]);

    await redis.xadd(keys.ticks('web'), '*', 'e', '{"jobId":"t"}');
    await history.recordTick('web', { jobId: 't2', scheduledAt: 1, startedAt: 2, durationMs: 3, worker: 'h:1' });
    expect((await history.recentTicks('web', 10)).map((e) => e.event.jobId)).toEqual(['t2']);
    expect(reported.at(-1)).toMatchObject({ key: keys.ticks('web'), reason: expect.stringMatching(/^scheduledAt: /) });
  });

  it('keeps its stream cap as an option', async () => {
    const history = new History(redis, keys, { maxLen: 10 });
    for (let i = 0; i < 300; i++) await history.recordTick('web', { jobId: `t${i}`, scheduledAt: i, startedAt: i, durationMs: 0, worker: 'w' });
    // MAXLEN ~ trims whole stream nodes (100 entries by default): far fewer than written remain.
    expect(await redis.xlen(keys.ticks('web'))).toBeLessThanOrEqual(110);
    expect((await history.recentTicks('web', 1))[0]?.event.jobId).toBe('t299');
  });
});

describe('journalEntryCodec against the restore journal', () => {
  it('calls unreadable exactly the entries restore-journal.ts calls unreadable', async () => {
    const intent: ScaleIntent = { kind: 'scale', namespace: 'ns', deployment: 'ok', original: 2, suite: 's', jobId: 'j', at: 1 };
    const jk = stateKeys('mesh-soak');
    const stored: Record<string, string> = {
      'scale/ns/ok': journalEntryCodec.encode(intent),
      'scale/ns/negative': JSON.stringify({ ...intent, original: -1 }),
      'scale/ns/fraction': JSON.stringify({ ...intent, original: 0.5 }),
      'scale/ns/kind': JSON.stringify({ ...intent, kind: 'env' }),
      'scale/ns/missing': JSON.stringify({ ...intent, jobId: undefined }),
      'scale/ns/text': 'garbage',
      'scale/ns/null': 'null',
    };
    await redis.hset(jk.journal('s'), stored);
    const { entries, unreadable } = await new RestoreJournal(redis).entries('s');
    const byCodec = Object.entries(stored).filter(([, v]) => journalEntryCodec.parse(v).kind === 'corrupt').map(([f]) => f);
    expect(unreadable.sort()).toEqual(byCodec.sort());
    expect(entries).toEqual([intent]);
  });
});
