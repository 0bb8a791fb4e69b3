// A simulated Deployment controller: on every step it moves each deployment one pod
// closer to its spec (create an updated pod, delete an old or surplus one) and writes
// status the way kube-controller-manager does (observedGeneration, replicas,
// updatedReplicas, readyReplicas, availableReplicas), so rollouts take visible time and
// `kubectl rollout status`-style waiting has something to wait for.

import { createHash, randomBytes } from 'node:crypto';
import { child, isObject, num, type JsonObject } from './json.js';
import { labelsOf, metaOf, type FakeStore } from './store.js';

export function templateHash(template: unknown): string {
  return createHash('sha256').update(JSON.stringify(template ?? {})).digest('hex').slice(0, 10);
}

export function podSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return [...randomBytes(5)].map((b) => alphabet[b % alphabet.length]).join('');
}

export class RolloutController {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: FakeStore,
    private readonly stepMs: number,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.step(), this.stepMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One reconciliation pass over every deployment; public so tests can drive it by hand. */
  step(): void {
    const deployments = this.store.type('apps', 'deployments');
    for (const d of this.store.list(deployments)) this.reconcile(d);
  }

  private reconcile(d: JsonObject): void {
    const store = this.store;
    const meta = metaOf(d);
    const ns = String(meta.namespace ?? '');
    const name = String(meta.name ?? '');
    const spec = isObject(d.spec) ? d.spec : {};
    const desired = num(spec.replicas) ?? 1;
    const template = isObject(spec.template) ? spec.template : {};
    const hash = templateHash(template);
    const podType = store.type('', 'pods');
    const owned = store.list(podType, ns).filter((p) => {
      const refs = metaOf(p).ownerReferences;
      return Array.isArray(refs) && refs.some((r) => isObject(r) && r.kind === 'Deployment' && r.name === name);
    });
    const updated = owned.filter((p) => labelsOf(p)['pod-template-hash'] === hash);
    const old = owned.filter((p) => labelsOf(p)['pod-template-hash'] !== hash);

    const status = isObject(d.status) ? { ...d.status } : {};
    const generation = num(meta.generation) ?? 1;
    if ((num(status.observedGeneration) ?? 0) < generation) {
      // The controller first acknowledges the new spec; pods move from the next step on.
      status.observedGeneration = generation;
    } else if (updated.length < desired) {
      updated.push(this.createPod(ns, name, d, template, hash));
    } else if (old.length > 0) {
      const victim = old.shift();
      if (victim) store.delete(podType, ns, String(metaOf(victim).name));
    } else if (updated.length > desired) {
      const victim = updated.pop();
      if (victim) store.delete(podType, ns, String(metaOf(victim).name));
    }
    const total = updated.length + old.length;
    const setOrDrop = (k: string, v: number): void => {
      // The real API omits zero counts from deployment status.
      if (v > 0) status[k] = v;
      else delete status[k];
    };
    setOrDrop('replicas', total);
    setOrDrop('updatedReplicas', updated.length);
    setOrDrop('readyReplicas', total);
    setOrDrop('availableReplicas', total);
    setOrDrop('unavailableReplicas', Math.max(0, desired - total));
    const complete = updated.length === desired && old.length === 0 && status.observedGeneration === generation;
    status.conditions = [
      { type: 'Available', status: total >= desired ? 'True' : 'False', reason: total >= desired ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable' },
      { type: 'Progressing', status: 'True', reason: complete ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated' },
    ];
    store.setStatus(store.type('apps', 'deployments'), ns, name, status);
  }

  private createPod(ns: string, deploy: string, d: JsonObject, template: JsonObject, hash: string): JsonObject {
    const tmeta = isObject(template.metadata) ? template.metadata : {};
    const labels = { ...(isObject(tmeta.labels) ? tmeta.labels : {}), 'pod-template-hash': hash };
    const pod: JsonObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `${deploy}-${hash}-${podSuffix()}`,
        namespace: ns,
        labels,
        annotations: isObject(tmeta.annotations) ? tmeta.annotations : {},
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: deploy, uid: String(metaOf(d).uid ?? ''), controller: true }],
      },
      spec: isObject(template.spec) ? template.spec : {},
    };
    child(pod, 'status').phase = 'Running';
    child(pod, 'status').conditions = [{ type: 'Ready', status: 'True' }];
    return this.store.create(this.store.type('', 'pods'), ns, pod);
  }
}
