// Kubernetes schema validation of deploy/ and the suites' objects: built-in kinds through
// `kubernetes-models`, the prometheus-operator kinds (ServiceMonitor, PrometheusRule)
// through `@kubernetes-models/prometheus-operator`. Istio's kinds have no maintained
// schema package and are left out.
import { describe, expect, it } from 'vitest';
import { deployObjects, SHIPPED_SUITES, suiteData, type K8sObject } from './manifests.js';

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

describe('Kubernetes schemas', () => {
  it('validates every built-in and prometheus-operator object', async () => {
    const all: K8sObject[] = [...deployObjects(), ...SHIPPED_SUITES.flatMap((s) => suiteData(s).objects)];
    const builtIn = all.filter(({ o }) => SCHEMA_GROUPS.test(String(o.apiVersion)));
    expect(builtIn.map(({ kind }) => kind)).toEqual(expect.arrayContaining(['ServiceMonitor', 'PrometheusRule', 'Deployment', 'Role']));
    expect(builtIn.length).toBeGreaterThan(20);
    for (const { file, o, kind, name } of builtIn) {
      const Model = await loadModel(String(o.apiVersion), kind);
      expect(Model, `${file}: no model for ${String(o.apiVersion)} ${kind}`).toBeDefined();
      if (!Model) continue;
      expect(() => new Model(o).validate(), `${file} ${kind}/${name}`).not.toThrow();
    }
  });
});
