// What the disruptions did to the fake cluster, read from the fake API's request record:
// scale-downs and restores of pilot, and gateway restarts keyed by their restartedAt stamp
// (the job's scheduled time, so one stamp is one disruption job).

import type { FakeStore, RecordedRequest } from '../../../simulator/kube-api/index.js';
import { RESTARTED_AT } from '../../../src/adapters/kube/index.js';

export interface DisruptionWrites {
  scaleDowns: number;
  restores: number;
  /** restartedAt stamp → how many PATCHes carried it. */
  restarts: Map<string, number>;
}

function dig(v: unknown, ...path: string[]): unknown {
  let cur = v;
  for (const p of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

export function disruptionWrites(requests: readonly RecordedRequest[], namespace: string): DisruptionWrites {
  const out: DisruptionWrites = { scaleDowns: 0, restores: 0, restarts: new Map() };
  const base = `/apis/apps/v1/namespaces/${namespace}/deployments/`;
  for (const r of requests) {
    if (r.method !== 'PATCH' || !r.path.startsWith(base)) continue;
    if (r.path === `${base}pilot/scale`) {
      const replicas = dig(r.body, 'spec', 'replicas');
      if (replicas === 0) out.scaleDowns++;
      else if (typeof replicas === 'number') out.restores++;
    } else if (r.path === `${base}gateway`) {
      const stamp = dig(r.body, 'spec', 'template', 'metadata', 'annotations', RESTARTED_AT);
      if (typeof stamp === 'string') out.restarts.set(stamp, (out.restarts.get(stamp) ?? 0) + 1);
    }
  }
  return out;
}

/** Stamps that were sent more than once: the same disruption job disrupting twice. */
export function duplicateRestarts(w: DisruptionWrites): string[] {
  return [...w.restarts].filter(([, n]) => n > 1).map(([s]) => s);
}

/** A deployment's desired replicas straight from the fake API's store (no HTTP). */
export function storedReplicas(store: FakeStore, namespace: string, deployment: string): number | undefined {
  const d = store.read('apps/v1', 'Deployment', namespace, deployment);
  const r = dig(d, 'spec', 'replicas');
  return typeof r === 'number' ? r : undefined;
}
