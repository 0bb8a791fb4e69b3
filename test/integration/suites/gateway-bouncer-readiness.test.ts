// gateway-bouncer's premise on the Kubernetes stand-in: the shipped suite's disruption scales
// istiod to 0 and restarts the ingress gateway; the new gateway pod must stay unready while
// its pilot is down (the stand-in's rollout controller decides readiness as Istio would: a
// gateway is not ready until configured), and turn ready once istiod is back. The suite is the
// shipped one (manifests and steps), run by the real disruption runner with a real Redis.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeSuitesConfig } from './suite-config.js';
import type { KubernetesObject } from '@kubernetes/client-node';
import { startRedis, type RunningRedis } from '../../harness/index.js';
import { startFakeKubeApi, type FakeKubeApi } from '../../../simulator/kube-api/index.js';
import { applyManifests, createKubeClients, waitRollout, type KubeContext } from '../../../src/adapters/kube/index.js';
import { kubeClusterOps } from '../../../src/adapters/kube/cluster-ops.js';
import { loadConfig } from '../../../src/config/index.js';
import { renderManifests } from '../../../src/config/suites/render-manifests.js';
import { createDisruptionRunner } from '../../../src/disruption/runner.js';
import type { Suite } from '../../../src/config/model.js';
import { scaledMs } from '../../../simulator/local/wait-for.js';

// The shipped suite's own namespace (suites/gateway-bouncer/suite.yaml).
const NS = 'istio-stability-gateway-bouncer';
let redisServer: RunningRedis;
let redis: Redis;
let api: FakeKubeApi;
let kube: KubeContext;
let dir: string;
let suite: Suite;

beforeAll(async () => {
  [redisServer, api] = await Promise.all([startRedis(), startFakeKubeApi({ rolloutStepMs: 20, podReadyMs: 100 })]);
  redis = new Redis(redisServer.url);
  dir = await mkdtemp(join(tmpdir(), 'mesh-soak-bouncer-'));
  const file = await writeSuitesConfig(dir, {
    redisUrl: redisServer.url,
    kubeconfig: api.kubeconfigPath,
    // Pilot down for 3 s: ~30 times the time a pod needs to turn ready here.
    suites: ['  - { use: gateway-bouncer, params: { pilotOutage: 3s } }'],
  });
  const config = await loadConfig(file, { env: {} });
  suite = config.suites[0]!;
  kube = createKubeClients(api.kubeconfigPath);
  await applyManifests(kube, (await renderManifests(suite)) as KubernetesObject[]);
  for (const d of ['istiod', 'istio-ingressgateway']) await waitRollout(kube, NS, d, { timeoutMs: 120_000, pollMs: 20 });
}, scaledMs(300_000));

afterAll(async () => {
  redis?.disconnect();
  await Promise.all([api?.stop(), redisServer?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface GatewayPod {
  name: string;
  ready: boolean;
  terminating: boolean;
}

function gatewayPods(): GatewayPod[] {
  const podType = api.store.type('', 'pods');
  return api.store
    .list(podType, NS)
    .map((p) => p as { metadata: { name: string; deletionTimestamp?: string }; status?: { conditions?: Array<{ type: string; status: string }> } })
    .filter((p) => p.metadata.name.startsWith('istio-ingressgateway-'))
    .map((p) => ({
      name: p.metadata.name,
      ready: (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
      terminating: p.metadata.deletionTimestamp !== undefined,
    }));
}

it('holds the new gateway pod unready while pilot is down, and ready once pilot is back', async () => {
  const before = new Set(gatewayPods().map((p) => p.name));
  const seenDuringOutage: GatewayPod[][] = [];
  const runner = createDisruptionRunner({
    ops: kubeClusterOps(kube),
    redis,
    pollMs: 50,
    // Right after the sleep, before the step that scales istiod back: pilot has been down all along.
    onStep: (_suite, step, outcome) => {
      if ('sleep' in step && outcome === 'success') seenDuringOutage.push(gatewayPods().filter((p) => !before.has(p.name)));
    },
  });
  const result = await runner.run(suite, { id: 'bouncer-ready-1', scheduledAt: Date.UTC(2026, 0, 1) });
  expect(result.outcome, JSON.stringify(result)).toBe('success');

  expect(seenDuringOutage).toHaveLength(1);
  const fresh = seenDuringOutage[0]!;
  expect(fresh.length, 'the restart created a new gateway pod').toBeGreaterThan(0);
  expect(fresh.filter((p) => p.ready), 'new gateway pods ready while istiod was down').toEqual([]);

  // Pilot back, the rollout waited for: the gateway's live pods are ready.
  const live = gatewayPods().filter((p) => !p.terminating);
  expect(live.length).toBeGreaterThan(0);
  expect(live.every((p) => p.ready)).toBe(true);
});
