// kustomize and Helm read no file outside their own folder, so deploy/components/ and
// charts/mesh-soak/ hold copies of the dashboards, the Grafana provider file and the rules.
// Each copy must equal its source byte for byte; scripts/sync-chart-files.sh makes them so,
// and run on a copy of the tree it changes nothing.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { arr, DEPLOY, obj, readDocs, ROOT } from './manifests.js';
import { scaledMs } from '../../../simulator/local/wait-for.js';

const read = (p: string): string => readFileSync(join(ROOT, p), 'utf8');
const DASHBOARDS = readdirSync(join(ROOT, 'grafana/dashboards')).filter((f) => f.endsWith('.json')).sort();

// copy -> source
const COPIES: [string, string][] = [
  ...DASHBOARDS.flatMap((f): [string, string][] => [
    [`deploy/components/grafana-dashboards/dashboards/${f}`, `grafana/dashboards/${f}`],
    [`charts/mesh-soak/dashboards/${f}`, `grafana/dashboards/${f}`],
  ]),
  ['deploy/components/istio-sample-addons/mesh-soak-provider.yaml', 'grafana/provisioning/dashboards/mesh-soak.yaml'],
  ['charts/mesh-soak/files/grafana-provider.yaml', 'grafana/provisioning/dashboards/mesh-soak.yaml'],
  ['charts/mesh-soak/files/mesh-soak.rules.yaml', 'deploy/rules/mesh-soak.rules.yaml'],
];

describe('copies of grafana/ and deploy/rules/', () => {
  it.each(COPIES)('%s equals %s', (copy, source) => {
    expect(read(copy), `${copy} differs from ${source}: run scripts/sync-chart-files.sh`).toBe(read(source));
  });

  it('are the only dashboards in the component and the chart, and the component lists them all', () => {
    expect(readdirSync(join(DEPLOY, 'components/grafana-dashboards/dashboards')).sort()).toEqual(DASHBOARDS);
    expect(readdirSync(join(ROOT, 'charts/mesh-soak/dashboards')).sort()).toEqual(DASHBOARDS);
    const k = obj(parseYaml(read('deploy/components/grafana-dashboards/kustomization.yaml')));
    const files = arr(obj(arr(k.configMapGenerator)[0]).files).map(String);
    expect(files.map((f) => f.replace(/^dashboards\//, '')).sort()).toEqual(DASHBOARDS);
  });
});

describe('the PrometheusRule', () => {
  it('has the groups of deploy/rules/mesh-soak.rules.yaml', () => {
    const [rule] = readDocs(join(DEPLOY, 'components/kube-prometheus-stack/prometheusrule.yaml'));
    const [plain] = readDocs(join(DEPLOY, 'rules/mesh-soak.rules.yaml'));
    expect(obj(rule?.spec).groups).toEqual(obj(plain).groups);
  });
});

describe('scripts/sync-chart-files.sh', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'mesh-soak-sync-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  function files(dir: string): Map<string, string> {
    const out = new Map<string, string>();
    const walk = (d: string): void => {
      for (const e of readdirSync(d)) {
        const p = join(d, e);
        if (statSync(p).isDirectory()) walk(p);
        else out.set(relative(dir, p), readFileSync(p, 'utf8'));
      }
    };
    walk(dir);
    return out;
  }

  it('changes nothing on a tree whose copies are in sync', () => {
    for (const d of ['scripts', 'grafana', 'deploy', 'charts']) {
      mkdirSync(join(tmp, d), { recursive: true });
      cpSync(join(ROOT, d), join(tmp, d), { recursive: true, verbatimSymlinks: true });
    }
    execFileSync('bash', [join(tmp, 'scripts/sync-chart-files.sh')], { stdio: 'pipe', timeout: scaledMs(30_000) });
    for (const d of ['deploy', 'charts']) expect(files(join(tmp, d)), d).toEqual(files(join(ROOT, d)));
  });
});
