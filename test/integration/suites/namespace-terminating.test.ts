// `mesh-soak suites apply` when the suite's namespace is still Terminating (a `suites delete`
// moments ago, on a cluster where namespaces take time to go): apply waits, bounded and
// saying so, until the namespace is gone, then creates everything afresh; when the wait
// runs out it fails (a Fault: exit 1) naming the suite, the namespace and what is left in
// it, having applied nothing. The Terminating state comes from cluster-states.ts.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { startFakeKubeApi, type FakeKubeApi } from '../../../simulator/kube-api/index.js';
import { suitesCommand } from '../../../src/commands/suites.js';
import { createKubeClients, KubeError, type KubeContext } from '../../../src/adapters/kube/index.js';
import { Fault } from '../../../src/shared/errors.js';
import { holdNamespaceTerminating, releaseNamespace, until } from '../kube/cluster-states.js';

const CONFIG = 'test/fixtures/suites-run/config.yaml';
const NS = 'soak-bouncer';
const REMAINING = 'Some resources are remaining: pods. has 2 resource instances';
let api: FakeKubeApi;
let kube: KubeContext;

beforeAll(async () => {
  api = await startFakeKubeApi({ rolloutStepMs: 10 });
  kube = createKubeClients(api.kubeconfigPath);
});
afterAll(async () => {
  await api?.stop();
});

function apply(values: Record<string, string> = {}): { out: () => string; done: Promise<number> } {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  const env = { REDIS_URL: 'redis://127.0.0.1:1', KUBECONFIG_PATH: api.kubeconfigPath };
  const done = suitesCommand.run({ values: { config: CONFIG, ...values }, positionals: ['apply', 'bouncer-lite'], env, stdout, stderr: new PassThrough() });
  return { out: () => out, done };
}

const namespaceReads = (from: number): number =>
  api.requests.slice(from).filter((r) => r.method === 'GET' && r.path === `/api/v1/namespaces/${NS}`).length;

const live = (kind: string, name: string): unknown => api.store.read(kind === 'Namespace' ? 'v1' : 'apps/v1', kind, kind === 'Namespace' ? '' : NS, name);

describe('suites apply after suites delete', () => {
  it('waits for the Terminating namespace to be gone, with progress, then applies everything afresh', async () => {
    await holdNamespaceTerminating(api, kube, NS, REMAINING);
    const from = api.requests.length;
    const run = apply();
    // The namespace controller finishes only after apply has looked at it twice.
    await until('apply to read the Terminating namespace twice', () => namespaceReads(from) >= 2);
    expect(api.requests.slice(from).filter((r) => r.method !== 'GET')).toEqual([]);
    await releaseNamespace(api, kube, NS);
    expect(await run.done).toBe(0);
    expect(run.out()).toContain(`suite bouncer-lite: namespace ${NS} is Terminating (${REMAINING}); waited `);
    expect(run.out()).toMatch(/waited \d+s of at most 5m\n/);
    expect(run.out()).toContain('suite bouncer-lite: 3 objects applied');
    const ns = live('Namespace', NS) as { metadata: { deletionTimestamp?: string }; status?: { phase?: string } };
    expect(ns.metadata.deletionTimestamp).toBeUndefined();
    expect(ns.status?.phase).toBe('Active');
    expect(live('Deployment', 'pilot')).toBeDefined();
  });

  it('gives up after --namespace-timeout with a message naming suite, namespace and what is left, applying nothing', async () => {
    await holdNamespaceTerminating(api, kube, NS, REMAINING);
    const from = api.requests.length;
    const run = apply({ 'namespace-timeout': '2s' });
    const err = await run.done.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeError);
    expect(err).toBeInstanceOf(Fault); // exit 1: the cluster failed, not the user's input
    expect((err as Error).message).toMatch(
      new RegExp(`^suites apply bouncer-lite: namespace ${NS} is still Terminating after 2s, deleted at \\S+Z; ${REMAINING}; apply again once \`kubectl get namespace ${NS}\` says NotFound$`),
    );
    expect(run.out()).toContain(`namespace ${NS} is Terminating`);
    expect(api.requests.slice(from).filter((r) => r.method !== 'GET')).toEqual([]);
    expect(live('Deployment', 'pilot')).toBeUndefined();
    await releaseNamespace(api, kube, NS);
  });

  it('refuses a --namespace-timeout that is not a duration as a user mistake', async () => {
    await expect(apply({ 'namespace-timeout': 'soon' }).done).rejects.toThrow(/--namespace-timeout: "soon" is not a duration/);
  });
});
