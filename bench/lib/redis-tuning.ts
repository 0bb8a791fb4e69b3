// Redis' `hz` (server cron frequency, default 10) bounds how precisely a blocked client's
// timeout fires: BullMQ's worker waits for the next delayed job with BZPOPMIN and a timeout,
// and Redis may release it up to 1000/hz ms late. The benchmarks can raise it at runtime
// (BENCH_REDIS_HZ) to show how much of the tick lag that accounts for; the local starter and
// deploy/redis.yaml already run Redis with hz 100.

import { Redis } from 'ioredis';

export async function setRedisHz(url: string, hz: number): Promise<void> {
  const client = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await client.connect();
    await client.config('SET', 'hz', String(hz));
  } finally {
    client.disconnect();
  }
}

/** The server's hz as it runs, for the report. */
export async function getRedisHz(url: string): Promise<string> {
  const client = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await client.connect();
    const reply = (await client.config('GET', 'hz')) as string[];
    return reply[1] ?? 'unknown';
  } finally {
    client.disconnect();
  }
}
