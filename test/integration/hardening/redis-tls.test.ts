// Redis over TLS with a CA file and a client certificate from the config (redis.tls), as a
// cluster's Redis is often run: a real redis-server with --tls-auth-clients yes on loopback.
// With the certificate the daemon is ready and ticks; without it Redis refuses the client and
// /readyz says Redis is not there. Also the Sentinel options as ioredis receives them.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startPrometheus, waitFor, type RunningPrometheus } from '../../harness/index.js';
import { startDaemon, type Daemon } from '../../../src/app/index.js';
import { redisConnectionOptions } from '../../../src/adapters/redis/connection.js';
import { check, config, getJson, quietLogger, suite, uniquePrefix } from '../daemon/fixtures.js';

let dir = '';
let port = 0;
let server: ChildProcess | undefined;
let prom: RunningPrometheus | undefined;
const daemons: Daemon[] = [];

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mesh-soak-redis-tls-'));
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=mesh-soak-test-ca');
  writeFileSync(join(dir, 'ext'), 'subjectAltName=IP:127.0.0.1\n');
  for (const name of ['server', 'client']) {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name === 'server' ? '127.0.0.1' : 'mesh-soak'}`);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '1', '-extfile', 'ext');
  }
  port = await freePort();
  server = spawn('/usr/bin/redis-server', [
    '--port', '0', '--tls-port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir,
    '--tls-cert-file', join(dir, 'server.crt'), '--tls-key-file', join(dir, 'server.key'), '--tls-ca-cert-file', join(dir, 'ca.crt'), '--tls-auth-clients', 'yes',
  ], { stdio: 'ignore' });
  const tls = { url: `rediss://127.0.0.1:${port}`, tls: { caFile: join(dir, 'ca.crt'), certFile: join(dir, 'client.crt'), keyFile: join(dir, 'client.key') } };
  await waitFor(
    async () => {
      const c = new Redis({ ...redisConnectionOptions(tls), lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      c.on('error', () => undefined);
      try {
        await c.connect();
        return (await c.ping()) === 'PONG';
      } finally {
        c.disconnect();
      }
    },
    { timeoutMs: 60_000, intervalMs: 200, what: 'redis-server with TLS' },
  );
  prom = await startPrometheus();
});

afterAll(async () => {
  for (const d of daemons) await d.stop();
  await prom?.stop();
  if (server && server.exitCode === null) {
    const gone = new Promise((r) => server!.once('exit', r));
    server.kill('SIGKILL');
    await gone;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function start(redis: Parameters<typeof config>[0]['redisUrl'], tls?: { caFile: string; certFile?: string; keyFile?: string }): Promise<string> {
  const cfg = config({ prometheusUrl: prom!.url, redisUrl: redis, suites: [suite('web', [check('ok', 'vector(0)', '> 0')])] });
  if (tls) cfg.redis.tls = tls;
  const d = await startDaemon(cfg, { logger: quietLogger, prefix: uniquePrefix(), port: 0, host: '127.0.0.1', retryMs: 500 });
  daemons.push(d);
  return `http://127.0.0.1:${d.port}`;
}

describe('Redis over TLS', () => {
  it('with the CA and client certificate from the config: ready, and ticks', async () => {
    const base = await start(`rediss://127.0.0.1:${port}`, { caFile: join(dir, 'ca.crt'), certFile: join(dir, 'client.crt'), keyFile: join(dir, 'client.key') });
    let seen: unknown;
    await waitFor(async () => (seen = await getJson(`${base}/readyz`)).status === 200, { timeoutMs: 60_000, what: 'ready over TLS', seen: () => seen });
    await waitFor(async () => /^mesh_soak_tick_duration_seconds_count\{suite="web"\} [1-9]/m.test(await (await fetch(`${base}/metrics`)).text()), {
      timeoutMs: 60_000,
      what: 'a tick over TLS',
    });
  });

  it('without the client certificate: not ready, Redis named as the reason', async () => {
    const base = await start(`rediss://127.0.0.1:${port}`, { caFile: join(dir, 'ca.crt') });
    let seen: unknown;
    await waitFor(
      async () => {
        const r = await getJson<{ reasons: string[] }>(`${base}/readyz`);
        seen = r;
        return r.status === 503 && r.body.reasons.some((x) => x.startsWith('redis'));
      },
      { timeoutMs: 60_000, what: '/readyz 503 naming redis', seen: () => seen },
    );
  });
});

describe('redisConnectionOptions', () => {
  it('Sentinel: the sentinels and the master name, credentials and db from the URL, TLS for the masters', () => {
    const o = redisConnectionOptions({
      url: 'rediss://:p%40ss@ignored:1/2',
      tls: { caFile: join(dir, 'ca.crt') },
      sentinels: [{ host: 's1', port: 26379 }, { host: 's2', port: 26379 }],
      sentinelName: 'mymaster',
    });
    expect(o).toMatchObject({ password: 'p@ss', db: 2, name: 'mymaster', sentinels: [{ host: 's1', port: 26379 }, { host: 's2', port: 26379 }], enableTLSForSentinelMode: true });
    expect(o.host).toBeUndefined();
    expect(Buffer.isBuffer((o.tls as { ca: Buffer }).ca)).toBe(true);
  });

  it('a CA file that cannot be read is the user\'s error, naming the field', () => {
    expect(() => redisConnectionOptions({ url: 'redis://127.0.0.1:6379', tls: { caFile: '/nonexistent/ca.crt' } })).toThrow(/redis\.tls\.caFile: cannot read \/nonexistent\/ca\.crt/);
  });
});
