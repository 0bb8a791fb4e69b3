// The daemon as a real process: kill -9 and a restart keep failing checks failing and
// pending ones on their original `for` timer (state lives in Redis); Redis going away
// mid-run turns /readyz to 503 "redis unreachable" and back to 200 by itself, ticks resume
// even though the restarted Redis came back empty; SIGTERM exits 0.

import { join } from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { builtScript, startPrometheus, startRedis, startSyntheticTarget, waitFor } from '../../harness/index.js';
import type { RunningPrometheus, RunningRedis, SyntheticTarget } from '../../harness/index.js';
import type { Config } from '../../../src/config/model.js';
import { startChild, type ChildDaemon } from './child-daemon.js';
import { check, checkState, config, getJson, suite, uniquePrefix } from './fixtures.js';
import { scaledMs } from '../../../simulator/local/wait-for.js';

let redis: RunningRedis | undefined;
let prom: RunningPrometheus | undefined;
let target: SyntheticTarget | undefined;
let entry = '';
let logDir = '';
const children: ChildDaemon[] = [];
let cfg: Config;

beforeAll(async () => {
  logDir = await mkdtemp(join(tmpdir(), 'mesh-soak-daemon-logs-'));
  [entry, target, redis] = await Promise.all([builtScript('simulator/local/daemon-entry.ts'), startSyntheticTarget(), startRedis()]);
  target.set('soak_errors', {}, 9);
  prom = await startPrometheus({ scrapeTargets: [target.hostPort] });
  cfg = config({
    prometheusUrl: prom.url,
    redisUrl: redis.url,
    suites: [
      suite('web', [check('hard', 'sum(soak_errors)', '> 5'), check('slow', 'sum(soak_errors)', '> 5', { forMs: 600_000 })]),
    ],
  });
}, scaledMs(600_000));

afterAll(async () => {
  await Promise.allSettled(children.map((c) => c.kill9()));
  await prom?.stop();
  await redis?.stop();
  await target?.stop();
  if (logDir) await rm(logDir, { recursive: true, force: true });
});

async function lastTickAt(base: string): Promise<number> {
  const { body } = await getJson<{ suites: Array<{ name: string; lastTick: { startedAt: number } | null }> }>(`${base}/api/v1/status`);
  return body.suites.find((s) => s.name === 'web')?.lastTick?.startedAt ?? 0;
}

it('keeps failing and pending checks, with their timers, across kill -9 and a restart', async () => {
  const prefix = uniquePrefix();
  const first = await startChild(entry, cfg, prefix, join(logDir, 'first.log'));
  children.push(first);
  const base1 = `http://127.0.0.1:${first.port}`;
  await waitFor(
    async () => (await checkState(base1, 'web', 'hard'))?.state === 'failing' && (await checkState(base1, 'web', 'slow'))?.state === 'pending',
    { timeoutMs: 90_000, what: 'hard failing and slow pending' },
  );
  const hardBefore = await checkState(base1, 'web', 'hard');
  const slowBefore = await checkState(base1, 'web', 'slow');
  await first.kill9();
  const killedAt = Date.now();

  const second = await startChild(entry, cfg, prefix, join(logDir, 'second.log'));
  children.push(second);
  const base2 = `http://127.0.0.1:${second.port}`;
  await waitFor(async () => (await lastTickAt(base2)) > killedAt, { timeoutMs: 90_000, what: 'a tick after the restart' });
  const hardAfter = await checkState(base2, 'web', 'hard');
  const slowAfter = await checkState(base2, 'web', 'slow');
  expect(hardAfter?.state).toBe('failing');
  expect(hardAfter?.instances[0]?.failingSince).toBe(hardBefore?.instances[0]?.failingSince);
  expect(slowAfter?.state).toBe('pending');
  expect(slowAfter?.instances[0]?.activeSince).toBe(slowBefore?.instances[0]?.activeSince);
  expect(await second.terminate()).toBe(0);
});

it('reports Redis loss on /readyz, recovers by itself, and exits 0 on SIGTERM', async () => {
  const d = await startChild(entry, cfg, uniquePrefix(), join(logDir, 'redis-loss.log'));
  children.push(d);
  const base = `http://127.0.0.1:${d.port}`;
  await waitFor(async () => (await fetch(`${base}/readyz`)).status === 200, { timeoutMs: 60_000, what: 'ready' });
  await redis!.kill9();
  await waitFor(
    async () => {
      const r = await getJson<{ ready: boolean; reasons: string[] }>(`${base}/readyz`);
      return r.status === 503 && r.body.reasons.includes('redis unreachable');
    },
    { timeoutMs: 60_000, what: '/readyz 503 redis unreachable' },
  );
  expect((await fetch(`${base}/healthz`)).status).toBe(200);
  expect(await (await fetch(`${base}/metrics`)).text()).toMatch(/mesh_soak_redis_up 0/);
  await redis!.restart();
  const back = Date.now();
  await waitFor(async () => (await fetch(`${base}/readyz`)).status === 200, { timeoutMs: 90_000, what: 'ready again' });
  await waitFor(async () => (await lastTickAt(base)) > back, { timeoutMs: 90_000, what: 'ticks after Redis came back' });
  expect(await d.terminate()).toBe(0);
});
