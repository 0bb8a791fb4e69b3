// The container image, built and run on this machine with podman: the project's Dockerfile
// builds unchanged (its base, node:22-bookworm-slim, is made locally by
// scripts/containers/base-images.sh when no registry can be reached), and the image runs
// locked down as a cluster would run it — read-only root file system with a tmpfs on /tmp
// only, user 10001, every capability dropped — against a Redis and a Prometheus the harness
// starts on the loopback: /healthz and /readyz answer, a tick shows in /metrics, `validate`
// and `check` work inside the image, SIGTERM (podman stop, 20 s grace) ends in exit code 0.
// The image holds the product only: no simulator, tests, benchmarks or dev dependencies.
// Skipped, with the reason, only where podman cannot run. The image is left in podman's
// store (layer cache for the next run); every container is removed.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { podmanEnv, podmanUsable, runPodman } from '../../simulator/local/container-runtime.js';
import { freePort, startPrometheus, startRedis, waitFor, type RunningPrometheus, type RunningRedis } from '../harness/index.js';
import { scaledMs } from '../../simulator/local/wait-for.js';

const root = resolve(import.meta.dirname, '../..');
const IMAGE = process.env.MESH_SOAK_TEST_IMAGE ?? 'localhost/mesh-soak:e2e';
const CONFIG_IN_IMAGE = '/etc/mesh-soak/config.yaml';
/** How the image must be run: as in deploy/ (readOnlyRootFilesystem, runAsUser, drop ALL, an emptyDir on /tmp). */
const LOCKED_DOWN = ['--read-only', '--read-only-tmpfs=false', '--tmpfs', '/tmp:rw,size=16m,mode=1777', '--user', '10001:10001', '--cap-drop', 'ALL', '--network', 'host'];

const podman = podmanUsable();
const skipReason = podman.ok ? undefined : podman.reason;

let dir: string;
let redis: RunningRedis | undefined;
let prom: RunningPrometheus | undefined;
let httpPort: number;
let configFile: string;
const containers = new Set<string>();
let daemon: { name: string; child: ChildProcess; output: () => string; exit: Promise<number | null> } | undefined;

async function podmanOk(args: string[], timeoutMs?: number): Promise<string> {
  const r = await runPodman(args, timeoutMs !== undefined ? { timeoutMs } : {});
  if (r.code !== 0) throw new Error(`podman ${args.join(' ')}: exit ${r.code}\n${r.stderr.slice(-4000)}\n${r.stdout.slice(-2000)}`);
  return r.stdout;
}

/** One CLI command in a throw-away container of the image, locked down, the config mounted read-only. */
async function inImage(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const name = `mesh-soak-e2e-cmd-${process.pid}-${containers.size}`;
  containers.add(name);
  try {
    return await runPodman(['run', '--rm', '--name', name, ...LOCKED_DOWN, '-v', `${configFile}:${CONFIG_IN_IMAGE}:ro`, '-e', 'NO_COLOR=1', IMAGE, ...args], { timeoutMs: 120_000 });
  } finally {
    containers.delete(name);
  }
}

async function text(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(scaledMs(5000)) });
  return { status: res.status, body: await res.text() };
}

describe.skipIf(skipReason !== undefined)(`the container image${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  beforeAll(async () => {
    // The base images (idempotent: seconds when they exist), then the image (layer cache).
    const base = await new Promise<{ code: number | null; out: string }>((done) => {
      const child = spawn('bash', [join(root, 'scripts/containers/base-images.sh'), 'node'], { env: podmanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      child.once('close', (code) => done({ code, out }));
    });
    if (base.code !== 0) throw new Error(`scripts/containers/base-images.sh failed (exit ${base.code}):\n${base.out.slice(-4000)}`);
    await podmanOk(['build', '--layers', '-t', IMAGE, '-f', join(root, 'Dockerfile'), root], 30 * 60_000);

    dir = await mkdtemp(join(tmpdir(), 'mesh-soak-image-e2e-'));
    redis = await startRedis();
    prom = await startPrometheus();
    httpPort = await freePort();
    configFile = join(dir, 'config.yaml');
    await writeFile(
      configFile,
      [
        `prometheus: { url: "${prom.url}", timeout: 5s }`,
        `redis: { url: "${redis.url}" }`,
        'tick: 1s',
        `http: { port: ${httpPort} }`,
        'suites:',
        '  - use: http10            # from /app/suites in the image; no disruption, so no cluster is needed',
        'checks:',
        '  - name: image-e2e-always-ok',
        '    query: vector(1)',
        '    fail: "> 1"',
        '',
      ].join('\n'),
      { mode: 0o644 },
    );
  }, 40 * 60_000);

  afterAll(async () => {
    if (daemon) await runPodman(['rm', '--force', '--time=2', daemon.name]);
    for (const name of containers) await runPodman(['rm', '--force', '--time=2', name]);
    await redis?.stop();
    await prom?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, scaledMs(120_000));

  it('the CLI loads from dist/src alone (the simulator, not shipped, is imported only lazily by `demo`)', async () => {
    const help = await runPodman(['run', '--rm', ...LOCKED_DOWN, IMAGE, '--help']);
    expect(help.stderr).not.toContain('ERR_MODULE_NOT_FOUND');
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain('usage: mesh-soak COMMAND');
    const demo = await runPodman(['run', '--rm', ...LOCKED_DOWN, IMAGE, 'demo']);
    expect(demo.code).toBe(2);
    expect(demo.stderr).toContain('the simulator is not part of this install');
  }, scaledMs(120_000));

  it('holds the product only: dist/src, suites, grafana and production dependencies; runs as 10001', async () => {
    const inspect = JSON.parse(await podmanOk(['image', 'inspect', IMAGE])) as Array<{ Size: number; Config: { User: string; Entrypoint: string[] } }>;
    const image = inspect[0]!;
    expect(image.Config.User).toBe('10001:10001');
    expect(image.Config.Entrypoint).toEqual(['node', '--heap-growing-percent=15', 'dist/src/cli.js']);
    // Every package the lockfile marks dev-only (vitest, typescript, testcontainers, …) must be absent.
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const devOnly = Object.entries(lock.packages).filter(([path, p]) => path !== '' && p.dev === true).map(([path]) => path);
    const forbidden = [
      'dist/test', 'dist/bench', 'dist/simulator', 'dist/src/sim', 'simulator', 'test', 'bench', 'src', 'tsconfig.json',
      'node_modules/vitest', 'node_modules/typescript', 'node_modules/testcontainers', 'node_modules/eslint', 'node_modules/playwright-core',
      ...devOnly,
    ];
    const required = ['dist/src/cli.js', 'suites/http10/suite.yaml', 'grafana', 'node_modules/bullmq', 'node_modules/ioredis', 'package.json'];
    const probe = `const fs = require('fs'); const p = ${JSON.stringify({ forbidden, required })};
      console.log(JSON.stringify({ present: p.forbidden.filter((f) => fs.existsSync('/app/' + f)), missing: p.required.filter((f) => !fs.existsSync('/app/' + f)) }));`;
    const r = await runPodman(['run', '--rm', ...LOCKED_DOWN, '--entrypoint', 'node', IMAGE, '-e', probe]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ present: [], missing: [] });
    console.log(`image ${IMAGE}: ${(image.Size / 1e6).toFixed(1)} MB (podman image inspect .Size)`);
  }, scaledMs(120_000));

  it('validate and check run inside the image, read-only, as 10001', async () => {
    const validate = await inImage(['validate', '--config', CONFIG_IN_IMAGE]);
    expect(validate.code, validate.stderr).toBe(0);
    // This Prometheus has no Istio metrics: http10's guard cannot tell whether it runs, so its
    // checks are unknown (exit 3, never a silent pass); the mesh-wide check is evaluated.
    const check = await inImage(['check', '--config', CONFIG_IN_IMAGE, '--json']);
    expect(check.code, check.stderr + check.stdout).toBe(3);
    expect(check.stdout).toContain("the guard's data source is missing");
    expect(check.stdout).toContain('image-e2e-always-ok');
    const bad = await inImage(['validate', '--config', '/etc/mesh-soak/missing.yaml']);
    expect(bad.code).toBe(2);
  }, scaledMs(300_000));

  it('runs locked down: /healthz, /readyz, a tick in /metrics; SIGTERM stops it with exit code 0', async () => {
    const name = `mesh-soak-e2e-daemon-${process.pid}`;
    const child = spawn('podman', ['run', '--rm', '--name', name, ...LOCKED_DOWN, '-v', `${configFile}:${CONFIG_IN_IMAGE}:ro`, IMAGE], {
      env: podmanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exit = new Promise<number | null>((done) => {
      child.once('error', () => done(null));
      child.once('close', (code) => done(code));
    });
    daemon = { name, child, output: () => out, exit };
    const base = `http://127.0.0.1:${httpPort}`;
    const diagnostics = () => `--- daemon output ---\n${out.slice(-4000)}`;

    await waitFor(async () => (await text(`${base}/healthz`).catch(() => ({ status: 0 }))).status === 200, {
      timeoutMs: 60_000,
      intervalMs: 250,
      what: `/healthz of the daemon in the image\n${diagnostics()}`,
    });
    await waitFor(async () => (await text(`${base}/readyz`).catch(() => ({ status: 0 }))).status === 200, {
      timeoutMs: 60_000,
      intervalMs: 250,
      what: `/readyz (config loaded, Redis reachable)\n${diagnostics()}`,
    });
    let metrics = '';
    await waitFor(
      async () => {
        metrics = (await text(`${base}/metrics`)).body;
        const ticks = /^mesh_soak_tick_duration_seconds_count\{suite="mesh"\} (\d+)/m.exec(metrics);
        return ticks !== null && Number(ticks[1]) >= 1;
      },
      { timeoutMs: 60_000, intervalMs: 500, what: 'a tick of the mesh-wide checks in /metrics' },
    );
    expect(metrics).toMatch(/^mesh_soak_check_state\{suite="mesh",check="image-e2e-always-ok",severity="[a-z]+",state="ok"\} 1$/m);
    expect(metrics).toMatch(/^mesh_soak_redis_up 1$/m);

    const stop = await runPodman(['stop', '--time', '20', name], { timeoutMs: 60_000 });
    expect(stop.code, stop.stderr).toBe(0);
    // Exit code 0, not 137: it stopped by itself within the 20 s grace, not by SIGKILL.
    expect(await exit, diagnostics()).toBe(0);
    daemon = undefined;
    expect(out).toContain('"msg":"stopping"');
    expect(out).toContain('"msg":"stopped"');
    expect(out).not.toMatch(/EROFS|EACCES|read-only file system/);
  }, scaledMs(300_000));
});
