// deploy/ as an operator builds it, with the real kubectl's kustomize (v5.7.1, offline): a base
// that needs no CRD, one overlay per setup, `kubectl apply -k deploy/` = plain-prometheus, a
// config change that renames the ConfigMap (so the pods roll), and an `images:` entry that
// points the Deployment at the user's registry. Every file under deploy/ is used or explained.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { arr, DEPLOY, obj, strs, type K8sObject } from './manifests.js';
import { configMapOf, configText, find, kustomize, kustomizeOwn, overlay, podSpecOf, SETUPS } from './render.js';

const key = (o: K8sObject): string => `${o.kind}/${o.namespace ?? ''}/${o.name}`;
const CORE = /^(v1|apps\/v1|rbac\.authorization\.k8s\.io\/v1)$/;
const SCRAPE = { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9464', 'prometheus.io/path': '/metrics' };

const daemon = (objects: K8sObject[]) => find(objects, 'Deployment', 'mesh-soak');
const podAnnotations = (objects: K8sObject[]) => obj(obj(obj(obj(daemon(objects)?.o.spec).template).metadata).annotations);
const container = (objects: K8sObject[]) => obj(arr(podSpecOf(daemon(objects)).containers)[0]);
const configVolume = (objects: K8sObject[]) =>
  obj(arr(podSpecOf(daemon(objects)).volumes).map(obj).find((v) => v.name === 'config')?.configMap).name;

describe('the base', () => {
  const base = kustomize('base');

  it('needs no CRD: only core, apps and RBAC kinds', () => {
    for (const o of base) expect(String(o.o.apiVersion), key(o)).toMatch(CORE);
    expect(base.map((o) => o.kind)).toEqual(expect.arrayContaining(['Namespace', 'Deployment', 'StatefulSet', 'ClusterRole', 'ConfigMap']));
  });

  it('generates the config ConfigMap with a content hash in its name, and the Deployment mounts that name', () => {
    const cm = configMapOf(base);
    expect(cm?.name).toMatch(/^mesh-soak-config-[a-z0-9]{10}$/);
    expect(cm?.namespace).toBe('mesh-soak');
    expect(configVolume(base)).toBe(cm?.name);
    expect(configText(base)).toBe(readFileSync(join(DEPLOY, 'base/config.yaml'), 'utf8'));
  });

  it('pins the image through its `images:` entry', () => {
    expect(container(base).image).toBe('mesh-soak:0.1.0');
  });
});

describe('`kubectl apply -k deploy/`', () => {
  it('renders exactly the plain-prometheus overlay', () => {
    expect(kustomize('.').map((o) => o.o)).toEqual(overlay('plain-prometheus').map((o) => o.o));
  });
});

describe.each(SETUPS)('overlay %s', (setup) => {
  const objects = overlay(setup);

  it('has well-formed objects with unique kind/namespace/name, each labelled part-of mesh-soak', () => {
    const seen = new Set<string>();
    for (const o of objects) {
      expect(o.name, key(o)).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
      expect(seen.has(key(o)), key(o)).toBe(false);
      seen.add(key(o));
      expect(obj(obj(o.o.metadata).labels)['app.kubernetes.io/part-of'], key(o)).toBe('mesh-soak');
    }
  });

  it('holds the whole base, unchanged apart from what the setup adds', () => {
    const keys = objects.map(key);
    for (const o of kustomize('base')) {
      if (o.kind === 'ConfigMap') continue; // replaced by some overlays; checked below
      expect(keys, key(o)).toContain(key(o));
    }
    expect(configVolume(objects)).toBe(configMapOf(objects)?.name);
  });

  it('puts mesh-soak\'s own objects in namespace mesh-soak', () => {
    for (const kind of ['ServiceAccount', 'Deployment', 'Service', 'StatefulSet', 'ServiceMonitor', 'PrometheusRule']) {
      for (const o of objects.filter((x) => x.kind === kind)) expect(o.namespace, key(o)).toBe('mesh-soak');
    }
    expect(configMapOf(objects)?.namespace).toBe('mesh-soak');
  });
});

describe('what each setup adds', () => {
  const crds = (objects: K8sObject[]) => objects.filter((o) => !CORE.test(String(o.o.apiVersion))).map(key).sort();

  it('plain-prometheus: the scrape annotations only', () => {
    const objects = overlay('plain-prometheus');
    expect(crds(objects)).toEqual([]);
    expect(podAnnotations(objects)).toEqual({ 'sidecar.istio.io/inject': 'false', ...SCRAPE });
    expect(objects.map(key).sort()).toEqual(kustomize('base').map(key).sort());
  });

  it('kube-prometheus-stack: ServiceMonitor and PrometheusRule labelled release, dashboards for the sidecar, no annotations', () => {
    const objects = overlay('kube-prometheus-stack');
    expect(crds(objects)).toEqual(['PrometheusRule/mesh-soak/mesh-soak', 'ServiceMonitor/mesh-soak/mesh-soak']);
    for (const kind of ['ServiceMonitor', 'PrometheusRule']) {
      expect(obj(obj(find(objects, kind, 'mesh-soak')?.o.metadata).labels).release, kind).toBe('kube-prometheus-stack');
    }
    const dash = find(objects, 'ConfigMap', 'mesh-soak-dashboards');
    expect(dash?.namespace).toBe('mesh-soak');
    expect(obj(obj(dash?.o.metadata).labels).grafana_dashboard).toBe('1');
    expect(Object.keys(obj(dash?.o.data)).sort()).toEqual(['mesh-soak-benchmark.json', 'mesh-soak-daemon.json', 'mesh-soak-overview.json', 'mesh-soak-suite.json']);
    expect(podAnnotations(objects)).toEqual({ 'sidecar.istio.io/inject': 'false' });
  });

  it('kube-prometheus-stack: the ServiceMonitor scrapes the Service\'s named port at /metrics', () => {
    const objects = overlay('kube-prometheus-stack');
    const svc = find(objects, 'Service', 'mesh-soak');
    const sm = obj(find(objects, 'ServiceMonitor', 'mesh-soak')?.o.spec);
    const svcLabels = obj(obj(svc?.o.metadata).labels);
    for (const [k, v] of Object.entries(obj(obj(sm.selector).matchLabels))) expect(svcLabels[k]).toBe(v);
    const endpoint = obj(arr(sm.endpoints)[0]);
    expect(arr(obj(svc?.o.spec).ports).map((p) => obj(p).name)).toContain(endpoint.port);
    expect(endpoint.path).toBe('/metrics');
  });

  it('istio-sample-addons: scrape annotations, dashboards and a provider file in istio-system, no CRD', () => {
    const objects = overlay('istio-sample-addons');
    expect(crds(objects)).toEqual([]);
    expect(podAnnotations(objects)).toEqual({ 'sidecar.istio.io/inject': 'false', ...SCRAPE });
    expect(find(objects, 'ConfigMap', 'mesh-soak-dashboards')?.namespace).toBe('istio-system');
    const provider = find(objects, 'ConfigMap', 'mesh-soak-grafana-provider');
    expect(provider?.namespace).toBe('istio-system');
    expect(Object.keys(obj(provider?.o.data))).toEqual(['mesh-soak.yaml']);
  });
});

describe('a user\'s overlay', () => {
  it('rolls the pods when the config changes: a new config is a new ConfigMap name in the pod template', () => {
    const stock = overlay('plain-prometheus');
    const edited = readFileSync(join(DEPLOY, 'base/config.yaml'), 'utf8').replace('tick: 30s', 'tick: 15s');
    const mine = kustomizeOwn(
      [
        'resources: ["{{deploy}}/overlays/plain-prometheus"]',
        'configMapGenerator:',
        '  - { name: mesh-soak-config, namespace: mesh-soak, behavior: replace, files: [config.yaml] }',
      ].join('\n'),
      { 'config.yaml': edited },
    );
    expect(configText(mine)).toBe(edited);
    expect(configMapOf(mine)?.name).toMatch(/^mesh-soak-config-[a-z0-9]{10}$/);
    expect(configMapOf(mine)?.name).not.toBe(configMapOf(stock)?.name);
    expect(configVolume(mine)).toBe(configMapOf(mine)?.name);
  });

  it('points the Deployment at a registry with an `images:` entry, as `kustomize edit set image` writes it', () => {
    const mine = kustomizeOwn(
      [
        'resources: ["{{deploy}}/overlays/kube-prometheus-stack"]',
        'images:',
        '  - { name: mesh-soak, newName: registry.example.com/team/mesh-soak, newTag: 1.2.3 }',
      ].join('\n'),
    );
    expect(container(mine).image).toBe('registry.example.com/team/mesh-soak:1.2.3');
    const redis = obj(arr(podSpecOf(find(mine, 'StatefulSet', 'mesh-soak-redis')).containers)[0]);
    expect(redis.image).toBe('redis:7.0.15');
  });
});

/** Every file a kustomization under deploy/ refers to (resources, patches, generator files, components). */
function referencedFiles(): Set<string> {
  const out = new Set<string>();
  const visit = (dir: string): void => {
    const k = obj(parseYaml(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')));
    for (const r of [...strs(k.resources), ...strs(k.components)]) {
      const p = resolve(dir, r);
      if (statSync(p).isDirectory()) visit(p);
      else out.add(p);
    }
    for (const p of arr(k.patches).map(obj)) if (typeof p.path === 'string') out.add(resolve(dir, p.path));
    for (const g of arr(k.configMapGenerator).map(obj)) {
      for (const f of strs(g.files)) out.add(resolve(dir, f.includes('=') ? f.slice(f.indexOf('=') + 1) : f));
    }
    out.add(join(dir, 'kustomization.yaml'));
  };
  visit(DEPLOY);
  for (const s of SETUPS) visit(join(DEPLOY, 'overlays', s));
  // Opt-in components no overlay includes: the user adds them (rendered in the install tests).
  for (const c of OPT_IN_COMPONENTS) visit(join(DEPLOY, 'components', c));
  return out;
}

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? allFiles(p) : [p];
  });
}

/** Components a user adds to an overlay by choice (test/integration/install/extra-suites-rbac.test.ts). */
const OPT_IN_COMPONENTS = ['extra-suites-rbac'];

// Files under deploy/ that no kustomization reads, and why.
const NOT_KUSTOMIZE: Record<string, string> = {
  'README.md': 'the layout, for readers',
  'rules/mesh-soak.rules.yaml': 'the alerts for promtool and for Prometheus without the operator',
  'rules/tests.yaml': 'promtool tests of the alerts',
  'examples/mesh-soak-secrets.yaml': 'an example Secret, never applied by default',
  'components/istio-sample-addons/grafana-patch.yaml': 'applied to the sample Grafana with kubectl patch',
};

describe('deploy/ files', () => {
  it('are each read by a kustomization, or are one of the explained exceptions', () => {
    const used = referencedFiles();
    const unused = allFiles(DEPLOY)
      .filter((f) => !used.has(f))
      .map((f) => relative(DEPLOY, f))
      .sort();
    expect(unused).toEqual(Object.keys(NOT_KUSTOMIZE).sort());
  });

  it('has every overlay\'s folder under overlays/, and only those', () => {
    expect(readdirSync(join(DEPLOY, 'overlays')).sort()).toEqual([...SETUPS].sort());
  });
});
