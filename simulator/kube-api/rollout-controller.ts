// The simulated controllers behind the fake API server, stepping on a timer: the Deployment
// controller (one ReplicaSet per pod template, named by its hash; rolling updates that keep
// at most replicas+maxSurge pods and at least replicas-maxUnavailable ready ones; status with
// observedGeneration, Available/Progressing conditions and ProgressDeadlineExceeded), the
// kubelet's readiness (a pod turns Ready `podReadyMs` after it starts; an image from a
// `.invalid` registry never pulls; an Istio gateway pod (istio-ingressgateway, ...) stays
// unready while its namespace's istiod has no available replica, as a gateway without
// configuration does), and the
// garbage collector and namespace/pod finalization (store.finalizeExpired).

import { createHash, randomBytes } from 'node:crypto';
import { isObject, num, type JsonObject } from './json.js';
import { labelsOf, metaOf, type FakeStore } from './store.js';

export function templateHash(template: unknown): string {
  return createHash('sha256').update(JSON.stringify(template ?? {})).digest('hex').slice(0, 10);
}

export function podSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return [...randomBytes(5)].map((b) => alphabet[b % alphabet.length]).join('');
}

export interface ControllerOptions {
  /** How long a started pod takes to pass its readiness probe; default three steps. */
  podReadyMs?: number;
  /** Scales progressDeadlineSeconds (1: real seconds); default 1. */
  progressDeadlineScale?: number;
}

// Istio's own names: istiod (istiod-<revision>) and its ingress/egress gateways.
const isPilot = (name: string): boolean => name === 'istiod' || name.startsWith('istiod-');
const isGateway = (name: string): boolean => /(ingress|egress)gateway/.test(name);
const nowIso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

/** maxSurge / maxUnavailable of `desired` (percentages: surge rounds up, unavailable down). */
export function rollingBounds(spec: JsonObject, desired: number): { surge: number; unavailable: number } {
  const strategy = isObject(spec.strategy) ? spec.strategy : {};
  if (strategy.type === 'Recreate') return { surge: 0, unavailable: desired };
  const ru = isObject(strategy.rollingUpdate) ? strategy.rollingUpdate : {};
  const resolve = (v: unknown, up: boolean): number => {
    if (typeof v === 'number') return v;
    const m = /^(\d+)%$/.exec(typeof v === 'string' ? v : '25%');
    const pct = ((m ? Number(m[1]) : 25) * desired) / 100;
    return up ? Math.ceil(pct) : Math.floor(pct);
  };
  const surge = resolve(ru.maxSurge, true);
  const unavailable = resolve(ru.maxUnavailable, false);
  return { surge, unavailable: surge === 0 && unavailable === 0 ? 1 : unavailable };
}

export function isReady(pod: JsonObject): boolean {
  const conds = isObject(pod.status) && Array.isArray(pod.status.conditions) ? pod.status.conditions : [];
  return conds.some((c) => isObject(c) && c.type === 'Ready' && c.status === 'True');
}

const alive = (p: JsonObject): boolean => metaOf(p).deletionTimestamp === undefined;
const ownedBy = (o: JsonObject, uid: unknown): boolean =>
  Array.isArray(metaOf(o).ownerReferences) && (metaOf(o).ownerReferences as unknown[]).some((r) => isObject(r) && r.uid === uid);

export class RolloutController {
  private timer: NodeJS.Timeout | undefined;
  /** The last errors of timer-driven steps (at most 20), for a test to show. */
  readonly errors: string[] = [];
  /** When each deployment last made progress (for progressDeadlineSeconds), by uid. */
  private readonly progressAt = new Map<string, { ms: number; key: string }>();
  /** When each unready pod was first seen (ms), by uid; dropped once it is ready. */
  private readonly firstSeen = new Map<string, number>();

  constructor(
    private readonly store: FakeStore,
    private readonly stepMs: number,
    private readonly options: ControllerOptions = {},
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      try {
        this.step();
      } catch (e) {
        // A controller keeps running through one bad object, as a real one requeues it.
        this.errors.push(String(e));
        if (this.errors.length > 20) this.errors.shift();
      }
    }, this.stepMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One pass of every controller; public so tests can drive it by hand. */
  step(nowMs = Date.now()): void {
    this.store.finalizeExpired(nowMs);
    if (this.firstSeen.size > 10_000) this.firstSeen.clear(); // bounded: pods deleted before turning ready
    this.kubelet(nowMs);
    for (const d of this.store.list(this.store.type('apps', 'deployments'))) {
      if (metaOf(d).deletionTimestamp === undefined) this.reconcile(d, nowMs);
    }
  }

  /** Pods pass readiness once started long enough, unless something holds them back. */
  private kubelet(nowMs: number): void {
    const pods = this.store.type('', 'pods');
    const deployments = this.store.list(this.store.type('apps', 'deployments'));
    const pilotDown = (ns: string): boolean =>
      deployments.some((d) => metaOf(d).namespace === ns && isPilot(String(metaOf(d).name)) && (num(isObject(d.status) ? d.status.availableReplicas : undefined) ?? 0) === 0);
    const readyMs = this.options.podReadyMs ?? 3 * this.stepMs;
    for (const p of this.store.list(pods)) {
      if (!alive(p) || isReady(p)) continue;
      const m = metaOf(p);
      const spec = isObject(p.spec) ? p.spec : {};
      const images = (Array.isArray(spec.containers) ? spec.containers : []).filter(isObject).map((c) => String(c.image ?? ''));
      if (images.some((i) => /^[^/]+\.invalid\//.test(i))) continue; // ErrImagePull: never ready
      // creationTimestamp has whole seconds: the controller keeps when it saw each pod first.
      const uid = String(m.uid ?? '');
      const started = this.firstSeen.get(uid) ?? nowMs;
      this.firstSeen.set(uid, started);
      if (nowMs - started < readyMs) continue;
      if (isGateway(String(m.name)) && pilotDown(String(m.namespace))) continue;
      this.firstSeen.delete(uid);
      const status = { ...(isObject(p.status) ? p.status : {}), phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: nowIso(nowMs) }] };
      this.store.setStatus(pods, String(m.namespace), String(m.name), status);
    }
  }

  private replicaSet(d: JsonObject, hash: string, template: JsonObject, revision: number): JsonObject {
    const rsType = this.store.type('apps', 'replicasets');
    const meta = metaOf(d);
    const ns = String(meta.namespace);
    const name = `${String(meta.name)}-${hash}`;
    const existing = this.store.get(rsType, ns, name);
    if (existing) return existing;
    const tmeta = isObject(template.metadata) ? template.metadata : {};
    const labels = { ...(isObject(tmeta.labels) ? tmeta.labels : {}), 'pod-template-hash': hash };
    const spec = isObject(d.spec) ? d.spec : {};
    const selector = isObject(spec.selector) ? spec.selector : {};
    const ml = isObject(selector.matchLabels) ? selector.matchLabels : {};
    return this.store.create(rsType, ns, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name,
        namespace: ns,
        labels,
        annotations: { 'deployment.kubernetes.io/revision': String(revision) },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: String(meta.name), uid: String(meta.uid ?? ''), controller: true, blockOwnerDeletion: true }],
      },
      spec: { replicas: 0, selector: { ...selector, matchLabels: { ...ml, 'pod-template-hash': hash } }, template: { ...template, metadata: { ...tmeta, labels } } },
    });
  }

  private reconcile(d: JsonObject, nowMs: number): void {
    const store = this.store;
    const meta = metaOf(d);
    const ns = String(meta.namespace ?? '');
    const spec = isObject(d.spec) ? d.spec : {};
    const desired = num(spec.replicas) ?? 1;
    const template = isObject(spec.template) ? spec.template : {};
    const hash = templateHash(template);
    const rsType = store.type('apps', 'replicasets');
    const podType = store.type('', 'pods');
    const owned = store.list(rsType, ns).filter((rs) => ownedBy(rs, meta.uid));
    const revision = Math.max(0, ...owned.map((rs) => Number((metaOf(rs).annotations as Record<string, string> | undefined)?.['deployment.kubernetes.io/revision'] ?? 0))) + 1;
    const newRs = owned.find((rs) => labelsOf(rs)['pod-template-hash'] === hash) ?? this.replicaSet(d, hash, template, revision);
    const pods = store.list(podType, ns).filter(alive);
    const podsOf = (rs: JsonObject): JsonObject[] => pods.filter((p) => ownedBy(p, metaOf(rs).uid));
    const newPods = podsOf(newRs);
    const oldPods = owned.filter((rs) => rs !== newRs && metaOf(rs).name !== metaOf(newRs).name).flatMap(podsOf);
    const { surge, unavailable } = rollingBounds(spec, desired);
    const paused = spec.paused === true;

    if (!paused) {
      // Scale up the new ReplicaSet within maxSurge.
      const room = Math.min(desired - newPods.length, desired + surge - (newPods.length + oldPods.length));
      for (let i = 0; i < room; i++) newPods.push(this.createPod(ns, newRs, template, hash));
      // Scale down old pods (unready first) while enough stay ready.
      const ready = [...newPods, ...oldPods].filter(isReady).length;
      let removable = ready - (desired - unavailable);
      const victims = [...oldPods].sort((a, b) => Number(isReady(a)) - Number(isReady(b)));
      for (const v of victims) {
        if (removable <= 0 && isReady(v)) break;
        store.delete(podType, ns, String(metaOf(v).name));
        oldPods.splice(oldPods.indexOf(v), 1);
        if (isReady(v)) removable--;
      }
      while (newPods.length > desired) {
        const extra = newPods.sort((a, b) => Number(isReady(a)) - Number(isReady(b))).shift();
        if (extra) store.delete(podType, ns, String(metaOf(extra).name));
      }
    }
    for (const rs of owned.concat(owned.includes(newRs) ? [] : [newRs])) {
      const count = rs === newRs ? newPods.length : podsOf(rs).filter((p) => oldPods.includes(p)).length;
      const readyCount = (rs === newRs ? newPods : podsOf(rs).filter((p) => oldPods.includes(p))).filter(isReady).length;
      this.syncReplicaSet(rs, count, readyCount);
    }
    this.writeStatus(d, { desired, newPods, oldPods, unavailable, nowMs, newRsName: String(metaOf(newRs).name) });
  }

  private syncReplicaSet(rs: JsonObject, replicas: number, ready: number): void {
    const rsType = this.store.type('apps', 'replicasets');
    const m = metaOf(rs);
    const ns = String(m.namespace);
    const cur = this.store.get(rsType, ns, String(m.name));
    if (!cur) return;
    if (num(isObject(cur.spec) ? cur.spec.replicas : undefined) !== replicas) {
      const { resourceVersion: _rv, ...rest } = metaOf(cur);
      this.store.update(rsType, ns, { ...cur, spec: { ...(isObject(cur.spec) ? cur.spec : {}), replicas }, metadata: rest }, { keepStatus: true });
    }
    const status: JsonObject = { replicas, observedGeneration: num(metaOf(cur).generation) ?? 1 };
    if (ready > 0) Object.assign(status, { readyReplicas: ready, availableReplicas: ready, fullyLabeledReplicas: replicas });
    this.store.setStatus(rsType, ns, String(m.name), status);
  }

  private writeStatus(d: JsonObject, s: { desired: number; newPods: JsonObject[]; oldPods: JsonObject[]; unavailable: number; nowMs: number; newRsName: string }): void {
    const meta = metaOf(d);
    const spec = isObject(d.spec) ? d.spec : {};
    const generation = num(meta.generation) ?? 1;
    const total = s.newPods.length + s.oldPods.length;
    const ready = [...s.newPods, ...s.oldPods].filter(isReady).length;
    const updated = s.newPods.length;
    const status: JsonObject = { observedGeneration: generation };
    const setOrDrop = (k: string, v: number): void => {
      // The real API omits zero counts from deployment status.
      if (v > 0) status[k] = v;
    };
    setOrDrop('replicas', total);
    setOrDrop('updatedReplicas', updated);
    setOrDrop('readyReplicas', ready);
    setOrDrop('availableReplicas', ready);
    setOrDrop('unavailableReplicas', Math.max(0, s.desired - ready));
    const complete = updated === s.desired && s.oldPods.length === 0 && s.newPods.filter(isReady).length === s.desired;
    const uid = String(meta.uid ?? '');
    const progressKey = `${s.newRsName}/${updated}/${ready}/${s.oldPods.length}/${generation}`;
    const last = this.progressAt.get(uid);
    if (!last || last.key !== progressKey) this.progressAt.set(uid, { ms: s.nowMs, key: progressKey });
    const sinceMs = s.nowMs - (this.progressAt.get(uid)?.ms ?? s.nowMs);
    const deadlineMs = (num(spec.progressDeadlineSeconds) ?? 600) * 1000 * (this.options.progressDeadlineScale ?? 1);
    const available = ready >= s.desired - s.unavailable;
    const stamp = nowIso(this.progressAt.get(uid)?.ms ?? s.nowMs);
    const progressing = complete
      ? { status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${s.newRsName}" has successfully progressed.` }
      : sinceMs > deadlineMs
        ? { status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${s.newRsName}" has timed out progressing.` }
        : { status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${s.newRsName}" is progressing.` };
    status.conditions = [
      {
        type: 'Available',
        status: available ? 'True' : 'False',
        reason: available ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
        message: available ? 'Deployment has minimum availability.' : 'Deployment does not have minimum availability.',
        lastUpdateTime: stamp,
        lastTransitionTime: stamp,
      },
      { type: 'Progressing', ...progressing, lastUpdateTime: stamp, lastTransitionTime: stamp },
    ];
    this.store.setStatus(this.store.type('apps', 'deployments'), String(meta.namespace), String(meta.name), status);
  }

  private createPod(ns: string, rs: JsonObject, template: JsonObject, hash: string): JsonObject {
    const rsMeta = metaOf(rs);
    const tmeta = isObject(template.metadata) ? template.metadata : {};
    const labels = { ...(isObject(tmeta.labels) ? tmeta.labels : {}), 'pod-template-hash': hash };
    const pod: JsonObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `${String(rsMeta.name)}-${podSuffix()}`,
        namespace: ns,
        labels,
        annotations: isObject(tmeta.annotations) ? tmeta.annotations : {},
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: String(rsMeta.name), uid: String(rsMeta.uid ?? ''), controller: true, blockOwnerDeletion: true }],
      },
      spec: isObject(template.spec) ? template.spec : {},
      status: { phase: 'Pending', conditions: [{ type: 'Ready', status: 'False' }] },
    };
    return this.store.create(this.store.type('', 'pods'), ns, pod);
  }
}
