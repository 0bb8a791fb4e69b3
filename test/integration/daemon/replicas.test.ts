// Two daemons on one Redis with the same config, as two replicas would run: every
// (suite, scheduled slot) is evaluated exactly once, whichever replica picks it up.

import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startPrometheus, startRedis, startSyntheticTarget, waitFor } from '../../harness/index.js';
import type { RunningPrometheus, RunningRedis, SyntheticTarget } from '../../harness/index.js';
import { startDaemon, type Daemon } from '../../../src/app/index.js';
import { History } from '../../../src/adapters/redis/history.js';
import { stateKeys } from '../../../src/adapters/redis/keys.js';
import { check, config, quietLogger, suite, uniquePrefix } from './fixtures.js';

let redis: RunningRedis | undefined;
let prom: RunningPrometheus | undefined;
let target: SyntheticTarget | undefined;
const daemons: Daemon[] = [];
let client: Redis | undefined;
const prefix = uniquePrefix();

beforeAll(async () => {
  target = await startSyntheticTarget();
  target.set('soak_value', {}, 1);
  redis = await startRedis();
  prom = await startPrometheus({ scrapeTargets: [target.hostPort] });
  const cfg = config({
    prometheusUrl: prom.url,
    redisUrl: redis.url,
    suites: [suite('a', [check('v', 'sum(soak_value)', '> 5')]), suite('b', [check('v', 'sum(soak_value)', '> 5')])],
    checks: [check('mesh-v', 'sum(soak_value)', '> 5')],
  });
  for (let i = 0; i < 2; i++) {
    daemons.push(await startDaemon(cfg, { logger: quietLogger, prefix, port: 0, host: '127.0.0.1' }));
  }
  await Promise.all(daemons.map((d) => d.scheduled));
  client = new Redis(redis.url);
});

afterAll(async () => {
  await Promise.allSettled(daemons.map((d) => d.stop()));
  client?.disconnect();
  await prom?.stop();
  await redis?.stop();
  await target?.stop();
});

it('evaluates each suite once per scheduled slot across two replicas', async () => {
  const history = new History(client!, stateKeys(prefix));
  const suites = ['a', 'b', 'mesh'];
  await waitFor(
    async () => {
      for (const s of suites) if ((await history.recentTicks(s, 100)).length < 8) return false;
      return true;
    },
    { timeoutMs: 90_000, intervalMs: 500, what: '8 ticks of every suite' },
  );
  for (const s of suites) {
    const ticks = (await history.recentTicks(s, 1000)).map((t) => t.event);
    const slots = ticks.map((t) => t.scheduledAt);
    expect(new Set(slots).size, `suite ${s}: one evaluation per slot`).toBe(slots.length);
    const jobIds = ticks.map((t) => t.jobId);
    expect(new Set(jobIds).size).toBe(jobIds.length);
    // Consecutive slots are one tick apart: no slot was dropped or doubled.
    const sorted = [...slots].sort((x, y) => x - y);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]! - sorted[i - 1]!).toBe(1000);
    const lags = ticks.map((t) => t.startedAt - t.scheduledAt).sort((x, y) => x - y);
    console.log(`suite ${s}: ${ticks.length} ticks, workers ${[...new Set(ticks.map((t) => t.worker))].join(',')}, lag ms p50=${lags[Math.floor(lags.length / 2)]} max=${lags[lags.length - 1]}`);
  }
});

it('a replica that stops cleanly leaves the replica count at once, not after its TTL', async () => {
  const key = stateKeys(prefix).replicas();
  await waitFor(async () => (await client!.zcard(key)) === 2, { timeoutMs: 30_000, what: 'both replicas counted' });
  const both = await client!.zrange(key, '0', '-1');
  await daemons[0]!.stop();
  const left = await client!.zrange(key, '0', '-1');
  expect(left).toHaveLength(1);
  expect(both).toContain(left[0]);
  await daemons[1]!.stop();
  expect(await client!.zcard(key)).toBe(0);
});
