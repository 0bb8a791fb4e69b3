// Evidence when a check starts failing (verdict/evidence.ts): the events and pod statuses of
// a suite's namespaces through the API, each list read with `limit` (a bounded answer, never
// the whole namespace) and then cut to the evidence bounds. One namespace's list that fails
// is noted and the others still count; every list failing throws (the caller records why).

import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import { boundEvidence, type Evidence, type EvidenceBounds } from '../../verdict/evidence.js';
import { messageOf } from '../../shared/errors.js';
import type { KubeContext } from './clients.js';
import { call } from './call.js';

/** Events read per namespace before the newest are picked: the API lists them in no time order. */
const EVENTS_READ = 500;

type Ev = Evidence['events'][number];
type PodRow = Evidence['pods'][number];

const isoOf = (d: Date | string | undefined): string | undefined => (d === undefined ? undefined : d instanceof Date ? d.toISOString() : String(d));

export function eventRow(e: CoreV1Event): Ev {
  const at = isoOf(e.lastTimestamp) ?? isoOf(e.eventTime) ?? isoOf(e.firstTimestamp) ?? isoOf(e.metadata?.creationTimestamp) ?? '';
  const count = e.count !== undefined && e.count > 1 ? ` (x${e.count})` : '';
  return {
    at,
    type: e.type ?? '',
    reason: e.reason ?? '',
    object: `${e.involvedObject?.kind ?? '?'}/${e.involvedObject?.name ?? '?'}`,
    message: `${e.message ?? ''}${count}`,
  };
}

/** Why a pod is not fine, in kubectl's words where it has them: Terminating, a waiting or terminated container's reason. */
function podReason(p: V1Pod): string | undefined {
  if (p.metadata?.deletionTimestamp) return 'Terminating';
  if (p.status?.reason) return p.status.reason;
  for (const c of p.status?.containerStatuses ?? []) {
    const why = c.state?.waiting?.reason ?? c.state?.terminated?.reason;
    if (why) return `${c.name}: ${why}`;
  }
  return undefined;
}

export function podRow(p: V1Pod, prefix: string): PodRow {
  const statuses = p.status?.containerStatuses ?? [];
  const readyCondition = p.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  const ready = statuses.length > 0 ? `${statuses.filter((c) => c.ready).length}/${statuses.length}` : readyCondition === 'True' ? 'ready' : 'not ready';
  const reason = podReason(p);
  return {
    name: `${prefix}${p.metadata?.name ?? '?'}`,
    phase: p.status?.phase ?? 'Unknown',
    ready,
    restarts: statuses.reduce((n, c) => n + (c.restartCount ?? 0), 0),
    ...(reason ? { reason } : {}),
  };
}

async function readNamespace(ctx: KubeContext, ns: string, prefix: string, b: EvidenceBounds, signal?: AbortSignal): Promise<{ events: Ev[]; pods: PodRow[]; notes: string[] }> {
  const [events, pods] = await Promise.allSettled([
    call(ctx, `list events in ${ns}`, () => ctx.core.listNamespacedEvent({ namespace: ns, limit: EVENTS_READ }), signal),
    call(ctx, `list pods in ${ns}`, () => ctx.core.listNamespacedPod({ namespace: ns, limit: b.maxPods }), signal),
  ]);
  const notes: string[] = [];
  if (events.status === 'rejected') notes.push(`events of ${ns} not read: ${messageOf(events.reason)}`);
  else if (events.value.metadata?._continue) notes.push(`more than ${EVENTS_READ} events in ${ns}: the newest of the first ${EVENTS_READ} kept`);
  if (pods.status === 'rejected') notes.push(`pods of ${ns} not read: ${messageOf(pods.reason)}`);
  else if (pods.value.metadata?._continue) notes.push(`more than ${b.maxPods} pods in ${ns}: the first ${b.maxPods} kept`);
  // Neither list: the API's own error once (the same cause, usually), not two notes saying it.
  if (events.status === 'rejected' && pods.status === 'rejected') throw events.reason;
  return {
    events: events.status === 'fulfilled' ? events.value.items.slice(0, EVENTS_READ).map(eventRow) : [],
    pods: pods.status === 'fulfilled' ? pods.value.items.slice(0, b.maxPods).map((p) => podRow(p, prefix)) : [],
    notes,
  };
}

/**
 * The events and pods of `namespaces` (the first maxNamespaces), bounded. Throws only when no
 * namespace could be read at all; a namespace that could not is noted.
 */
export async function captureEvidence(ctx: KubeContext, namespaces: string[], b: EvidenceBounds, signal?: AbortSignal): Promise<Evidence> {
  const read = namespaces.slice(0, b.maxNamespaces);
  const prefix = (ns: string): string => (read.length > 1 ? `${ns}/` : '');
  const results = await Promise.allSettled(read.map((ns) => readNamespace(ctx, ns, prefix(ns), b, signal)));
  const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${read[i]}: ${messageOf(r.reason)}`] : []));
  if (failed.length === results.length) throw new Error(failed.join('; ') || 'no namespace to read');
  const ok = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const note = [...failed, ...ok.flatMap((r) => r.notes)].join('; ');
  return boundEvidence({ events: ok.flatMap((r) => r.events), pods: ok.flatMap((r) => r.pods), namespaces: read, ...(note ? { note } : {}) }, b);
}
