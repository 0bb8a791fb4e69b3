// The CheckStore contract against the Redis store (one real Redis for the file) and the
// in-memory fake the tick tests use.

import { CheckStore } from '../../src/adapters/redis/check-store.js';
import { stateKeys } from '../../src/adapters/redis/keys.js';
import { memoryStore } from '../fakes/memory-check-store.js';
import { checkStoreContract } from './check-store.contract.js';
import { useRedis } from './redis-fixture.js';

const redis = useRedis();

checkStoreContract('CheckStore on Redis', {
  make: (prefix, now) => new CheckStore(redis.client(), stateKeys(prefix), now ? { now } : {}),
  prefix: redis.prefix,
  writeRaw: async (prefix, suite, check, text) => {
    await redis.client().hset(stateKeys(prefix).checks2(suite), check, text);
  },
  allKeys: redis.allKeys,
  // As the store of every version before format 2 saved: the whole hash replaced.
  writeFormat1: async (prefix, suite, fields) => {
    const key = stateKeys(prefix).checks(suite);
    await redis.client().multi().del(key).hset(key, fields).exec();
  },
  readHashes: async (prefix, suite) => ({
    format1: await redis.client().hgetall(stateKeys(prefix).checks(suite)),
    format2: await redis.client().hgetall(stateKeys(prefix).checks2(suite)),
  }),
  capabilities: { rawRedis: true, keyPrefix: true, formats: true },
});

checkStoreContract('memoryStore (test fake)', {
  make: () => memoryStore(),
  prefix: redis.prefix,
  // Plain objects in a Map: nothing raw to corrupt, no prefix (one instance is one namespace).
  capabilities: { rawRedis: false, keyPrefix: false, formats: false },
});
