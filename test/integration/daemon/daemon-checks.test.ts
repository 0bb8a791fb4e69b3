// A daemon over real Redis and Prometheus: ticks turn a check failing when the scraped
// value crosses the threshold (visible in /api/v1/status and /metrics), the admin endpoints
// guard themselves with the token, and pause stops the suite's ticks.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus, startRedis, startSyntheticTarget, waitFor } from '../../harness/index.js';
import type { RunningPrometheus, RunningRedis, SyntheticTarget } from '../../harness/index.js';
import { startDaemon, type Daemon } from '../../../src/app/index.js';
import { check, checkState, config, getJson, quietLogger, suite, uniquePrefix } from './fixtures.js';

let redis: RunningRedis | undefined;
let prom: RunningPrometheus | undefined;
let target: SyntheticTarget | undefined;
let daemon: Daemon | undefined;
let base = '';
let token: string | undefined = 's3cret-token';

beforeAll(async () => {
  target = await startSyntheticTarget();
  target.set('soak_errors', { app: 'web' }, 0);
  redis = await startRedis();
  prom = await startPrometheus({ scrapeTargets: [target.hostPort], scrapeIntervalS: 1 });
  const cfg = config({
    prometheusUrl: prom.url,
    redisUrl: redis.url,
    suites: [
      suite('web', [check('errors', 'sum(soak_errors)', '> 5')]),
      // Its guard reads kube-state-metrics, which this Prometheus does not have: unknown, never skipped.
      suite('ksm', [check('errors', 'sum(soak_errors)', '> 5')], {
        guard: 'sum(kube_deployment_status_replicas{namespace="ns-ksm"}) > 0',
        guardSource: 'absent(kube_deployment_status_replicas)',
      }),
      // Its guard's metric exists but has no series of its own: not running, skipped.
      suite('idle', [check('errors', 'sum(soak_errors)', '> 5')], {
        guard: 'sum(soak_errors{app="idle"})',
        guardSource: 'absent(soak_errors)',
      }),
    ],
  });
  daemon = await startDaemon(cfg, { logger: quietLogger, prefix: uniquePrefix(), port: 0, host: '127.0.0.1', adminToken: () => token });
  base = `http://127.0.0.1:${daemon.port}`;
  await daemon.scheduled;
});

afterAll(async () => {
  await daemon?.stop();
  await prom?.stop();
  await redis?.stop();
  await target?.stop();
});

describe('daemon ticks', () => {
  it('turns a check failing when the series crosses the threshold, in status and metrics', async () => {
    await waitFor(async () => (await checkState(base, 'web', 'errors'))?.state === 'ok', { timeoutMs: 60_000, what: 'errors ok' });
    target!.set('soak_errors', { app: 'web' }, 9);
    await waitFor(async () => (await checkState(base, 'web', 'errors'))?.state === 'failing', { timeoutMs: 60_000, what: 'errors failing' });
    const c = await checkState(base, 'web', 'errors');
    expect(c?.value).toBe(9);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/mesh_soak_check_failing\{suite="web",check="errors",severity="critical"\} 1/);
    expect(metrics).toMatch(/mesh_soak_check_state\{suite="web",check="errors",severity="critical",state="failing"\} 1/);
    expect(metrics).toMatch(/mesh_soak_check_value\{suite="web",check="errors"\} 9/);
    expect(metrics).toMatch(/mesh_soak_tick_lag_seconds_count\{suite="web"\} [1-9]/);
    expect(metrics).toMatch(/mesh_soak_redis_up 1/);
  });

  it('shows suites that checked nothing, with the reason, in status and metrics', async () => {
    type Coverage = { checked: boolean; reason: string; detail: string };
    const coverage = async (name: string): Promise<Coverage | undefined> => {
      const { body } = await getJson<{ suites: Array<{ name: string; coverage?: Coverage }> }>(`${base}/api/v1/status`);
      return body.suites.find((s) => s.name === name)?.coverage;
    };
    await waitFor(async () => (await coverage('ksm'))?.reason === 'unknown', { timeoutMs: 20_000, what: 'ksm unknown' });
    await waitFor(async () => (await coverage('idle'))?.reason === 'not_running', { timeoutMs: 20_000, what: 'idle not running' });
    expect((await coverage('ksm'))?.detail).toContain('absent(kube_deployment_status_replicas)');
    expect((await checkState(base, 'ksm', 'errors'))?.state).toBe('unknown');
    expect((await coverage('web'))?.checked).toBe(true);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/mesh_soak_suite_checked\{suite="ksm",reason="unknown"\} 0/);
    expect(metrics).toMatch(/mesh_soak_suite_checked\{suite="idle",reason="not_running"\} 0/);
    expect(metrics).toMatch(/mesh_soak_suite_checked\{suite="web",reason="checked"\} 1/);
  });

  it('answers the probes', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await getJson<{ ready: boolean }>(`${base}/readyz`);
    expect(ready).toEqual({ status: 200, body: { ready: true, reasons: [] } });
  });
});

describe('admin endpoints', () => {
  const post = (path: string, auth?: string): Promise<Response> =>
    fetch(`${base}${path}`, { method: 'POST', headers: auth ? { authorization: auth } : {} });

  it('refuses a wrong or missing token with 401 and an unknown suite with 404', async () => {
    expect((await post('/api/v1/suites/web/pause')).status).toBe(401);
    expect((await post('/api/v1/suites/web/pause', 'Bearer nope')).status).toBe(401);
    expect((await post('/api/v1/suites/nosuch/pause', `Bearer ${token}`)).status).toBe(404);
    expect((await post('/api/v1/suites/web/trigger', `Bearer ${token}`)).status).toBe(409);
  });

  it('pauses and resumes a suite: no ticks run while paused', async () => {
    // Ordering, not wall-clock: a paused suite's scheduled slots still arrive (each one
    // observes tick_lag) but none runs (tick_duration and lastTick stay put). A tick already
    // running when the pause lands may finish, so the baseline is taken two slots later.
    const counter = async (name: string): Promise<number> => {
      const text = await (await fetch(`${base}/metrics`)).text();
      return Number(new RegExp(`^${name}\\{suite="web"\\} (\\d+)`, 'm').exec(text)?.[1] ?? NaN);
    };
    const slots = () => counter('mesh_soak_tick_lag_seconds_count');
    const ran = () => counter('mesh_soak_tick_duration_seconds_count');
    const lastStarted = async (): Promise<number> => {
      const s = await getJson<{ suites: Array<{ name: string; paused: boolean; lastTick: { startedAt: number } | null }> }>(`${base}/api/v1/status`);
      return s.body.suites.find((x) => x.name === 'web')?.lastTick?.startedAt ?? 0;
    };
    const slotsAfter = async (n: number, what: string): Promise<void> => {
      const from = await slots();
      let last = from;
      await waitFor(async () => (last = await slots()) >= from + n, { timeoutMs: 60_000, intervalMs: 200, what, seen: () => ({ from, last }) });
    };
    expect((await post('/api/v1/suites/web/pause', `Bearer ${token}`)).status).toBe(200);
    const { body } = await getJson<{ suites: Array<{ name: string; paused: boolean }> }>(`${base}/api/v1/status`);
    expect(body.suites.find((s) => s.name === 'web')?.paused).toBe(true);
    await slotsAfter(2, 'two slots handled while paused');
    const ranBefore = await ran();
    const lastBefore = await lastStarted();
    await slotsAfter(3, 'three more slots handled while paused');
    expect(await ran(), 'ticks that ran while paused').toBe(ranBefore);
    const pausedLast = await lastStarted();
    expect(pausedLast).toBe(lastBefore);
    expect((await post('/api/v1/suites/web/resume', `Bearer ${token}`)).status).toBe(200);
    await waitFor(
      async () => {
        const s = await getJson<{ suites: Array<{ name: string; lastTick: { startedAt: number } | null }> }>(`${base}/api/v1/status`);
        return (s.body.suites.find((x) => x.name === 'web')?.lastTick?.startedAt ?? 0) > pausedLast;
      },
      { timeoutMs: 30_000, what: 'ticks after resume' },
    );
  });

  it('answers 403 when no admin token is configured', async () => {
    const saved = token;
    token = undefined;
    try {
      expect((await post('/api/v1/suites/web/pause', 'Bearer anything')).status).toBe(403);
    } finally {
      token = saved;
    }
  });
});
