// The five suites beside the original four, on the simulated cluster as `suites apply`,
// `disrupt --dry-run` and `disrupt` use them: chaos-partial, chaos-total and canary-upgrader
// disrupt and leave the cluster as they found it (replicas, objects, labels, an empty
// journal); sds-certmanager's manifests apply; logs-checker's `logs` checks read the pods'
// logs and fail on too many error lines. Durations come down through the suites' params.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSuitesConfig } from './suite-config.js';
import { CONTROL_PLANE, controlPlaneDeployment } from './crash-harness.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { KubernetesObject } from '@kubernetes/client-node';
import { startFakeKubeApi, type FakeKubeApi } from '../../../simulator/kube-api/index.js';
import { podLogsOf } from '../../../simulator/kube-api/pod-logs.js';
import { CERT_MANAGER_TYPES } from '../../../simulator/certmanager-metrics.js';
import { startRedis, waitFor, type RunningRedis } from '../../harness/index.js';
import { applyManifests, createKubeClients, getScale, type KubeContext } from '../../../src/adapters/kube/index.js';
import { readObject } from '../../../src/adapters/kube/objects.js';
import { kubeLogsReader } from '../../../src/adapters/kube/pod-logs.js';
import { kubeClusterOps } from '../../../src/adapters/kube/cluster-ops.js';
import { loadConfig } from '../../../src/config/load-config.js';
import type { Config, Suite } from '../../../src/config/model.js';
import { renderManifests } from '../../../src/config/suites/render-manifests.js';
import { createDisruptionRunner } from '../../../src/disruption/runner.js';
import { formatPlan } from '../../../src/disruption/dry-run-plan.js';
import { evaluateGroup } from '../../../src/checks/evaluate-group.js';
import { scaledMs } from '../../../simulator/local/wait-for.js';

const NEW_SUITES = ['chaos-partial', 'chaos-total', 'canary-upgrader', 'logs-checker', 'sds-certmanager'];
let api: FakeKubeApi;
let kube: KubeContext;
let redisServer: RunningRedis;
let redis: Redis;
let dir: string;
let config: Config;

const suite = (name: string): Suite => config.suites.find((s) => s.name === name)!;
const runner = () => createDisruptionRunner({ ops: kubeClusterOps(kube), redis, pollMs: 20, lockTtlMs: 2000 });

beforeAll(async () => {
  api = await startFakeKubeApi({ rolloutStepMs: 10 });
  for (const t of CERT_MANAGER_TYPES) api.store.catalogue.add(t);
  kube = createKubeClients(api.kubeconfigPath, { retry: { baseDelayMs: 5, maxDelayMs: 20, requestTimeoutMs: 5000, totalMs: 10_000 } });
  redisServer = await startRedis();
  redis = new Redis(redisServer.url);
  await applyManifests(kube, CONTROL_PLANE.map((n) => controlPlaneDeployment(n, 2)));
  dir = await mkdtemp(join(tmpdir(), 'mesh-soak-new-suites-'));
  const file = await writeSuitesConfig(dir, {
    redisUrl: redisServer.url,
    kubeconfig: api.kubeconfigPath,
    suites: [
      '  - use: chaos-partial',
      '  - use: chaos-total',
      '    params: { downFor: 200ms }',
      '  - use: canary-upgrader',
      '    params: { soak: 100ms }',
      '  - use: logs-checker',
      '  - use: sds-certmanager',
    ],
  });
  config = await loadConfig(file, { env: {} });
  for (const name of NEW_SUITES) await applyManifests(kube, (await renderManifests(suite(name))) as KubernetesObject[]);
}, scaledMs(120_000));

afterAll(async () => {
  redis?.disconnect();
  await redisServer?.stop();
  await api?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the five suites beside the original four', () => {
  it('load, render and plan a dry run', async () => {
    expect(config.suites.map((s) => s.name)).toEqual(NEW_SUITES);
    expect(formatPlan(suite('chaos-partial'), 0)).toContain('choose 1 of [istiod, istio-ingressgateway] as component');
    expect(formatPlan(suite('chaos-total'), 0)).toMatch(/scale \{\{choice\.components\}\} in istio-system to 0/);
    expect(formatPlan(suite('canary-upgrader'), 0)).toContain('applyManifest canary-revision.yaml');
    expect(suite('logs-checker').checks.every((c) => c.logs?.windowMs === 86_400_000)).toBe(true);
    expect((await renderManifests(suite('sds-certmanager'))).map((o) => o.kind)).toContain('Certificate');
  });

  it('chaos-partial deletes all pods but one of the picked component; the controller brings them back', async () => {
    expect(await runner().run(suite('chaos-partial'), { id: 'cp-1', scheduledAt: Date.UTC(2026, 5, 1) })).toMatchObject({ outcome: 'success' });
    const deletes = api.requests.filter((r) => r.method === 'DELETE' && r.path.startsWith('/api/v1/namespaces/istio-system/pods/'));
    expect(deletes.length).toBe(1);
    expect(await redis.hlen('mesh-soak:restore-journal:chaos-partial')).toBe(0);
  });

  it('chaos-total scales 1-2 picked components to 0 and restores their replicas', async () => {
    expect(await runner().run(suite('chaos-total'), { id: 'ct-1', scheduledAt: Date.UTC(2026, 5, 1) })).toMatchObject({ outcome: 'success' });
    const scaledToZero = api.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith('/scale') && JSON.stringify(r.body).includes('"replicas":0'));
    expect(scaledToZero.length).toBeGreaterThanOrEqual(1);
    expect(scaledToZero.length).toBeLessThanOrEqual(2);
    for (const d of ['istiod', 'istio-ingressgateway']) expect(await getScale(kube, 'istio-system', d)).toBe(2);
    expect(await redis.hlen('mesh-soak:restore-journal:chaos-total')).toBe(0);
  });

  it('canary-upgrader moves the load to the canary and back, and removes the canary', async () => {
    const ns = 'istio-stability-canary-upgrader';
    expect(await runner().run(suite('canary-upgrader'), { id: 'cu-1', scheduledAt: Date.UTC(2026, 5, 1) })).toMatchObject({ outcome: 'success' });
    const relabels = api.requests.filter((r) => r.method === 'PATCH' && r.path === `/api/v1/namespaces/${ns}` && r.contentType === 'application/merge-patch+json').map((r) => r.body);
    expect(relabels[0]).toEqual({ metadata: { labels: { 'istio-injection': null, 'istio.io/rev': 'canary' } } });
    const nsObj = await readObject(kube, { apiVersion: 'v1', kind: 'Namespace', name: ns });
    const labels = (nsObj?.['metadata'] as { labels: Record<string, string> }).labels;
    expect(labels['istio-injection']).toBe('enabled');
    expect(labels['istio.io/rev']).toBeUndefined();
    expect(await readObject(kube, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'istiod-canary', namespace: 'istio-system' })).toBeNull();
    expect(await readObject(kube, { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', name: 'istio-sidecar-injector-canary-istio-system' })).toBeNull();
    expect(await redis.hlen('mesh-soak:restore-journal:canary-upgrader')).toBe(0);
  }, scaledMs(60_000));

  it('logs-checker fails on a container with more than 100 error lines in istio-system', async () => {
    // The disruptions before this one replaced istiod's pods: a pod still shown Running may be
    // terminating (deletionTimestamp set) and gone before its logs are read. Wait until every
    // istiod pod is running and none is being deleted, then pick one.
    let pod = '';
    let seen = '';
    await waitFor(async () => {
      const list = await kube.core.listNamespacedPod({ namespace: 'istio-system', labelSelector: 'app=istiod' });
      seen = list.items.map((p) => `${p.metadata?.name}:${p.status?.phase}${p.metadata?.deletionTimestamp ? ':deleting' : ''}`).join(', ');
      const settled = list.items.length > 0 && list.items.every((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp);
      pod = settled ? (list.items[0]?.metadata?.name ?? '') : '';
      return pod !== '';
    }, { timeoutMs: 20_000, intervalMs: 50, what: 'istiod pods all running, none terminating', seen: () => seen });
    podLogsOf(api.store).append('istio-system', pod, 'discovery', Array.from({ length: 120 }, (_, i) => `error: push ${i} failed`));
    const checks = suite('logs-checker').checks;
    const noPrometheus = { query: () => Promise.reject(new Error('not used')), close: () => Promise.resolve() };
    const { records } = await evaluateGroup({ checks }, noPrometheus, {}, Date.now(), { logs: kubeLogsReader(kube) });
    expect(records['istio-system-errors']?.state).toBe('failing');
    const failing = Object.values(records['istio-system-errors']?.instances ?? {}).find((i) => i.state === 'failing');
    expect(failing?.labels).toEqual({ namespace: 'istio-system', pod, container: 'discovery' });
    expect(failing?.summary).toContain('logged 120 error/warn lines');
  }, scaledMs(60_000));
});
