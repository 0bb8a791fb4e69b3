// Reading and setting a deployment's replica count through the `scale` subresource
// (what `kubectl scale` uses, and what RBAC grants separately as deployments/scale).

import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { KubeContext } from './clients.js';
import { call } from './call.js';
import { FIELD_MANAGER } from './manifests.js';

export async function getScale(ctx: KubeContext, ns: string, deployment: string): Promise<number> {
  const s = await call(ctx, `get scale of deployment ${ns}/${deployment}`, () =>
    ctx.apps.readNamespacedDeploymentScale({ name: deployment, namespace: ns }),
  );
  return s.spec?.replicas ?? 0;
}

export async function setScale(ctx: KubeContext, ns: string, deployment: string, replicas: number): Promise<void> {
  if (!Number.isInteger(replicas) || replicas < 0) throw new RangeError(`replicas must be a non-negative integer, got ${replicas}`);
  await call(ctx, `scale deployment ${ns}/${deployment} to ${replicas}`, () =>
    ctx.apps.patchNamespacedDeploymentScale(
      { name: deployment, namespace: ns, body: { spec: { replicas } }, fieldManager: FIELD_MANAGER },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    ),
  );
}
