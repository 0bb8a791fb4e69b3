// kustomize (deploy/) and Helm (charts/mesh-soak) render the same objects for the same choices:
// the same kind/namespace/name set and, object by object, the same content — containers, env,
// probes, security, RBAC rules, selectors, labels, annotations, volumes, the config — once the
// differences that are each tool's own way of doing one thing are normalised:
//   - Helm's bookkeeping labels (helm.sh/chart, managed-by, instance, version);
//   - how a config change rolls the pods: kustomize's hashed ConfigMap name
//     (mesh-soak-config-<hash>) vs Helm's checksum/config pod annotation;
//   - the config file's text (comments, key order): compared parsed;
//   - Namespace mesh-soak, which kustomize creates and Helm leaves to --create-namespace.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { arr, DEPLOY, obj, type K8sObject, type Obj } from '../../unit/deploy/manifests.js';
import { helmSetup, helmTemplate, kustomizeOwn, overlay } from '../../unit/deploy/render.js';

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

function expectSame(kustomized: K8sObject[], helmed: K8sObject[]): void {
  const k = byKey(kustomized, true);
  const h = byKey(helmed, false);
  expect([...h.keys()].sort()).toEqual([...k.keys()].sort());
  for (const [name, o] of k) expect(h.get(name), name).toEqual(o);
}

const release = (value: string) =>
  ['patches:', '  - target: { group: monitoring.coreos.com }', '    patch: |-', '      - op: add', '        path: /metadata/labels/release', `        value: ${value}`].join('\n');

describe('kustomize and Helm render the same objects', () => {
  it('plain Prometheus: deploy/overlays/plain-prometheus = the chart\'s defaults = ci/plain-prometheus-values.yaml', () => {
    expectSame(overlay('plain-prometheus'), helmTemplate());
    expectSame(overlay('plain-prometheus'), helmSetup('plain-prometheus'));
  });

  it('kube-prometheus-stack: the overlay = ci/kube-prometheus-stack-values.yaml', () => {
    expectSame(overlay('kube-prometheus-stack'), helmSetup('kube-prometheus-stack'));
  });

  it('kube-prometheus-stack with release=X: the overlay plus the release patch = the values plus the release labels', () => {
    const kustomized = kustomizeOwn(['resources: ["{{deploy}}/overlays/kube-prometheus-stack"]', release('monitoring-x')].join('\n'));
    const helmed = helmTemplate({
      values: ['ci/kube-prometheus-stack-values.yaml'],
      set: ['serviceMonitor.labels.release=monitoring-x', 'prometheusRule.labels.release=monitoring-x'],
    });
    expectSame(kustomized, helmed);
    const labels = kustomized.filter((o) => String(o.o.apiVersion).startsWith('monitoring.coreos.com/')).map((o) => obj(obj(o.o.metadata).labels).release);
    expect(labels).toEqual(['monitoring-x', 'monitoring-x']);
  });

  it('Istio\'s sample addons: the overlay = ci/istio-sample-addons-values.yaml', () => {
    expectSame(overlay('istio-sample-addons'), helmSetup('istio-sample-addons'));
  });

  it('a user\'s choices: image, replicas and a Slack webhook, each tool\'s way', () => {
    const config = readFileSync(join(DEPLOY, 'base/config.yaml'), 'utf8').replace(
      'notify:\n',
      'notify:\n  webhooks:\n    - { name: slack, url: "${SLACK_WEBHOOK_URL}", format: slack }\n',
    );
    const kustomized = kustomizeOwn(
      [
        'resources: ["{{deploy}}/overlays/plain-prometheus"]',
        'images: [{ name: mesh-soak, newName: registry.example.com/team/mesh-soak, newTag: 1.2.3 }]',
        'replicas: [{ name: mesh-soak, count: 3 }]',
        'configMapGenerator:',
        '  - { name: mesh-soak-config, namespace: mesh-soak, behavior: replace, files: [config.yaml] }',
      ].join('\n'),
      { 'config.yaml': config },
    );
    const helmed = helmTemplate({
      set: ['image.repository=registry.example.com/team/mesh-soak', 'image.tag=1.2.3', 'replicas=3', 'webhooks.slack.enabled=true'],
    });
    expectSame(kustomized, helmed);
  });

  it('notices a difference (the comparison is not vacuous)', () => {
    expect(() => expectSame(overlay('plain-prometheus'), helmTemplate({ set: ['replicas=1'] }))).toThrow(/Deployment\/mesh-soak\/mesh-soak/);
    expect(() => expectSame(overlay('plain-prometheus'), helmSetup('kube-prometheus-stack'))).toThrow();
  });
});
