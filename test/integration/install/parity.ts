// Test helper: "kustomize and Helm render the same objects". Whole objects are compared after
// normalising only what is each tool's own way of doing one thing:
//   - Helm's bookkeeping labels (helm.sh/chart, managed-by, instance, version);
//   - how a config change rolls the pods: kustomize's hashed ConfigMap name
//     (mesh-soak-config-<hash>) vs Helm's checksum/config pod annotation;
//   - the config file's text (comments, key order): compared parsed;
//   - Namespace mesh-soak, which kustomize creates and Helm leaves to --create-namespace.
import { expect } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { arr, obj, type K8sObject, type Obj } from '../../unit/deploy/manifests.js';

const HELM_ONLY_LABELS = ['helm.sh/chart', 'app.kubernetes.io/managed-by', 'app.kubernetes.io/instance', 'app.kubernetes.io/version'];
const CONFIG = /^mesh-soak-config(-[a-z0-9]{10})?$/;

function normalise(o: K8sObject): Obj {
  const c = structuredClone(o.o);
  const meta = obj(c.metadata);
  const labels = obj(meta.labels);
  for (const l of HELM_ONLY_LABELS) delete labels[l];
  if (c.kind === 'ConfigMap' && CONFIG.test(String(meta.name))) {
    meta.name = 'mesh-soak-config';
    const data = obj(c.data);
    data['config.yaml'] = parseYaml(String(data['config.yaml'])) as unknown;
  }
  const template = obj(obj(c.spec).template);
  const annotations = obj(obj(template.metadata).annotations);
  delete annotations['checksum/config'];
  for (const v of arr(obj(template.spec).volumes).map(obj)) {
    const cm = obj(v.configMap);
    if (CONFIG.test(String(cm.name))) cm.name = 'mesh-soak-config';
  }
  return c;
}

const key = (o: Obj): string => `${String(o.kind)}/${String(obj(o.metadata).namespace ?? '')}/${String(obj(o.metadata).name)}`;

function byKey(objects: K8sObject[], dropReleaseNamespace: boolean): Map<string, Obj> {
  return new Map(
    objects
      .filter((o) => !(dropReleaseNamespace && o.kind === 'Namespace' && o.name === 'mesh-soak'))
      .map(normalise)
      .map((o) => [key(o), o]),
  );
}

/** Fails, naming the first object that differs, unless both renderings hold the same objects. */
export function expectSame(kustomized: K8sObject[], helmed: K8sObject[]): void {
  const k = byKey(kustomized, true);
  const h = byKey(helmed, false);
  expect([...h.keys()].sort()).toEqual([...k.keys()].sort());
  for (const [name, o] of k) expect(h.get(name), name).toEqual(o);
}

