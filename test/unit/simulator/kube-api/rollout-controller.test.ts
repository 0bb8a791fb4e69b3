// The stand-in's Deployment controller stepped by hand with a simulated clock: rolling updates
// stay within maxSurge/maxUnavailable, ReplicaSets per template, gateway pods held unready
// while istiod is down, ProgressDeadlineExceeded, and deletion/GC as a cluster does them.

import { describe, expect, it } from 'vitest';
import { isReady, rollingBounds, RolloutController } from '../../../../simulator/kube-api/rollout-controller.js';
import { FakeStore } from '../../../../simulator/kube-api/store.js';
import type { JsonObject } from '../../../../simulator/kube-api/json.js';

const STEP = 100;

function setup(): { store: FakeStore; ctl: RolloutController; t: { now: number } } {
  const store = new FakeStore();
  store.gracePeriodScale = 0.01;
  store.ensureNamespace('default');
  return { store, ctl: new RolloutController(store, STEP, { podReadyMs: 3 * STEP }), t: { now: Date.now() } };
}

function deploy(name: string, replicas: number, image = 'nginx:1', strategy: JsonObject = {}): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: { replicas, selector: { matchLabels: { app: name } }, strategy, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image }] } } },
  };
}

function pods(store: FakeStore, app: string): JsonObject[] {
  return store.list(store.type('', 'pods'), 'default', `app=${app}`).filter((p) => (p.metadata as JsonObject).deletionTimestamp === undefined);
}

function run(ctl: RolloutController, t: { now: number }, steps: number, each: () => void = () => undefined): void {
  for (let i = 0; i < steps; i++) {
    t.now += STEP;
    ctl.step(t.now);
    each();
  }
}

function setImage(store: FakeStore, name: string, image: string): void {
  const d = store.read('apps/v1', 'Deployment', 'default', name) as JsonObject & { spec: { template: { spec: { containers: Array<{ image: string }> } } } };
  d.spec.template.spec.containers[0]!.image = image;
  store.update(store.type('apps', 'deployments'), 'default', { ...d, metadata: { ...(d.metadata as JsonObject), resourceVersion: '' } });
}

describe('rolling update bounds', () => {
  it('resolves percentages as the controller does (surge up, unavailable down, never both 0)', () => {
    expect(rollingBounds({}, 4)).toEqual({ surge: 1, unavailable: 1 });
    expect(rollingBounds({}, 1)).toEqual({ surge: 1, unavailable: 0 });
    expect(rollingBounds({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } }, 3)).toEqual({ surge: 0, unavailable: 1 });
    expect(rollingBounds({ strategy: { type: 'Recreate' } }, 3)).toEqual({ surge: 0, unavailable: 3 });
  });

  it('replaces every pod of a new template, never above replicas+maxSurge nor below replicas-maxUnavailable ready', () => {
    const { store, ctl, t } = setup();
    store.put(deploy('web', 4, 'nginx:1', { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }));
    run(ctl, t, 10);
    expect(pods(store, 'web').filter(isReady)).toHaveLength(4);
    setImage(store, 'web', 'nginx:2');
    let most = 0;
    let fewestReady = 4;
    run(ctl, t, 60, () => {
      most = Math.max(most, pods(store, 'web').length);
      fewestReady = Math.min(fewestReady, pods(store, 'web').filter(isReady).length);
    });
    expect(most).toBe(5);
    expect(fewestReady).toBe(4);
    const live = pods(store, 'web');
    expect(live.map((p) => ((p.spec as JsonObject).containers as JsonObject[])[0]?.image)).toEqual(['nginx:2', 'nginx:2', 'nginx:2', 'nginx:2']);
    const d = store.read('apps/v1', 'Deployment', 'default', 'web') as { metadata: { generation: number }; status: JsonObject };
    expect(d.status).toMatchObject({ observedGeneration: d.metadata.generation, updatedReplicas: 4, readyReplicas: 4, availableReplicas: 4 });
    const rs = store.list(store.type('apps', 'replicasets'), 'default');
    expect(rs.map((r) => (r.spec as JsonObject).replicas).sort()).toEqual([0, 4]);
  });

  it('a pod that never turns ready: the old one stays, and the deadline turns Progressing False', () => {
    const { store, ctl, t } = setup();
    const d = deploy('stuck', 1);
    (d.spec as JsonObject).progressDeadlineSeconds = 2;
    store.put(d);
    run(ctl, t, 10);
    setImage(store, 'stuck', 'registry.invalid/x:1');
    run(ctl, t, 30);
    const s = (store.read('apps/v1', 'Deployment', 'default', 'stuck') as { status: { availableReplicas: number; conditions: JsonObject[] } }).status;
    expect(s.availableReplicas).toBe(1);
    expect(s.conditions.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded' });
  });

  it('an ingress gateway pod stays unready while istiod has no available replica', () => {
    const { store, ctl, t } = setup();
    store.put(deploy('istiod', 1));
    store.put(deploy('istio-ingressgateway', 1));
    run(ctl, t, 10);
    const pilot = store.read('apps/v1', 'Deployment', 'default', 'istiod') as JsonObject & { spec: { replicas: number } };
    store.update(store.type('apps', 'deployments'), 'default', { ...pilot, spec: { ...pilot.spec, replicas: 0 }, metadata: { ...(pilot.metadata as JsonObject), resourceVersion: '' } });
    run(ctl, t, 10);
    setImage(store, 'istio-ingressgateway', 'istio/proxyv2:2');
    run(ctl, t, 20);
    const gw = pods(store, 'istio-ingressgateway');
    expect(gw).toHaveLength(2);
    expect(gw.filter(isReady)).toHaveLength(1); // the old pod serves, the new one waits
    const back = store.read('apps/v1', 'Deployment', 'default', 'istiod') as JsonObject & { spec: { replicas: number } };
    store.update(store.type('apps', 'deployments'), 'default', { ...back, spec: { ...back.spec, replicas: 1 }, metadata: { ...(back.metadata as JsonObject), resourceVersion: '' } });
    run(ctl, t, 20);
    expect(pods(store, 'istio-ingressgateway').map((p) => ((p.spec as JsonObject).containers as JsonObject[])[0]?.image)).toEqual(['istio/proxyv2:2']);
  });
});

describe('deletion', () => {
  it('a pod is Terminating for its (scaled) grace period, then gone; a namespace goes once empty; owners are collected', () => {
    const { store, ctl, t } = setup();
    store.ensureNamespace('ns1');
    store.put({ ...deploy('web', 1), metadata: { name: 'web', namespace: 'ns1' } });
    run(ctl, t, 10);
    const podType = store.type('', 'pods');
    const [pod] = store.list(podType, 'ns1');
    const name = String((pod?.metadata as JsonObject).name);
    const gone = store.delete(podType, 'ns1', name);
    expect((gone.metadata as JsonObject).deletionTimestamp).toBeDefined();
    expect(store.get(podType, 'ns1', name)).toBeDefined();
    store.delete(store.type('', 'namespaces'), '', 'ns1');
    expect(() => store.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'ns1' } })).toThrow(/being terminated/);
    t.now = Date.now() + 1_000;
    run(ctl, t, 3);
    expect(store.get(podType, 'ns1', name)).toBeUndefined();
    expect(store.get(store.type('', 'namespaces'), '', 'ns1')).toBeUndefined();
  });
});
