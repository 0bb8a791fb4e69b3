// labelNamespace: sets or removes labels of a namespace (istio-injection, istio.io/rev),
// optionally restarting its deployments so their sidecars are injected anew. The labels as
// they were (null: absent) are journaled before the patch; the restore sets them back and,
// with restartDeployments, restarts the deployments again. A second labelNamespace of the
// same labels in one disruption (the canary's way back) keeps the first original (HSETNX).

import type { Step } from '../../config/model.js';
import type { StepContext } from './execute-step.js';
import { objectOps } from './manifest-steps.js';

type LabelStep = Extract<Step, { labelNamespace: unknown }>['labelNamespace'];

export function labelsKey(namespace: string, labels: Record<string, unknown>): string {
  return `${namespace}/${Object.keys(labels).sort().join(',')}`;
}

export async function runLabelNamespace(step: LabelStep, ctx: StepContext): Promise<void> {
  const namespace = step.namespace ?? ctx.suite.namespace;
  const ops = objectOps(ctx.ops, `labelNamespace ${namespace}`);
  const current = await ops.read({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
  if (current === null) throw new Error(`namespace ${namespace} does not exist`);
  const have = ((current['metadata'] as { labels?: Record<string, string> } | undefined)?.labels ?? {});
  const original = Object.fromEntries(Object.keys(step.labels).map((k) => [k, have[k] ?? null]));
  await ctx.journal.record({
    kind: 'namespaceLabels',
    key: labelsKey(namespace, step.labels),
    namespace,
    original,
    restartDeployments: step.restartDeployments,
    suite: ctx.suite.name,
    jobId: ctx.job.id,
    at: ctx.now(),
  });
  ctx.signal.throwIfAborted();
  await ops.patchNamespaceLabels(namespace, step.labels);
  if (step.restartDeployments) await ops.restartDeployments(namespace, new Date(ctx.job.scheduledAt));
}
