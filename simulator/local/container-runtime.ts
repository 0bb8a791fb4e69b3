// Which container runtime the harness talks to, and podman's Docker-compatible API service
// when none is running. testcontainers reads DOCKER_HOST; this module finds one that answers
// `GET /_ping` (DOCKER_HOST, then /var/run/docker.sock), or starts
// `podman system service --time=0 unix://DIR/podman.sock` and points DOCKER_HOST at it.
// The service it starts is its own child (killed by the harness' exit hook as a last
// resort); stopContainerRuntime() stops it and removes every container it ran.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, rmdirSync, rmSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnLogged, stopProcess } from './processes.js';
import { waitReady } from './wait-ready.js';

/** The podman settings these machines need (runc, no default ulimits); see docs/testing-containers.md. */
export const CONTAINERS_CONF = resolve(dirname(fileURLToPath(import.meta.url)), '../../scripts/containers/containers.conf');
/** Every container the harness starts carries this label (value: the harness process' pid). */
export const HARNESS_LABEL = 'mesh-soak.test-harness';

export interface ContainerRuntime {
  /** What DOCKER_HOST is (unix:///…/podman.sock, unix:///var/run/docker.sock, tcp://…). */
  dockerHost: string;
  /** True when this process started the podman service (and stops it). */
  startedHere: boolean;
}

const DOCKER_SOCK = '/var/run/docker.sock';

/** GET /_ping on a Docker API endpoint; false on any error within timeoutMs. */
export function pingDockerApi(dockerHost: string, timeoutMs = 2000): Promise<boolean> {
  let target: { socketPath: string } | { host: string; port: number };
  if (dockerHost.startsWith('unix://')) {
    const socketPath = dockerHost.slice('unix://'.length);
    if (!existsSync(socketPath)) return Promise.resolve(false);
    target = { socketPath };
  } else if (dockerHost.startsWith('tcp://') || dockerHost.startsWith('http://')) {
    const u = new URL(dockerHost.replace(/^tcp:/, 'http:'));
    target = { host: u.hostname, port: Number(u.port || 2375) };
  } else {
    return Promise.resolve(false);
  }
  return new Promise((done) => {
    const req = request({ ...target, path: '/_ping', method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      done(res.statusCode === 200);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => done(false));
    req.end();
  });
}

/** The Docker API that answers now, without starting anything; undefined when none does. */
export async function answeringDockerHost(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  if (env.DOCKER_HOST) return (await pingDockerApi(env.DOCKER_HOST)) ? env.DOCKER_HOST : undefined;
  const sock = `unix://${DOCKER_SOCK}`;
  return (await pingDockerApi(sock)) ? sock : undefined;
}

/** Whether the podman command exists and can talk to its storage (as root, on these machines). */
export function podmanUsable(): { ok: true } | { ok: false; reason: string } {
  const r = spawnSync('podman', ['info', '--format', '{{.Host.OCIRuntime.Name}}'], {
    encoding: 'utf8',
    timeout: 30_000,
    env: podmanEnv(),
  });
  if (r.error) return { ok: false, reason: `podman cannot be run: ${r.error.message} (apt-get install -y podman runc)` };
  if (r.status !== 0) return { ok: false, reason: `podman info failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ')}` };
  return { ok: true };
}

/** The environment podman commands run with: this repo's containers.conf unless one is set. */
export function podmanEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...env, CONTAINERS_CONF: env.CONTAINERS_CONF ?? CONTAINERS_CONF };
}

let service: { child: ChildProcess; files: string[] } | undefined;
let current: Promise<ContainerRuntime> | undefined;

const TESTCONTAINERS_ENV = {
  // Ryuk (the reaper container) needs an image from Docker Hub and a socket mount; the
  // harness removes its own containers instead.
  TESTCONTAINERS_RYUK_DISABLED: 'true',
  // Test traffic stays on the loopback: ports are published on 127.0.0.1 only.
  TESTCONTAINERS_HOST_OVERRIDE: '127.0.0.1',
} as const;

/**
 * A Docker API for testcontainers: the one that answers (DOCKER_HOST or the Docker socket),
 * else podman's service started here. Sets DOCKER_HOST and the TESTCONTAINERS_* variables in
 * process.env (as testcontainers reads them). Throws with the reason when there is none.
 */
export function ensureContainerRuntime(): Promise<ContainerRuntime> {
  current ??= startRuntime().catch((err: unknown) => {
    current = undefined;
    throw err;
  });
  return current;
}

async function startRuntime(): Promise<ContainerRuntime> {
  const saved: Record<string, string | undefined> = {};
  const setEnv = (name: string, value: string) => {
    if (!(name in saved)) saved[name] = process.env[name];
    process.env[name] = value;
  };
  for (const [k, v] of Object.entries(TESTCONTAINERS_ENV)) if (process.env[k] === undefined) setEnv(k, v);
  const answering = await answeringDockerHost();
  if (answering) {
    if (!process.env.DOCKER_HOST) setEnv('DOCKER_HOST', answering);
    service = undefined;
    restoreOnStop = saved;
    return { dockerHost: answering, startedHere: false };
  }
  if (process.env.DOCKER_HOST) {
    throw new Error(`DOCKER_HOST=${process.env.DOCKER_HOST} does not answer GET /_ping`);
  }
  const usable = podmanUsable();
  if (!usable.ok) throw new Error(`no container runtime: no Docker API answers and ${usable.reason}`);
  // One shared folder, one socket and log per process: a process killed before it could clean
  // up (a test runner's SIGTERM skips 'exit' handlers) leaves two files, swept by the next start.
  const dir = join(tmpdir(), `mesh-soak-podman-${process.getuid?.() ?? 'user'}`);
  await mkdir(dir, { recursive: true });
  await sweepStale(dir);
  const socket = join(dir, `podman-${process.pid}.sock`);
  const logFile = join(dir, `podman-${process.pid}.log`);
  const files = [socket, logFile];
  const dockerHost = `unix://${socket}`;
  await Promise.all(files.map((f) => rm(f, { force: true })));
  if (process.env.CONTAINERS_CONF === undefined) setEnv('CONTAINERS_CONF', CONTAINERS_CONF);
  const child = spawnLogged('podman', ['system', 'service', '--time=0', dockerHost], logFile, dir);
  try {
    await waitReady(child, () => pingDockerApi(dockerHost, 1000), { what: `podman system service on ${socket}`, logFile });
  } catch (err) {
    await stopProcess(child, 2000);
    await Promise.all(files.map((f) => rm(f, { force: true })));
    throw err;
  }
  setEnv('DOCKER_HOST', dockerHost);
  service = { child, files };
  // The harness' exit hook SIGKILLs the service if nobody stopped it; its files go too, also
  // when a test runner ends the worker with a signal (processes.ts re-raises it after its
  // own listener; this one runs in the same round).
  const removeFiles = () => {
    files.forEach((f) => rmSync(f, { force: true }));
    removeDirIfEmpty(dir);
  };
  process.once('exit', removeFiles);
  if (process.env.VITEST) for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, removeFiles);
  restoreOnStop = saved;
  return { dockerHost, startedHere: true };
}

let restoreOnStop: Record<string, string | undefined> = {};

/** Other processes may still use it: only an empty folder goes. */
function removeDirIfEmpty(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // not empty, or already gone
  }
}

/** Removes podman-PID.{sock,log} of processes that are gone. */
async function sweepStale(dir: string): Promise<void> {
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const m = /^podman-(\d+)\.(sock|log)$/.exec(name);
    if (!m || alive(Number(m[1]))) continue;
    await rm(join(dir, name), { force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Undoes ensureContainerRuntime(): removes any container this process' harness left (by
 * label), stops the podman service if it was started here, restores the environment.
 */
export async function stopContainerRuntime(): Promise<void> {
  if (!current) return;
  const runtime = await current.catch(() => undefined);
  current = undefined;
  if (runtime?.startedHere && service) {
    // Containers outlive the API service; a test that forgot stop() must not leave one running.
    spawnSync('podman', ['rm', '--force', '--time=2', '--filter', `label=${HARNESS_LABEL}=${process.pid}`], {
      env: podmanEnv(),
      stdio: 'ignore',
      timeout: 30_000,
    });
    await stopProcess(service.child, 5000);
    await Promise.all(service.files.map((f) => rm(f, { force: true })));
    removeDirIfEmpty(dirname(service.files[0]!));
    service = undefined;
  }
  for (const [k, v] of Object.entries(restoreOnStop)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  restoreOnStop = {};
}

/** Runs one podman command with this repo's containers.conf; resolves with its exit code and output. */
export function runPodman(args: string[], options: { timeoutMs?: number } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn('podman', args, { env: podmanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 600_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      done({ code: null, stdout, stderr: stderr + err.message });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}
