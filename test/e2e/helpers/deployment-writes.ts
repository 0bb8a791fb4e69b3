// What the daemon did to deployments, read back from the fake Kubernetes API's recorded
// requests: scale changes (the scale subresource), rollout restarts (the pod template's
// restartedAt annotation) and env changes (container env in the pod template), in the order
// the API received them. Server-side applies (installing manifests) are not disruption steps
// and are left out.

import type { RecordedRequest } from '../../../simulator/kube-api/fake-kube-api.js';

export type DeploymentWrite =
  | { index: number; namespace: string; deployment: string; action: 'scale'; replicas: number }
  | { index: number; namespace: string; deployment: string; action: 'restart'; restartedAt: string }
  | { index: number; namespace: string; deployment: string; action: 'env'; env: Record<string, string> }
  | { index: number; namespace: string; deployment: string; action: 'other'; method: string };

const DEPLOYMENT_PATH = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments\/([^/]+)(\/scale)?$/;
const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function at(v: unknown, ...path: string[]): unknown {
  let cur = v;
  for (const key of path) cur = isRecord(cur) ? cur[key] : undefined;
  return cur;
}

function envOf(template: unknown): Record<string, string> | undefined {
  const containers = at(template, 'spec', 'containers');
  if (!Array.isArray(containers)) return undefined;
  const env: Record<string, string> = {};
  for (const c of containers) {
    const list = at(c, 'env');
    if (!Array.isArray(list)) continue;
    for (const e of list) {
      const name = at(e, 'name');
      const value = at(e, 'value');
      if (typeof name === 'string' && typeof value === 'string') env[name] = value;
    }
  }
  return Object.keys(env).length > 0 ? env : undefined;
}

/** Every write (PATCH/PUT) to a deployment or its scale, optionally of one namespace. */
export function deploymentWrites(requests: readonly RecordedRequest[], namespace?: string): DeploymentWrite[] {
  const out: DeploymentWrite[] = [];
  requests.forEach((r, index) => {
    if (r.method !== 'PATCH' && r.method !== 'PUT') return;
    if (r.contentType === 'application/apply-patch+yaml') return;
    const m = DEPLOYMENT_PATH.exec(r.path);
    if (!m) return;
    const ns = m[1] as string;
    const deployment = m[2] as string;
    if (namespace !== undefined && ns !== namespace) return;
    const base = { index, namespace: ns, deployment };
    if (m[3]) {
      const replicas = at(r.body, 'spec', 'replicas');
      out.push(typeof replicas === 'number' ? { ...base, action: 'scale', replicas } : { ...base, action: 'other', method: r.method });
      return;
    }
    const template = at(r.body, 'spec', 'template');
    const restartedAt = at(template, 'metadata', 'annotations', RESTARTED_AT);
    const env = envOf(template);
    if (typeof restartedAt === 'string') out.push({ ...base, action: 'restart', restartedAt });
    else if (env) out.push({ ...base, action: 'env', env });
    else out.push({ ...base, action: 'other', method: r.method });
  });
  return out;
}

export type WriteMatcher = (w: DeploymentWrite) => boolean;

/**
 * The writes matching `steps` in that order (other writes may come between), starting at the
 * first write matching steps[0]; undefined when the sequence is not (yet) complete.
 */
export function findSequence(writes: readonly DeploymentWrite[], steps: readonly WriteMatcher[]): DeploymentWrite[] | undefined {
  for (let start = 0; start < writes.length; start++) {
    const found: DeploymentWrite[] = [];
    let i = start;
    for (const step of steps) {
      while (i < writes.length && !step(writes[i] as DeploymentWrite)) i++;
      if (i >= writes.length) break;
      found.push(writes[i] as DeploymentWrite);
      i++;
    }
    if (found.length === steps.length) return found;
  }
  return undefined;
}

export function describeWrites(writes: readonly DeploymentWrite[]): string {
  if (writes.length === 0) return 'deployment writes: none';
  return `deployment writes:\n${writes
    .map((w) => {
      const what = w.action === 'scale' ? `scale → ${w.replicas}` : w.action === 'restart' ? `restart (${w.restartedAt})` : w.action === 'env' ? `env ${JSON.stringify(w.env)}` : `${w.method} (other)`;
      return `  #${w.index} ${w.namespace}/${w.deployment}: ${what}`;
    })
    .join('\n')}`;
}
