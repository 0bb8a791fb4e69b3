// The shipped suites that disrupt, SIGKILLed mid-disruption on the simulated cluster (the
// fake API) with the real runner, client and Redis (crash-harness.ts), then restored the way
// a later start restores: restorePending(). Each must leave the cluster as it found it and an
// empty journal.
// - canary-upgrader: killed at the first write of each run of one kind of write (apply,
//   relabel, restarts, deletes; the restore's too) of an uninterrupted run, and at its last: the load namespace's original revision label, no canary object
//   left, the suite's own objects and every replica count as before.
// - chaos-partial (deletes pods only): killed once its choice is journaled and at each pod
//   delete: both components back at their replica count, ready.
// - chaos-total: killed at each of its scale writes: the replicas restored.
// Waits are load-scaled (waitFor); no duration is asserted.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubernetesObject } from '@kubernetes/client-node';
import { loadScale } from '../../../simulator/local/wait-for.js';
import { applyManifests, getScale } from '../../../src/adapters/kube/index.js';
import { readObject } from '../../../src/adapters/kube/objects.js';
import { renderManifests } from '../../../src/config/suites/render-manifests.js';
import { refOf } from '../../../src/disruption/steps/manifest-steps.js';
import type { KubeObject } from '../../../src/disruption/cluster-ops.js';
import {
  CONTROL_PLANE,
  controlPlaneDeployment,
  isWrite,
  restoreAfterCrash,
  startCrashEnv,
  waitSettled,
  type CrashEnv,
} from './crash-harness.js';

/** Vitest's own per-test limits, stretched like the waits inside. */
const limit = (ms: number): number => Math.round(ms * loadScale());

async function expectJournalEmpty(env: CrashEnv): Promise<void> {
  expect(await env.redis.hlen(env.journalKey)).toBe(0);
}

/** What a write does, coarsely: its method and whether it touches a namespace, a deployment or another object. */
function writeKind(method: string, path: string): string {
  const what = /\/namespaces\/[^/]+$/.test(path) ? 'namespace' : path.includes('/deployments/') ? 'deployment' : 'object';
  return `${method} ${what}`;
}

/** 1-based indices of the writes that start a run of one kind, and the last write (the crash windows that differ). */
function killPoints(kinds: string[]): number[] {
  const out = new Set<number>([kinds.length]);
  kinds.forEach((k, i) => {
    if (i === 0 || kinds[i - 1] !== k) out.add(i + 1);
  });
  return [...out].sort((a, b) => a - b);
}

const isGone = (o: KubeObject | null): boolean => o === null || (o['metadata'] as { deletionTimestamp?: unknown }).deletionTimestamp !== undefined;

describe('the shipped canary-upgrader killed with SIGKILL at every write is restored', () => {
  const NS = 'istio-stability-canary-upgrader';
  const LOAD = ['fortio-client', 'fortio-server'];
  let env: CrashEnv | undefined;
  let canary: KubeObject[] = [];
  let own: KubeObject[] = [];
  /** The kill points: writes (1-based) of an uninterrupted run where the kind of write changes, and its last. */
  let points: number[] = [];

  beforeAll(async () => {
    env = await startCrashEnv('canary-upgrader');
    await applyManifests(env.kube, [controlPlaneDeployment('istiod', 1)]);
    canary = await renderManifests({ ...env.suite, manifests: ['canary-revision.yaml'] });
    own = await renderManifests(env.suite);
    await waitSettled(env.kube, NS, LOAD);
  }, limit(120_000));

  afterAll(async () => {
    await env?.stop();
  });

  /** The installation as canary-upgrader found it. */
  async function expectAsBefore(): Promise<void> {
    const kube = env!.kube;
    const ns = await readObject(kube, { apiVersion: 'v1', kind: 'Namespace', name: NS });
    const labels = (ns?.['metadata'] as { labels?: Record<string, string> } | undefined)?.labels ?? {};
    expect(labels['istio-injection'], 'the original revision label').toBe('enabled');
    expect(labels['istio.io/rev']).toBeUndefined();
    for (const o of canary) expect(isGone(await readObject(kube, refOf(o))), `${o['kind']} ${refOf(o).name} of the canary left behind`).toBe(true);
    for (const o of own) expect(await readObject(kube, refOf(o)), `the suite's ${o['kind']} ${refOf(o).name}`).not.toBeNull();
    for (const d of LOAD) expect(await getScale(kube, NS, d)).toBe(1);
    expect(await getScale(kube, 'istio-system', 'istiod')).toBe(1);
    await expectJournalEmpty(env!);
  }

  it('runs to the end when not killed and leaves the installation as it was', async () => {
    const seen: string[] = [];
    const r = await env!.run('canary-uninterrupted', Date.UTC(2026, 4, 1), (req) => {
      if (isWrite(req)) seen.push(writeKind(req.method, req.path));
      return false;
    });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ outcome: 'success' });
    // 6 canary objects applied and deleted, 2 relabels each restarting 2 deployments, then the restore's own writes.
    expect(r.writes).toBeGreaterThanOrEqual(2 * 6 + 2 * (1 + LOAD.length));
    expect(seen).toHaveLength(r.writes);
    points = killPoints(seen);
    await expectAsBefore();
    await waitSettled(env!.kube, NS, LOAD);
  }, limit(120_000));

  it('the first write of each run of one kind of write (disruption and restore) and the last, one kill each', async () => {
    expect(points.length).toBeGreaterThan(8);
    for (const k of points) {
      const r = await env!.run(`canary-kill-${k}`, Date.UTC(2026, 4, 2, 0, k), (_req, n) => n === k);
      expect(r.killed, `kill at write ${k}: ${r.stdout} ${r.stderr}`).toBe(true);
      await restoreAfterCrash(env!);
      await expectAsBefore();
      await waitSettled(env!.kube, NS, LOAD);
    }
  }, limit(1_800_000));
});

describe('the shipped chaos-partial killed with SIGKILL at each of its steps leaves the components ready', () => {
  const REPLICAS = 3;
  let env: CrashEnv | undefined;

  beforeAll(async () => {
    env = await startCrashEnv('chaos-partial');
    await applyManifests(env.kube, CONTROL_PLANE.map((n) => controlPlaneDeployment(n, REPLICAS)));
    await waitSettled(env.kube, 'istio-system', CONTROL_PLANE);
  }, limit(120_000));

  afterAll(async () => {
    await env?.stop();
  });

  async function expectAsBefore(): Promise<void> {
    await waitSettled(env!.kube, 'istio-system', CONTROL_PLANE);
    for (const d of CONTROL_PLANE) expect(await getScale(env!.kube, 'istio-system', d)).toBe(REPLICAS);
    await expectJournalEmpty(env!);
  }

  it('deletes all pods but one of the pick when not killed', async () => {
    const r = await env!.run('partial-uninterrupted', Date.UTC(2026, 4, 1), () => false);
    expect(JSON.parse(r.stdout), r.stderr).toMatchObject({ outcome: 'success' });
    expect(r.writes).toBe(REPLICAS - 1);
    await expectAsBefore();
  }, limit(60_000));

  // The choose step writes only to Redis: the kill comes with the next step's first request (its pod list).
  const points: Array<[string, (method: string, path: string, writes: number) => boolean]> = [
    ['after choose (the choice journaled)', (method, path) => method === 'GET' && path.endsWith('/namespaces/istio-system/pods')],
    ...Array.from({ length: REPLICAS - 1 }, (_, i): [string, (m: string, p: string, n: number) => boolean] => [`at pod delete ${i + 1}`, (_m, _p, n) => n === i + 1]),
  ];
  points.forEach(([what, when], i) => {
    it(`killed ${what}`, async () => {
      const r = await env!.run(`partial-kill-${i}`, Date.UTC(2026, 4, 2, 0, i), (req, n) => when(req.method, req.path, n));
      expect(r.killed, r.stderr).toBe(true);
      await restoreAfterCrash(env!);
      await expectAsBefore();
    }, limit(120_000));
  });
});

describe('the shipped chaos-total killed with SIGKILL at each of its writes is restored', () => {
  let env: CrashEnv | undefined;
  beforeAll(async () => {
    env = await startCrashEnv('chaos-total');
    await applyManifests(env.kube, CONTROL_PLANE.map((n) => controlPlaneDeployment(n, 2)) as KubernetesObject[]);
  }, limit(120_000));
  afterAll(async () => {
    await env?.stop();
  });

  // Each pick scales 1-2 components down and back: at least 2 writes, at most 4.
  for (let k = 1; k <= 4; k++) {
    it(`after write ${k}`, async () => {
      const r = await env!.run(`chaos-${k}`, Date.UTC(2026, 3, 1, 0, k), (_req, n) => n === k);
      if (k <= 2) expect(r.killed, r.stderr).toBe(true);
      await restoreAfterCrash(env!);
      for (const d of CONTROL_PLANE) expect(await getScale(env!.kube, 'istio-system', d)).toBe(2);
      await expectJournalEmpty(env!);
    }, limit(300_000));
  }
});
