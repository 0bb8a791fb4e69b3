// The LogsReader of the `logs` check kind (checks/logs.ts) over the pods/log API: list the
// namespace's pods (at most maxPods, or the read fails — never a partial count), read each
// running container's log since the window's start with limitBytes, and count the lines
// that match. A log cut at limitBytes is labelled truncated="true" (its count is a lower
// bound). A pod deleted between the list and its log read (404: a disruption's restart) is
// left out, as if the list had been taken a moment later — its log is gone with it. Reads are
// cached per query for its interval, so a 30 s tick does not re-read a day of logs. Failures
// reject (the check counts them towards errorLimit, then is unknown).

import type { V1Pod } from '@kubernetes/client-node';
import type { LogsReader } from '../../checks/logs.js';
import { countMatching } from '../../checks/logs.js';
import type { LogsQuery } from '../../checks/model.js';
import type { Sample } from '../../checks/types.js';
import type { KubeContext } from './clients.js';
import { call } from './call.js';
import { isNotFound } from './errors.js';

const READABLE_PHASES = new Set(['Running', 'Succeeded', 'Failed']);

async function podsOf(ctx: KubeContext, q: LogsQuery, signal?: AbortSignal): Promise<V1Pod[]> {
  const list = await call(
    ctx,
    `list pods in ${q.namespace}`,
    () => ctx.core.listNamespacedPod({ namespace: q.namespace, limit: q.maxPods, ...(q.selector ? { labelSelector: q.selector } : {}) }),
    signal,
  );
  // A continue token, or a server that ignored `limit`: more pods than the bound.
  if (list.metadata?._continue || list.items.length > q.maxPods) {
    throw new Error(`more than ${q.maxPods} pods match in ${q.namespace}: narrow logs.selector or raise logs.maxPods (nothing was counted)`);
  }
  return list.items.filter((p) => READABLE_PHASES.has(p.status?.phase ?? '')).sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
}

async function countContainer(ctx: KubeContext, q: LogsQuery, pod: string, container: string, pattern: RegExp, signal?: AbortSignal): Promise<Sample> {
  const text = await call(
    ctx,
    `read log of ${q.namespace}/${pod} ${container}`,
    () =>
      ctx.core.readNamespacedPodLog({
        name: pod,
        namespace: q.namespace,
        container,
        sinceSeconds: Math.max(1, Math.ceil(q.windowMs / 1000)),
        limitBytes: q.maxBytesPerContainer,
      }),
    signal,
  );
  // The API honours limitBytes; cut here too so a server that does not cannot grow the count's input.
  const bounded = text.length > q.maxBytesPerContainer ? text.slice(0, q.maxBytesPerContainer) : text;
  const truncated = Buffer.byteLength(bounded) >= q.maxBytesPerContainer;
  return {
    labels: { namespace: q.namespace, pod, container, ...(truncated ? { truncated: 'true' } : {}) },
    value: countMatching(bounded, pattern),
  };
}

export async function readLogCounts(ctx: KubeContext, q: LogsQuery, signal?: AbortSignal): Promise<Sample[]> {
  const pattern = new RegExp(q.pattern, 'i');
  const samples: Sample[] = [];
  for (const pod of await podsOf(ctx, q, signal)) {
    const name = pod.metadata?.name ?? '';
    const containers = (pod.spec?.containers ?? []).map((c) => c.name).filter((c) => !q.containers || q.containers.includes(c));
    samples.push(...(await countPod(ctx, q, name, containers, pattern, signal)));
  }
  return samples;
}

/** One pod's containers' counts; none when the pod is gone (deleted since the list). */
async function countPod(ctx: KubeContext, q: LogsQuery, pod: string, containers: string[], pattern: RegExp, signal?: AbortSignal): Promise<Sample[]> {
  const counted: Sample[] = [];
  for (const c of containers) {
    try {
      counted.push(await countContainer(ctx, q, pod, c, pattern, signal));
    } catch (err) {
      if (isNotFound(err)) return [];
      throw err;
    }
  }
  return counted;
}

/** The reader with its per-query cache (one entry per distinct query, replaced on each read). */
export function kubeLogsReader(ctx: KubeContext, now: () => number = Date.now): LogsReader {
  const cache = new Map<string, { at: number; samples: Sample[] }>();
  return async (q, signal) => {
    const key = JSON.stringify(q);
    const hit = cache.get(key);
    if (hit && now() - hit.at < q.intervalMs) return hit.samples;
    const samples = await readLogCounts(ctx, q, signal);
    cache.set(key, { at: now(), samples });
    return samples;
  };
}
