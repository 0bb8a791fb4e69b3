// A slower proxy under a new Istio version, caught end to end: `mesh-soak bench run` twice
// (Istio 1.24.0, then 1.25.0 with the simulator's slow-proxy fault), the second run exits 1
// and its bench-p99-regression check fires in a real Alertmanager for mode "both" only.

import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  builtCli, startAlertmanager, startPrometheus, startRedis, startSyntheticTarget, waitFor,
  type RunningAlertmanager, type RunningPrometheus, type RunningRedis, type SyntheticTarget,
} from '../../harness/index.js';
import { startFortioSim, type FortioSim } from '../../../simulator/fortio/fortio-api.js';
import { feedContainerMetrics } from '../../../simulator/fortio/container-metrics.js';
import { scaledMs } from '../../../simulator/local/wait-for.js';

let dir: string;
let cliJs: string;
let redisServer: RunningRedis;
let target: SyntheticTarget;
let prom: RunningPrometheus;
let am: RunningAlertmanager;
let sim: FortioSim;
let stopFeed: () => void;

function run(config: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliJs, 'bench', 'run', 'bench', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const guard = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('exit', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    });
  });
}

async function configFor(istioVersion: string): Promise<string> {
  const file = join(dir, `mesh-soak-${istioVersion}.yaml`);
  await writeFile(file, [
    `prometheus: { url: "${prom.url}" }`,
    `redis: { url: "${redisServer.url}" }`,
    `notify: { alertmanager: { url: "${am.url}" } }`,
    'suites:',
    '  - use: ./bench',
    `    params: { istioVersion: "${istioVersion}" }`,
    '',
  ].join('\n'));
  return file;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mesh-soak-bench-alert-'));
  cliJs = await builtCli();
  redisServer = await startRedis();
  target = await startSyntheticTarget();
  sim = await startFortioSim();
  stopFeed = feedContainerMetrics(sim, target, { namespace: 'twopods', intervalMs: 200 });
  prom = await startPrometheus({ scrapeTargets: [target.hostPort], scrapeIntervalS: 1 });
  am = await startAlertmanager({ configYaml: 'route:\n  receiver: none\n  group_wait: 0s\nreceivers:\n  - name: none\n' });
  await mkdir(join(dir, 'bench'));
  await writeFile(join(dir, 'bench', 'suite.yaml'), [
    'name: bench',
    'namespace: twopods',
    'params: { istioVersion: unknown }',
    'benchmark:',
    `  fortio: { url: "${sim.url}" }`,
    '  modes: [baseline, both]',
    '  connections: [2]',
    '  qps: [50]',
    '  duration: 3s',
    '  warmup: 1s',
    '  cooldown: 500ms',
    '  step: 1s',
    '  istioVersion: "{{params.istioVersion}}"',
    '  targets: { both: "http://fortioserver:8080/echo", baseline: "http://fortioserver:8077/echo" }',
    '',
  ].join('\n'));
}, scaledMs(300_000));

afterAll(async () => {
  stopFeed?.();
  await sim?.stop();
  await am?.stop();
  await prom?.stop();
  await target?.stop();
  await redisServer?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('bench run regression alert', () => {
  it('fires bench-p99-regression in Alertmanager for the slower proxy', async () => {
    const first = await run(await configFor('1.24.0'));
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/: done; 0 regression\(s\)/);

    sim.faults.slowProxy = true;
    const second = await run(await configFor('1.25.0'));
    expect(second.code, `${first.stdout}\n---\n${second.stdout}\n${second.stderr}`).toBe(1);
    expect(second.stdout).toMatch(/: done; [1-9]\d* regression\(s\)/);

    let seen: Array<{ labels: Record<string, string> }> = [];
    await waitFor(async () => {
      const res = await request(`${am.url}/api/v2/alerts?filter=check%3D%22bench-p99-regression%22`);
      seen = (await res.body.json()) as typeof seen;
      return seen.length > 0;
    }, { timeoutMs: 30_000, intervalMs: 250, what: 'the regression alert in Alertmanager' });
    expect(seen.map((a) => [a.labels['suite'], a.labels['mode'], a.labels['connections'], a.labels['qps']])).toEqual([['bench', 'both', '2', '50']]);
  }, scaledMs(300_000));
});
