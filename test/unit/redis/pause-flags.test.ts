// Pause flags in a real Redis: the flag's value is the clock's time of the pause.

import { beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { useRedis } from '../../contract/redis-fixture.js';
import { PauseFlags } from '../../../src/adapters/redis/pause-flags.js';
import { stateKeys } from '../../../src/adapters/redis/keys.js';

// One real Redis for the file (test/contract/redis-fixture.ts).
const shared = useRedis();
let redis: Redis;
beforeAll(() => {
  redis = shared.client();
});

describe('PauseFlags', () => {
  it('dates a pause with the clock it is given, and forgets it on resume', async () => {
    const keys = stateKeys('pause-test');
    const flags = new PauseFlags(redis, keys, { now: () => 1_700_000_000_000 });
    await flags.set('web', true);
    expect(await redis.hget(keys.paused(), 'web')).toBe('1700000000000');
    expect(await flags.isPaused('web')).toBe(true);
    expect([...(await flags.all())]).toEqual(['web']);
    await flags.set('web', false);
    expect(await flags.isPaused('web')).toBe(false);
  });
});

describe('PauseFlags after Redis lost its data', () => {
  it('sets a remembered pause again when the data set is gone (FLUSHALL)', async () => {
    const keys = stateKeys('pause-flush');
    const reasserted: string[][] = [];
    const flags = new PauseFlags(redis, keys, { now: () => 1_700_000_000_000, onReasserted: (s) => reasserted.push(s) });
    await flags.sync();
    await flags.set('web', true);
    await redis.flushall();
    expect(await flags.isPaused('web')).toBe(true);
    expect(await redis.hget(keys.paused(), 'web')).toBe('1700000000000');
    expect(reasserted).toEqual([['web']]);
  });

  it('sync() (housekeeping) writes remembered pauses back after a loss', async () => {
    const keys = stateKeys('pause-flush-sync');
    const flags = new PauseFlags(redis, keys, { now: () => 1 });
    await flags.sync();
    await flags.set('a', true);
    await flags.set('b', true);
    await redis.flushall();
    expect((await flags.sync()).sort()).toEqual(['a', 'b']);
    expect(Object.keys(await redis.hgetall(keys.paused())).sort()).toEqual(['a', 'b']);
  });

  it('a resume through another replica is a resume, not a loss', async () => {
    const keys = stateKeys('pause-other-replica');
    const a = new PauseFlags(redis, keys);
    const b = new PauseFlags(redis, keys);
    await a.sync();
    await b.sync();
    await a.set('web', true);
    expect(await b.isPaused('web')).toBe(true);
    await b.set('web', false);
    expect(await a.isPaused('web')).toBe(false);
    expect(await redis.hexists(keys.paused(), 'web')).toBe(0);
  });

  it('a replica that set the marker again after the loss does not hide it from the others', async () => {
    const keys = stateKeys('pause-new-epoch');
    const a = new PauseFlags(redis, keys);
    const b = new PauseFlags(redis, keys);
    await a.sync();
    await a.set('web', true);
    await redis.flushall();
    await b.sync(); // b knew nothing; it sets a new marker
    expect(await a.isPaused('web')).toBe(true);
  });
});
