// The PauseFlags contract against Redis (one real Redis for the file). No fake implements
// PauseFlags: the tests that need none pass a one-method stub.

import { stateKeys } from '../../src/adapters/redis/keys.js';
import { PauseFlags } from '../../src/adapters/redis/pause-flags.js';
import { pauseFlagsContract } from './pause-flags.contract.js';
import { useRedis } from './redis-fixture.js';

const redis = useRedis();

pauseFlagsContract('PauseFlags on Redis', {
  make: (prefix) => new PauseFlags(redis.client(), stateKeys(prefix)),
  prefix: redis.prefix,
  redis: redis.client,
  key: (prefix) => stateKeys(prefix).paused(),
  allKeys: redis.allKeys,
});
