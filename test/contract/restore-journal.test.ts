// The RestoreJournal contract against Redis (one real Redis for the file). No fake
// implements the journal: the runner's tests use it on a real Redis.

import { RestoreJournal } from '../../src/disruption/restore-journal.js';
import { stateKeys } from '../../src/adapters/redis/keys.js';
import { restoreJournalContract } from './restore-journal.contract.js';
import { useRedis } from './redis-fixture.js';

const redis = useRedis();

restoreJournalContract('RestoreJournal on Redis', {
  make: (prefix) => new RestoreJournal(redis.client(), stateKeys(prefix)),
  prefix: redis.prefix,
  redis: redis.client,
  suiteKey: (prefix, suite) => stateKeys(prefix).journal(suite),
  allKeys: redis.allKeys,
});
