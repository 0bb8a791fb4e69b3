// CheckStore's memory of what this process last saved: answered when Redis lost the suite's
// records (flushed, or restarted empty) or cannot be read, never when it is too old, and
// kept even when the Redis write failed (an out-of-memory Redis).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startRedis, type RunningRedis } from '../../harness/index.js';
import { CheckStore } from '../../../src/adapters/redis/check-store.js';
import { stateKeys } from '../../../src/adapters/redis/keys.js';
import type { CheckRecord } from '../../../src/checks/types.js';

let server: RunningRedis;
let redis: Redis;
beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

const failing: CheckRecord = {
  state: 'failing',
  consecutiveErrors: 0,
  instances: { '{}': { labels: {}, state: 'failing', value: 9, activeSince: 1000, failingSince: 2000, lastSeenAt: 3000 } },
} as unknown as CheckRecord;

describe('CheckStore remember', () => {
  it('answers a flushed suite from memory, while recent', async () => {
    let now = 10_000;
    const restored: string[] = [];
    const store = new CheckStore(redis, stateKeys('remember'), { remember: { maxAgeMs: 60_000, now: () => now, onRestored: (s) => restored.push(s) } });
    await store.save('web', { errors: failing });
    await redis.flushall();
    expect((await store.load('web')).errors?.state).toBe('failing');
    expect(restored).toEqual(['web']);
    now += 60_001;
    expect(await store.load('web')).toEqual({});
  });

  it('without remember, a flushed suite is empty', async () => {
    const store = new CheckStore(redis, stateKeys('no-remember'));
    await store.save('web', { errors: failing });
    await redis.flushall();
    expect(await store.load('web')).toEqual({});
  });

  it('keeps the evaluation when Redis refuses the write (out of memory)', async () => {
    const store = new CheckStore(redis, stateKeys('oom'), { remember: { maxAgeMs: 60_000, now: () => 1 } });
    await redis.config('SET', 'maxmemory', '1');
    try {
      await expect(store.save('web', { errors: failing })).rejects.toThrow();
    } finally {
      await redis.config('SET', 'maxmemory', '0');
    }
    expect((await store.loadOrRemembered('web')).errors?.state).toBe('failing');
  });
});
