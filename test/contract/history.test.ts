// The History contract against Redis (one real Redis for the file). No fake implements
// History: the tests that need none pass a one-method stub.

import { History } from '../../src/adapters/redis/history.js';
import { stateKeys } from '../../src/adapters/redis/keys.js';
import { historyContract } from './history.contract.js';
import { useRedis } from './redis-fixture.js';

const redis = useRedis();

historyContract('History on Redis', {
  make: (prefix, maxLen) => new History(redis.client(), stateKeys(prefix), maxLen === undefined ? {} : { maxLen }),
  prefix: redis.prefix,
  redis: redis.client,
  keys: (prefix, suite) => ({ history: stateKeys(prefix).history(suite), ticks: stateKeys(prefix).ticks(suite) }),
  allKeys: redis.allKeys,
});
