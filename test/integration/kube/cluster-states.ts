// Test-only: bringing the Kubernetes stand-in into states a real cluster reaches by itself —
// a Deployment whose controller gave up (ProgressDeadlineExceeded) or has not seen the latest
// spec yet, a pod that is Terminating, a namespace that is Terminating. Each state is reached
// first as a client of a real API server would reach it (the status subresource; a DELETE of
// an object held by a finalizer); only where today's stand-in cannot represent the state (it
// has no writable status subresource, and deletes at once) is it written into the stand-in's
// store, the way its own controllers write. Once the stand-in models deletion and status like
// a cluster, the fallbacks stop being taken and the same tests run through the API alone.
// Never a stub of the Kubernetes client: mesh-soak's code under test talks HTTP to the stand-in.

import type { V1DeploymentStatus } from '@kubernetes/client-node';
import type { FakeKubeApi, JsonObject } from '../../../simulator/kube-api/index.js';
import type { KubeContext } from '../../../src/adapters/kube/index.js';

/** The finalizer that holds an object in Terminating until released. */
export const HOLD = 'mesh-soak.test/hold';

type Meta = { name?: string; deletionTimestamp?: string; finalizers?: string[] };
const metaOf = (o: JsonObject): Meta => (o.metadata ?? {}) as Meta;

function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z');
}

/** Writes a Deployment's status through PUT .../status; the store when the stand-in has no such endpoint. */
export async function putDeploymentStatus(api: FakeKubeApi, kube: KubeContext, ns: string, name: string, status: V1DeploymentStatus): Promise<'api' | 'store'> {
  const body = await kube.apps.readNamespacedDeployment({ name, namespace: ns });
  body.status = status;
  try {
    await kube.apps.replaceNamespacedDeploymentStatus({ name, namespace: ns, body });
    return 'api';
  } catch {
    const type = api.store.type('apps', 'deployments');
    const written = api.store.setStatus(type, ns, name, JSON.parse(JSON.stringify(status)) as JsonObject);
    if (!written) throw new Error(`deployment ${ns}/${name} is not in the stand-in`);
    return 'store';
  }
}

/**
 * Makes a pod Terminating: it carries HOLD and is deleted through the API, which on a real
 * cluster leaves it with a deletionTimestamp until the finalizer goes. The pod must carry HOLD.
 */
export async function deleteHeldPod(api: FakeKubeApi, kube: KubeContext, ns: string, name: string): Promise<'api' | 'store'> {
  const type = api.store.type('', 'pods');
  const before = api.store.get(type, ns, name);
  if (!before || !(metaOf(before).finalizers ?? []).includes(HOLD)) throw new Error(`pod ${ns}/${name} must exist and carry ${HOLD}`);
  await kube.core.deleteNamespacedPod({ name, namespace: ns });
  const after = api.store.get(type, ns, name);
  if (after && metaOf(after).deletionTimestamp !== undefined) return 'api';
  // Today's stand-in deleted it at once: put it back as the API server would have kept it.
  if (after) api.store.delete(type, ns, name);
  const held = structuredClone(before);
  Object.assign(held.metadata as object, { deletionTimestamp: rfc3339(new Date()), deletionGracePeriodSeconds: 30 });
  api.store.create(type, ns, held);
  return 'store';
}

/**
 * Makes a namespace Terminating, held by HOLD, with what a namespace controller reports
 * (NamespaceContentRemaining). The namespace need not exist yet.
 */
export async function holdNamespaceTerminating(api: FakeKubeApi, kube: KubeContext, ns: string, remaining: string): Promise<'api' | 'store'> {
  const type = api.store.type('', 'namespaces');
  if (!api.store.get(type, '', ns)) await kube.core.createNamespace({ body: { metadata: { name: ns, finalizers: [HOLD] } } });
  else await kube.core.patchNamespace({ name: ns, body: [{ op: 'add', path: '/metadata/finalizers', value: [HOLD] }] });
  await kube.core.deleteNamespace({ name: ns });
  const after = api.store.get(type, '', ns);
  const status = {
    phase: 'Terminating',
    conditions: [{ type: 'NamespaceContentRemaining', status: 'True', reason: 'SomeResourcesRemain', message: remaining }],
  };
  if (after && metaOf(after).deletionTimestamp !== undefined) {
    // What the namespace controller reports while content remains (the stand-in runs no such controller).
    api.store.update(type, '', { ...after, status }, { keepStatus: false });
    return 'api';
  }
  if (after) api.store.delete(type, '', ns);
  api.store.create(type, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, finalizers: [HOLD], deletionTimestamp: rfc3339(new Date()) }, status });
  return 'store';
}

/** Releases HOLD from a Terminating namespace, so it goes away as a real cluster then removes it. */
export async function releaseNamespace(api: FakeKubeApi, kube: KubeContext, ns: string): Promise<void> {
  const type = api.store.type('', 'namespaces');
  const cur = api.store.get(type, '', ns);
  if (!cur) return;
  const finalizers = (metaOf(cur).finalizers ?? []).filter((f) => f !== HOLD);
  await kube.core.patchNamespace({ name: ns, body: [{ op: 'replace', path: '/metadata/finalizers', value: finalizers }] });
  // Its last finalizer gone and nothing left in it, the stand-in's controller removes it, as a cluster does.
  await until(`namespace ${ns} to be removed once released`, () => api.store.get(type, '', ns) === undefined, { timeoutMs: 60_000 });
}

/** Waits (bounded by count and time) until `predicate` holds; throws saying what did not happen. */
export async function until(what: string, predicate: () => boolean, opts: { timeoutMs?: number; pollMs?: number } = {}): Promise<void> {
  const pollMs = opts.pollMs ?? 25;
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  for (let i = 0; i < 100_000 && Date.now() < deadline; i++) {
    if (predicate()) return;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  throw new Error(`gave up waiting: ${what}`);
}
