// Redis as users run it, from Debian's redis-server on loopback free ports, for the tests of
// src/adapters/redis/connection.ts: TLS with a CA generated here (openssl), Sentinel (a
// primary, a replica and a sentinel — `redis-server --sentinel`, which is what Debian's
// redis-sentinel runs — that fails over when the primary is killed), and a 3-master Redis
// Cluster (`redis-cli --cluster create`). Optional requirepass on each. Every handle's stop()
// stops every process it started (and removes its temp dir); processes.ts' exit hook is the
// last resort.
//
//   const s = await startRedisSentinel({ password: 'pw' }); ... await s.killPrimary(); await s.waitFailover();
//   afterAll(() => s.stop());

import { execFile, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis, type RedisOptions } from 'ioredis';
import { freePort } from '../../simulator/local/free-port.js';
import { killProcess, spawnLogged, stopProcess } from '../../simulator/local/processes.js';
import { waitReady } from '../../simulator/local/wait-ready.js';
import { waitFor } from '../../simulator/local/wait-for.js';

const run = promisify(execFile);
const SERVER = '/usr/bin/redis-server';

interface Started {
  dir: string;
  children: ChildProcess[];
}

async function started(prefix: string): Promise<Started> {
  return { dir: await mkdtemp(join(tmpdir(), `mesh-soak-${prefix}-`)), children: [] };
}

async function stopAll(s: Started): Promise<void> {
  await Promise.all(s.children.map((c) => stopProcess(c, 5000)));
  await rm(s.dir, { recursive: true, force: true });
}

/** One short-lived client for probes and set-up commands. */
async function withClient<T>(options: RedisOptions, use: (c: Redis) => Promise<T>): Promise<T> {
  const c = new Redis({ host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2000, ...options });
  c.on('error', () => undefined);
  try {
    await c.connect();
    return await use(c);
  } finally {
    c.disconnect();
  }
}

async function pings(options: RedisOptions): Promise<boolean> {
  return withClient(options, async (c) => (await c.ping()) === 'PONG').catch(() => false);
}

/** Starts redis-server with args (port and dir given by the caller) and waits until it answers. */
async function launch(s: Started, name: string, args: string[], probe: RedisOptions): Promise<ChildProcess> {
  const logFile = join(s.dir, `${name}.log`);
  const child = spawnLogged(SERVER, args, logFile, s.dir);
  s.children.push(child);
  await waitReady(child, () => pings(probe), { what: `redis ${name}`, logFile, timeoutMs: 60_000 });
  return child;
}

const common = (port: number, dir: string): string[] => ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
const auth = (password?: string): string[] => (password ? ['--requirepass', password, '--masterauth', password] : []);

// --- TLS ---------------------------------------------------------------------------------

export interface TlsRedis {
  port: number;
  caFile: string;
  /** A client certificate and key signed by the CA. */
  certFile: string;
  keyFile: string;
  stop(): Promise<void>;
}

async function makeCa(dir: string): Promise<{ caFile: string; server: [string, string]; client: [string, string] }> {
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir, timeout: 60_000 });
  await openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=mesh-soak-test-ca');
  await writeFile(join(dir, 'ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  for (const name of ['server', 'client']) {
    await openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name === 'server' ? '127.0.0.1' : 'mesh-soak'}`);
    await openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '1', '-extfile', 'ext');
  }
  const f = (n: string) => join(dir, n);
  return { caFile: f('ca.crt'), server: [f('server.crt'), f('server.key')], client: [f('client.crt'), f('client.key')] };
}

/** redis-server with only a TLS port, its certificate signed by a CA made here; client certificates required when authClients. */
export async function startRedisTls(o: { password?: string; authClients?: boolean } = {}): Promise<TlsRedis> {
  const s = await started('redis-tls');
  try {
    const ca = await makeCa(s.dir);
    const port = await freePort();
    const args = [...common(0, s.dir), '--tls-port', String(port), '--tls-cert-file', ca.server[0], '--tls-key-file', ca.server[1], '--tls-ca-cert-file', ca.caFile];
    args.push('--tls-auth-clients', o.authClients ? 'yes' : 'no', ...auth(o.password));
    const tls = { ca: readFileSync(ca.caFile), cert: readFileSync(ca.client[0]), key: readFileSync(ca.client[1]) };
    await launch(s, 'tls', args, { port, tls, ...(o.password ? { password: o.password } : {}) });
    return { port, caFile: ca.caFile, certFile: ca.client[0], keyFile: ca.client[1], stop: () => stopAll(s) };
  } catch (err) {
    await stopAll(s);
    throw err;
  }
}

// --- Sentinel ----------------------------------------------------------------------------

export interface SentinelRedis {
  sentinels: Array<{ host: string; port: number }>;
  name: string;
  /** The port of the current primary, as the sentinel reports it. */
  primaryPort(): Promise<number>;
  /** SIGKILL of the current primary (not restarted). */
  killPrimary(): Promise<number>;
  /** Waits (bounded) until the sentinel names a primary other than `oldPort`. */
  waitFailover(oldPort: number, timeoutMs?: number): Promise<number>;
  stop(): Promise<void>;
}

const MASTER = 'mesh-soak-primary';

async function sentinelConf(dir: string, port: number, primaryPort: number, password?: string): Promise<string> {
  const file = join(dir, 'sentinel.conf');
  const lines = [
    `port ${port}`,
    'bind 127.0.0.1',
    `dir ${dir}`,
    `sentinel monitor ${MASTER} 127.0.0.1 ${primaryPort} 1`,
    `sentinel down-after-milliseconds ${MASTER} 1000`,
    `sentinel failover-timeout ${MASTER} 5000`,
    ...(password ? [`sentinel auth-pass ${MASTER} ${password}`] : []),
  ];
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

/** A primary, one replica in sync, and a sentinel (quorum 1, 1 s down-after) watching them. */
export async function startRedisSentinel(o: { password?: string } = {}): Promise<SentinelRedis> {
  const s = await started('redis-sentinel');
  try {
    const pw = o.password ? { password: o.password } : {};
    const ports = [await freePort(), await freePort()];
    const byPort = new Map<number, ChildProcess>();
    for (const [i, port] of ports.entries()) {
      const dir = join(s.dir, `node${i}`);
      await mkdir(dir);
      const replicaOf = i === 0 ? [] : ['--replicaof', '127.0.0.1', String(ports[0])];
      byPort.set(port, await launch(s, `node${i}`, [...common(port, dir), ...auth(o.password), ...replicaOf], { port, ...pw }));
    }
    await waitFor(() => withClient({ port: ports[1]!, ...pw }, async (c) => /master_link_status:up/.test(await c.info('replication'))).catch(() => false), {
      timeoutMs: 60_000,
      what: 'the replica in sync with the primary',
    });
    const sPort = await freePort();
    const conf = await sentinelConf(s.dir, sPort, ports[0]!, o.password);
    await launch(s, 'sentinel', [conf, '--sentinel'], { port: sPort });
    const ask = (): Promise<number> => withClient({ port: sPort }, async (c) => Number(((await c.call('SENTINEL', 'get-master-addr-by-name', MASTER)) as string[])[1]));
    const knowsReplica = async () => withClient({ port: sPort }, async (c) => ((await c.call('SENTINEL', 'replicas', MASTER)) as unknown[]).length > 0).catch(() => false);
    await waitFor(knowsReplica, { timeoutMs: 60_000, what: 'the sentinel knowing the replica' });
    return {
      sentinels: [{ host: '127.0.0.1', port: sPort }],
      name: MASTER,
      primaryPort: ask,
      async killPrimary() {
        const port = await ask();
        const child = byPort.get(port);
        if (!child) throw new Error(`no process of this harness on the primary's port ${port}`);
        await killProcess(child);
        return port;
      },
      async waitFailover(oldPort, timeoutMs = 60_000) {
        let now = oldPort;
        await waitFor(async () => (now = await ask().catch(() => oldPort)) !== oldPort, { timeoutMs, what: 'the sentinel promoting the replica', seen: () => now });
        return now;
      },
      stop: () => stopAll(s),
    };
  } catch (err) {
    await stopAll(s);
    throw err;
  }
}

// --- Cluster -----------------------------------------------------------------------------

export interface ClusterRedis {
  nodes: Array<{ host: string; port: number }>;
  stop(): Promise<void>;
}

/** Three masters (no replicas) with every slot assigned, cluster_state:ok on each. */
export async function startRedisCluster(o: { password?: string } = {}): Promise<ClusterRedis> {
  const s = await started('redis-cluster');
  try {
    const pw = o.password ? { password: o.password } : {};
    const ports: number[] = [];
    for (let i = 0; i < 3; i++) {
      const [port, bus] = [await freePort(), await freePort()];
      const dir = join(s.dir, `node${i}`);
      await mkdir(dir);
      const args = [...common(port, dir), ...auth(o.password), '--cluster-enabled', 'yes', '--cluster-port', String(bus), '--cluster-config-file', join(dir, 'nodes.conf'), '--cluster-node-timeout', '5000'];
      await launch(s, `node${i}`, args, { port, ...pw });
      ports.push(port);
    }
    const create = ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes', ...(o.password ? ['-a', o.password, '--no-auth-warning'] : [])];
    await run('redis-cli', create, { timeout: 60_000 });
    const ok = (port: number) => withClient({ port, ...pw }, async (c) => /cluster_state:ok/.test((await c.call('CLUSTER', 'INFO')) as string)).catch(() => false);
    await waitFor(async () => (await Promise.all(ports.map(ok))).every(Boolean), { timeoutMs: 60_000, what: 'cluster_state:ok on the 3 masters' });
    return { nodes: ports.map((port) => ({ host: '127.0.0.1', port })), stop: () => stopAll(s) };
  } catch (err) {
    await stopAll(s);
    throw err;
  }
}
