// Applying and deleting a suite's rendered manifests. Apply is server-side apply with
// field manager `mesh-soak` and force, so re-applying is idempotent, fields others added
// (a restartedAt annotation, an HPA's replicas) are kept, and fields mesh-soak dropped
// from a manifest are removed. Delete goes in reverse order and treats 404 as done.

import { PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import type { KubeContext } from './clients.js';
import { call } from './call.js';
import { isNotFound } from './errors.js';

export const FIELD_MANAGER = 'mesh-soak';

function describe(o: KubernetesObject): string {
  const ns = o.metadata?.namespace ? `${o.metadata.namespace}/` : '';
  return `${o.kind ?? '?'} ${ns}${o.metadata?.name ?? '?'}`;
}

/** Strips what a server-side apply must not carry (read back from a live object). */
function applyBody(o: KubernetesObject): KubernetesObject {
  const copy = structuredClone(o);
  if (copy.metadata) {
    delete copy.metadata.resourceVersion;
    delete copy.metadata.managedFields;
    delete copy.metadata.uid;
    delete copy.metadata.creationTimestamp;
  }
  return copy;
}

/** Applies every object in order; returns the objects as the server stored them. */
export async function applyManifests(ctx: KubeContext, objects: KubernetesObject[]): Promise<KubernetesObject[]> {
  const out: KubernetesObject[] = [];
  for (const o of objects) {
    const applied = await call(ctx, `apply ${describe(o)}`, () =>
      ctx.objects.patch(applyBody(o), undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply),
    );
    out.push(applied);
  }
  return out;
}

/** Deletes every object, last first; returns how many existed. */
export async function deleteManifests(ctx: KubeContext, objects: KubernetesObject[]): Promise<number> {
  let deleted = 0;
  for (const o of [...objects].reverse()) {
    try {
      // A namespace already Terminating is being deleted: the API answers a second delete
      // with 409 (content still being removed), which is not ours to retry or count.
      if (o.kind === 'Namespace' && (await isTerminating(ctx, o))) continue;
      await call(ctx, `delete ${describe(o)}`, () => ctx.objects.delete(structuredClone(o)));
      deleted++;
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
  return deleted;
}

async function isTerminating(ctx: KubeContext, o: KubernetesObject): Promise<boolean> {
  const cur = await call(ctx, `read ${describe(o)}`, () => ctx.objects.read({ apiVersion: o.apiVersion ?? 'v1', kind: o.kind ?? '', metadata: { name: o.metadata?.name ?? '' } }));
  return cur.metadata?.deletionTimestamp !== undefined;
}
