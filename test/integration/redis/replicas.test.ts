// The replica count the tick share is divided by (src/adapters/redis/replicas.ts), against a
// real Redis: each replica counts itself, a replica silent for longer than the TTL is no longer
// counted, and the key is the only one touched.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startRedis, type RunningRedis } from '../../harness/index.js';
import { countReplicas } from '../../../src/adapters/redis/replicas.js';
import { tickShare } from '../../../src/adapters/bullmq/queues.js';
import { scaledMs } from '../../../simulator/local/wait-for.js';

const KEY = 'mesh-soak-test:replicas';
const TTL_MS = 45_000;
let redis: RunningRedis | undefined;
let client: Redis | undefined;

beforeAll(async () => {
  redis = await startRedis();
  client = new Redis(redis.url);
}, scaledMs(60_000));

afterAll(async () => {
  client?.disconnect();
  await redis?.stop();
});

it('counts the replicas that said so within the TTL, each once, and forgets a silent one', async () => {
  const t0 = 1_000_000;
  const table: Array<[worker: string, at: number, alive: number]> = [
    ['a', t0, 1],
    ['b', t0 + 1000, 2],
    ['a', t0 + 15_000, 2], // a again: still two
    ['c', t0 + 20_000, 3],
    ['a', t0 + 30_000, 3],
    // b last said so at t0 + 1000: past the TTL at t0 + 46 001.
    ['c', t0 + 46_001, 2],
  ];
  for (const [worker, at, alive] of table) expect(await countReplicas(client!, KEY, worker, at, TTL_MS), `${worker} at ${at - t0}`).toBe(alive);
  expect(await client!.zrange(KEY, '0', '-1')).toEqual(['a', 'c']);
  expect(await client!.pttl(KEY)).toBeGreaterThan(0);
  expect(await client!.keys('*')).toEqual([KEY]);
  // What the count makes of 100 suites' tick slots (101): 35 each at three replicas.
  expect(tickShare(101, 3)).toBe(35);
});
