// The harness' two server backends keep one contract: the same assertions run against
// Redis, Prometheus and Alertmanager from the local binaries and from containers started
// through testcontainers (podman's Docker API here: started for this file when no Docker API
// answers, and stopped after). Tests use whichever MESH_SOAK_TEST_SERVERS picks, so both must
// behave alike: PING/SET/GET and a crash/restart for Redis; /-/ready, `up` of a target on
// the host's loopback, backfilled data and a reload for Prometheus; the status, an alert
// posted and a webhook delivered to the host for Alertmanager.

import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAlertmanager as alertmanagerBinary, type RunningAlertmanager } from '../../../simulator/local/alertmanager.js';
import { startPrometheus as prometheusBinary, type PrometheusOptions, type RunningPrometheus } from '../../../simulator/local/prometheus.js';
import { startRedis as redisBinary, type RedisOptions, type RunningRedis } from '../../../simulator/local/redis.js';
import { ensureContainerRuntime, podmanUsable, answeringDockerHost, stopContainerRuntime } from '../../../simulator/local/container-runtime.js';
import { imageFor, startAlertmanagerContainer, startPrometheusContainer, startRedisContainer } from '../../../simulator/local/containers.js';
import { serverBackendSetting } from '../../harness/servers.js';
import { startSyntheticTarget, waitFor, type SyntheticTarget } from '../../harness/index.js';
import { scaledMs } from '../../../simulator/local/wait-for.js';

interface Backend {
  name: 'binaries' | 'containers';
  redis(o?: RedisOptions): Promise<RunningRedis>;
  prometheus(o?: PrometheusOptions): Promise<RunningPrometheus>;
  alertmanager(o: { configYaml: string }): Promise<RunningAlertmanager>;
}

const binaries: Backend = { name: 'binaries', redis: redisBinary, prometheus: prometheusBinary, alertmanager: alertmanagerBinary };
const containers: Backend = {
  name: 'containers',
  redis: startRedisContainer,
  prometheus: startPrometheusContainer,
  alertmanager: startAlertmanagerContainer,
};

// Containers need a Docker API, or podman to start one. Decided before the tests are
// collected so a machine without either reports the reason as a skip.
const noRuntimeReason: string | undefined = await (async () => {
  if (await answeringDockerHost()) return undefined;
  const podman = podmanUsable();
  return podman.ok ? undefined : `no container runtime here: ${podman.reason}`;
})();

/** Whether something accepts TCP connections on 127.0.0.1:port. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(2000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: HTTP ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

interface QueryResult {
  status: string;
  data: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> };
}

async function query(prom: RunningPrometheus, q: string): Promise<QueryResult> {
  return json<QueryResult>(`${prom.url}/api/v1/query?query=${encodeURIComponent(q)}`);
}

function contract(backend: Backend): void {
  describe(backend.name, () => {
    let target: SyntheticTarget;
    let hook: Server;
    const received: string[] = [];

    beforeAll(async () => {
      target = await startSyntheticTarget();
      hook = createServer((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          received.push(body);
          res.end('ok');
        });
      });
      await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', () => resolve()));
    });

    afterAll(async () => {
      await target?.stop();
      await new Promise<void>((resolve) => (hook ? hook.close(() => resolve()) : resolve()));
    });

    it('Redis: PING, SET/GET; without AOF a kill -9 loses the data, with AOF it keeps it, on the same port', async () => {
      for (const appendonly of [false, true]) {
        const redis = await backend.redis({ appendonly });
        const client = new Redis(redis.url, { maxRetriesPerRequest: 1, retryStrategy: () => 100, lazyConnect: true });
        client.on('error', () => undefined); // refused connections while Redis is down are expected
        try {
          expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
          await client.connect();
          expect(await client.ping()).toBe('PONG');
          await client.set('contract', backend.name);
          expect(await client.get('contract')).toBe(backend.name);
          await redis.kill9();
          await redis.restart();
          await waitFor(async () => (await client.ping().catch(() => '')) === 'PONG', { timeoutMs: 20_000, what: 'Redis back after restart' });
          expect(await client.get('contract')).toBe(appendonly ? backend.name : null);
        } finally {
          client.disconnect();
          await redis.stop();
        }
        expect(await accepts(redis.port)).toBe(false);
      }
    });

    it('Prometheus: /-/ready, `up` of a target on the host loopback, a reload; stop removes its data dir', async () => {
      const prom = await backend.prometheus({ scrapeTargets: [target.hostPort], scrapeIntervalS: 1 });
      try {
        expect(prom.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        expect((await fetch(`${prom.url}/-/ready`)).status).toBe(200);
        target.set('contract_gauge', { backend: backend.name }, 42);
        await waitFor(async () => (await query(prom, 'up{job="synthetic"}')).data.result[0]?.value[1] === '1', {
          timeoutMs: 30_000,
          intervalMs: 250,
          what: 'up{job="synthetic"} == 1',
        });
        await waitFor(async () => (await query(prom, 'contract_gauge')).data.result[0]?.value[1] === '42', {
          timeoutMs: 30_000,
          intervalMs: 250,
          what: 'contract_gauge == 42',
        });
        await prom.reload();
      } finally {
        await prom.stop();
      }
      expect(existsSync(prom.dataDir)).toBe(false);
      await expect(fetch(`${prom.url}/-/ready`)).rejects.toThrow();
    });

    it('Prometheus without targets (its own network): ready, `up` is an empty vector; backfilled data is queryable', async () => {
      const now = Math.floor(Date.now() / 1000);
      const openMetrics = ['# TYPE contract_backfilled gauge', ...[300, 200, 100].map((ago) => `contract_backfilled{source="promtool"} 5 ${now - ago}`), '# EOF', ''].join('\n');
      const prom = await backend.prometheus({ backfillOpenMetrics: openMetrics });
      try {
        const up = await query(prom, 'up');
        expect(up.status).toBe('success');
        expect(up.data.result).toEqual([]);
        const past = await json<QueryResult>(`${prom.url}/api/v1/query?query=contract_backfilled&time=${now - 100}`);
        expect(past.data.result.map((r) => [r.metric.source, r.value[1]])).toEqual([['promtool', '5']]);
      } finally {
        await prom.stop();
      }
    });

    it('Prometheus that cannot start: the error names it and carries its output', async () => {
      await expect(backend.prometheus({ extraArgs: ['--no-such-flag'] })).rejects.toThrow(/Prometheus[\s\S]*failed[\s\S]*no-such-flag/);
    });

    it('Alertmanager: /api/v2/status, an alert posted is listed and reaches a webhook on the host loopback', async () => {
      const am = await backend.alertmanager({
        configYaml: [
          'route: { receiver: hook, group_wait: 0s, group_interval: 1s, repeat_interval: 1h }',
          `receivers: [ { name: hook, webhook_configs: [ { url: "http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook", send_resolved: false } ] } ]`,
          '',
        ].join('\n'),
      });
      try {
        expect(am.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        const status = await json<{ cluster: { status: string }; versionInfo: { version: string }; config: { original: string } }>(`${am.url}/api/v2/status`);
        expect(status.versionInfo.version).toMatch(/^0\.25\./);
        expect(status.config.original).toContain('/hook');
        const alertname = `Contract_${backend.name}`;
        const post = await fetch(`${am.url}/api/v2/alerts`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify([{ labels: { alertname, severity: 'critical' }, annotations: { summary: 'contract' } }]),
        });
        expect(post.status).toBe(200);
        const alerts = await json<Array<{ labels: Record<string, string> }>>(`${am.url}/api/v2/alerts`);
        expect(alerts.map((a) => a.labels.alertname)).toContain(alertname);
        await waitFor(() => received.some((b) => b.includes(alertname)), { timeoutMs: 20_000, intervalMs: 100, what: `webhook delivery of ${alertname}` });
      } finally {
        await am.stop();
      }
      await expect(fetch(`${am.url}/-/ready`)).rejects.toThrow();
    });

    it('Alertmanager on its own network: ready, and accepts an alert', async () => {
      const am = await backend.alertmanager({ configYaml: 'route: { receiver: none }\nreceivers: [ { name: none } ]\n' });
      try {
        expect((await fetch(`${am.url}/-/ready`)).status).toBe(200);
        const post = await fetch(`${am.url}/api/v2/alerts`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify([{ labels: { alertname: 'Bridge' } }]),
        });
        expect(post.status).toBe(200);
      } finally {
        await am.stop();
      }
    });
  });
}

describe('server backends keep one contract', () => {
  it('MESH_SOAK_TEST_SERVERS is containers, binaries or auto; anything else is an error', () => {
    expect(serverBackendSetting({})).toBe('auto');
    expect(serverBackendSetting({ MESH_SOAK_TEST_SERVERS: 'containers' })).toBe('containers');
    expect(serverBackendSetting({ MESH_SOAK_TEST_SERVERS: 'binaries' })).toBe('binaries');
    expect(() => serverBackendSetting({ MESH_SOAK_TEST_SERVERS: 'docker' })).toThrow(/expected containers, binaries or auto/);
  });

  contract(binaries);

  describe.skipIf(noRuntimeReason !== undefined)(`through testcontainers${noRuntimeReason ? ` (skipped: ${noRuntimeReason})` : ''}`, () => {
    beforeAll(async () => {
      await ensureContainerRuntime();
    }, scaledMs(60_000));
    afterAll(async () => {
      await stopContainerRuntime();
    }, scaledMs(60_000));

    it('uses the locally built images when present, else the official ones', async () => {
      const images = await Promise.all((['redis', 'prometheus', 'alertmanager'] as const).map((k) => imageFor(k)));
      for (const image of images) expect(image).toMatch(/^(localhost\/mesh-soak-test\/|redis:7$|prom\/)/);
    });

    contract(containers);
  });
});
