// Redis as users run it, each mode a real Debian redis-server started by the harness
// (test/harness/redis-modes.ts) and the daemon built from the config's redis section:
// - an ACL user (ACL SETUSER, keys limited to the daemon's prefix) with the password from an
//   environment variable: ready and ticking, the password in no log line; a wrong password
//   makes /readyz name the authentication failure;
// - TLS verified against a CA file, with a password;
// - Sentinel: the daemon ticks through the sentinel; the primary is killed mid-disruption,
//   the sentinel promotes the replica, the daemon ticks on, and the re-delivered disruption
//   job is "already-done" — the scale-down ran once;
// - a 3-master Redis Cluster: keys under the hash-tagged prefix, BullMQ and the stores work.
// Every process a test starts is stopped in afterAll.

import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus, startRedis, waitFor, type RunningPrometheus, type RunningRedis } from '../../harness/index.js';
import { startRedisCluster, startRedisSentinel, startRedisTls, type ClusterRedis, type SentinelRedis, type TlsRedis } from '../../harness/redis-modes.js';
import { startDaemon, type Daemon } from '../../../src/app/index.js';
import type { RedisConfig } from '../../../src/config/model.js';
import { createRedisClient, keyPrefix } from '../../../src/adapters/redis/connection.js';
import { stateKeys } from '../../../src/adapters/redis/keys.js';
import { History } from '../../../src/adapters/redis/history.js';
import { createDisruptionRunner } from '../../../src/disruption/runner.js';
import { check, config, getJson, notReadyBecause, quietLogger, suite, uniquePrefix } from '../daemon/fixtures.js';
import { RecordingClusterOps } from '../suites/recording-cluster-ops.js';
import { suiteWith } from '../suites/suite-fixture.js';

const PASSWORD = `pw-${process.pid}-Zq8`;
const ENV = 'MESH_SOAK_TEST_REDIS_PASSWORD';

let prom: RunningPrometheus | undefined;
const daemons: Daemon[] = [];
const clients: Redis[] = [];

beforeAll(async () => {
  process.env[ENV] = PASSWORD;
  prom = await startPrometheus();
});

afterAll(async () => {
  for (const d of daemons) await d.stop();
  for (const c of clients) c.disconnect();
  await prom?.stop();
  delete process.env[ENV];
});

function capturingLogger(lines: string[]) {
  return pino({ level: 'debug' }, new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) }));
}

async function start(redis: RedisConfig, o: { prefix?: string; lines?: string[] } = {}): Promise<string> {
  const cfg = config({ prometheusUrl: prom!.url, redisUrl: redis.url, suites: [suite('web', [check('ok', 'vector(0)', '> 0')])] });
  cfg.redis = redis;
  const logger = o.lines ? capturingLogger(o.lines) : quietLogger;
  const d = await startDaemon(cfg, { logger, prefix: o.prefix ?? uniquePrefix(), port: 0, host: '127.0.0.1', retryMs: 500 });
  daemons.push(d);
  return `http://127.0.0.1:${d.port}`;
}

async function tickCount(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return Number(/^mesh_soak_tick_duration_seconds_count\{suite="web"\} (\d+)/m.exec(text)?.[1] ?? 0);
}

async function ticksPast(base: string, n: number, what: string): Promise<number> {
  let seen = 0;
  await waitFor(async () => (seen = await tickCount(base)) > n, { timeoutMs: 90_000, intervalMs: 250, what, seen: () => seen });
  return seen;
}

async function ready(base: string): Promise<void> {
  let seen: unknown;
  await waitFor(async () => (seen = await getJson(`${base}/readyz`)).status === 200, { timeoutMs: 90_000, intervalMs: 250, what: 'ready', seen: () => seen });
}

describe('ACL user, password from the environment', () => {
  let redis: RunningRedis | undefined;
  let admin: Redis | undefined;
  const prefix = uniquePrefix();

  beforeAll(async () => {
    redis = await startRedis();
    admin = createRedisClient({ url: redis.url });
    admin.on('error', () => undefined);
    // Only its own keys; the default user needs a password nobody is given.
    await admin.call('ACL', 'SETUSER', 'soak', 'on', `>${PASSWORD}`, 'resetkeys', `~${prefix}:*`, 'resetchannels', '&*', '+@all', '-@admin', '-flushall', '-flushdb');
    await admin.call('ACL', 'SETUSER', 'default', 'on', '>unused-admin-password-Kx1');
    await admin.auth('default', 'unused-admin-password-Kx1');
  });
  afterAll(async () => {
    admin?.disconnect();
    await redis?.stop();
  });

  it('ready and ticking as the ACL user; the password appears in no log line', async () => {
    const lines: string[] = [];
    const base = await start({ url: redis!.url, username: 'soak', passwordEnv: ENV }, { prefix, lines });
    await ready(base);
    await ticksPast(base, 1, 'ticks as the ACL user');
    const history = new History(admin!, stateKeys(prefix));
    expect((await history.recentTicks('web', 10)).length).toBeGreaterThan(0);
    // The ACL user may touch nothing outside its prefix: no denial was logged by Redis.
    expect(((await admin!.call('ACL', 'LOG')) as unknown[]).length).toBe(0);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('')).not.toContain(PASSWORD);
  });

  it('a wrong password: /readyz names the authentication failure', async () => {
    process.env.MESH_SOAK_TEST_WRONG = 'not-the-password';
    try {
      const base = await start({ url: redis!.url, username: 'soak', passwordEnv: 'MESH_SOAK_TEST_WRONG' });
      await notReadyBecause(base, 'redis authentication failed');
    } finally {
      delete process.env.MESH_SOAK_TEST_WRONG;
    }
  });
});

describe('TLS with a CA file and a password', () => {
  let tls: TlsRedis | undefined;
  beforeAll(async () => {
    tls = await startRedisTls({ password: PASSWORD });
  });
  afterAll(async () => {
    await tls?.stop();
  });

  it('verifies the server against the CA and ticks', async () => {
    const base = await start({ url: `rediss://127.0.0.1:${tls!.port}`, tls: { caFile: tls!.caFile }, passwordEnv: ENV });
    await ready(base);
    await ticksPast(base, 1, 'ticks over TLS');
  });
});

describe('Sentinel', () => {
  let sentinel: SentinelRedis | undefined;
  beforeAll(async () => {
    sentinel = await startRedisSentinel({ password: PASSWORD });
  });
  afterAll(async () => {
    await sentinel?.stop();
  });

  it('losing the primary mid-disruption fails over: ticks go on, and the re-delivered job does not disrupt again', async () => {
    const redisConfig: RedisConfig = { url: 'redis://ignored:1', passwordEnv: ENV, sentinels: sentinel!.sentinels, sentinelName: sentinel!.name };
    const prefix = uniquePrefix();
    const base = await start(redisConfig, { prefix });
    await ready(base);
    await ticksPast(base, 1, 'ticks through the sentinel');

    // The runner as src/app/ builds it for Sentinel: the claim waits for a replica.
    const redis = createRedisClient(redisConfig, { maxRetriesPerRequest: null });
    redis.on('error', () => undefined);
    clients.push(redis);
    const ops = new RecordingClusterOps();
    ops.replicas.set('ns-fo/pilot', 2);
    const runner = createDisruptionRunner({ ops, redis, keys: stateKeys(prefix), pollMs: 50, claimReplicas: { count: 1, timeoutMs: 1000 } });
    const target = suiteWith('fo', [{ scale: { deployment: 'pilot', replicas: 0 } }, { sleep: { durationMs: 2000 } }]);
    const job = { id: 'disruption:fo:1', scheduledAt: Date.now() };
    const first = runner.run(target, job);
    await waitFor(() => ops.calls.some((c) => c.op === 'setScale'), { timeoutMs: 60_000, what: 'the scale-down step' });
    const oldPort = await sentinel!.killPrimary();
    const newPort = await sentinel!.waitFailover(oldPort);
    expect(newPort).not.toBe(oldPort);
    const outcome = await first;
    expect(['success', 'failure']).toContain(outcome.outcome);

    const ticksThen = await tickCount(base);
    await ticksPast(base, ticksThen + 1, 'ticks after the failover');
    // BullMQ re-delivers a job whose worker lost it: the claim, replicated before the steps, survived.
    // The first run's lock may still be held (its release queued through the failover): wait it out.
    let again: Awaited<ReturnType<typeof runner.run>> | undefined;
    await waitFor(async () => (again = await runner.run(target, job)).outcome !== 'busy', { timeoutMs: 60_000, intervalMs: 500, what: 'the suite lock free again', seen: () => again });
    expect(again).toEqual({ outcome: 'already-done' });
    const scaleDowns = ops.calls.filter((c) => c.op === 'setScale' && c.args[2] === 0);
    expect(scaleDowns).toHaveLength(1);
  });
});

describe('Redis Cluster (3 masters)', () => {
  let cluster: ClusterRedis | undefined;
  beforeAll(async () => {
    cluster = await startRedisCluster({ password: PASSWORD });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('BullMQ and the stores work under the hash-tagged prefix', async () => {
    const redisConfig: RedisConfig = { url: 'redis://ignored:1', passwordEnv: ENV, cluster: { nodes: cluster!.nodes.slice(0, 1) } };
    const prefix = uniquePrefix();
    const base = await start(redisConfig, { prefix });
    await ready(base);
    await ticksPast(base, 2, 'ticks on the cluster');
    const client = createRedisClient(redisConfig);
    client.on('error', () => undefined);
    clients.push(client);
    const tagged = keyPrefix(redisConfig, prefix);
    expect(tagged).toBe(`{${prefix}}`);
    expect((await new History(client, stateKeys(tagged)).recentTicks('web', 10)).length).toBeGreaterThan(0);
    // BullMQ's keys share the tag: its scheduler hash is on the same slot as the state.
    expect(await client.exists(`${tagged}:ticks:repeat`, `${tagged}:ticks:meta`)).toBeGreaterThan(0);
  });
});
