// `mesh-soak check`, `suites apply` and `disrupt` with two clusters in the config (issue 15), as
// a user runs them: the built CLI as a child process, each cluster a fake Kubernetes API and a
// real Prometheus scraping its own synthetic mesh target, one real Redis. check evaluates every
// suite instance (cluster/suite) through its own cluster's Prometheus, so a fault on one
// cluster fails only its instance; apply and disrupt refuse without --cluster and, given one,
// write to that cluster's API only.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtCli, startPrometheus, startRedis, startSyntheticTarget, waitFor } from '../../harness/index.js';
import type { RunningPrometheus, RunningRedis, SyntheticTarget } from '../../harness/index.js';
import { startFakeKubeApi, type FakeKubeApi } from '../../../simulator/kube-api/index.js';
import { scaledMs } from '../../../simulator/local/wait-for.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const CLUSTERS = ['east', 'west'] as const;
let CLI = '';
let dir = '';
let config = '';
let redis: RunningRedis | undefined;
const apis: FakeKubeApi[] = [];
const proms: RunningPrometheus[] = [];
const targets: SyntheticTarget[] = [];

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile('node', [CLI, ...args, '--config', config], { timeout: scaledMs(60_000), env: { ...process.env, NO_COLOR: '1', REDIS_URL: redis!.url } }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** Requests that change something (anything but GET) the API has seen since `from`. */
function writes(api: FakeKubeApi, from = 0): string[] {
  return api.requests.slice(from).filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`);
}

async function writeConfig(): Promise<void> {
  await mkdir(join(dir, 'suites', 'web'), { recursive: true });
  await writeFile(join(dir, 'suites', 'web', 'suite.yaml'), 'name: web\ndescription: one value\nnamespace: soak-web\nmanifests: []\nchecks:\n  - { name: value, query: "sum(soak_value)", fail: "> 5" }\n');
  await cp(join(ROOT, 'test/fixtures/suites-run/suites/bouncer-lite'), join(dir, 'suites', 'bouncer-lite'), { recursive: true });
  const clusters = CLUSTERS.flatMap((name, i) => [
    `  - name: ${name}`,
    `    kubernetes: { kubeconfig: "${apis[i]!.kubeconfigPath}" }`,
    `    prometheus: { url: "${proms[i]!.url}", timeout: 5s }`,
  ]);
  config = join(dir, 'mesh-soak.yaml');
  await writeFile(config, ['clusters:', ...clusters, 'redis: { url: "${REDIS_URL}" }', 'suites:', '  - use: ./suites/web', '  - use: ./suites/bouncer-lite', ''].join('\n'));
}

beforeAll(async () => {
  CLI = await builtCli();
  dir = await mkdtemp(join(tmpdir(), 'mesh-soak-clusters-cli-'));
  redis = await startRedis();
  for (const _ of CLUSTERS) {
    apis.push(await startFakeKubeApi({ rolloutStepMs: 10 }));
    const target = await startSyntheticTarget();
    target.set('soak_value', {}, 1);
    targets.push(target);
    proms.push(await startPrometheus({ scrapeTargets: [target.hostPort], scrapeIntervalS: 1 }));
  }
  targets[1]!.set('soak_value', {}, 10); // west's fault
  await writeConfig();
  // Both Prometheus instances have scraped their value.
  for (const [i, p] of proms.entries()) {
    const want = i === 0 ? '1' : '10';
    await waitFor(async () => {
      const body = (await (await fetch(`${p.url}/api/v1/query?query=sum(soak_value)`)).json()) as { data?: { result?: Array<{ value: [number, string] }> } };
      return body.data?.result?.[0]?.value[1] === want;
    }, { timeoutMs: 60_000, intervalMs: 500, what: `Prometheus ${i} scraping its target` });
  }
}, scaledMs(600_000));

afterAll(async () => {
  for (const p of proms) await p.stop();
  for (const t of targets) await t.stop();
  for (const a of apis) await a.stop();
  await redis?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('check over two clusters', () => {
  it("evaluates every suite instance through its own cluster's Prometheus: west's fault fails only west/web", async () => {
    const res = await cli(['check', '--suite', 'web', '--json']);
    expect(res.stderr).toBe('');
    const out = JSON.parse(res.stdout) as { status: string; results: Array<{ suite: string; check: string; state: string; value: unknown }> };
    expect(out.results.map((r) => [r.suite, r.check, r.state, r.value])).toEqual([
      ['west/web', 'value', 'failing', 10],
      ['east/web', 'value', 'ok', 1],
    ]);
    expect(res.code).toBe(1);
  });

  it('--cluster narrows to that cluster; an unknown one is a user error with did-you-mean', async () => {
    const east = await cli(['check', '--suite', 'web', '--cluster', 'east', '--json']);
    const out = JSON.parse(east.stdout) as { results: Array<{ suite: string; state: string }> };
    expect(out.results.map((r) => [r.suite, r.state])).toEqual([['east/web', 'ok']]);
    expect(east.code).toBe(0);
    const table = await cli(['check', '--suite', 'web', '--cluster', 'west']);
    expect(table.stdout).toMatch(/^west\/web\s+value\s+/m);
    expect(table.code).toBe(1);
    const typo = await cli(['check', '--cluster', 'wes']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/^check --cluster wes: unknown cluster 'wes'; did you mean 'west'\? \(clusters in .*: east, west\)\n$/);
  });
});

describe('suites apply and disrupt on one of two clusters', () => {
  it('refuse without --cluster, naming the clusters, and write to no cluster', async () => {
    const from = apis.map((a) => a.requests.length);
    for (const args of [['suites', 'apply', 'bouncer-lite'], ['disrupt', 'bouncer-lite']]) {
      const res = await cli(args);
      expect(res.code, args.join(' ')).toBe(2);
      expect(res.stderr).toContain('suite "bouncer-lite" runs on clusters east, west; choose one with --cluster NAME');
      expect(res.stderr).not.toMatch(/\n\s+at /);
    }
    expect(apis.map((a, i) => writes(a, from[i]))).toEqual([[], []]);
  });

  it("apply --cluster west creates the objects in west's API only; disrupt --cluster west disrupts and restores there", async () => {
    const from = apis.map((a) => a.requests.length);
    const applied = await cli(['suites', 'apply', 'bouncer-lite', '--cluster', 'west']);
    expect(applied.stdout).toContain('suite west/bouncer-lite: 3 objects applied');
    expect(applied.code).toBe(0);
    expect(apis[1]!.store.read('apps/v1', 'Deployment', 'soak-bouncer', 'pilot')).toBeDefined();
    expect(apis[0]!.store.read('apps/v1', 'Deployment', 'soak-bouncer', 'pilot')).toBeUndefined();

    const disrupted = await cli(['disrupt', 'bouncer-lite', '--cluster', 'west']);
    expect(disrupted.stdout).toContain('1/4 scale pilot in soak-bouncer to 0 (restored afterwards): done');
    expect(disrupted.stdout).toContain('disruption of west/bouncer-lite: success');
    expect(disrupted.code).toBe(0);
    const pilot = apis[1]!.store.read('apps/v1', 'Deployment', 'soak-bouncer', 'pilot') as { spec: { replicas: number } };
    expect(pilot.spec.replicas).toBe(2);
    expect(writes(apis[1]!, from[1])).toContain('PATCH /apis/apps/v1/namespaces/soak-bouncer/deployments/pilot/scale');
    expect(writes(apis[0]!, from[0]), 'east saw no write').toEqual([]);
  });

  it("check asks each cluster's own API whether the suite is deployed: west (applied) is checked, east is not deployed", async () => {
    const res = await cli(['check', '--suite', 'bouncer-lite', '--json', '--allow-skipped']);
    expect(res.stderr).toBe('');
    const out = JSON.parse(res.stdout) as { results: Array<{ suite: string; state: string; reason: string }> };
    const bySuite = Object.fromEntries(out.results.map((r) => [r.suite, [r.state, r.reason]]));
    expect(bySuite['west/bouncer-lite']).toEqual(['ok', '']);
    expect(bySuite['east/bouncer-lite']?.[0]).toBe('skipped');
    expect(bySuite['east/bouncer-lite']?.[1]).toMatch(/not deployed: .*soak-bouncer/);
    expect(res.code).toBe(0);
  });

  it('--cluster is refused for a config without clusters', async () => {
    const plain = join(dir, 'plain.yaml');
    await writeFile(plain, `prometheus: { url: "${proms[0]!.url}" }\nredis: { url: "\${REDIS_URL}" }\nsuites:\n  - use: ./suites/bouncer-lite\n`);
    const res = await new Promise<Run>((done) => {
      execFile('node', [CLI, 'disrupt', 'bouncer-lite', '--cluster', 'east', '--dry-run', '--config', plain], { env: { ...process.env, REDIS_URL: redis!.url } }, (err, stdout, stderr) =>
        done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
      );
    });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^disrupt --cluster east: .*plain\.yaml names no clusters \(it has no clusters: list\); leave --cluster out\n$/);
  });
});
