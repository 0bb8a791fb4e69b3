// What `mesh-soak disrupt S --dry-run` prints: each step in order with the HTTP requests it
// would send to the Kubernetes API (method, path, patch type, body), computed from the suite
// alone — no Redis, no cluster. Requests whose targets are only known from the cluster
// (setEnv's deployments, deletePods' pods) are shown once with `{name}` and a note.
// Mirrors what src/adapters/kube/'s operations send; the dry-run test compares the two.

import type { Step, Suite } from '../config/model.js';
import { describeStep } from './steps/step-kind.js';
import { substituteNowAll } from './steps/now-template.js';

export type PatchType = 'merge' | 'strategic-merge' | 'json' | 'apply';

export const PATCH_CONTENT_TYPE: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  'strategic-merge': 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
};

export interface PlannedRequest {
  method: 'GET' | 'PATCH' | 'DELETE' | 'PUT' | 'POST';
  path: string;
  query?: Record<string, string>;
  patchType?: PatchType;
  body?: unknown;
  /** When or how often it is sent, if not exactly once. */
  note?: string;
}

export interface PlannedStep {
  step: Step;
  description: string;
  requests: PlannedRequest[];
}

const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';
/** Every write carries mesh-soak's field manager, as src/adapters/kube/ sends it. */
const FM = { fieldManager: 'mesh-soak' };

const deploymentPath = (ns: string, name: string): string =>
  `/apis/apps/v1/namespaces/${ns}/deployments/${name}`;

export function planDisruption(suite: Suite, scheduledAt: number): PlannedStep[] {
  const steps = suite.disruption?.steps ?? [];
  const planned = steps.map((step) => ({
    step,
    description: describeStep(step, suite.namespace),
    requests: planStep(step, suite.namespace, scheduledAt),
  }));
  return planned;
}

/** The restore that follows the steps: one per scale step, back to the recorded original. */
export function planRestore(suite: Suite): PlannedRequest[] {
  return (suite.disruption?.steps ?? []).flatMap((step) => {
    if (!('scale' in step)) return planNewRestore(step, suite.namespace);
    const path = `${deploymentPath(step.scale.namespace ?? suite.namespace, step.scale.deployment)}/scale`;
    return [
      { method: 'PATCH', path, query: FM, patchType: 'merge', body: { spec: { replicas: '<original>' } }, note: 'the count recorded before the scale' },
      { method: 'GET', path, note: 'confirms the restore before the journal entry is cleared' },
    ] satisfies PlannedRequest[];
  });
}

/** The restore of the manifest and label steps (steps/restore-entry.ts); newest first at run time. */
function planNewRestore(step: Step, namespace: string): PlannedRequest[] {
  if ('applyManifest' in step || 'deleteManifest' in step) {
    return [
      { method: 'DELETE', path: '{object}', note: 'each object the step created (journaled as absent)' },
      { method: 'PATCH', path: '{object}', query: { ...FM, force: 'true' }, patchType: 'apply', body: '<the object as journaled>', note: 'each object the step changed or deleted' },
      { method: 'GET', path: '{object}', note: 'confirms each restore before its journal entry is cleared' },
    ];
  }
  if (!('labelNamespace' in step)) return [];
  const s = step.labelNamespace;
  const ns = s.namespace ?? namespace;
  const requests: PlannedRequest[] = [
    { method: 'PATCH', path: `/api/v1/namespaces/${ns}`, query: FM, patchType: 'merge', body: { metadata: { labels: '<as journaled>' } } },
    { method: 'GET', path: `/api/v1/namespaces/${ns}`, note: 'confirms the labels before the journal entry is cleared' },
  ];
  if (s.restartDeployments) requests.push(...restartAll(ns, '<restore time>'));
  return requests;
}

export function planStep(step: Step, namespace: string, scheduledAt: number): PlannedRequest[] {
  if ('rolloutRestart' in step) {
    const s = step.rolloutRestart;
    return [
      {
        method: 'PATCH',
        path: deploymentPath(s.namespace ?? namespace, s.deployment),
        query: FM,
        patchType: 'strategic-merge',
        body: { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: new Date(scheduledAt).toISOString().replace(/\.\d+Z$/, 'Z') } } } } },
      },
    ];
  }
  if ('waitRollout' in step) {
    const s = step.waitRollout;
    return [
      {
        method: 'GET',
        path: deploymentPath(s.namespace ?? namespace, s.deployment),
        note: `repeated until the rollout is complete (observedGeneration, updated and available replicas), at most ${s.timeoutMs} ms; fails at once on ProgressDeadlineExceeded`,
      },
    ];
  }
  if ('scale' in step) {
    const s = step.scale;
    const path = `${deploymentPath(s.namespace ?? namespace, s.deployment)}/scale`;
    return [
      { method: 'GET', path, note: 'reads the original replica count, recorded in the restore journal' },
      { method: 'PATCH', path, query: FM, patchType: 'merge', body: { spec: { replicas: s.replicas } } },
    ];
  }
  if ('setEnv' in step) {
    const s = step.setEnv;
    const ns = s.namespace ?? namespace;
    const env = Object.entries(substituteNowAll(s.env, scheduledAt)).map(([name, value]) => ({ name, value }));
    return patchEveryDeployment(
      ns,
      { spec: { template: { spec: { containers: [{ name: '{container}', env }] } } } },
      'for every deployment listed whose containers do not carry these values yet, with each such container',
      s.selector,
    );
  }
  if ('deletePods' in step) {
    const s = step.deletePods;
    const ns = s.namespace ?? namespace;
    return [
      { method: 'GET', path: `/api/v1/namespaces/${ns}/pods`, query: { labelSelector: s.selector } },
      { method: 'DELETE', path: `/api/v1/namespaces/${ns}/pods/{name}`, note: `for every matching pod but ${s.keep}` },
    ];
  }
  return planNewStep(step, namespace, scheduledAt);
}

/** choose sends nothing; the manifest and label steps read (for the journal), then write. */
function planNewStep(step: Step, namespace: string, scheduledAt: number): PlannedRequest[] {
  if ('applyManifest' in step || 'deleteManifest' in step) {
    const apply = 'applyManifest' in step;
    const file = apply ? step.applyManifest.file : 'deleteManifest' in step ? step.deleteManifest.file : '';
    return [
      { method: 'GET', path: '{object}', note: `for each object of ${file}${apply ? '' : ' (last first)'}: read, and journaled as it is (or as absent)` },
      apply
        ? { method: 'PATCH', path: '{object}', query: { ...FM, force: 'true' }, patchType: 'apply', body: '<the object>', note: 'server-side apply of each object' }
        : { method: 'DELETE', path: '{object}', note: 'each object that exists' },
    ];
  }
  if ('labelNamespace' in step) {
    const s = step.labelNamespace;
    const ns = s.namespace ?? namespace;
    const requests: PlannedRequest[] = [
      { method: 'GET', path: `/api/v1/namespaces/${ns}`, note: 'reads the labels as they are, recorded in the restore journal' },
      { method: 'PATCH', path: `/api/v1/namespaces/${ns}`, query: FM, patchType: 'merge', body: { metadata: { labels: s.labels } } },
    ];
    if (s.restartDeployments) requests.push(...restartAll(ns, new Date(scheduledAt)));
    return requests;
  }
  return [];
}

function restartAll(ns: string, at: Date | string): PlannedRequest[] {
  const stamp = typeof at === 'string' ? at : at.toISOString().replace(/\.\d+Z$/, 'Z');
  return patchEveryDeployment(ns, { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: stamp } } } } }, 'for every deployment listed');
}

/** List the namespace's deployments, then a strategic-merge patch of each. */
function patchEveryDeployment(ns: string, body: unknown, note: string, selector?: string): PlannedRequest[] {
  return [
    { method: 'GET', path: `/apis/apps/v1/namespaces/${ns}/deployments`, ...(selector ? { query: { labelSelector: selector } } : {}) },
    { method: 'PATCH', path: deploymentPath(ns, '{name}'), query: FM, patchType: 'strategic-merge', body, note },
  ];
}

/** The human-readable plan `disrupt --dry-run` prints. */
export function formatPlan(suite: Suite, scheduledAt: number): string {
  const lines = [`disruption of ${suite.name} (namespace ${suite.namespace}), dry run: nothing is sent`];
  const steps = planDisruption(suite, scheduledAt);
  steps.forEach((p, i) => {
    lines.push(`${i + 1}. ${p.description}`);
    if (p.requests.length === 0) lines.push('     (no requests)');
    for (const r of p.requests) lines.push(...formatRequest(r));
  });
  const restore = planRestore(suite);
  if (restore.length > 0) {
    lines.push(`${steps.length + 1}. restore (always, even after a failed step)`);
    for (const r of restore) lines.push(...formatRequest(r));
  }
  return `${lines.join('\n')}\n`;
}

function formatRequest(r: PlannedRequest): string[] {
  const query = r.query ? `?${new URLSearchParams(r.query).toString()}` : '';
  const head = `     ${r.method} ${r.path}${query}${r.patchType ? `  (${PATCH_CONTENT_TYPE[r.patchType]})` : ''}`;
  const out = [head];
  if (r.body !== undefined) out.push(`       body: ${JSON.stringify(r.body)}`);
  if (r.note) out.push(`       ${r.note}`);
  return out;
}
