// A real Redis (/usr/bin/redis-server) on a free loopback port, with crash (kill9) and
// restart on the same port, so tests can check what survives Redis going away.

import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { killProcess, spawnLogged, stopProcess } from './processes.js';
import { waitReady } from './wait-ready.js';

export interface RunningRedis {
  /** redis://127.0.0.1:PORT */
  url: string;
  port: number;
  /** SHUTDOWN via SIGTERM (SIGKILL after 5 s), then removes the temp dir. Safe to call twice. */
  stop(): Promise<void>;
  /** SIGKILL: a crash. The temp dir stays so restart() can bring it back. */
  kill9(): Promise<void>;
  /** Starts redis-server again on the same port and dir (after kill9, or stops it first). */
  restart(): Promise<void>;
}

export interface RedisOptions {
  /** Turn on the append-only file, for tests of what survives a crash. Default false. */
  appendonly?: boolean;
}

/**
 * Redis' command line, described once for both runtimes (this binary starter and
 * containers.ts): the same settings; the binary also gets its port, loopback bind and dir, the
 * container (port published on 127.0.0.1, its image's /data) leaves protected mode.
 */
export function redisCommand(options: RedisOptions, at: { runtime: 'binary'; port: number; dir: string } | { runtime: 'container' }): string[] {
  const settings = [
    '--save', '',
    '--appendonly', options.appendonly ? 'yes' : 'no',
    '--appendfsync', 'always',
    // As in deploy/redis.yaml: BullMQ's blocking waits time out hz times a second.
    '--hz', '100',
  ];
  if (at.runtime === 'container') return ['redis-server', '--protected-mode', 'no', ...settings];
  return ['--port', String(at.port), '--bind', '127.0.0.1', '--dir', at.dir, ...settings];
}

export async function startRedis(options: RedisOptions = {}): Promise<RunningRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'mesh-soak-redis-'));
  const logFile = join(dir, 'redis.log');
  const port = await freePort();
  const args = redisCommand(options, { runtime: 'binary', port, dir });
  let child: ChildProcess | undefined;
  const launch = async (): Promise<void> => {
    const c = spawnLogged('/usr/bin/redis-server', args, logFile, dir);
    child = c;
    await waitReady(c, () => ping(port), { what: `Redis on 127.0.0.1:${port}`, logFile });
  };
  try {
    await launch();
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  let stopped = false;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child) await stopProcess(child, 5000);
      await rm(dir, { recursive: true, force: true });
    },
    async kill9() {
      if (child) await killProcess(child);
    },
    async restart() {
      if (stopped) throw new Error('Redis was stopped for good; start a new one');
      if (child) await stopProcess(child, 5000);
      await launch();
    },
  };
}

/** Sends PING in RESP and expects +PONG; false on any error within 1 s. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let answer = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.on('data', (chunk) => {
      answer += chunk.toString();
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
    });
    socket.once('connect', () => socket.write('*1\r\n$4\r\nPING\r\n'));
  });
}
