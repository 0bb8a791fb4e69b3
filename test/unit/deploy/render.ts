// Test helper: the install as users render it, with the real tools (test/harness/kube-tools.ts):
// `kubectl kustomize deploy/overlays/X` and `helm template charts/mesh-soak`. Each rendering
// is a child process that ends before the call returns; temp dirs are removed at once.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { helmEnv, helmPath, kubectlPath } from '../../harness/kube-tools.js';
import { DEPLOY, isObj, obj, ROOT, toK8s, type K8sObject, type Obj } from './manifests.js';
import { scaledMs } from '../../../simulator/local/wait-for.js';

export const CHART = join(ROOT, 'charts/mesh-soak');

/** The setups deploy/overlays/ and charts/mesh-soak/ci/ both cover. */
export const SETUPS = ['plain-prometheus', 'kube-prometheus-stack', 'istio-sample-addons'] as const;
export type Setup = (typeof SETUPS)[number];

const RUN = { timeout: scaledMs(60_000), maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' as const };

/** Objects of a multi-document YAML stream, each tagged with where it came from. */
export function parseObjects(source: string, text: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const d of parseAllDocuments(text)) {
    if (d.errors.length > 0) throw new Error(`${source}: ${d.errors.map((e) => e.message).join('; ')}`);
    const v = d.toJS() as unknown;
    if (isObj(v)) out.push(toK8s(source, v));
  }
  return out;
}

/** stdout of a command; its stderr in the error when it fails. */
function run(cmd: string, args: string[], env?: NodeJS.ProcessEnv): string {
  try {
    return execFileSync(cmd, args, { ...RUN, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], ...(env ? { env } : {}) });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`${[cmd, ...args].join(' ')}: ${err.stderr || err.message}`);
  }
}

/** A temp dir for the duration of `fn`. */
export function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-soak-install-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const kustomized = new Map<string, K8sObject[]>();

/** `kubectl kustomize <deploy/…>` (a folder relative to deploy/, e.g. 'overlays/plain-prometheus' or '.'). */
export function kustomize(dirUnderDeploy: string): K8sObject[] {
  const hit = kustomized.get(dirUnderDeploy);
  if (hit) return hit;
  const dir = join(DEPLOY, dirUnderDeploy);
  const objects = parseObjects(`kustomize ${relative(ROOT, dir) || '.'}`, run(kubectlPath(), ['kustomize', dir]));
  kustomized.set(dirUnderDeploy, objects);
  return objects;
}

export const overlay = (setup: Setup): K8sObject[] => kustomize(`overlays/${setup}`);

/**
 * A user's own overlay: `kustomization` (YAML text) written into a temp folder next to
 * `files`, then rendered. `{{deploy}}` in the text is the path of deploy/ relative to that
 * folder (kustomize refuses absolute paths).
 */
export function kustomizeOwn(kustomization: string, files: Record<string, string> = {}): K8sObject[] {
  return withTempDir((dir) => {
    writeFileSync(join(dir, 'kustomization.yaml'), kustomization.replaceAll('{{deploy}}', relative(dir, DEPLOY)));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return parseObjects('kustomize (own overlay)', run(kubectlPath(), ['kustomize', dir]));
  });
}

export interface HelmOptions {
  /** The release name; default mesh-soak. */
  release?: string;
  /** Values files, relative to the chart (e.g. 'ci/kube-prometheus-stack-values.yaml'). */
  values?: string[];
  /** --set arguments. */
  set?: string[];
  /** --set-string arguments. */
  setString?: string[];
  /** Extra values as YAML text, written to a temp file and passed last. */
  valuesYaml?: string;
}

function helmArgs(dir: string, options: HelmOptions): string[] {
  const args: string[] = [];
  for (const v of options.values ?? []) args.push('-f', join(CHART, v));
  if (options.valuesYaml !== undefined) {
    const file = join(dir, 'values.yaml');
    writeFileSync(file, options.valuesYaml);
    args.push('-f', file);
  }
  for (const s of options.set ?? []) args.push('--set', s);
  for (const s of options.setString ?? []) args.push('--set-string', s);
  return args;
}

const templated = new Map<string, K8sObject[]>();

/** `helm template mesh-soak charts/mesh-soak -n mesh-soak …`. */
export function helmTemplate(options: HelmOptions = {}): K8sObject[] {
  const key = JSON.stringify(options);
  const hit = templated.get(key);
  if (hit) return hit;
  const objects = withTempDir((dir) =>
    parseObjects(
      `helm template ${[...(options.values ?? []), ...(options.set ?? []), ...(options.setString ?? [])].join(' ')}`.trim(),
      run(helmPath(), ['template', options.release ?? 'mesh-soak', CHART, '--namespace', 'mesh-soak', ...helmArgs(dir, options)], helmEnv(dir)),
    ),
  );
  templated.set(key, objects);
  return objects;
}

export const helmSetup = (setup: Setup): K8sObject[] => helmTemplate({ values: [`ci/${setup}-values.yaml`] });

/** `helm lint --strict`; returns its output, throws with it when the chart fails. */
export function helmLint(options: HelmOptions = {}): string {
  return withTempDir((dir) => run(helmPath(), ['lint', '--strict', CHART, ...helmArgs(dir, options)], helmEnv(dir)));
}

/** `helm package`: the names of the files in the chart archive. */
export function helmPackageFiles(): string[] {
  return withTempDir((dir) => {
    run(helmPath(), ['package', CHART, '--destination', dir], helmEnv(dir));
    const archive = readdirSync(dir).find((f) => f.endsWith('.tgz'));
    if (!archive) throw new Error('helm package wrote no archive');
    return run('tar', ['-tzf', join(dir, archive)]).split('\n').filter((l) => l !== '');
  });
}

/** Runs helm expecting a failure; returns its stderr. */
export function helmTemplateError(options: HelmOptions): string {
  try {
    helmTemplate(options);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('helm template succeeded');
}

/** `kubectl patch --local`: a strategic-merge patch file applied to an object, client-side only. */
export function kubectlPatchLocal(object: Obj, patchFile: string): Obj {
  return withTempDir((dir) => {
    const file = join(dir, 'object.json');
    writeFileSync(file, JSON.stringify(object));
    const out = run(kubectlPath(), ['patch', '--local', '-f', file, '--type', 'strategic', '--patch-file', patchFile, '-o', 'json'], {
      ...process.env,
      KUBECONFIG: join(dir, 'no-kubeconfig'),
    });
    return obj(JSON.parse(out) as unknown);
  });
}

export const find = (objects: K8sObject[], kind: string, name: string): K8sObject | undefined =>
  objects.find((o) => o.kind === kind && o.name === name);

/** The daemon's config ConfigMap: mesh-soak-config-<hash> from kustomize, mesh-soak-config from Helm. */
export const configMapOf = (objects: K8sObject[]): K8sObject | undefined =>
  objects.find((o) => o.kind === 'ConfigMap' && /^mesh-soak-config(-[a-z0-9]{10})?$/.test(o.name));

/** The pod spec of a Deployment or StatefulSet. */
export const podSpecOf = (o: K8sObject | undefined): Obj => obj(obj(obj(o?.o.spec).template).spec);

/** The config.yaml text of the rendered mesh-soak-config ConfigMap. */
export const configText = (objects: K8sObject[]): string => String(obj(configMapOf(objects)?.o.data)['config.yaml']);
