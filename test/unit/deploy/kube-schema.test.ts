// Kubernetes schema validation of what users apply: every overlay of deploy/ as kubectl
// renders it, the Helm chart as `helm template` renders it for each setup, and the suites'
// objects. Built-in kinds through `kubernetes-models`, the prometheus-operator kinds
// (ServiceMonitor, PrometheusRule) through `@kubernetes-models/prometheus-operator`. Istio's
// kinds have no maintained schema package and are left out.
import { describe, expect, it } from 'vitest';
import { SHIPPED_SUITES, suiteData, type K8sObject } from './manifests.js';
import { helmSetup, helmTemplate, overlay, SETUPS } from './render.js';

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: unknown) => Validatable;

/** kubernetes-models' module for an apiVersion/kind, e.g. `kubernetes-models/apps/v1/Deployment`. */
function modulePath(apiVersion: string, kind: string): string {
  if (apiVersion.startsWith('monitoring.coreos.com/')) return `@kubernetes-models/prometheus-operator/${apiVersion}/${kind}`;
  return `kubernetes-models/${apiVersion}/${kind}`;
}

const SCHEMA_GROUPS = /^(v1|apps\/v1|rbac\.authorization\.k8s\.io\/v1|monitoring\.coreos\.com\/v1)$/;

async function loadModel(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
  try {
    const mod = (await import(modulePath(apiVersion, kind))) as Record<string, unknown>;
    const cls = mod[kind];
    return typeof cls === 'function' ? (cls as ModelClass) : undefined;
  } catch {
    return undefined;
  }
}

async function validateAll(all: K8sObject[]): Promise<number> {
  const builtIn = all.filter(({ o }) => SCHEMA_GROUPS.test(String(o.apiVersion)));
  for (const { file, o, kind, name } of builtIn) {
    const Model = await loadModel(String(o.apiVersion), kind);
    expect(Model, `${file}: no model for ${String(o.apiVersion)} ${kind}`).toBeDefined();
    if (!Model) continue;
    expect(() => new Model(o).validate(), `${file} ${kind}/${name}`).not.toThrow();
  }
  return builtIn.length;
}

const RENDERINGS: [string, () => K8sObject[]][] = [
  ...SETUPS.map((s): [string, () => K8sObject[]] => [`kustomize overlays/${s}`, () => overlay(s)]),
  ...SETUPS.map((s): [string, () => K8sObject[]] => [`helm ci/${s}-values.yaml`, () => helmSetup(s)]),
  // Everything the chart can render at once.
  [
    'helm with every option on',
    () =>
      helmTemplate({
        values: ['ci/istio-sample-addons-values.yaml'],
        set: ['serviceMonitor.enabled=true', 'prometheusRule.enabled=true', 'webhooks.slack.enabled=true', 'redis.storageClassName=fast'],
      }),
  ],
];

describe('Kubernetes schemas', () => {
  it.each(RENDERINGS)('validate every built-in and prometheus-operator object of %s', async (_label, render) => {
    const objects = render();
    expect(objects.map(({ kind }) => kind)).toEqual(expect.arrayContaining(['Deployment', 'StatefulSet', 'Role', 'ClusterRole', 'ConfigMap']));
    expect(await validateAll(objects)).toBe(objects.length);
  });

  it('validate the suites\' objects', async () => {
    const all = SHIPPED_SUITES.flatMap((s) => suiteData(s).objects);
    expect(await validateAll(all)).toBeGreaterThan(10);
  });

  it('cover the operator kinds', () => {
    const kinds = [...overlay('kube-prometheus-stack'), ...helmSetup('kube-prometheus-stack')].map((o) => o.kind);
    expect(kinds).toEqual(expect.arrayContaining(['ServiceMonitor', 'PrometheusRule']));
  });
});
