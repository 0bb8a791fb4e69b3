// Redis refusing writes (maxmemory reached, noeviction) and Redis refusing the password:
// the daemon never goes quiet about it. Out of memory: ticks stop (BullMQ cannot even move a
// job), and /readyz fails saying Redis is out of memory and which suite has stalled, the
// stalled suite is on suite_stalled and tick_failures_total, and all of it clears once
// Redis accepts writes again. A wrong password: /readyz says "redis authentication failed",
// not "unreachable".

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus, startRedis, waitFor } from '../../harness/index.js';
import type { RunningPrometheus, RunningRedis } from '../../harness/index.js';
import { startDaemon, type Daemon } from '../../../src/app/index.js';
import { check, config, getJson, quietLogger, suite, uniquePrefix } from '../daemon/fixtures.js';

let redis: RunningRedis | undefined;
let prom: RunningPrometheus | undefined;
let client: Redis | undefined;
const daemons: Daemon[] = [];

beforeAll(async () => {
  redis = await startRedis();
  prom = await startPrometheus();
  client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
});

afterAll(async () => {
  await client?.config('SET', 'maxmemory', '0').catch(() => undefined);
  await client?.config('SET', 'requirepass', '').catch(() => undefined);
  for (const d of daemons) await d.stop();
  client?.disconnect();
  await prom?.stop();
  await redis?.stop();
});

async function start(redisUrl: string): Promise<string> {
  const cfg = config({ prometheusUrl: prom!.url, redisUrl, suites: [suite('web', [check('ok', 'vector(0)', '> 0')])] });
  const d = await startDaemon(cfg, {
    logger: quietLogger,
    prefix: uniquePrefix(),
    port: 0,
    host: '127.0.0.1',
    housekeepingCron: '* * * * * *',
    watch: { missedTicks: 3, minWindowMs: 3000 },
    retryMs: 500,
  });
  daemons.push(d);
  return `http://127.0.0.1:${d.port}`;
}

const metric = async (base: string, re: RegExp): Promise<number> => Number(re.exec(await (await fetch(`${base}/metrics`)).text())?.[1] ?? 0);

describe('Redis out of memory', () => {
  it('fails /readyz naming the problem and the stalled suite, counts it, and recovers', async () => {
    const base = await start(redis!.url);
    let seen: unknown;
    await waitFor(async () => (seen = await getJson(`${base}/readyz`)).status === 200, { timeoutMs: 60_000, what: 'ready', seen: () => seen });
    await waitFor(async () => (await metric(base, /^mesh_soak_tick_duration_seconds_count\{suite="web"\} (\d+)/m)) > 0, { timeoutMs: 60_000, what: 'a first tick' });

    await client!.config('SET', 'maxmemory', '1');
    const oomAt = Date.now();
    try {
      await waitFor(
        async () => {
          const r = await getJson<{ reasons: string[] }>(`${base}/readyz`);
          seen = r;
          return r.status === 503 && r.body.reasons.some((x) => x.includes('redis out of memory')) && r.body.reasons.some((x) => x.startsWith('suite web: no completed tick'));
        },
        { timeoutMs: 90_000, intervalMs: 250, what: '/readyz: redis out of memory and suite web stalled', seen: () => seen },
      );
      // Housekeeping (every second here) updates the gauge and counts the ticks that never ran.
      await waitFor(async () => (seen = await metric(base, /^mesh_soak_suite_stalled\{suite="web"\} (\d+)/m)) === 1, { timeoutMs: 60_000, what: 'suite_stalled{suite="web"} 1', seen: () => seen });
      await waitFor(async () => (seen = await metric(base, /^mesh_soak_tick_failures_total\{suite="web",reason="redis-oom"\} (\d+)/m)) > 0, {
        timeoutMs: 60_000,
        what: 'tick_failures_total{suite="web",reason="redis-oom"}',
        seen: () => seen,
      });
    } finally {
      await client!.config('SET', 'maxmemory', '0');
    }
    const reportedAt = Date.now();
    await waitFor(async () => (seen = await getJson(`${base}/readyz`)).status === 200, { timeoutMs: 120_000, intervalMs: 250, what: 'ready again once Redis accepts writes', seen: () => seen });
    await waitFor(async () => (seen = await metric(base, /^mesh_soak_suite_stalled\{suite="web"\} (\d+)/m)) === 0, { timeoutMs: 60_000, what: 'suite_stalled back to 0', seen: () => seen });
    console.log(`[redis-oom] reported ${reportedAt - oomAt} ms after maxmemory; ready again ${Date.now() - reportedAt} ms after writes were allowed`);
    expect(process.memoryUsage().rss).toBeLessThan(300 * 1024 * 1024);
  });
});

describe('Redis refusing the password', () => {
  it('says "redis authentication failed" on /readyz', async () => {
    await client!.config('SET', 'requirepass', 'right-password');
    try {
      const base = await start(`redis://:wrong-password@127.0.0.1:${redis!.port}`);
      let seen: unknown;
      await waitFor(
        async () => {
          const r = await getJson<{ reasons: string[] }>(`${base}/readyz`);
          seen = r;
          return r.status === 503 && r.body.reasons.includes('redis authentication failed');
        },
        { timeoutMs: 60_000, intervalMs: 250, what: '/readyz: redis authentication failed', seen: () => seen },
      );
    } finally {
      await client!.config('SET', 'requirepass', '');
    }
  });
});
