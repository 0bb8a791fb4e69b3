// `mesh-soak bench` as users run it, as a child process, against real Redis and Prometheus
// and the simulated Fortio API: a run SIGKILLed mid-point leaves no orphan (the next run
// stops its Fortio load and marks it), then list, export --csv, compare, --dry-run, and
// clear errors (exit 2) for user mistakes.

import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtCli, waitFor, type RunningPrometheus, type RunningRedis } from '../../harness/index.js';
import type { FortioSim } from '../../../simulator/fortio/fortio-api.js';
import { startBenchWorld, type BenchWorld } from './bench-world.js';
import { scaledMs } from '../../../simulator/local/wait-for.js';

let dir: string;
let cliJs: string;
let redisServer: RunningRedis;
let redis: Redis;
let prom: RunningPrometheus;
let sim: FortioSim;
let world: BenchWorld;
let config: string;

function suiteYaml(name: string, duration: string): string {
  return [
    `name: ${name}`,
    'namespace: twopods',
    'benchmark:',
    `  fortio: { url: "${sim.url}" }`,
    '  modes: [both]',
    '  connections: [1]',
    '  qps: [20]',
    `  duration: ${duration}`,
    '  warmup: 1s',
    '  cooldown: 500ms',
    '  step: 1s',
    '  targets: { both: "http://fortioserver:8080/echo" }',
    '',
  ].join('\n');
}

interface Result { code: number | null; stdout: string; stderr: string }

function cli(args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliJs, ...args, '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const guard = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('exit', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mesh-soak-bench-cli-'));
  cliJs = await builtCli();
  world = await startBenchWorld();
  ({ redisServer, redis, sim, prom } = world);
  for (const [name, duration] of [['slow', '60s'], ['quick', '3s']] as const) {
    await mkdir(join(dir, name));
    await writeFile(join(dir, name, 'suite.yaml'), suiteYaml(name, duration));
  }
  config = join(dir, 'mesh-soak.yaml');
  await writeFile(config, `prometheus: { url: "${prom.url}" }\nredis: { url: "${redisServer.url}" }\nsuites:\n  - use: ./slow\n  - use: ./quick\n`);
}, scaledMs(300_000));

afterAll(async () => {
  await world?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('mesh-soak bench', () => {
  it('a run SIGKILLed mid-point is stopped and marked by the next run; no load is left running', async () => {
    const child = spawn(process.execPath, [cliJs, 'bench', 'run', 'slow', '--config', config], { stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    try {
      await waitFor(async () => {
        const journal = Object.values(await redis.hgetall('mesh-soak:bench-journal'));
        return journal.some((j) => (JSON.parse(j) as { fortioRunId: number | null }).fortioRunId !== null);
      }, { timeoutMs: 30_000, intervalMs: 100, what: 'the journal to name the running Fortio load' });
      expect(sim.active()).toBeDefined();
    } finally {
      child.kill('SIGKILL');
    }
    await exited;
    // The killed process's locks expire after their TTL; until then a new run is busy.
    await waitFor(async () => (await redis.exists('mesh-soak:resource-lock:namespace/twopods', 'mesh-soak:resource-lock:control-plane')) === 0, {
      timeoutMs: 60_000, intervalMs: 500, what: 'the killed run\'s locks to expire',
    });
    const r = await cli(['bench', 'run', 'quick']);
    expect(r.stderr).toMatch(/^bench: marked 1 interrupted run\(s\) stopped: slow-\d+/m);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/run quick-\S+: done; 0 regression\(s\)/);
    expect(sim.active()).toBeUndefined();
    expect(await redis.hlen('mesh-soak:bench-journal')).toBe(0);

    const list = await cli(['bench', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/slow-\S+\tslow\tunknown\tstopped \(interrupted: its owner cli:\d+ stopped mid-run; recovered; Fortio run \d+ stopped\)/);
    expect(list.stdout).toMatch(/quick-\S+\tquick\tunknown\tdone\t/);
  }, scaledMs(180_000));

  it('export --csv writes the original columns; compare prints deltas; --dry-run contacts nothing', async () => {
    const csv = await cli(['bench', 'export', 'quick', '--csv']);
    expect(csv.code).toBe(0);
    const lines = csv.stdout.trim().split('\r\n');
    expect(lines[0]).toMatch(/^Labels,StartTime,RequestedQPS,ActualQPS,NumThreads,RunType,ActualDuration,min,max,p50,p75,p90,p99,p999,errorPercent,Payload,/);
    expect(lines).toHaveLength(2);

    const ids = (await redis.zrevrange('mesh-soak:bench-runs:quick', 0, 0)).concat(await redis.zrevrange('mesh-soak:bench-runs:quick', 0, 0));
    const cmp = await cli(['bench', 'compare', ids[0]!, ids[1]!]);
    expect(cmp.code).toBe(0);
    expect(cmp.stdout).toMatch(/both\/c1\/q20\/s1024\tp99_us\t\d+\t\d+\t\+0\.0/);

    const dry = await cli(['bench', 'run', 'quick', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('1/1 both c=1 qps=20 size=1024: http://fortioserver:8080/echo?size=1024');
    expect(dry.stdout).toContain('holds: namespace/twopods, control-plane');
  }, scaledMs(120_000));

  it.each([
    [['bench'], /bench: expected one of run, list, compare, export/],
    [['bench', 'run', 'nope'], /bench run: no suite "nope"/],
    [['bench', 'compare', 'a'], /bench compare: give two run ids/],
    [['bench', 'compare', 'a', 'b'], /bench compare: no stored run "a"/],
  ])('%j: exit 2 with a clear message', async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, scaledMs(60_000));
});
