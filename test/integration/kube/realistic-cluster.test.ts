// What a realistic cluster demands of src/adapters/kube, against the Kubernetes stand-in
// through client-node: waitRollout gives up at once when the controller reports
// ProgressDeadlineExceeded (as `kubectl rollout status` does) and never takes a status from
// before the latest spec change for "done"; deletePods leaves Terminating pods alone and does
// not count them among those it keeps; setEnv with a selector touches only what it matches.
// The stand-in's deployment controller is off (a step of an hour), so the statuses written
// here are the only ones the deployments have.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { KubernetesObject, V1DeploymentStatus } from '@kubernetes/client-node';
import { startFakeKubeApi, type FakeKubeApi } from '../../../simulator/kube-api/index.js';
import {
  applyManifests,
  createKubeClients,
  deletePods,
  KubeError,
  NothingSelected,
  RolloutFailed,
  rolloutRestart,
  setEnv,
  waitRollout,
  type KubeContext,
} from '../../../src/adapters/kube/index.js';
import { deleteHeldPod, HOLD, putDeploymentStatus } from './cluster-states.js';

let api: FakeKubeApi;
let kube: KubeContext;
let n = 0;
let ns = '';

beforeAll(async () => {
  api = await startFakeKubeApi({ rolloutStepMs: 3_600_000 });
  kube = createKubeClients(api.kubeconfigPath, { retry: { baseDelayMs: 5, maxDelayMs: 20, requestTimeoutMs: 5_000, totalMs: 10_000 } });
});
afterAll(async () => {
  await api?.stop();
});
beforeEach(async () => {
  ns = `realistic-${++n}`;
  await applyManifests(kube, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }]);
});

function deployment(name: string, labels: Record<string, string> = { app: name }, replicas = 2): KubernetesObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns, labels },
    spec: {
      replicas,
      progressDeadlineSeconds: 600,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image: 'fortio/fortio' }] } },
    },
  } as KubernetesObject;
}

function status(observedGeneration: number, updated: number, progressing: { status: string; reason: string; message: string }): V1DeploymentStatus {
  return {
    observedGeneration,
    replicas: 2,
    updatedReplicas: updated,
    readyReplicas: 2,
    availableReplicas: 2,
    conditions: [
      { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' },
      { type: 'Progressing', ...progressing },
    ],
  };
}

const COMPLETE = { status: 'True', reason: 'NewReplicaSetAvailable', message: 'ReplicaSet "web-6b7f" has successfully progressed.' };
const DEADLINE = { status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "web-7c9d" has timed out progressing.' };

const reads = (name: string): number =>
  api.requests.filter((r) => r.method === 'GET' && r.path === `/apis/apps/v1/namespaces/${ns}/deployments/${name}`).length;

describe('waitRollout', () => {
  it('fails at the first poll with the reason when the controller reports ProgressDeadlineExceeded', async () => {
    await applyManifests(kube, [deployment('web')]);
    await putDeploymentStatus(api, kube, ns, 'web', status(1, 1, DEADLINE));
    const before = reads('web');
    const err = await waitRollout(kube, ns, 'web', { timeoutMs: 20_000, pollMs: 50 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RolloutFailed);
    expect(err).toMatchObject({ kind: 'rollout_failed', reason: 'ProgressDeadlineExceeded' });
    expect((err as Error).message).toContain(`deployment ${ns}/web exceeded its progress deadline (ProgressDeadlineExceeded: ReplicaSet "web-7c9d" has timed out progressing.)`);
    expect((err as Error).message).toContain('updated 1/2');
    // One read, not a poll until the 20 s timeout.
    expect(reads('web') - before).toBe(1);
  });

  it('does not take a status from before the spec change for done, nor its stale deadline for a failure', async () => {
    await applyManifests(kube, [deployment('web')]);
    await putDeploymentStatus(api, kube, ns, 'web', status(1, 2, COMPLETE));
    await expect(waitRollout(kube, ns, 'web', { timeoutMs: 5_000, pollMs: 20 })).resolves.toMatchObject({ updatedReplicas: 2 });

    // The restart bumps generation to 2; every count still looks complete, but the controller has not seen it.
    await rolloutRestart(kube, ns, 'web', new Date('2026-12-01T10:00:00Z'));
    const stale = await waitRollout(kube, ns, 'web', { timeoutMs: 300, pollMs: 20 }).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(KubeError);
    expect(stale).toMatchObject({ kind: 'timeout' });
    expect((stale as Error).message).toContain('observedGeneration 1/2');

    // A deadline written for generation 1 says nothing about generation 2.
    await putDeploymentStatus(api, kube, ns, 'web', status(1, 2, DEADLINE));
    const notFailed = await waitRollout(kube, ns, 'web', { timeoutMs: 300, pollMs: 20 }).catch((e: unknown) => e);
    expect(notFailed).toMatchObject({ kind: 'timeout' });

    await putDeploymentStatus(api, kube, ns, 'web', status(2, 2, COMPLETE));
    await expect(waitRollout(kube, ns, 'web', { timeoutMs: 5_000, pollMs: 20 })).resolves.toMatchObject({ observedGeneration: 2, generation: 2 });
  });
});

describe('deletePods', () => {
  async function pod(name: string, finalizers: string[] = []): Promise<void> {
    const app = name.startsWith('victim-') ? 'victim' : name;
    await kube.core.createNamespacedPod({
      namespace: ns,
      body: { metadata: { name, labels: { app }, finalizers }, spec: { containers: [{ name: 'main', image: 'fortio/fortio' }] } },
    });
  }

  it('skips a pod that already has a deletionTimestamp and does not count it among those kept', async () => {
    await pod('victim-a', [HOLD]);
    await pod('victim-b');
    await pod('victim-c');
    await pod('other');
    await deleteHeldPod(api, kube, ns, 'victim-a');
    const listed = await kube.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=victim' });
    expect(listed.items.find((p) => p.metadata?.name === 'victim-a')?.metadata?.deletionTimestamp).toBeDefined();

    const from = api.requests.length;
    // keep 1: victim-a is already going, so victim-b is the one kept and victim-c the one deleted.
    expect(await deletePods(kube, ns, 'app=victim', 1)).toEqual(['victim-c']);
    const deletes = api.requests.slice(from).filter((r) => r.method === 'DELETE').map((r) => r.path);
    expect(deletes).toEqual([`/api/v1/namespaces/${ns}/pods/victim-c`]);
    const left = await kube.core.listNamespacedPod({ namespace: ns });
    const live = left.items.filter((p) => p.metadata?.deletionTimestamp === undefined).map((p) => p.metadata?.name);
    expect(live.sort()).toEqual(['other', 'victim-b']);
  });
});

describe('setEnv with a label selector', () => {
  it('patches only the deployments the selector matches, and rejects a selector that matches none', async () => {
    await applyManifests(kube, [deployment('istiod', { app: 'istiod', istio: 'pilot' }), deployment('prometheus', { app: 'prometheus' })]);
    expect(await setEnv(kube, ns, { X: '1' }, 'istio')).toEqual(['istiod']);
    const listed = api.requests.filter((r) => r.method === 'GET' && r.path === `/apis/apps/v1/namespaces/${ns}/deployments`).at(-1);
    expect(listed?.query).toMatchObject({ labelSelector: 'istio' });
    const env = (name: string): unknown => (api.store.read('apps/v1', 'Deployment', ns, name) as { spec: { template: { spec: { containers: Array<{ env?: unknown }> } } } }).spec.template.spec.containers[0]?.env;
    expect(env('istiod')).toEqual([{ name: 'X', value: '1' }]);
    expect(env('prometheus')).toBeUndefined();

    const none = await setEnv(kube, ns, { X: '2' }, 'istio=nothing').catch((e: unknown) => e);
    expect(none).toBeInstanceOf(NothingSelected);
    expect((none as Error).message).toBe(`no deployment in namespace ${ns} matches the label selector "istio=nothing"`);
    expect(env('istiod')).toEqual([{ name: 'X', value: '1' }]);
  });
});
