// Crash-and-restore at every write of the new step kinds: a child runs canary-lite's
// disruption [choose 1..2 of cp-a/b/c (seed 7), scale the pick to 0, applyManifest (creates
// cp-canary, changes ConfigMap mesh), labelNamespace (istio-injection removed, istio.io/rev
// =canary, deployments restarted), deleteManifest (ConfigMap old-revision), sleep] with the
// real runner, client and Redis, and is SIGKILLed the moment the fake API records its k-th
// write (k = 1..N, the restore's writes included). restorePending() must then leave the
// cluster as before: replicas, objects, labels — and an empty journal. The shipped suites
// that disrupt (chaos-total, chaos-partial, canary-upgrader): shipped-suites-crash.test.ts.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { waitFor } from '../../harness/index.js';
import { getScale, type KubeContext } from '../../../src/adapters/kube/index.js';
import { readObject } from '../../../src/adapters/kube/objects.js';
import { pick } from '../../../src/disruption/steps/choose.js';
import { restoreAfterCrash, startCrashEnv, type CrashEnv, type CrashRun } from './crash-harness.js';
import { scaledMs } from '../../../simulator/local/wait-for.js';

const NS = 'soak-canary';
const JOURNAL = 'mesh-soak:restore-journal:canary-lite';
/** What seed 7 picks: the test's own expectation of the step. */
const VICTIMS = pick(['cp-a', 'cp-b', 'cp-c'], 1, 2, 7);

let env: CrashEnv | undefined;
let redis: Redis;
let kube: KubeContext;
/** Writes of an uninterrupted run, restore included (measured by the first case). */
let writes = 0;

beforeAll(async () => {
  env = await startCrashEnv('canary-lite');
  ({ redis, kube } = env);
}, scaledMs(600_000));

afterAll(async () => {
  await env?.stop();
});

function runChild(jobId: string, scheduledAt: number, killWhen: (writesSoFar: number) => boolean): Promise<CrashRun> {
  return env!.run(jobId, scheduledAt, (_r, n) => killWhen(n));
}

const configMap = (name: string) => readObject(kube, { apiVersion: 'v1', kind: 'ConfigMap', name, namespace: NS });

async function labels(): Promise<Record<string, string>> {
  const ns = await readObject(kube, { apiVersion: 'v1', kind: 'Namespace', name: NS });
  return ((ns?.['metadata'] as { labels?: Record<string, string> }).labels ?? {});
}

/** The cluster as canary-lite's manifests left it. */
async function expectAsBefore(): Promise<void> {
  for (const d of ['cp-a', 'cp-b', 'cp-c']) expect(await getScale(kube, NS, d)).toBe(2);
  expect(await readObject(kube, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'cp-canary', namespace: NS })).toBeNull();
  expect((await configMap('mesh'))?.['data']).toEqual({ revision: 'default' });
  expect((await configMap('old-revision'))?.['data']).toEqual({ revision: 'old' });
  const l = await labels();
  expect(l['istio-injection']).toBe('enabled');
  expect(l['istio.io/rev']).toBeUndefined();
}

async function expectRestored(): Promise<void> {
  await restoreAfterCrash(env!);
  expect(await redis.hlen(JOURNAL)).toBe(0);
  await expectAsBefore();
}

describe('the new step kinds killed with SIGKILL at every write are restored by restorePending', () => {
  it('runs to the end when not killed and leaves the cluster as it was', async () => {
    const r = await runChild('uninterrupted', Date.UTC(2026, 2, 1), () => false);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ outcome: 'success' });
    // scales, 2 applies, namespace patch, 4 restarts, 1 delete, then as many restores and restarts
    expect(r.writes).toBeGreaterThanOrEqual(2 * (VICTIMS.length + 2 + 1 + 4 + 1));
    writes = r.writes;
    await expectAsBefore();
  }, scaledMs(60_000));

  it('journals the seeded pick and scales exactly it (the same pick every time for seed 7)', async () => {
    const r = await runChild('pick', Date.UTC(2026, 2, 1, 1), (n) => n === VICTIMS.length);
    expect(r.killed).toBe(true);
    const choice = JSON.parse((await redis.hget(JOURNAL, 'choice/pick/victims')) ?? '{}') as { seed?: number; values?: string[] };
    expect(choice).toMatchObject({ seed: 7, values: VICTIMS });
    await waitFor(async () => (await getScale(kube, NS, VICTIMS[0]!)) === 0, { timeoutMs: 10_000, intervalMs: 50, what: 'the pick scaled down' });
    await expectRestored();
  }, scaledMs(60_000));

  it('every write of the disruption and its restore, one kill each', async () => {
    expect(writes).toBeGreaterThan(0);
    for (let k = 1; k <= writes; k++) {
      const r = await runChild(`kill-${k}`, Date.UTC(2026, 2, 2, 0, k), (n) => n === k);
      expect(r.killed, `kill at write ${k}: ${r.stderr}`).toBe(true);
      await expectRestored();
    }
  }, scaledMs(1_200_000));
});
