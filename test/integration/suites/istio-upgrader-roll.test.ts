// The shipped istio-upgrader suite rolls Istio's own deployments in istio-system and leaves
// the addons that live beside them alone: `mesh-soak disrupt istio-upgrader` against the
// Kubernetes stand-in holding what a real istio-system holds (istiod, the ingress and egress
// gateways as Istio's charts label them; Prometheus, Grafana, Kiali, Jaeger, Zipkin and
// kube-state-metrics as their own charts and Istio's samples/addons label them), and a real Redis.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubernetesObject } from '@kubernetes/client-node';
import { startRedis, type RunningRedis } from '../../harness/index.js';
import { startFakeKubeApi, type FakeKubeApi } from '../../../simulator/kube-api/index.js';
import { applyManifests, createKubeClients, waitRollout } from '../../../src/adapters/kube/index.js';
import { disruptCommand } from '../../../src/commands/disrupt.js';
import { scaledMs } from '../../../simulator/local/wait-for.js';

/** Deployment labels in a real istio-system: Istio's components carry `istio`, addons do not. */
const ISTIO_SYSTEM: Record<string, Record<string, string>> = {
  istiod: { app: 'istiod', istio: 'pilot', 'istio.io/rev': 'default', release: 'istio' },
  'istio-ingressgateway': { app: 'istio-ingressgateway', istio: 'ingressgateway', 'app.kubernetes.io/name': 'istio-ingressgateway' },
  'istio-egressgateway': { app: 'istio-egressgateway', istio: 'egressgateway', release: 'istio' },
  prometheus: { app: 'prometheus', component: 'server', 'app.kubernetes.io/name': 'prometheus', release: 'prometheus' },
  grafana: { 'app.kubernetes.io/name': 'grafana', 'app.kubernetes.io/instance': 'grafana' },
  kiali: { app: 'kiali', 'app.kubernetes.io/name': 'kiali', 'app.kubernetes.io/part-of': 'kiali' },
  jaeger: { app: 'jaeger' },
  zipkin: { app: 'zipkin' },
  'kube-state-metrics': { 'app.kubernetes.io/name': 'kube-state-metrics' },
};
const ROLLED = ['istio-egressgateway', 'istio-ingressgateway', 'istiod'];

let redis: RunningRedis;
let api: FakeKubeApi;
let dir: string;

function deployment(name: string, labels: Record<string, string>): KubernetesObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'istio-system', labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: { 'mesh-soak.test/deployment': name } },
      template: { metadata: { labels: { 'mesh-soak.test/deployment': name } }, spec: { containers: [{ name: 'main', image: 'docker.io/istio/pilot:1.24.0' }] } },
    },
  } as KubernetesObject;
}

beforeAll(async () => {
  redis = await startRedis();
  api = await startFakeKubeApi({ rolloutStepMs: 10 });
  const kube = createKubeClients(api.kubeconfigPath);
  await applyManifests(kube, Object.entries(ISTIO_SYSTEM).map(([name, labels]) => deployment(name, labels)));
  for (const name of Object.keys(ISTIO_SYSTEM)) await waitRollout(kube, 'istio-system', name, { timeoutMs: 120_000, pollMs: 20 });
  dir = await mkdtemp(join(tmpdir(), 'mesh-soak-upgrader-'));
  await writeFile(
    join(dir, 'mesh-soak.yaml'),
    'prometheus: { url: http://127.0.0.1:9 }\nredis: { url: "${REDIS_URL}" }\nkubernetes: { kubeconfig: "${KUBECONFIG_PATH}" }\nsuites:\n  - use: istio-upgrader\n',
  );
}, scaledMs(120_000));
afterAll(async () => {
  await api?.stop();
  await redis?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function restartEnv(name: string): string | undefined {
  const d = api.store.read('apps/v1', 'Deployment', 'istio-system', name) as { spec: { template: { spec: { containers: Array<{ env?: Array<{ name: string; value: string }> }> } } } };
  return d.spec.template.spec.containers[0]?.env?.find((e) => e.name === 'LAST_MANUAL_RESTART')?.value;
}

describe('istio-upgrader', () => {
  it('rolls istiod and the gateways, not Prometheus, Grafana, Kiali, tracing or kube-state-metrics', async () => {
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await disruptCommand.run({
      values: { config: join(dir, 'mesh-soak.yaml') },
      positionals: ['istio-upgrader'],
      env: { REDIS_URL: redis.url, KUBECONFIG_PATH: api.kubeconfigPath },
      stdout,
      stderr: new PassThrough(),
    });
    expect(out).toContain('1/2 setEnv LAST_MANUAL_RESTART={{now}} on every deployment matching istio in istio-system: done');
    expect(out).toContain('disruption of istio-upgrader: success');
    expect(code).toBe(0);
    const rolled = Object.keys(ISTIO_SYSTEM).filter((name) => restartEnv(name) !== undefined);
    expect(rolled.sort()).toEqual(ROLLED);
    expect(restartEnv('istiod')).toMatch(/^\d{10}$/);
  });
});
