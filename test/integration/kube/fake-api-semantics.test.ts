// The fake API server's HTTP semantics as client-node sees them: Status errors, optimistic
// concurrency, the patch content types and authentication.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiException, AppsV1Api, CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { Agent, fetch } from 'undici';
import { startFakeKubeApi, type FakeKubeApi } from '../../../simulator/kube-api/index.js';

let api: FakeKubeApi;
let core: CoreV1Api;
let apps: AppsV1Api;

beforeAll(async () => {
  api = await startFakeKubeApi({ rolloutStepMs: 10 });
  const kc = new KubeConfig();
  kc.loadFromFile(api.kubeconfigPath);
  core = kc.makeApiClient(CoreV1Api);
  apps = kc.makeApiClient(AppsV1Api);
});

afterAll(async () => {
  await api?.stop();
});

async function failure(p: Promise<unknown>): Promise<{ code: number; status: Record<string, unknown> }> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(ApiException);
  const ex = e as ApiException<string>;
  return { code: ex.code, status: JSON.parse(ex.body) as Record<string, unknown> };
}

describe('fake kube API', () => {
  it('404 and 409 AlreadyExists come with a proper Status body', async () => {
    const nf = await failure(core.readNamespacedConfigMap({ name: 'nope', namespace: 'default' }));
    expect(nf.code).toBe(404);
    expect(nf.status).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404, details: { name: 'nope', kind: 'configmaps' } });
    const body = { metadata: { name: 'dup' }, data: { a: '1' } };
    await core.createNamespacedConfigMap({ namespace: 'default', body });
    const ae = await failure(core.createNamespacedConfigMap({ namespace: 'default', body }));
    expect(ae.code).toBe(409);
    expect(ae.status).toMatchObject({ reason: 'AlreadyExists' });
  });

  it('a replace with a stale resourceVersion is a 409 Conflict; every write bumps resourceVersion', async () => {
    const created = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'cas' }, data: { v: '1' } } });
    const rv1 = Number(created.metadata?.resourceVersion);
    const updated = await core.replaceNamespacedConfigMap({ name: 'cas', namespace: 'default', body: { ...created, data: { v: '2' } } });
    expect(Number(updated.metadata?.resourceVersion)).toBeGreaterThan(rv1);
    const stale = await failure(core.replaceNamespacedConfigMap({ name: 'cas', namespace: 'default', body: { ...created, data: { v: '3' } } }));
    expect(stale.code).toBe(409);
    expect(stale.status).toMatchObject({ reason: 'Conflict' });
    expect((await core.readNamespacedConfigMap({ name: 'cas', namespace: 'default' })).data).toEqual({ v: '2' });
  });

  it('json patch and merge patch through the client', async () => {
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'p', labels: { a: '1' } }, data: { x: '1', y: '2' } } });
    await core.patchNamespacedConfigMap(
      { name: 'p', namespace: 'default', body: [{ op: 'replace', path: '/data/x', value: '9' }, { op: 'remove', path: '/data/y' }] },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    await core.patchNamespacedConfigMap({ name: 'p', namespace: 'default', body: { metadata: { labels: { a: null, b: '2' } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    const cm = await core.readNamespacedConfigMap({ name: 'p', namespace: 'default' });
    expect(cm.data).toEqual({ x: '9' });
    expect(cm.metadata?.labels).toEqual({ b: '2' });
  });

  it('a template change bumps generation and the controller catches up', async () => {
    const d = await apps.createNamespacedDeployment({
      namespace: 'default',
      body: { metadata: { name: 'g' }, spec: { replicas: 1, selector: { matchLabels: { app: 'g' } }, template: { metadata: { labels: { app: 'g' } }, spec: { containers: [{ name: 'c', image: 'i:1' }] } } } },
    });
    expect(d.metadata?.generation).toBe(1);
    const p = await apps.patchNamespacedDeployment(
      { name: 'g', namespace: 'default', body: { spec: { template: { spec: { containers: [{ name: 'c', image: 'i:2' }] } } } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    expect(p.metadata?.generation).toBe(2);
    let seen = 0;
    for (let i = 0; i < 200 && seen < 2; i++) {
      const cur = await apps.readNamespacedDeployment({ name: 'g', namespace: 'default' });
      seen = cur.status?.observedGeneration ?? 0;
      if (seen < 2) await new Promise((r) => setTimeout(r, 10));
    }
    expect(seen).toBe(2);
    const pods = await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=g' });
    expect(pods.items.every((x) => x.metadata?.name?.startsWith('g-'))).toBe(true);
  });

  it('requests without the bearer token are refused with 401', async () => {
    // TLS like a real API server: trust its CA, send no token.
    const res = await fetch(`${api.url}/api/v1/namespaces`, { dispatcher: new Agent({ connect: { ca: api.caPem } }) });
    expect(res.status).toBe(401);
  });
});
