// Waiting out a namespace that is being deleted. Deleting a namespace is slow on a real
// cluster: it stays Terminating (metadata.deletionTimestamp set, status.phase Terminating)
// until the namespace controller has removed everything in it, and the API refuses to
// create anything inside it meanwhile (403, cause NamespaceTerminating). So `suites apply`
// right after `suites delete` first waits, bounded, until each namespace is gone or
// active again, and says what it is waiting for.

import type { V1Namespace } from '@kubernetes/client-node';
import { sleep } from '../../shared/time.js';
import type { KubeContext } from './clients.js';
import { call } from './call.js';
import { isNotFound, KubeError } from './errors.js';
import { formatDuration } from '../../checks/duration.js';

/** One namespace still Terminating, as seen on one poll. */
export interface NamespaceWait {
  namespace: string;
  /** Since the wait began, on the context's clock. */
  elapsedMs: number;
  timeoutMs: number;
  /** metadata.deletionTimestamp, RFC 3339. */
  deletedAt?: string;
  /** What the namespace controller says is left (NamespaceContentRemaining and the like). */
  remaining?: string;
}

export interface WaitNamespacesOptions {
  timeoutMs: number;
  pollMs?: number;
  signal?: AbortSignal;
  /** Called on every poll that finds a namespace still Terminating. */
  onWait?: (w: NamespaceWait) => void;
}

type Terminating = Pick<NamespaceWait, 'deletedAt' | 'remaining'>;

/** Bounded, so a namespace with thousands of conditions cannot flood the progress output. */
function remainingOf(ns: V1Namespace): string | undefined {
  const texts = (ns.status?.conditions ?? [])
    .filter((c) => c.status === 'True' && c.type.endsWith('Remaining'))
    .slice(0, 5)
    .map((c) => (c.message ?? c.reason ?? c.type).slice(0, 300));
  return texts.length > 0 ? texts.join('; ') : undefined;
}

/** The namespace's termination, or undefined when it is gone or active. */
async function terminating(ctx: KubeContext, name: string, signal?: AbortSignal): Promise<Terminating | undefined> {
  let ns: V1Namespace;
  try {
    ns = await call(ctx, `read namespace ${name}`, () => ctx.core.readNamespace({ name }), signal);
  } catch (e) {
    // Gone; or not ours to read (RBAC without get on it): the apply itself will then say
    // whether the namespace takes objects (403 NamespaceTerminating is waited out there).
    if (isNotFound(e) || (e instanceof KubeError && e.status === 403)) return undefined;
    throw e;
  }
  const deletion = ns.metadata?.deletionTimestamp;
  if (deletion === undefined && ns.status?.phase !== 'Terminating') return undefined;
  const deletedAt = deletion === undefined ? undefined : new Date(deletion).toISOString().replace(/\.\d+Z$/, 'Z');
  return { deletedAt, remaining: remainingOf(ns) };
}

function stillTerminating(name: string, timeoutMs: number, t: Terminating): KubeError {
  const since = t.deletedAt ? `, deleted at ${t.deletedAt}` : '';
  const left = t.remaining ? `; ${t.remaining}` : '';
  return new KubeError(
    'timeout',
    `namespace ${name} is still Terminating after ${formatDuration(timeoutMs)}${since}${left}; ` +
      `apply again once \`kubectl get namespace ${name}\` says NotFound`,
  );
}

/**
 * Resolves once none of `names` is Terminating (each gone or active); a KubeError of kind
 * `timeout` naming the namespace and what is left in it when `timeoutMs` passes first.
 */
export async function waitNamespacesActive(ctx: KubeContext, names: readonly string[], opts: WaitNamespacesOptions): Promise<void> {
  const pollMs = Math.max(1, opts.pollMs ?? 2000);
  const now = ctx.now ?? Date.now;
  const wait = ctx.sleep ?? sleep;
  const started = now();
  const maxPolls = Math.ceil(opts.timeoutMs / pollMs) + 2;
  for (const name of new Set(names)) {
    for (let i = 0; ; i++) {
      const t = await terminating(ctx, name, opts.signal);
      if (t === undefined) break;
      const elapsedMs = now() - started;
      if (elapsedMs >= opts.timeoutMs || i >= maxPolls) throw stillTerminating(name, opts.timeoutMs, t);
      opts.onWait?.({ namespace: name, elapsedMs, timeoutMs: opts.timeoutMs, ...t });
      await wait(Math.min(pollMs, opts.timeoutMs - elapsedMs), opts.signal);
    }
  }
}
