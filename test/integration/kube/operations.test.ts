// Cluster operations over the real client-node against the fake API server, through the
// kubeconfig it writes (plain http + bearer token), as the daemon and the demo use them.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { KubernetesObject } from '@kubernetes/client-node';
import { startFakeKubeApi, type FakeKubeApi } from '../../../simulator/kube-api/index.js';
import { loadScale } from '../../../simulator/local/wait-for.js';
import {
  applyManifests,
  createKubeClients,
  deleteManifests,
  deletePods,
  getScale,
  KubeError,
  RESTARTED_AT,
  rolloutRestart,
  setEnv,
  setScale,
  waitRollout,
  type KubeContext,
} from '../../../src/adapters/kube/index.js';

let api: FakeKubeApi;
let ctx: KubeContext;
const seen: string[] = [];
let nsCounter = 0;
// Request and retry budgets stretch with the machine's load (a TLS handshake on a loaded
// 2-core box can take seconds); what each case checks is the kind of failure, not its speed.
const scale = loadScale();
let ns = '';

function deployment(name: string, namespace: string, replicas = 2, env: { name: string; value: string }[] = []): KubernetesObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'main', image: 'fortio/fortio', env }, { name: 'helper', image: 'busybox' }] },
      },
    },
  } as KubernetesObject;
}

function manifests(namespace: string): KubernetesObject[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: { 'istio-injection': 'enabled' } } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'httpbin', namespace } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'httpbin', namespace }, spec: { selector: { app: 'httpbin' }, ports: [{ name: 'http', port: 8000 }] } } as KubernetesObject,
    deployment('httpbin', namespace),
    { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'gw', namespace }, spec: { selector: { istio: 'ingressgateway' } } } as KubernetesObject,
  ];
}

beforeAll(async () => {
  api = await startFakeKubeApi({ rolloutStepMs: 10 });
  ctx = createKubeClients(api.kubeconfigPath, {
    retry: { baseDelayMs: 5, maxDelayMs: 20, requestTimeoutMs: 2_000 * scale, totalMs: 10_000 * scale },
    onRequest: (verb, resource, code) => seen.push(`${verb} ${resource} ${code}`),
  });
});

afterAll(async () => {
  await api?.stop();
});

beforeEach(() => {
  api.faults.clear();
  ns = `suite-${++nsCounter}`;
});

describe('applyManifests / deleteManifests', () => {
  it('creates every object with server-side apply as mesh-soak, in order, and is idempotent', async () => {
    api.requests.length = 0;
    await applyManifests(ctx, manifests(ns));
    const patches = api.requests.filter((r) => r.method === 'PATCH');
    expect(patches.map((r) => r.path)).toEqual([
      `/api/v1/namespaces/${ns}`,
      `/api/v1/namespaces/${ns}/serviceaccounts/httpbin`,
      `/api/v1/namespaces/${ns}/services/httpbin`,
      `/apis/apps/v1/namespaces/${ns}/deployments/httpbin`,
      `/apis/networking.istio.io/v1/namespaces/${ns}/gateways/gw`,
    ]);
    for (const p of patches) {
      expect(p.contentType).toBe('application/apply-patch+yaml');
      expect(p.query).toMatchObject({ fieldManager: 'mesh-soak', force: 'true' });
    }
    const before = api.store.read('apps/v1', 'Deployment', ns, 'httpbin');
    await applyManifests(ctx, manifests(ns));
    const after = api.store.read('apps/v1', 'Deployment', ns, 'httpbin');
    expect(after?.metadata).toMatchObject({ generation: (before?.metadata as { generation: number }).generation });
    expect(api.store.read('networking.istio.io/v1', 'Gateway', ns, 'gw')?.spec).toEqual({ selector: { istio: 'ingressgateway' } });
  });

  it('a changed manifest updates the object and keeps fields others set', async () => {
    await applyManifests(ctx, manifests(ns));
    await rolloutRestart(ctx, ns, 'httpbin', new Date('2026-11-25T10:00:00.123Z'));
    const changed = manifests(ns);
    const d = changed[3] as KubernetesObject & { spec: { template: { spec: { containers: { image: string }[] } } } };
    d.spec.template.spec.containers[0]!.image = 'fortio/fortio:1.60';
    await applyManifests(ctx, changed);
    const live = api.store.read('apps/v1', 'Deployment', ns, 'httpbin') as { spec: { template: { metadata: { annotations: Record<string, string> }; spec: { containers: { image: string }[] } } } };
    expect(live.spec.template.spec.containers[0]?.image).toBe('fortio/fortio:1.60');
    expect(live.spec.template.metadata.annotations[RESTARTED_AT]).toBe('2026-11-25T10:00:00Z');
  });

  it('a kind the cluster does not serve fails as a 404 KubeError without retries', async () => {
    const bogus = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: ns } };
    const err = await applyManifests(ctx, [bogus]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeError);
    expect(err).toMatchObject({ kind: 'http', status: 404 });
  });

  it('delete removes everything in reverse order; deleting again is fine', async () => {
    await applyManifests(ctx, manifests(ns));
    api.requests.length = 0;
    expect(await deleteManifests(ctx, manifests(ns))).toBe(5);
    const deletes = api.requests.filter((r) => r.method === 'DELETE').map((r) => r.path);
    expect(deletes[0]).toContain('/gateways/gw');
    expect(deletes[deletes.length - 1]).toBe(`/api/v1/namespaces/${ns}`);
    expect(api.store.read('apps/v1', 'Deployment', ns, 'httpbin')).toBeUndefined();
    expect(await deleteManifests(ctx, manifests(ns))).toBe(0);
  });
});

describe('rollouts', () => {
  it('rolloutRestart patches the template annotation like kubectl and waitRollout sees it finish', async () => {
    await applyManifests(ctx, manifests(ns));
    await waitRollout(ctx, ns, 'httpbin', { timeoutMs: 60_000, pollMs: 10 });
    const podsBefore = api.store.list(api.store.type('', 'pods'), ns).map((p) => (p.metadata as { name: string }).name);
    api.requests.length = 0;
    await rolloutRestart(ctx, ns, 'httpbin', new Date('2026-11-25T11:00:00Z'));
    const patch = api.requests.find((r) => r.method === 'PATCH');
    expect(patch?.contentType).toBe('application/strategic-merge-patch+json');
    expect(patch?.body).toEqual({ spec: { template: { metadata: { annotations: { [RESTARTED_AT]: '2026-11-25T11:00:00Z' } } } } });
    const done = await waitRollout(ctx, ns, 'httpbin', { timeoutMs: 60_000, pollMs: 10 });
    expect(done).toMatchObject({ replicas: 2, updatedReplicas: 2, availableReplicas: 2, currentReplicas: 2 });
    expect(done.observedGeneration).toBe(done.generation);
    // Replaced pods may still be Terminating (their grace period): count the live ones.
    const podsAfter = api.store
      .list(api.store.type('', 'pods'), ns)
      .filter((p) => (p.metadata as { deletionTimestamp?: string }).deletionTimestamp === undefined)
      .map((p) => (p.metadata as { name: string }).name);
    expect(podsAfter).toHaveLength(2);
    expect(podsAfter.filter((n) => podsBefore.includes(n))).toEqual([]);
    // More than one poll happened: the rollout took several controller steps.
    expect(api.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/deployments/httpbin')).length).toBeGreaterThan(1);
  });

  it('waitRollout times out with what it last saw', async () => {
    await applyManifests(ctx, manifests(ns));
    api.controller.stop(); // nothing moves any more
    try {
      await rolloutRestart(ctx, ns, 'httpbin', new Date());
      const err = await waitRollout(ctx, ns, 'httpbin', { timeoutMs: 150, pollMs: 20 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KubeError);
      expect(err).toMatchObject({ kind: 'timeout' });
      expect((err as Error).message).toMatch(/did not finish its rollout within 150 ms; last seen: observedGeneration \d+\/\d+, updated/);
    } finally {
      api.controller.start();
    }
  });

  it('waitRollout stops when its signal is aborted', async () => {
    await applyManifests(ctx, manifests(ns));
    api.controller.stop();
    try {
      await rolloutRestart(ctx, ns, 'httpbin', new Date());
      const ac = new AbortController();
      setTimeout(() => ac.abort(new Error('shutting down')), 50).unref();
      await expect(waitRollout(ctx, ns, 'httpbin', { timeoutMs: 10_000, pollMs: 10, signal: ac.signal })).rejects.toThrow('shutting down');
    } finally {
      api.controller.start();
    }
  });
});

describe('scale', () => {
  it('reads and sets replicas through the scale subresource; pods follow, 0 removes them', async () => {
    await applyManifests(ctx, manifests(ns));
    expect(await getScale(ctx, ns, 'httpbin')).toBe(2);
    api.requests.length = 0;
    await setScale(ctx, ns, 'httpbin', 0);
    expect(api.requests.find((r) => r.method === 'PATCH')).toMatchObject({
      path: `/apis/apps/v1/namespaces/${ns}/deployments/httpbin/scale`,
      contentType: 'application/merge-patch+json',
      body: { spec: { replicas: 0 } },
    });
    await waitRollout(ctx, ns, 'httpbin', { timeoutMs: 60_000, pollMs: 10 });
    expect(await getScale(ctx, ns, 'httpbin')).toBe(0);
    // Every pod is gone or Terminating (its grace period, scaled down by the stand-in).
    expect(api.store.list(api.store.type('', 'pods'), ns, 'app=httpbin').filter((p) => (p.metadata as { deletionTimestamp?: string }).deletionTimestamp === undefined)).toHaveLength(0);
    await setScale(ctx, ns, 'httpbin', 3);
    await waitRollout(ctx, ns, 'httpbin', { timeoutMs: 60_000, pollMs: 10 });
    // The scaled-down pods may still be Terminating: count the live ones.
    const live = api.store.list(api.store.type('', 'pods'), ns, 'app=httpbin').filter((p) => (p.metadata as { deletionTimestamp?: string }).deletionTimestamp === undefined);
    expect(live).toHaveLength(3);
  });

  it('a missing deployment is a 404 KubeError with the API message', async () => {
    const err = await getScale(ctx, ns, 'nope').catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'http', status: 404, reason: 'NotFound' });
    expect((err as Error).message).toContain('deployments.apps "nope" not found');
  });
});

describe('setEnv', () => {
  it('sets the variables on every container of every deployment, keeping other variables, once', async () => {
    api.store.ensureNamespace(ns);
    await applyManifests(ctx, [deployment('a', ns, 1, [{ name: 'KEEP', value: 'k' }, { name: 'X', value: 'old' }]), deployment('b', ns, 1)]);
    expect(await setEnv(ctx, ns, { X: '1', Y: '2' })).toEqual(['a', 'b']);
    const a = api.store.read('apps/v1', 'Deployment', ns, 'a') as { spec: { template: { spec: { containers: { name: string; env?: unknown[] }[] } } } };
    expect(a.spec.template.spec.containers.map((c) => c.name)).toEqual(['main', 'helper']);
    expect(a.spec.template.spec.containers[0]?.env).toEqual([
      { name: 'KEEP', value: 'k' },
      { name: 'X', value: '1' },
      { name: 'Y', value: '2' },
    ]);
    expect(a.spec.template.spec.containers[1]?.env).toEqual([{ name: 'X', value: '1' }, { name: 'Y', value: '2' }]);
    // Same values again: nothing to change, nothing restarts.
    expect(await setEnv(ctx, ns, { X: '1', Y: '2' })).toEqual([]);
  });
});

describe('deletePods', () => {
  it('deletes all but `keep` pods, the first by name survive', async () => {
    await applyManifests(ctx, manifests(ns));
    await setScale(ctx, ns, 'httpbin', 3);
    await waitRollout(ctx, ns, 'httpbin', { timeoutMs: 60_000, pollMs: 10 });
    const names = api.store.list(api.store.type('', 'pods'), ns, 'app=httpbin').map((p) => (p.metadata as { name: string }).name);
    api.requests.length = 0;
    const deleted = await deletePods(ctx, ns, 'app=httpbin', 1);
    expect(deleted).toEqual([...names].sort().slice(1));
    // One list, then the deletes; on a loaded machine the list may have been retried after a
    // request timeout, so every request before the first DELETE is that same list.
    const firstDelete = api.requests.findIndex((r) => r.method === 'DELETE');
    expect(firstDelete).toBeGreaterThan(0);
    for (const r of api.requests.slice(0, firstDelete)) {
      expect(r).toMatchObject({ method: 'GET', path: `/api/v1/namespaces/${ns}/pods`, query: { labelSelector: 'app=httpbin' } });
    }
    expect(api.requests.slice(firstDelete).map((r) => r.method)).toEqual(['DELETE', 'DELETE']);
    // The controller replaces them, as a ReplicaSet would (status lags, as on a real cluster).
    const live = (): Array<{ metadata: { name: string; deletionTimestamp?: string } }> =>
      (api.store.list(api.store.type('', 'pods'), ns, 'app=httpbin') as unknown as Array<{ metadata: { name: string; deletionTimestamp?: string } }>).filter((p) => p.metadata.deletionTimestamp === undefined);
    const podCount = (): number => live().length;
    for (let i = 0; i < 200 && podCount() < 3; i++) await new Promise((r) => setTimeout(r, 10));
    expect(podCount()).toBe(3);
    expect(live().map((p) => p.metadata.name)).toContain([...names].sort()[0]);
  });

  it('a selector that matches nothing deletes nothing', async () => {
    api.store.ensureNamespace(ns);
    expect(await deletePods(ctx, ns, 'app=none', 0)).toEqual([]);
  });
});

describe('failures and retries', () => {
  it('500 and 429 are retried and then succeed; every attempt is reported', async () => {
    await applyManifests(ctx, manifests(ns));
    seen.length = 0;
    api.faults.inject({ method: 'GET', pathPrefix: `/apis/apps/v1/namespaces/${ns}/deployments/httpbin/scale`, status: 500, times: 2 });
    api.faults.inject({ method: 'GET', pathPrefix: `/apis/apps/v1/namespaces/${ns}/deployments/httpbin/scale`, status: 429, times: 1 });
    expect(await getScale(ctx, ns, 'httpbin')).toBe(2);
    expect(seen).toEqual(['get deployments/scale 500', 'get deployments/scale 500', 'get deployments/scale 429', 'get deployments/scale 200']);
  });

  it('a hung API server is abandoned per request and the call retried', async () => {
    // 1 s per request (more under load): the hang is 5× that, and a TLS handshake on a loaded
    // machine needs headroom; a retry that itself times out under load is retried again.
    const quick = createKubeClients(api.kubeconfigPath, { retry: { baseDelayMs: 5, maxDelayMs: 10, requestTimeoutMs: 1_000 * scale, attempts: 4 } });
    const codes: string[] = [];
    quick.onRequest = (_v, _r, code) => codes.push(code);
    await applyManifests(ctx, manifests(ns));
    api.faults.inject({ method: 'GET', pathPrefix: `/apis/apps/v1/namespaces/${ns}/deployments/httpbin/scale`, delayMs: 5_000 * scale, times: 1 });
    expect(await getScale(quick, ns, 'httpbin')).toBe(2);
    expect(codes[0]).toBe('timeout');
    expect(codes.at(-1)).toBe('200');
    expect(codes.slice(1, -1).every((c) => c === 'timeout'), codes.join(',')).toBe(true);
  });

  it('when attempts run out the KubeError says kind, code and how many attempts', async () => {
    await applyManifests(ctx, manifests(ns));
    api.faults.inject({ pathPrefix: `/apis/apps/v1/namespaces/${ns}/deployments/httpbin/scale`, status: 503, times: 100 });
    const err = await getScale(ctx, ns, 'httpbin').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeError);
    expect(err).toMatchObject({ kind: 'http', status: 503, reason: 'ServiceUnavailable' });
    expect((err as Error).message).toMatch(/gave up after 5 attempts/);
    api.faults.clear();
  });

  it('timeouts that never end are reported as kind timeout', async () => {
    // The connection is made before the request hangs (a timeout during the TLS handshake on a
    // loaded machine would be another kind), so the per-request bound leaves room for it.
    const quick = createKubeClients(api.kubeconfigPath, { retry: { baseDelayMs: 1, maxDelayMs: 2, requestTimeoutMs: 1_000 * scale, attempts: 2 } });
    await applyManifests(ctx, manifests(ns));
    api.faults.inject({ pathPrefix: `/apis/apps/v1/namespaces/${ns}/deployments/httpbin/scale`, delayMs: 4_000 * scale, times: 2 });
    await expect(getScale(quick, ns, 'httpbin')).rejects.toMatchObject({ kind: 'timeout' });
    api.faults.clear();
  });

  it('other 4xx are not retried', async () => {
    api.store.ensureNamespace(ns);
    seen.length = 0;
    await expect(setScale(ctx, ns, 'missing', 1)).rejects.toMatchObject({ kind: 'http', status: 404 });
    expect(seen).toEqual(['patch deployments/scale 404']);
  });

  it('an unreachable API server is kind unreachable', async () => {
    const other = await startFakeKubeApi();
    const gone = createKubeClients(other.kubeconfigPath, { retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2, requestTimeoutMs: 1_000 } });
    await other.stop();
    await expect(getScale(gone, 'default', 'x')).rejects.toMatchObject({ kind: 'unreachable' });
  });
});
