// Runs one disruption step against the cluster. Every step is idempotent, so a job that is
// retried or re-delivered after a crash can run it again safely: time-dependent values come
// from the job's scheduledAt (not the clock), and `scale` journals the original replica
// count before changing anything (HSETNX: an earlier attempt's original wins). The kinds of the
// chaos and canary suites (choose, applyManifest, deleteManifest, labelNamespace) live in their
// own modules beside this one and journal the same way; `{{choice.NAME}}` expands a step here.

import type { Step, Suite } from '../../config/model.js';
import type { ClusterOps } from '../cluster-ops.js';
import type { RestoreJournal } from '../restore-journal.js';
import { abortableSleep, StepAborted } from './abortable-sleep.js';
import { substituteNowAll } from './now-template.js';
import type { Logger } from 'pino';
import { expandChoices, runChoose } from './choose.js';
import { runApplyManifest, runDeleteManifest } from './manifest-steps.js';
import { runLabelNamespace } from './label-namespace.js';
import type { NewStep } from './step-kind.js';

export interface StepContext {
  ops: ClusterOps;
  journal: RestoreJournal;
  suite: Suite;
  job: { id: string; scheduledAt: number };
  /** Aborted on shutdown or when the disruption lock is lost. */
  signal: AbortSignal;
  now: () => number;
  /** How often waitRollout polls the deployment. */
  pollMs: number;
  /** This disruption's `choose` picks by name (steps/choose.ts); the runner keeps one per run. */
  choices?: Map<string, string[]>;
  logger?: Logger;
}

/** Runs the step, once per combination of the `{{choice.NAME}}` values it names. */
export async function executeStep(step: Step, ctx: StepContext): Promise<void> {
  for (const concrete of expandChoices(step, ctx.choices)) await executeConcrete(concrete, ctx);
}

async function executeConcrete(step: Step, ctx: StepContext): Promise<void> {
  throwIfAborted(ctx.signal);
  const ns = (explicit: string | undefined): string => explicit ?? ctx.suite.namespace;

  if ('rolloutRestart' in step) {
    const s = step.rolloutRestart;
    await ctx.ops.rolloutRestart(ns(s.namespace), s.deployment, new Date(ctx.job.scheduledAt));
  } else if ('waitRollout' in step) {
    const s = step.waitRollout;
    await ctx.ops.waitRollout(ns(s.namespace), s.deployment, {
      timeoutMs: s.timeoutMs,
      pollMs: ctx.pollMs,
      signal: ctx.signal,
    });
  } else if ('scale' in step) {
    const s = step.scale;
    const namespace = ns(s.namespace);
    const original = await ctx.ops.getScale(namespace, s.deployment);
    throwIfAborted(ctx.signal);
    // The journal entry must be durable before the cluster changes: a crash right after
    // setScale would otherwise leave nothing to restore from.
    await ctx.journal.record({
      kind: 'scale',
      namespace,
      deployment: s.deployment,
      original,
      suite: ctx.suite.name,
      jobId: ctx.job.id,
      at: ctx.now(),
    });
    throwIfAborted(ctx.signal);
    await ctx.ops.setScale(namespace, s.deployment, s.replicas);
  } else if ('setEnv' in step) {
    const s = step.setEnv;
    await ctx.ops.setEnv(ns(s.namespace), substituteNowAll(s.env, ctx.job.scheduledAt), s.selector);
  } else if ('deletePods' in step) {
    const s = step.deletePods;
    await ctx.ops.deletePods(ns(s.namespace), s.selector, s.keep);
  } else if ('sleep' in step) {
    await abortableSleep(step.sleep.durationMs, ctx.signal);
  } else {
    await executeNewStep(step, ctx);
  }
}

function executeNewStep(step: NewStep, ctx: StepContext): Promise<void> {
  if ('choose' in step) return runChoose(step.choose, ctx);
  if ('applyManifest' in step) return runApplyManifest(step.applyManifest.file, ctx);
  if ('deleteManifest' in step) return runDeleteManifest(step.deleteManifest.file, ctx);
  return runLabelNamespace(step.labelNamespace, ctx);
}

function throwIfAborted(signal: AbortSignal): void {
  if (!signal.aborted) return;
  const reason: unknown = signal.reason;
  throw new StepAborted(reason instanceof Error ? reason.message : 'disruption aborted');
}
