// The fault tests' own soak: a config and suite folders written to a temp dir (each suite a
// "pilot" and a "gateway" deployment of 2 replicas in its own namespace, disrupted by scale
// + rolloutRestart + waitRollout unless told otherwise), and the suites' manifests applied
// to the fake Kubernetes API as `suites apply` would.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { loadConfig } from '../../../src/config/load-config.js';
import type { Config } from '../../../src/config/model.js';
import { applyManifests, createKubeClients, getScale, type KubeContext } from '../../../src/adapters/kube/index.js';
import { renderManifests } from '../../../src/config/suites/render-manifests.js';

/** Replicas of pilot and gateway before any disruption. */
export const ORIGINAL_REPLICAS = 2;

/** pilot down, gateway restarted and awaited: pilot comes back by the scale's restore. */
export const DISRUPT_STEPS = [
  '{ scale: { deployment: pilot, replicas: 0 } }',
  '{ rolloutRestart: { deployment: gateway } }',
  '{ waitRollout: { deployment: gateway, timeout: 20s } }',
];

export interface FixtureSuite {
  name: string;
  /** YAML flow mapping of the disruption schedule, e.g. `{ every: 5s }` or `{ cron: "0 0 1 1 *" }`. */
  schedule: string;
  steps?: string[];
  /** YAML flow mappings of checks; default one that is always ok. */
  checks?: string[];
  /** The suite entry's `tick` override. */
  tick?: string;
}

export interface FixtureOptions {
  dir: string;
  redisUrl: string;
  prometheusUrl: string;
  kubeconfig: string;
  /** Global tick, e.g. `1s`. */
  tick: string;
  suites: FixtureSuite[];
  /** YAML flow mappings of mesh-wide checks. */
  meshChecks?: string[];
  prometheusTimeout?: string;
}

export const namespaceOf = (suite: string): string => `soak-${suite}`;

const WORKLOADS = ['pilot', 'gateway']
  .map(
    (name) => `---
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: "{{namespace}}" }
spec:
  replicas: ${ORIGINAL_REPLICAS}
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec: { containers: [{ name: c, image: istio/${name} }] }
`,
  )
  .join('');

/** Writes config.yaml and suites/<name>/; returns the config's path. */
export async function writeFixture(o: FixtureOptions): Promise<string> {
  for (const s of o.suites) {
    const dir = join(o.dir, 'suites', s.name);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'workloads.yaml'), `apiVersion: v1\nkind: Namespace\nmetadata: { name: "{{namespace}}" }\n${WORKLOADS}`);
    const checks = s.checks ?? ['{ name: always-ok, query: "vector(0)", fail: "> 0" }'];
    await writeFile(
      join(dir, 'suite.yaml'),
      [
        `name: ${s.name}`,
        'description: a fault-test suite over a fake pilot and gateway',
        `namespace: ${namespaceOf(s.name)}`,
        'manifests: [workloads.yaml]',
        'disruption:',
        `  schedule: ${s.schedule}`,
        '  steps:',
        ...(s.steps ?? DISRUPT_STEPS).map((st) => `    - ${st}`),
        'checks:',
        ...checks.map((c) => `  - ${c}`),
        '',
      ].join('\n'),
    );
  }
  const config = [
    `prometheus: { url: "${o.prometheusUrl}", timeout: ${o.prometheusTimeout ?? '2s'} }`,
    `redis: { url: "${o.redisUrl}" }`,
    `kubernetes: { kubeconfig: "${o.kubeconfig}" }`,
    `tick: ${o.tick}`,
    'suites:',
    ...o.suites.map((s) => `  - { use: ./suites/${s.name}${s.tick ? `, tick: ${s.tick}` : ''} }`),
    ...(o.meshChecks?.length ? ['checks:', ...o.meshChecks.map((c) => `  - ${c}`)] : []),
    '',
  ].join('\n');
  const path = join(o.dir, 'config.yaml');
  await writeFile(path, config);
  return path;
}

/** Loads the config as the daemon will and applies every suite's manifests to the cluster. */
export async function deployFixture(configPath: string, kubeconfig: string): Promise<{ config: Config; kube: KubeContext }> {
  const config = await loadConfig(configPath, { env: {} });
  const kube = createKubeClients(kubeconfig, { retry: { baseDelayMs: 5, maxDelayMs: 50, requestTimeoutMs: 5000, totalMs: 10_000 } });
  for (const suite of config.suites) {
    await applyManifests(kube, (await renderManifests(suite)) as unknown as KubernetesObject[]);
  }
  return { config, kube };
}

/** pilot's and gateway's desired replicas in the suite's namespace. */
export async function replicasOf(kube: KubeContext, suite: string): Promise<{ pilot: number; gateway: number }> {
  const ns = namespaceOf(suite);
  return { pilot: await getScale(kube, ns, 'pilot'), gateway: await getScale(kube, ns, 'gateway') };
}
