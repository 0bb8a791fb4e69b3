// The lock contract against Redis (one real Redis for the file), as the runner uses it:
// acquireLock on stateKeys(prefix).disruptionLock(suite). No fake implements the lock.

import { acquireLock } from '../../src/disruption/lock.js';
import { stateKeys } from '../../src/adapters/redis/keys.js';
import { lockContract } from './disruption-lock.contract.js';
import { useRedis } from './redis-fixture.js';

const redis = useRedis();

lockContract('the disruption lock on Redis', {
  acquire: acquireLock,
  key: (prefix: string, suite: string) => stateKeys(prefix).disruptionLock(suite),
  prefix: redis.prefix,
  redis: redis.client,
});
