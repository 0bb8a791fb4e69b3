// The command line's start-up and shutdown edges, in real child processes: a port in use
// is one line and exit 1 (and the process exits, journal connection and all), SIGTERM with
// Redis gone still stops cleanly with exit 0, bad input is exit 2 without a stack trace.
import { execFile, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeKubeconfigYaml } from '../../../simulator/kube-api/kubeconfig.js';
import { freePort } from '../../../simulator/local/index.js';
import { builtCli } from '../../harness/index.js';
import { scaledMs } from '../../../simulator/local/wait-for.js';

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

let cliJs: string;
let dir: string;
let blocker: Server;
let busyPort: number;

function cli(args: string[], timeoutMs = scaledMs(40_000)): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [cliJs, ...args], { timeout: timeoutMs, killSignal: 'SIGKILL', env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: number | string; signal?: NodeJS.Signals }) | null;
      done({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, signal: e?.signal ?? null, stdout, stderr });
    });
  });
}

/** A config whose Redis, Prometheus and Kubernetes API are all unreachable (closed ports). */
async function writeConfig(name: string, port?: number): Promise<string> {
  const closed = await freePort();
  const httpPort = port ?? (await freePort());
  const kubeconfig = join(dir, 'kubeconfig.yaml');
  await writeFile(kubeconfig, fakeKubeconfigYaml(`http://127.0.0.1:${closed}`, 'token'));
  const file = join(dir, name);
  await writeFile(
    file,
    [
      `prometheus: { url: "http://127.0.0.1:${closed}" }`,
      `redis: { url: "redis://127.0.0.1:${closed}" }`,
      `kubernetes: { kubeconfig: "${kubeconfig}" }`,
      `http: { port: ${httpPort} }`,
      'suites:',
      '  - use: graceful-shutdown',
      '',
    ].join('\n'),
  );
  return file;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mesh-soak-cli-edges-'));
  blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
  busyPort = (blocker.address() as AddressInfo).port;
  cliJs = await builtCli();
}, scaledMs(600_000));

afterAll(async () => {
  await new Promise<void>((resolve) => blocker.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

describe('mesh-soak run start-up and shutdown', () => {
  it('a port in use: one line on stderr, exit 1, and the process exits (no lingering journal connection)', async () => {
    const config = await writeConfig('busy.yaml', busyPort);
    const r = await cli(['run', '--config', config, '--host', '127.0.0.1', '--log-level', 'fatal']);
    expect(r.signal).toBeNull(); // not killed by the timeout: it exited by itself
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`mesh-soak: listen: port ${busyPort}: address in use`);
  }, scaledMs(600_000));

  it('SIGTERM with Redis and the cluster unreachable: a graceful stop, exit 0', async () => {
    const config = await writeConfig('free.yaml');
    const child = spawn(process.execPath, [cliJs, 'run', '--config', config, '--host', '127.0.0.1', '--log-level', 'info'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    try {
      for (let i = 0; i < scaledMs(300) && !out.includes('mesh-soak running'); i++) await new Promise((r) => setTimeout(r, 100));
      expect(out).toContain('mesh-soak running');
      child.kill('SIGTERM');
      const guard = setTimeout(() => child.kill('SIGKILL'), scaledMs(40_000));
      const result = await exited;
      clearTimeout(guard);
      expect(result).toEqual({ code: 0, signal: null });
      expect(out).toContain('"msg":"stopped"');
      expect(err).not.toContain('internal error');
      expect(err).not.toContain('Unhandled');
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }, scaledMs(600_000));

  it('--port that is not a port: exit 2, the message, no stack', async () => {
    const config = await writeConfig('port.yaml');
    const r = await cli(['run', '--config', config, '--port', 'http']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('--port: "http" is not a port (0-65535; 0 picks a free one)');
  }, scaledMs(600_000));
});

describe('mesh-soak command line edges', () => {
  it('no command: usage on stderr, exit 2; --help: usage on stdout, exit 0', async () => {
    const none = await cli([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
    expect(none.stderr).toContain('usage: mesh-soak COMMAND');
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: mesh-soak COMMAND');
    expect(help.stderr).toBe('');
  }, scaledMs(600_000));

  it('check --junit into a missing folder: exit 2 with the path and the reason, no stack', async () => {
    const config = await writeConfig('check.yaml');
    const target = join(dir, 'no-such-dir', 'report.xml');
    const r = await cli(['check', '--config', config, '--junit', target]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(new RegExp(`^--junit: cannot write ${target.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: ENOENT`));
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, scaledMs(600_000));
});
