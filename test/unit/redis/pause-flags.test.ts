// Pause flags in a real Redis: the flag's value is the clock's time of the pause.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startRedis, type RunningRedis } from '../../harness/index.js';
import { PauseFlags } from '../../../src/adapters/redis/pause-flags.js';
import { stateKeys } from '../../../src/adapters/redis/keys.js';

let server: RunningRedis;
let redis: Redis;
beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
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
