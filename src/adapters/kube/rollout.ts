// Rolling restarts and waiting for rollouts, with kubectl's semantics: a restart sets the
// pod template annotation kubectl.kubernetes.io/restartedAt (so `kubectl rollout
// history` shows it like any other restart), and a rollout is done when the controller
// has seen the latest generation and every replica is updated and available; it has failed
// when the controller says so (Progressing: ProgressDeadlineExceeded), as kubectl reports it.

import { PatchStrategy, setHeaderOptions, type V1Deployment } from '@kubernetes/client-node';
import type { KubeContext } from './clients.js';
import { call } from './call.js';
import { KubeError, RolloutFailed } from './errors.js';
import { FIELD_MANAGER } from './manifests.js';
import { sleep } from '../../shared/time.js';

export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

/** RFC 3339 without fractions, as kubectl writes it. */
function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z');
}

export async function rolloutRestart(ctx: KubeContext, ns: string, deployment: string, now: Date): Promise<void> {
  const body = { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: rfc3339(now) } } } } };
  await call(ctx, `rollout restart deployment ${ns}/${deployment}`, () =>
    ctx.apps.patchNamespacedDeployment(
      { name: deployment, namespace: ns, body, fieldManager: FIELD_MANAGER },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    ),
  );
}

export interface RolloutProgress {
  generation: number;
  observedGeneration: number;
  replicas: number;
  updatedReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  /** Pods of any revision (status.replicas): old ones still terminating count here. */
  currentReplicas: number;
}

export function rolloutProgress(d: V1Deployment): RolloutProgress {
  const s = d.status ?? {};
  return {
    generation: d.metadata?.generation ?? 0,
    observedGeneration: s.observedGeneration ?? 0,
    replicas: d.spec?.replicas ?? 1,
    updatedReplicas: s.updatedReplicas ?? 0,
    readyReplicas: s.readyReplicas ?? 0,
    availableReplicas: s.availableReplicas ?? 0,
    currentReplicas: s.replicas ?? 0,
  };
}

export function rolloutDone(p: RolloutProgress): boolean {
  return (
    p.observedGeneration >= p.generation &&
    p.updatedReplicas === p.replicas &&
    p.currentReplicas === p.replicas &&
    p.availableReplicas === p.replicas &&
    p.readyReplicas === p.replicas
  );
}

function progressText(p: RolloutProgress): string {
  return `observedGeneration ${p.observedGeneration}/${p.generation}, updated ${p.updatedReplicas}/${p.replicas}, available ${p.availableReplicas}/${p.replicas}, ready ${p.readyReplicas}/${p.replicas}, pods ${p.currentReplicas}`;
}

/** The reason kube-controller-manager writes on Progressing when progressDeadlineSeconds passed. */
export const PROGRESS_DEADLINE_EXCEEDED = 'ProgressDeadlineExceeded';

export type RolloutState =
  | { state: 'done'; progress: RolloutProgress }
  | { state: 'waiting'; progress: RolloutProgress }
  | { state: 'failed'; progress: RolloutProgress; reason: string; message: string };

/**
 * Where a rollout stands, as `kubectl rollout status` judges it: a status the controller
 * wrote before the latest spec change (observedGeneration < generation) says nothing, not
 * even that the rollout failed; once it is current, a Progressing condition with reason
 * ProgressDeadlineExceeded means the controller gave up, and no wait will change that.
 */
export function rolloutState(d: V1Deployment): RolloutState {
  const progress = rolloutProgress(d);
  if (progress.observedGeneration < progress.generation) return { state: 'waiting', progress };
  const progressing = d.status?.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === PROGRESS_DEADLINE_EXCEEDED) {
    return { state: 'failed', progress, reason: progressing.reason, message: progressing.message ?? '' };
  }
  return rolloutDone(progress) ? { state: 'done', progress } : { state: 'waiting', progress };
}

export interface WaitRolloutOptions {
  timeoutMs: number;
  pollMs?: number;
  signal?: AbortSignal;
}

function failedRollout(ns: string, deployment: string, s: Extract<RolloutState, { state: 'failed' }>): RolloutFailed {
  const detail = s.message ? `: ${s.message}` : '';
  return new RolloutFailed(
    `deployment ${ns}/${deployment} exceeded its progress deadline (${s.reason}${detail}); last seen: ${progressText(s.progress)}`,
    s.reason,
  );
}

/**
 * Polls until the rollout is done; fails at once with RolloutFailed when the controller
 * reports ProgressDeadlineExceeded, and with a KubeError of kind `timeout` saying what it
 * last saw when `timeoutMs` passes first. The deadline and the waits between polls use the
 * context's clock and timer.
 */
export async function waitRollout(ctx: KubeContext, ns: string, deployment: string, opts: WaitRolloutOptions): Promise<RolloutProgress> {
  const pollMs = Math.max(1, opts.pollMs ?? 1000);
  const now = ctx.now ?? Date.now;
  const wait = ctx.sleep ?? sleep;
  const deadline = now() + opts.timeoutMs;
  let last: RolloutProgress | undefined;
  // Bounded by the deadline; the count bound is a backstop should the clock misbehave.
  const maxPolls = Math.ceil(opts.timeoutMs / pollMs) + 2;
  for (let i = 0; i < maxPolls; i++) {
    opts.signal?.throwIfAborted();
    const d = await call(ctx, `read deployment ${ns}/${deployment}`, () => ctx.apps.readNamespacedDeployment({ name: deployment, namespace: ns }), opts.signal);
    const state = rolloutState(d);
    last = state.progress;
    if (state.state === 'done') return last;
    if (state.state === 'failed') throw failedRollout(ns, deployment, state);
    const left = deadline - now();
    if (left <= 0) break;
    await wait(Math.min(pollMs, left), opts.signal);
  }
  throw new KubeError('timeout', `deployment ${ns}/${deployment} did not finish its rollout within ${opts.timeoutMs} ms; last seen: ${last ? progressText(last) : 'nothing'}`);
}
