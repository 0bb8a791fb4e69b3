// `mesh-soak suites list|render|apply|delete` and `mesh-soak disrupt S [--dry-run]` as a user
// runs them, against the fake Kubernetes API and a real Redis.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { Redis } from 'ioredis';
import { parseAllDocuments } from 'yaml';
import { startRedis, type RunningRedis } from '../../harness/index.js';
import { startFakeKubeApi, type FakeKubeApi } from '../../../simulator/kube-api/index.js';
import { suitesCommand } from '../../../src/commands/suites.js';
import { disruptCommand } from '../../../src/commands/disrupt.js';
import type { Command } from '../../../src/commands/command.js';
import { UserError } from '../../../src/shared/errors.js';

const CONFIG = 'test/fixtures/suites-run/config.yaml';
let redisServer: RunningRedis;
let redis: Redis;
let api: FakeKubeApi;

beforeAll(async () => {
  redisServer = await startRedis();
  redis = new Redis(redisServer.url);
  api = await startFakeKubeApi({ rolloutStepMs: 10 });
});
afterAll(async () => {
  redis?.disconnect();
  await api?.stop();
  await redisServer?.stop();
});

async function run(
  command: Command,
  positionals: string[],
  values: Record<string, string | boolean> = {},
  env: Record<string, string> = { REDIS_URL: redisServer.url, KUBECONFIG_PATH: api.kubeconfigPath },
): Promise<{ code: number; out: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await command.run({ values: { config: CONFIG, ...values }, positionals, env, stdout, stderr });
  return { code, out };
}

describe('suites', () => {
  it('list shows every configured suite with schedule, steps, checks and enabled', async () => {
    const { code, out } = await run(suitesCommand, ['list']);
    expect(code).toBe(0);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+NAMESPACE\s+SCHEDULE\s+STEPS\s+CHECKS\s+ENABLED$/);
    expect(lines[1]).toMatch(/^bouncer-lite\s+soak-bouncer\s+every 5m\s+scale,rolloutRestart,sleep,waitRollout\s+1\s+yes$/);
    expect(lines[2]).toMatch(/^every-step\s+soak-every\s+cron \*\/5 \* \* \* \*\s+scale,.*,sleep\s+0\s+no$/);
  });

  it('render prints the manifests as multi-document YAML with templates filled in', async () => {
    const { code, out } = await run(suitesCommand, ['render', 'bouncer-lite']);
    expect(code).toBe(0);
    const docs = parseAllDocuments(out).map((d) => d.toJS() as { kind: string; metadata: { name: string; namespace?: string } });
    expect(docs.map((d) => `${d.kind} ${d.metadata.namespace ?? ''}/${d.metadata.name}`)).toEqual([
      'Namespace /soak-bouncer',
      'Deployment soak-bouncer/pilot',
      'Deployment soak-bouncer/gateway',
    ]);
  });

  it('apply creates the objects by server-side apply as mesh-soak, and delete removes them', async () => {
    const from = api.requests.length;
    const applied = await run(suitesCommand, ['apply', 'bouncer-lite']);
    expect(applied.code).toBe(0);
    expect(applied.out).toContain('3 objects applied');
    const patches = api.requests.slice(from).filter((r) => r.method === 'PATCH');
    expect(patches).toHaveLength(3);
    for (const p of patches) {
      expect(p.contentType).toBe('application/apply-patch+yaml');
      expect(p.query).toMatchObject({ fieldManager: 'mesh-soak', force: 'true' });
    }
    expect(api.store.read('apps/v1', 'Deployment', 'soak-bouncer', 'pilot')).toBeDefined();
    const deleted = await run(suitesCommand, ['delete', 'bouncer-lite']);
    expect(deleted.code).toBe(0);
    expect(api.store.read('apps/v1', 'Deployment', 'soak-bouncer', 'pilot')).toBeUndefined();
  });

  it('refuses an unknown suite or subcommand as a user mistake', async () => {
    await expect(run(suitesCommand, ['render', 'bouncer-lit'])).rejects.toThrow(/no suite "bouncer-lit".*did you mean "bouncer-lite"/);
    await expect(run(suitesCommand, ['render', 'bouncer'])).rejects.toBeInstanceOf(UserError);
    await expect(run(suitesCommand, ['frobnicate'])).rejects.toThrow(/unknown subcommand "frobnicate"/);
  });
});

describe('disrupt', () => {
  it('--dry-run prints each step and its requests without contacting Redis or the cluster', async () => {
    const from = api.requests.length;
    // Nothing listens on port 1, and the kubeconfig does not exist: any contact would fail.
    const { code, out } = await run(disruptCommand, ['bouncer-lite'], { 'dry-run': true }, {
      REDIS_URL: 'redis://127.0.0.1:1',
      KUBECONFIG_PATH: '/nonexistent/kubeconfig',
    });
    expect(code).toBe(0);
    expect(api.requests.length).toBe(from);
    expect(out).toContain('1. scale pilot in soak-bouncer to 0 (restored afterwards)');
    expect(out).toContain('GET /apis/apps/v1/namespaces/soak-bouncer/deployments/pilot/scale');
    expect(out).toContain('PATCH /apis/apps/v1/namespaces/soak-bouncer/deployments/pilot/scale?fieldManager=mesh-soak  (application/merge-patch+json)');
    expect(out).toContain('body: {"spec":{"replicas":0}}');
    expect(out).toContain('2. rolloutRestart gateway in soak-bouncer');
    expect(out).toContain('(application/strategic-merge-patch+json)');
    expect(out).toContain('3. sleep 200ms');
    expect(out).toContain('4. waitRollout gateway in soak-bouncer (timeout 20s)');
    expect(out).toContain('5. restore (always, even after a failed step)');
  });

  it('runs one disruption with restore and exits 0, then 1 when a step fails', async () => {
    await run(suitesCommand, ['apply', 'bouncer-lite']);
    const ok = await run(disruptCommand, ['bouncer-lite']);
    expect(ok.out).toContain('1/4 scale pilot in soak-bouncer to 0 (restored afterwards): done');
    expect(ok.out).toContain('disruption of bouncer-lite: success');
    expect(ok.code).toBe(0);
    const pilot = api.store.read('apps/v1', 'Deployment', 'soak-bouncer', 'pilot') as { spec: { replicas: number } };
    expect(pilot.spec.replicas).toBe(2);

    api.faults.inject({ method: 'PATCH', pathPrefix: '/apis/apps/v1/namespaces/soak-bouncer/deployments/gateway', status: 500, times: 1000 });
    const failed = await run(disruptCommand, ['bouncer-lite']);
    api.faults.clear();
    expect(failed.code).toBe(1);
    expect(failed.out).toContain('2/4 rolloutRestart gateway in soak-bouncer: FAILED');
    expect(failed.out).toMatch(/disruption of bouncer-lite: failure: step 2\/4 .*InternalError/);
    const after = api.store.read('apps/v1', 'Deployment', 'soak-bouncer', 'pilot') as { spec: { replicas: number } };
    expect(after.spec.replicas).toBe(2);
  });

  it('refuses an unknown or missing suite name as a user mistake', async () => {
    await expect(run(disruptCommand, ['nope'], { 'dry-run': true })).rejects.toBeInstanceOf(UserError);
    await expect(run(disruptCommand, [], { 'dry-run': true })).rejects.toThrow(/name a suite/);
  });
});
