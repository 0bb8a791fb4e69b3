// The lock contract against Redis (one real Redis for the file), as the runner uses it:
// acquireDisruptionLock on disruptionLockKey(prefix, suite). No fake implements the lock.

import { acquireDisruptionLock, disruptionLockKey } from '../../src/disruption/disruption-lock.js';
import { lockContract } from './disruption-lock.contract.js';
import { useRedis } from './redis-fixture.js';

const redis = useRedis();

lockContract('acquireDisruptionLock on Redis', {
  acquire: acquireDisruptionLock,
  key: disruptionLockKey,
  prefix: redis.prefix,
  redis: redis.client,
});
