// `kubectl set env --all deployment K=V` for one namespace: every container of every
// deployment gets the variables, by a strategic-merge patch keyed by env name (other
// variables stay). Deployments that already carry the values are left alone, so
// repeating the call does not restart anything.

import { PatchStrategy, setHeaderOptions, type V1Deployment, type V1EnvVar } from '@kubernetes/client-node';
import type { KubeContext } from './clients.js';
import { call } from './call.js';
import { FIELD_MANAGER } from './manifests.js';
import { NothingSelected } from './errors.js';

type EnvPatchItem = { name: string; value: string; valueFrom?: null };

function containerPatch(current: V1EnvVar[] | undefined, env: Record<string, string>): EnvPatchItem[] {
  const patch: EnvPatchItem[] = [];
  for (const [name, value] of Object.entries(env)) {
    const have = current?.find((e) => e.name === name);
    if (have && have.value === value && have.valueFrom === undefined) continue;
    // A variable set from a secret or field must lose valueFrom to take a literal value.
    patch.push(have?.valueFrom !== undefined ? { name, value, valueFrom: null } : { name, value });
  }
  return patch;
}

function deploymentPatch(d: V1Deployment, env: Record<string, string>): object | undefined {
  const containers = (d.spec?.template.spec?.containers ?? [])
    .map((c) => ({ name: c.name, env: containerPatch(c.env, env) }))
    .filter((c) => c.env.length > 0);
  return containers.length > 0 ? { spec: { template: { spec: { containers } } } } : undefined;
}

/**
 * Returns the names of the deployments that were changed (and so will roll). With a label
 * `selector` (`kubectl set env -l`), only the deployments whose own labels match are touched,
 * and a selector that matches none is an error: a roll that rolls nothing must not pass.
 */
export async function setEnv(ctx: KubeContext, ns: string, env: Record<string, string>, selector?: string): Promise<string[]> {
  const what = selector ? `list deployments in ${ns} (${selector})` : `list deployments in ${ns}`;
  const list = await call(ctx, what, () =>
    ctx.apps.listNamespacedDeployment(selector ? { namespace: ns, labelSelector: selector } : { namespace: ns }),
  );
  if (selector && list.items.length === 0) {
    throw new NothingSelected(`no deployment in namespace ${ns} matches the label selector "${selector}"`);
  }
  const changed: string[] = [];
  for (const d of [...list.items].sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))) {
    const name = d.metadata?.name;
    const body = deploymentPatch(d, env);
    if (!name || !body) continue;
    await call(ctx, `set env on deployment ${ns}/${name}`, () =>
      ctx.apps.patchNamespacedDeployment(
        { name, namespace: ns, body, fieldManager: FIELD_MANAGER },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      ),
    );
    changed.push(name);
  }
  return changed;
}
