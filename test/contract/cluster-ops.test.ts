// The ClusterOps contract against kubeClusterOps (client-node over the Kubernetes stand-in,
// one fake API server for the file) and against RecordingClusterOps, the fake the runner's
// logic tests use.

import type { KubernetesObject } from '@kubernetes/client-node';
import { afterAll, beforeAll } from 'vitest';
import { kubeClusterOps } from '../../src/adapters/kube/cluster-ops.js';
import { applyManifests, createKubeClients, RESTARTED_AT, waitRollout, type KubeContext } from '../../src/adapters/kube/index.js';
import type { ClusterOps } from '../../src/disruption/cluster-ops.js';
import { startFakeKubeApi, type FakeKubeApi } from '../../simulator/kube-api/index.js';
import { RecordingClusterOps } from '../integration/suites/recording-cluster-ops.js';
import { clusterOpsContract, type SeedDeployment } from './cluster-ops.contract.js';

let api: FakeKubeApi | undefined;
let kube: KubeContext | undefined;
let ops: ClusterOps | undefined;
let seq = 0;

beforeAll(async () => {
  api = await startFakeKubeApi({ rolloutStepMs: 10 });
  kube = createKubeClients(api.kubeconfigPath, { retry: { baseDelayMs: 5, maxDelayMs: 20, requestTimeoutMs: 2_000, totalMs: 10_000 } });
  ops = kubeClusterOps(kube);
});
afterAll(async () => {
  await api?.stop();
});

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} did not start`);
  return value;
}

function deployment(namespace: string, d: SeedDeployment): KubernetesObject {
  const env = Object.entries(d.env ?? {}).map(([name, value]) => ({ name, value }));
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: d.name, namespace, labels: { app: d.name } },
    spec: {
      replicas: d.replicas,
      selector: { matchLabels: { app: d.name } },
      template: {
        metadata: { labels: { app: d.name } },
        spec: { containers: [{ name: 'main', image: 'fortio/fortio', ...(env.length ? { env } : {}) }, { name: 'helper', image: 'busybox' }] },
      },
    },
  } as KubernetesObject;
}

interface LiveDeployment {
  spec: { template: { metadata?: { annotations?: Record<string, string> }; spec: { containers: Array<{ env?: Array<{ name: string; value?: string }> }> } } };
}

function live(namespace: string, name: string): LiveDeployment {
  const d = need(api, 'the fake API').store.read('apps/v1', 'Deployment', namespace, name);
  if (!d) throw new Error(`deployment ${namespace}/${name} is not in the fake API`);
  return d as unknown as LiveDeployment;
}

clusterOpsContract('kubeClusterOps over the Kubernetes stand-in', {
  ops: () => need(ops, 'the fake API'),
  namespace: () => `contract-${++seq}`,
  seed: async (namespace, deployments) => {
    const ctx = need(kube, 'the fake API');
    await applyManifests(ctx, [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
      ...deployments.map((d) => deployment(namespace, d)),
    ]);
    for (const d of deployments) await waitRollout(ctx, namespace, d.name, { timeoutMs: 10_000, pollMs: 10 });
  },
  observe: {
    pods: async (namespace, selector) => {
      const store = need(api, 'the fake API').store;
      return store
        .list(store.type('', 'pods'), namespace, selector)
        .filter((p) => (p.metadata as { deletionTimestamp?: string }).deletionTimestamp === undefined)
        .map((p) => String((p.metadata as { name: string }).name))
        .sort();
    },
    env: async (namespace, name) =>
      live(namespace, name).spec.template.spec.containers.map((c) => Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value ?? '']))),
    restartedAt: async (namespace, name) => live(namespace, name).spec.template.metadata?.annotations?.[RESTARTED_AT],
  },
  capabilities: { pods: true, env: true, restarts: true },
});

const recording = new RecordingClusterOps();
clusterOpsContract('RecordingClusterOps (test fake)', {
  ops: () => recording,
  namespace: () => `contract-${++seq}`,
  seed: async (namespace, deployments) => {
    for (const d of deployments) recording.replicas.set(`${namespace}/${d.name}`, d.replicas);
  },
  // It keeps replica counts and records calls; it has no pods, no env, no pod template.
  capabilities: { pods: false, env: false, restarts: false },
  knownFailures: {
    // Divergences of the fake from the port (recording-cluster-ops.ts): it answers for any
    // deployment (getScale defaults to 1), validates nothing and ignores the signal.
    'scale-invalid': 'RecordingClusterOps accepts any replica count',
    'wait-aborted': 'RecordingClusterOps.waitRollout ignores its signal',
    'delete-pods-invalid': 'RecordingClusterOps accepts any keep',
    'missing-get-scale': 'RecordingClusterOps answers 1 for a deployment it was never given',
    'missing-set-scale': 'RecordingClusterOps creates the deployment it is asked to scale',
    'missing-restart': 'RecordingClusterOps restarts any deployment',
    'missing-wait': 'RecordingClusterOps waits for any deployment',
  },
});
