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
  // Never two slow ticks at once: each starts after the previous one ended.
  for (let i = 1; i < slow.length; i++) {
    expect(slow[i]!.startedAt, `slow tick ${slow[i]!.jobId} started inside ${slow[i - 1]!.jobId}`).toBeGreaterThanOrEqual(slow[i - 1]!.startedAt + slow[i - 1]!.durationMs);
  }
  // Inside each slow tick's span the fast suites completed ticks of their own.
  const span = slow[0]!;
  for (const name of ['fast1', 'fast2']) {
    const inside = (await ticks(name)).filter((t) => t.startedAt >= span.startedAt && t.startedAt + t.durationMs <= span.startedAt + span.durationMs);
    expect(inside.length, `${name} ticks inside a ${span.durationMs} ms slow tick`).toBeGreaterThanOrEqual(3);
  }
  const metrics = await (await fetch(`http://127.0.0.1:${daemon!.port}/metrics`)).text();
  expect(metrics).not.toMatch(/mesh_soak_tick_failures_total\{suite="fast/);
  expect(process.memoryUsage().rss).toBeLessThan(300 * 1024 * 1024);
});
