// Alerts and disruptions through the daemon: a failing check reaches a JSON webhook and
// resolves when the data recovers; a triggered disruption runs once through the runner and
// shows up in the status; without a runner it is recorded as skipped.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startPrometheus, startRedis, startSyntheticTarget, waitFor } from '../../harness/index.js';
import type { RunningPrometheus, RunningRedis, SyntheticTarget } from '../../harness/index.js';
import { startDaemon, type Daemon } from '../../../src/app/index.js';
import type { Suite } from '../../../src/config/model.js';
import type { DisruptionRunner } from '../../../src/disruption/types.js';
import { check, config, getJson, quietLogger, suite, uniquePrefix } from './fixtures.js';

let redis: RunningRedis | undefined;
let prom: RunningPrometheus | undefined;
let target: SyntheticTarget | undefined;
let hook: Server | undefined;
let daemon: Daemon | undefined;
let base = '';
const received: string[] = [];
const runs: Array<{ suite: string; id: string }> = [];

const runner: DisruptionRunner = {
  async run(s: Suite, job) {
    runs.push({ suite: s.name, id: job.id });
    return { outcome: 'success' };
  },
  async restorePending() {
    return 0;
  },
};

beforeAll(async () => {
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push(body);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => hook!.listen(0, '127.0.0.1', r));
  const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
  target = await startSyntheticTarget();
  target.set('soak_errors', {}, 0);
  redis = await startRedis();
  prom = await startPrometheus({ scrapeTargets: [target.hostPort] });
  const cfg = config({
    prometheusUrl: prom.url,
    redisUrl: redis.url,
    suites: [
      suite('web', [check('errors', 'sum(soak_errors)', '> 5')], {
        // A slot far away: only the trigger endpoint runs it during the test.
        disruption: { schedule: { cron: '0 0 1 1 *' }, steps: [] },
      }),
    ],
  });
  cfg.notify.webhooks.push({ name: 'hook', url: hookUrl, format: 'json', headers: {} });
  daemon = await startDaemon(cfg, {
    logger: quietLogger,
    prefix: uniquePrefix(),
    port: 0,
    host: '127.0.0.1',
    adminToken: () => 'tok',
    disruptions: runner,
  });
  base = `http://127.0.0.1:${daemon.port}`;
  await daemon.scheduled;
});

afterAll(async () => {
  await daemon?.stop();
  await prom?.stop();
  await redis?.stop();
  await target?.stop();
  if (hook) await new Promise<void>((r) => hook!.close(() => r()));
});

it('sends a firing alert to the webhook, then its resolution', async () => {
  await waitFor(async () => {
    const { body } = await getJson<{ suites: Array<{ checks: Array<{ state: string }> }> }>(`${base}/api/v1/status`);
    return body.suites[0]?.checks[0]?.state === 'ok';
  }, { timeoutMs: 60_000, what: 'check ok first' });
  target!.set('soak_errors', {}, 9);
  await waitFor(() => received.some((b) => b.includes('errors') && b.includes('firing')), { timeoutMs: 60_000, what: 'firing webhook' });
  target!.set('soak_errors', {}, 0);
  await waitFor(() => received.some((b) => b.includes('errors') && b.includes('resolved')), { timeoutMs: 60_000, what: 'resolved webhook' });
  const metrics = await (await fetch(`${base}/metrics`)).text();
  expect(metrics).toMatch(/mesh_soak_notifications_total\{sink="hook",outcome="success"\} [1-9]/);
});

it('runs a triggered disruption once and reports it', async () => {
  const res = await fetch(`${base}/api/v1/suites/web/trigger`, { method: 'POST', headers: { authorization: 'Bearer tok' } });
  expect(res.status).toBe(202);
  await waitFor(async () => {
    const { body } = await getJson<{ suites: Array<{ lastDisruption: { outcome: string } | null }> }>(`${base}/api/v1/status`);
    return body.suites[0]?.lastDisruption?.outcome === 'success';
  }, { timeoutMs: 45_000, what: 'disruption recorded' });
  expect(runs).toHaveLength(1);
  expect(runs[0]?.suite).toBe('web');
  expect(await (await fetch(`${base}/metrics`)).text()).toMatch(/mesh_soak_disruptions_total\{suite="web",outcome="success"\} 1/);
});
