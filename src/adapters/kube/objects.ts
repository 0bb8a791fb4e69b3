// The ObjectOps port (disruption/cluster-ops.ts) over client-node: read, apply (server-side,
// field manager mesh-soak, forced) and delete one object of any kind, patch a namespace's
// labels (merge patch: null removes a label), and restart every deployment of a namespace.
// Used by the applyManifest, deleteManifest and labelNamespace steps and their restores.

import { PatchStrategy, setHeaderOptions, type KubernetesObject } from '@kubernetes/client-node';
import type { KubeObject, ObjectOps, ObjectRef } from '../../disruption/cluster-ops.js';
import type { KubeContext } from './clients.js';
import { call } from './call.js';
import { isNotFound } from './errors.js';
import { applyManifests, deleteManifests, FIELD_MANAGER } from './manifests.js';
import { rolloutRestart } from './rollout.js';

function header(ref: ObjectRef): KubernetesObject & { metadata: { name: string; namespace?: string } } {
  return { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) } };
}

function describe(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

export async function readObject(ctx: KubeContext, ref: ObjectRef): Promise<KubeObject | null> {
  try {
    const o = await call(ctx, `get ${describe(ref)}`, () => ctx.objects.read(header(ref)));
    return o as unknown as KubeObject;
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

export async function patchNamespaceLabels(ctx: KubeContext, namespace: string, labels: Record<string, string | null>): Promise<void> {
  await call(ctx, `label namespace ${namespace}`, () =>
    ctx.core.patchNamespace(
      { name: namespace, body: { metadata: { labels } }, fieldManager: FIELD_MANAGER },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    ),
  );
}

export async function restartDeployments(ctx: KubeContext, namespace: string, at: Date): Promise<string[]> {
  const list = await call(ctx, `list deployments in ${namespace}`, () => ctx.apps.listNamespacedDeployment({ namespace }));
  const names = list.items.map((d) => d.metadata?.name ?? '').filter((n) => n !== '').sort();
  for (const name of names) await rolloutRestart(ctx, namespace, name, at);
  return names;
}

export function kubeObjectOps(ctx: KubeContext): ObjectOps {
  return {
    read: (ref) => readObject(ctx, ref),
    apply: async (object) => {
      await applyManifests(ctx, [object as unknown as KubernetesObject]);
    },
    delete: async (ref) => {
      await deleteManifests(ctx, [header(ref)]);
    },
    patchNamespaceLabels: (namespace, labels) => patchNamespaceLabels(ctx, namespace, labels),
    restartDeployments: async (namespace, at) => {
      await restartDeployments(ctx, namespace, at);
    },
  };
}
