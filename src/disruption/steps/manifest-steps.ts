// applyManifest and deleteManifest: a file in the suite folder, rendered like the suite's
// manifests ({{namespace}}, {{params.x}}), applied or deleted object by object. Before each
// object changes, the journal records it as it was (null: it did not exist), so the restore —
// after the steps, or after a crash — deletes what the disruption created and re-applies what
// it changed or deleted. Re-running either step changes nothing more (apply is server-side
// and forced; delete of a missing object is done; HSETNX keeps the first original).

import { renderManifests } from '../../config/suites/render-manifests.js';
import type { KubeObject, ObjectOps, ObjectRef } from '../cluster-ops.js';
import type { ClusterOps } from '../cluster-ops.js';
import type { StepContext } from './execute-step.js';

/** The ObjectOps of the cluster, or an error naming the step that needs them. */
export function objectOps(ops: ClusterOps, what: string): ObjectOps {
  if (!ops.objects) throw new Error(`${what} needs object operations this cluster connection does not offer`);
  return ops.objects;
}

export function refOf(o: KubeObject): ObjectRef {
  const meta = (o['metadata'] ?? {}) as { name?: unknown; namespace?: unknown };
  return {
    apiVersion: String(o['apiVersion']),
    kind: String(o['kind']),
    name: String(meta.name),
    ...(typeof meta.namespace === 'string' ? { namespace: meta.namespace } : {}),
  };
}

export function refKey(ref: ObjectRef): string {
  return `${ref.apiVersion}/${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
}

const SERVER_FIELDS = ['resourceVersion', 'uid', 'creationTimestamp', 'managedFields', 'generation', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds'];

/** The object as it can be applied again: no status, no server-set metadata. */
export function restorable(o: KubeObject): KubeObject {
  const copy = structuredClone(o);
  delete copy['status'];
  const meta = copy['metadata'] as Record<string, unknown> | undefined;
  if (meta) for (const f of SERVER_FIELDS) delete meta[f];
  return copy;
}

async function journalObject(ctx: StepContext, ops: ObjectOps, ref: ObjectRef): Promise<KubeObject | null> {
  const current = await ops.read(ref);
  await ctx.journal.record({
    kind: 'object',
    key: refKey(ref),
    ref,
    original: current === null ? null : restorable(current),
    suite: ctx.suite.name,
    jobId: ctx.job.id,
    at: ctx.now(),
  });
  return current;
}

async function fileObjects(ctx: StepContext, file: string): Promise<KubeObject[]> {
  return renderManifests({ ...ctx.suite, manifests: [file] });
}

export async function runApplyManifest(file: string, ctx: StepContext): Promise<void> {
  const ops = objectOps(ctx.ops, `applyManifest ${file}`);
  for (const o of await fileObjects(ctx, file)) {
    ctx.signal.throwIfAborted();
    await journalObject(ctx, ops, refOf(o));
    ctx.signal.throwIfAborted();
    await ops.apply(o);
  }
}

export async function runDeleteManifest(file: string, ctx: StepContext): Promise<void> {
  const ops = objectOps(ctx.ops, `deleteManifest ${file}`);
  for (const o of (await fileObjects(ctx, file)).reverse()) {
    ctx.signal.throwIfAborted();
    const ref = refOf(o);
    if ((await journalObject(ctx, ops, ref)) === null) continue;
    ctx.signal.throwIfAborted();
    await ops.delete(ref);
  }
}
