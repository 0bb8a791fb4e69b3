// Redis loses everything (FLUSHALL, as a Redis restarted without persistence would) under a
// running daemon: ticks resume by themselves (housekeeping finds the job schedulers gone and
// installs them again), a paused suite stays paused, a failing check keeps failing since
// the same moment, and its alert keeps being re-sent rather than expiring into "resolved".
// Behaviour only: every wait polls with a generous deadline.

import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startPrometheus, startRedis, waitFor } from '../../harness/index.js';
import type { RunningPrometheus, RunningRedis } from '../../harness/index.js';
import { startDaemon, type Daemon, type Notifier } from '../../../src/app/index.js';
import type { AlertEvent } from '../../../src/checks/alert-event.js';
import { stateKeys } from '../../../src/adapters/redis/keys.js';
import { History } from '../../../src/adapters/redis/history.js';
import { check, checkState, config, getJson, quietLogger, suite, uniquePrefix } from '../daemon/fixtures.js';

const TOKEN = 'flush-token';
let redis: RunningRedis | undefined;
let prom: RunningPrometheus | undefined;
let client: Redis | undefined;
let daemon: Daemon | undefined;
let base = '';
const prefix = uniquePrefix();
const resent: Array<{ at: number; events: AlertEvent[] }> = [];

const notifier: Notifier = {
  enqueue: () => undefined,
  resend: (events) => void resent.push({ at: Date.now(), events }),
};

beforeAll(async () => {
  redis = await startRedis();
  prom = await startPrometheus();
  client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  const cfg = config({
    prometheusUrl: prom.url,
    redisUrl: redis.url,
    suites: [suite('web', [check('always-failing', 'vector(1)', '> 0')]), suite('quiet', [check('fine', 'vector(0)', '> 0')])],
  });
  cfg.notify.alertmanager = { url: 'http://127.0.0.1:9', resendMs: 500 };
  daemon = await startDaemon(cfg, {
    logger: quietLogger,
    prefix,
    port: 0,
    host: '127.0.0.1',
    adminToken: () => TOKEN,
    notifier,
    housekeepingCron: '* * * * * *',
  });
  base = `http://127.0.0.1:${daemon.port}`;
  await daemon.scheduled;
});

afterAll(async () => {
  await daemon?.stop();
  client?.disconnect();
  await prom?.stop();
  await redis?.stop();
});

async function lastTickAt(suiteName: string): Promise<number> {
  const t = await new History(client!, stateKeys(prefix)).recentTicks(suiteName, 1);
  return t[0]?.event.startedAt ?? 0;
}

it('after FLUSHALL: ticks resume, the pause holds, failingSince and the alert re-send carry on', async () => {
  let seen: unknown;
  await waitFor(async () => (seen = await checkState(base, 'web', 'always-failing'))?.state === 'failing', { timeoutMs: 60_000, what: 'always-failing failing', seen: () => seen });
  const since = (await checkState(base, 'web', 'always-failing'))!.instances[0]!.failingSince;
  expect(since).toBeGreaterThan(0);
  const pause = await fetch(`${base}/api/v1/suites/quiet/pause`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
  expect(pause.status).toBe(200);

  const flushedAt = Date.now();
  await client!.flushall();

  // Ticks come back (schedulers installed again by housekeeping).
  await waitFor(async () => (seen = await lastTickAt('web')) > flushedAt, { timeoutMs: 90_000, intervalMs: 250, what: 'a tick of web after FLUSHALL', seen: () => seen });
  const reinstalls = await (await fetch(`${base}/metrics`)).text();
  expect(reinstalls).toMatch(/^mesh_soak_scheduler_reinstalls_total [1-9]/m);

  // The pause is set again and holds: quiet's slots arrive but none runs.
  await waitFor(async () => (seen = await client!.hget(stateKeys(prefix).paused(), 'quiet')) !== null, { timeoutMs: 60_000, what: 'the pause flag back in Redis', seen: () => seen });
  const status = await getJson<{ suites: Array<{ name: string; paused: boolean }> }>(`${base}/api/v1/status`);
  expect(status.body.suites.find((s) => s.name === 'quiet')?.paused).toBe(true);
  const quietLast = await lastTickAt('quiet');
  const webNow = await lastTickAt('web');
  await waitFor(async () => (seen = await new History(client!, stateKeys(prefix)).recentTicks('web', 10)).filter((t) => t.event.startedAt > webNow).length >= 3, {
    timeoutMs: 60_000,
    what: '3 more ticks of web',
    seen: () => seen,
  });
  expect(await lastTickAt('quiet'), 'quiet ticked while paused').toBe(quietLast);

  // The failing check never went through ok/pending: the same failingSince.
  await waitFor(async () => (seen = await checkState(base, 'web', 'always-failing'))?.state === 'failing', { timeoutMs: 60_000, what: 'always-failing still failing', seen: () => seen });
  expect((await checkState(base, 'web', 'always-failing'))!.instances[0]!.failingSince).toBe(since);

  // The alert keeps being re-sent after the loss.
  await waitFor(() => resent.some((r) => r.at > flushedAt && r.events.some((e) => e.check === 'always-failing' && e.status === 'firing')), {
    timeoutMs: 60_000,
    what: 'a re-send of the firing alert after FLUSHALL',
    seen: () => resent.slice(-3).map((r) => r.events.map((e) => e.check)),
  });
  // And the daemon is ready again (no stalled or failing suite left).
  await waitFor(async () => (seen = await getJson(`${base}/readyz`)).status === 200, { timeoutMs: 60_000, what: 'ready after the flush', seen: () => seen });
  expect(process.memoryUsage().rss).toBeLessThan(300 * 1024 * 1024);
});
