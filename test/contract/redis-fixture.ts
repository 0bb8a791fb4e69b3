// One real Redis per contract test file (simulator/local's startRedis), shared by every
// case; cases keep apart by key prefix rather than by flushing, so a case can also check
// that a store writes nothing outside its prefix.
//
//   const redis = useRedis();            // at the top of a test file
//   ... redis.client() in a case, redis.prefix() for a fresh prefix ...

import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { startRedis, type RunningRedis } from '../harness/index.js';

export interface SharedRedis {
  /** A client on the shared server (one per file). */
  client(): Redis;
  /** A prefix no other case of this run uses. */
  prefix(): string;
  /** Every key on the server, sorted. */
  allKeys(): Promise<string[]>;
}

export function useRedis(): SharedRedis {
  let server: RunningRedis | undefined;
  let client: Redis | undefined;
  let seq = 0;
  beforeAll(async () => {
    server = await startRedis();
    client = new Redis(server.url, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    client?.disconnect();
    await server?.stop();
  });
  const get = (): Redis => {
    if (!client) throw new Error('the contract Redis did not start');
    return client;
  };
  return {
    client: get,
    prefix: () => `contract-${process.pid}-${++seq}`,
    allKeys: async () => (await get().keys('*')).sort(),
  };
}
