// Killing pods by label selector, keeping a few: the chaos step of the old
// istio-chaos-partial suite. Pods are sorted by name so which ones survive is
// deterministic; a pod already gone (404) counts as deleted.

import type { KubeContext } from './clients.js';
import { call } from './call.js';
import { isNotFound } from './errors.js';

/** Returns the names of the pods deleted. */
export async function deletePods(ctx: KubeContext, ns: string, selector: string, keep: number): Promise<string[]> {
  if (!Number.isInteger(keep) || keep < 0) throw new RangeError(`keep must be a non-negative integer, got ${keep}`);
  const list = await call(ctx, `list pods in ${ns} (${selector})`, () => ctx.core.listNamespacedPod({ namespace: ns, labelSelector: selector }));
  const names = list.items
    .filter((p) => p.metadata?.deletionTimestamp === undefined)
    .map((p) => p.metadata?.name ?? '')
    .filter((n) => n !== '')
    .sort();
  const victims = names.slice(keep);
  for (const name of victims) {
    try {
      await call(ctx, `delete pod ${ns}/${name}`, () => ctx.core.deleteNamespacedPod({ name, namespace: ns }));
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
  return victims;
}
