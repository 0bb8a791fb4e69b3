// An in-memory CheckStore, the one the tick tests use (test/unit/daemon/tick-runner.test.ts). Contract-tested beside the
// Redis CheckStore in test/contract/check-store.test.ts.

import type { CheckRecord } from '../../src/checks/types.js';
import type { CheckStore } from '../../src/adapters/redis/check-store.js';

export function memoryStore(): CheckStore & { data: Map<string, Record<string, CheckRecord>> } {
  const data = new Map<string, Record<string, CheckRecord>>();
  const store = {
    data,
    load: (suite: string) => Promise.resolve(structuredClone(data.get(suite) ?? {})),
    save: (suite: string, records: Record<string, CheckRecord>) => {
      data.set(suite, structuredClone(records));
      return Promise.resolve();
    },
    remove: (suite: string) => {
      data.delete(suite);
      return Promise.resolve();
    },
  };
  return store as unknown as CheckStore & { data: Map<string, Record<string, CheckRecord>> };
}
