// Whether a suite's own objects exist: its namespace, then each of its Deployments, read
// through the API (GET, no list). A 404 is the "not deployed" verdict naming what is
// missing; any other failure is an error verdict (the caller falls back to the guard).
// Never rejects. A deployment name `other/name` is looked up in namespace `other`.

import type { DeploymentVerdict, SuiteObjects } from '../../checks/deployment.js';
import { messageOf } from '../../shared/errors.js';
import type { KubeContext } from './clients.js';
import { call } from './call.js';
import { isNotFound } from './errors.js';

export async function probeSuiteObjects(ctx: KubeContext, objects: SuiteObjects, signal?: AbortSignal): Promise<DeploymentVerdict> {
  try {
    const ns = objects.namespace;
    if (!(await exists(() => call(ctx, `get namespace ${ns}`, () => ctx.core.readNamespace({ name: ns }), signal)))) {
      return { deployed: false, reason: `namespace ${ns} does not exist` };
    }
    for (const d of objects.deployments) {
      const [namespace, name] = d.includes('/') ? (d.split('/', 2) as [string, string]) : [ns, d];
      const found = await exists(() => call(ctx, `get deployment ${namespace}/${name}`, () => ctx.apps.readNamespacedDeployment({ name, namespace }), signal));
      if (!found) return { deployed: false, reason: `deployment ${namespace}/${name} does not exist` };
    }
    return { deployed: true };
  } catch (err) {
    return { error: messageOf(err) };
  }
}

async function exists(read: () => Promise<unknown>): Promise<boolean> {
  try {
    await read();
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}
