// One suite's Prometheus answers in 10 s; the others answer at once. A tick of the slow
// suite never overlaps its previous tick (slots that find it busy are skipped), and while
// one slow tick is in progress the other suites keep ticking — counted in ticks completed
// inside the slow tick's own span, not in seconds.

import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRedis, waitFor, type RunningRedis } from '../../harness/index.js';
import { startDaemon, type Daemon } from '../../../src/app/index.js';
import { History } from '../../../src/adapters/redis/history.js';
import { stateKeys } from '../../../src/adapters/redis/keys.js';
import type { TickEntry } from '../../../src/adapters/redis/codecs.js';
import { startLoopbackServer, type LoopbackServer } from '../prometheus/loopback-server.js';
import { check, config, quietLogger, suite, uniquePrefix } from '../daemon/fixtures.js';

const SLOW_MS = 10_000;
let redis: RunningRedis | undefined;
let prom: LoopbackServer | undefined;
let client: Redis | undefined;
let daemon: Daemon | undefined;
const prefix = uniquePrefix();
const pendingTimers = new Set<NodeJS.Timeout>();

beforeAll(async () => {
  redis = await startRedis();
  client = new Redis(redis.url);
  prom = await startLoopbackServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const answer = (): void => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1, '0'] }] } }));
      };
      if (!new URLSearchParams(body).get('query')?.includes('slow_metric')) return answer();
      const t = setTimeout(() => {
        pendingTimers.delete(t);
        answer();
      }, SLOW_MS);
      pendingTimers.add(t);
    });
  });
  const cfg = config({
    prometheusUrl: prom.url,
    redisUrl: redis.url,
    suites: [
      suite('slow', [check('a', 'sum(slow_metric)', '> 0')]),
      suite('fast1', [check('a', 'sum(fast_metric)', '> 0')]),
      suite('fast2', [check('a', 'sum(fast_metric)', '> 0')]),
    ],
  });
  cfg.prometheus.timeoutMs = 30_000;
  daemon = await startDaemon(cfg, { logger: quietLogger, prefix, port: 0, host: '127.0.0.1' });
  await daemon.scheduled;
});

afterAll(async () => {
  await daemon?.stop();
  for (const t of pendingTimers) clearTimeout(t);
  await prom?.stop();
  client?.disconnect();
  await redis?.stop();
});

const ticks = async (name: string): Promise<TickEntry[]> => (await new History(client!, stateKeys(prefix)).recentTicks(name, 1000)).map((e) => e.event);

it('a slow suite never overlaps itself and does not starve the others', async () => {
  let seen: unknown;
  await waitFor(async () => (seen = (await ticks('slow')).length) >= 2, { timeoutMs: 120_000, intervalMs: 500, what: 'two slow ticks', seen: () => seen });
  const slow = (await ticks('slow')).sort((a, b) => a.startedAt - b.startedAt);
  // Never two slow ticks at once: each starts after the previous one ended (an ordering of
  // recorded events, not a duration).
  const endOf = (t: TickEntry): number => t.startedAt + t.durationMs;
  const overlapping = slow.slice(1).filter((t, i) => t.startedAt < endOf(slow[i]!)).map((t) => t.jobId);
  expect(overlapping, 'slow ticks that started inside the previous one').toEqual([]);
  // Inside the first slow tick (10 s of Prometheus silence; the others tick every second)
  // both fast suites completed ticks of their own: they were not starved. The bound is a
  // small fraction of what fits, so machine load does not decide it.
  const first = slow[0]!;
  for (const name of ['fast1', 'fast2']) {
    const inside = (await ticks(name)).filter((t) => t.startedAt >= first.startedAt && endOf(t) <= endOf(first));
    expect(inside.length, `${name}: ticks completed inside the first slow tick`).toBeGreaterThanOrEqual(2);
  }
  const metrics = await (await fetch(`http://127.0.0.1:${daemon!.port}/metrics`)).text();
  expect(metrics).not.toMatch(/mesh_soak_tick_failures_total\{suite="fast/);
  expect(process.memoryUsage().rss).toBeLessThan(300 * 1024 * 1024);
});
