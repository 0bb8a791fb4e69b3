// Kubernetes schema validation of deploy/ and the suites' built-in objects, through the
// `kubernetes-models` package when it is installed (it is not a dependency yet). Custom
// resources (Istio, Prometheus operator) have no schema there and are left out.
import { describe, expect, it } from 'vitest';
import { deployObjects, SHIPPED_SUITES, suiteData, type K8sObject } from './manifests.js';

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: unknown) => Validatable;

/** kubernetes-models' module for an apiVersion/kind, e.g. `kubernetes-models/apps/v1/Deployment`. */
function modulePath(apiVersion: string, kind: string): string {
  return `kubernetes-models/${apiVersion}/${kind}`;
}

const BUILT_IN_GROUPS = /^(v1|apps\/v1|rbac\.authorization\.k8s\.io\/v1)$/;

async function loadModel(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
  try {
    const mod = (await import(modulePath(apiVersion, kind))) as Record<string, unknown>;
    const cls = mod[kind];
    return typeof cls === 'function' ? (cls as ModelClass) : undefined;
  } catch {
    return undefined;
  }
}

const installed = (await loadModel('v1', 'Namespace')) !== undefined;

// The skip reason is in the test's name, so a skipped run says what is missing.
const title = installed
  ? 'validate every built-in object'
  : 'validate every built-in object (SKIPPED: the kubernetes-models package is not installed)';

describe('Kubernetes schemas', () => {
  it.skipIf(!installed)(title, async () => {
    const all: K8sObject[] = [...deployObjects(), ...SHIPPED_SUITES.flatMap((s) => suiteData(s).objects)];
    const builtIn = all.filter(({ o }) => BUILT_IN_GROUPS.test(String(o.apiVersion)));
    expect(builtIn.length).toBeGreaterThan(20);
    for (const { file, o, kind, name } of builtIn) {
      const Model = await loadModel(String(o.apiVersion), kind);
      expect(Model, `${file}: no model for ${String(o.apiVersion)} ${kind}`).toBeDefined();
      if (!Model) continue;
      expect(() => new Model(o).validate(), `${file} ${kind}/${name}`).not.toThrow();
    }
  });
});
