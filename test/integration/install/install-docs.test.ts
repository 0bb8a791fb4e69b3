// The install guides (docs/install-*.md) followed as written, as far as no cluster is needed:
// the overlay they tell the user to write renders (real kubectl) into the shipped overlay with
// the user's image; their `helm install` renders the same objects as that overlay (real helm);
// the files, Secret keys and in-image command they name exist; and every dashboard and panel
// they promise in "What you see in Grafana" is one the dashboards have.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { arr, obj, ROOT, type K8sObject, type Obj } from '../../unit/deploy/manifests.js';
import { configText, find, helmTemplate, kustomizeOwn, overlay, podSpecOf, type HelmOptions, type Setup } from '../../unit/deploy/render.js';
import { expectSame } from './parity.js';

const GUIDES: [string, Setup][] = [
  ['docs/install-kube-prometheus-stack.md', 'kube-prometheus-stack'],
  ['docs/install-istio-sample-addons.md', 'istio-sample-addons'],
];

const read = (p: string): string => readFileSync(join(ROOT, p), 'utf8');

/** The body of `cat > my-mesh-soak/kustomization.yaml <<'EOF' … EOF`. */
function ownKustomization(doc: string): string {
  const m = /cat > my-mesh-soak\/kustomization\.yaml <<'EOF'\n([\s\S]*?)\nEOF\n/.exec(doc);
  if (!m?.[1]) throw new Error('no my-mesh-soak/kustomization.yaml heredoc');
  return m[1];
}

/** The config the guide copies: `cp SOURCE my-mesh-soak/config.yaml`. */
function copiedConfig(doc: string): string {
  const m = /^cp (\S+) my-mesh-soak\/config\.yaml$/m.exec(doc);
  if (!m?.[1]) throw new Error('no cp … my-mesh-soak/config.yaml');
  return m[1];
}

/** The guide's `helm install …` (continued lines joined) as helm template options. */
function helmInstall(doc: string): HelmOptions {
  const m = /^helm install mesh-soak charts\/mesh-soak ((?:.*\\\n)*.*)$/m.exec(doc);
  if (!m?.[1]) throw new Error('no helm install command');
  const words = m[1].replace(/\\\n/g, ' ').split(/\s+/).filter((w) => w !== '');
  const options: Required<Pick<HelmOptions, 'values' | 'set' | 'setString'>> = { values: [], set: [], setString: [] };
  for (let i = 0; i < words.length; i++) {
    const [flag, value] = [words[i], words[i + 1] ?? ''];
    if (flag === '-f') options.values.push(value.replace(/^charts\/mesh-soak\//, ''));
    else if (flag === '--set') options.set.push(value);
    else if (flag === '--set-string') options.setString.push(value);
    else if (flag === '-n') expect(value, 'the release namespace the renderings assume').toBe('mesh-soak');
    else continue;
    i++;
  }
  return options;
}

const container = (objects: K8sObject[]): Obj => obj(arr(podSpecOf(find(objects, 'Deployment', 'mesh-soak'))?.containers)[0]);

/** Dashboard titles, panel titles (rows and nested panels too) and annotation names. */
function dashboardNames(): Set<string> {
  const names = new Set<string>();
  for (const f of ['mesh-soak-overview.json', 'mesh-soak-suite.json', 'mesh-soak-daemon.json']) {
    const d = obj(JSON.parse(read(`grafana/dashboards/${f}`)) as unknown);
    names.add(String(d.title));
    const panels = arr(d.panels).map(obj).flatMap((p) => [p, ...arr(p.panels).map(obj)]);
    for (const p of panels) names.add(String(p.title));
    for (const a of arr(obj(d.annotations).list).map(obj)) names.add(String(a.name));
  }
  return names;
}

describe.each(GUIDES)('%s', (guide, setup) => {
  const doc = read(guide);

  it('has the user write an overlay that renders the shipped overlay, with their image', () => {
    const source = copiedConfig(doc);
    expect(source).toBe(`deploy/overlays/${setup}/config.yaml`);
    const mine = kustomizeOwn(ownKustomization(doc).replaceAll('../deploy/', '{{deploy}}/'), { 'config.yaml': read(source) });
    expect(container(mine).image).toBe('REGISTRY/mesh-soak:0.1.0');
    expect(configText(mine)).toBe(read(source));
    const stock = overlay(setup).map((o) => structuredClone(o.o));
    const withImage = mine.map((o) => structuredClone(o.o));
    const strip = (os: Obj[]) => {
      for (const o of os) {
        for (const c of arr(obj(obj(obj(o.spec).template).spec).containers).map(obj)) if (c.name === 'mesh-soak') c.image = 'IMAGE';
      }
      return os;
    };
    expect(strip(withImage)).toEqual(strip(stock));
  });

  it('has a `helm install` that renders the same objects as that overlay', () => {
    const mine = kustomizeOwn(ownKustomization(doc).replaceAll('../deploy/', '{{deploy}}/'), { 'config.yaml': read(copiedConfig(doc)) });
    const options = helmInstall(doc);
    expect(options.values).toEqual([`ci/${setup}-values.yaml`]);
    expectSame(mine, helmTemplate(options));
  });

  it('names only files that exist', () => {
    const paths = [...doc.matchAll(/(?<![\w/.-])(?:deploy|charts|grafana|scripts)\/[\w./-]*[\w]/g)]
      .map((m) => m[0])
      // kubectl's resource shorthand (`exec deploy/mesh-soak`), not a file.
      .filter((p) => p !== 'deploy/mesh-soak');
    expect(paths.length).toBeGreaterThan(3);
    for (const p of new Set(paths)) expect(existsSync(join(ROOT, p)), p).toBe(true);
  });

  it('creates the Secret with keys the Deployment reads', () => {
    const keys = [...doc.matchAll(/--from-literal=([\w-]+)=/g)].map((m) => m[1]);
    const referenced = arr(container(overlay(setup)).env).map((e) => obj(obj(obj(e).valueFrom).secretKeyRef).key);
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) expect(referenced, String(k)).toContain(k);
  });

  it('runs suites apply with the image\'s entrypoint and the config path the Deployment mounts', () => {
    const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(read('Dockerfile'))?.[1];
    const command = (JSON.parse(entrypoint ?? '[]') as string[]).join(' ');
    expect(command).not.toBe('');
    expect(doc).toContain(`exec deploy/mesh-soak -- ${command} suites apply "$s" --config /etc/mesh-soak/config.yaml`);
    expect(container(overlay(setup)).args).toEqual(['run', '--config', '/etc/mesh-soak/config.yaml']);
  });

  it('promises only dashboards, panels and annotations the dashboards have', () => {
    const section = doc.slice(doc.indexOf('## What you see in Grafana within 5 minutes'));
    const table = section.split('\n').filter((l) => l.startsWith('| ')).join('\n');
    const promised = [...table.matchAll(/\*([^*]+)\*/g)].map((m) => m[1] ?? '');
    expect(promised.length).toBeGreaterThan(10);
    const names = dashboardNames();
    for (const p of promised) expect(names.has(p), p).toBe(true);
  });
});

describe('docs/install-kube-prometheus-stack.md', () => {
  it('sets the release label the way the chart and the overlay take it', () => {
    const doc = read('docs/install-kube-prometheus-stack.md');
    const mine = kustomizeOwn(ownKustomization(doc).replaceAll('../deploy/', '{{deploy}}/'), {
      'config.yaml': read('deploy/overlays/kube-prometheus-stack/config.yaml'),
    });
    for (const kind of ['ServiceMonitor', 'PrometheusRule']) {
      expect(obj(obj(find(mine, kind, 'mesh-soak')?.o.metadata).labels).release, kind).toBe('kube-prometheus-stack');
    }
    expect(helmInstall(doc).setString).toEqual(['serviceMonitor.labels.release=kube-prometheus-stack', 'prometheusRule.labels.release=kube-prometheus-stack']);
  });
});
