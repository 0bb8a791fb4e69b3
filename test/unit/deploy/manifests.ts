// Test helper: paths, YAML reading and the shipped suites' objects (rendered with their own
// params) for the deploy tests. deploy/'s and the chart's objects come from the real tools:
// render.ts.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';

export const ROOT = join(import.meta.dirname, '../../..');
export const DEPLOY = join(ROOT, 'deploy');
export const SUITES = join(ROOT, 'suites');

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const obj = (v: unknown): Obj => (isObj(v) ? v : {});
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const strs = (v: unknown): string[] => arr(v).map(String);

export interface K8sObject {
  file: string;
  o: Obj;
  kind: string;
  name: string;
  namespace?: string;
}

export function toK8s(file: string, o: Obj): K8sObject {
  const meta = obj(o.metadata);
  const ns = meta.namespace;
  return { file, o, kind: String(o.kind), name: String(meta.name), ...(typeof ns === 'string' ? { namespace: ns } : {}) };
}

/** Every document of a YAML file; throws on syntax errors so a test fails with the file name. */
export function readDocs(path: string): Obj[] {
  const docs = parseAllDocuments(readFileSync(path, 'utf8'));
  const out: Obj[] = [];
  for (const d of docs) {
    if (d.errors.length > 0) throw new Error(`${path}: ${d.errors.map((e) => e.message).join('; ')}`);
    const v = d.toJS() as unknown;
    if (v !== null) out.push(obj(v));
  }
  return out;
}

/** YAML files under a folder, relative to it, sorted. */
export function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(e)) out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

export interface SuiteData {
  name: string;
  spec: Obj;
  objects: K8sObject[];
  /** The objects of one file of the suite folder (a manifest, or one a step applies), rendered alike. */
  file(name: string): K8sObject[];
}

/** A shipped suite with its manifests rendered from its default params. */
export function suiteData(name: string): SuiteData {
  const dir = join(SUITES, name);
  const raw = readFileSync(join(dir, 'suite.yaml'), 'utf8');
  const first = obj(parseYaml(raw));
  const params = obj(first.params);
  const render = (t: string): string =>
    t.replace(/\{\{\s*(namespace|params\.(\w+))\s*\}\}/g, (_w, _n: string, p?: string) =>
      p === undefined ? String(first.namespace) : String(params[p]),
    );
  const spec = obj(parseYaml(render(raw)));
  const file = (f: string): K8sObject[] =>
    parseAllDocuments(render(readFileSync(join(dir, f), 'utf8')))
      .map((d) => d.toJS() as unknown)
      .filter(isObj)
      .map((o) => toK8s(`${name}/${f}`, o));
  return { name, spec, objects: strs(spec.manifests).flatMap(file), file };
}

export const SHIPPED_SUITES = ['gateway-bouncer', 'graceful-shutdown', 'http10', 'istio-upgrader', 'release-qualification'];
/** The five beside them, off by default; their RBAC is deploy/components/extra-suites-rbac. */
export const EXTRA_SUITES = ['chaos-partial', 'chaos-total', 'canary-upgrader', 'logs-checker', 'sds-certmanager'];
