// The `logs` check kind end to end below the daemon: pod logs served by the simulated
// cluster's pods/log route, read through the real client with its bounds (pods, bytes,
// window), counted per pod and container, and judged by the check engine like any check —
// failing over the threshold, unknown when the logs cannot be read or nothing can read them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubernetesObject } from '@kubernetes/client-node';
import { startFakeKubeApi, type FakeKubeApi } from '../../../simulator/kube-api/index.js';
import { podLogsOf } from '../../../simulator/kube-api/pod-logs.js';
import { applyManifests, createKubeClients, type KubeContext } from '../../../src/adapters/kube/index.js';
import { kubeLogsReader, readLogCounts } from '../../../src/adapters/kube/pod-logs.js';
import { evaluateGroup } from '../../../src/checks/evaluate-group.js';
import { parseCondition } from '../../../src/checks/condition.js';
import { NO_LOGS_READER, describeLogs } from '../../../src/checks/logs.js';
import type { CheckSpec, LogsQuery } from '../../../src/checks/model.js';
import { waitFor } from '../../harness/index.js';
import { writeTemp } from '../../unit/config/temp-config.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { UserError } from '../../../src/shared/errors.js';
import { scaledMs } from '../../../simulator/local/wait-for.js';

const NS = 'logs-ns';
let api: FakeKubeApi;
let kube: KubeContext;
let pods: string[] = [];

const query = (over: Partial<LogsQuery> = {}): LogsQuery => ({
  namespace: NS, pattern: 'error|warn', windowMs: 3_600_000, intervalMs: 60_000, maxBytesPerContainer: 1 << 20, maxPods: 10, ...over,
});

function spec(q: LogsQuery): CheckSpec {
  const fail = parseCondition('> 100');
  if ('error' in fail) throw new Error(fail.error);
  return { name: 'errors', query: describeLogs(q), logs: q, fail, forMs: 0, keepFiringForMs: 0, noData: 'ok', errorLimit: 2, severity: 'warning', labels: {} };
}

const noProvider = { query: () => Promise.reject(new Error('no PromQL here')), close: () => Promise.resolve() };

beforeAll(async () => {
  api = await startFakeKubeApi({ rolloutStepMs: 10 });
  kube = createKubeClients(api.kubeconfigPath, { retry: { attempts: 1, requestTimeoutMs: 5000, totalMs: 5000 } });
  const deployment = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'istiod', namespace: NS },
    spec: {
      replicas: 2, selector: { matchLabels: { app: 'istiod' } },
      template: { metadata: { labels: { app: 'istiod' } }, spec: { containers: [{ name: 'discovery', image: 'istio/pilot' }, { name: 'istio-proxy', image: 'istio/proxyv2' }] } },
    },
  };
  await applyManifests(kube, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }, deployment as KubernetesObject]);
  await waitFor(async () => {
    const list = await kube.core.listNamespacedPod({ namespace: NS });
    pods = list.items.filter((p) => p.status?.phase === 'Running').map((p) => p.metadata?.name ?? '').sort();
    return pods.length === 2;
  }, { timeoutMs: 20_000, intervalMs: 50, what: 'two running istiod pods' });
  const book = podLogsOf(api.store);
  const [a, b] = pods as [string, string];
  book.append(NS, a, 'discovery', [...Array.from({ length: 150 }, (_, i) => `2026 error push ${i}`), 'info fine', 'WARN slow']);
  book.append(NS, a, 'discovery', Array.from({ length: 500 }, () => 'error from yesterday'), Date.now() - 2 * 3_600_000);
  book.append(NS, b, 'discovery', ['warning: x', 'info', 'Error: y']);
}, scaledMs(120_000));

afterAll(async () => {
  await api?.stop();
});

describe('logs check kind', () => {
  it('counts matching lines per pod and container within the window, case-insensitively', async () => {
    const [a, b] = pods as [string, string];
    const samples = await readLogCounts(kube, query());
    const byKey = Object.fromEntries(samples.map((s) => [`${s.labels.pod}/${s.labels.container}`, s.value]));
    expect(byKey).toEqual({ [`${a}/discovery`]: 151, [`${a}/istio-proxy`]: 0, [`${b}/discovery`]: 2, [`${b}/istio-proxy`]: 0 });
    // Only the named containers, when the query names them.
    expect((await readLogCounts(kube, query({ containers: ['discovery'] }))).map((s) => s.labels.container)).toEqual(['discovery', 'discovery']);
  });

  it('reads at most maxBytesPerContainer (the API\'s limitBytes) and labels the cut log truncated', async () => {
    const samples = await readLogCounts(kube, query({ containers: ['discovery'], maxBytesPerContainer: 1024 }));
    const cut = samples.find((s) => s.labels.pod === pods[0]);
    expect(cut?.labels.truncated).toBe('true');
    expect(cut?.value).toBeLessThan(151);
    expect(cut?.value).toBeGreaterThan(10);
    const logRequests = api.requests.filter((r) => r.path.endsWith('/log'));
    expect(logRequests.at(-1)?.query).toMatchObject({ limitBytes: '1024', sinceSeconds: '3600', container: 'discovery' });
  });

  it('refuses to count when more pods match than maxPods (never a partial count)', async () => {
    await expect(readLogCounts(kube, query({ maxPods: 1 }))).rejects.toThrow(/more than 1 pods match in logs-ns/);
  });

  it('is judged like any check: failing over the threshold, per instance', async () => {
    const q = query();
    const { records } = await evaluateGroup({ checks: [spec(q)] }, noProvider, {}, Date.now(), { logs: kubeLogsReader(kube) });
    expect(records.errors?.state).toBe('failing');
    const failing = Object.values(records.errors?.instances ?? {}).filter((i) => i.state === 'failing');
    expect(failing.map((i) => i.labels)).toEqual([{ namespace: NS, pod: pods[0], container: 'discovery' }]);
  });

  it('is unknown without a reader, and after errorLimit failed reads', async () => {
    const q = query();
    const without = await evaluateGroup({ checks: [spec(q)] }, noProvider, {}, Date.now());
    expect(without.records.errors).toMatchObject({ state: 'unknown', reason: NO_LOGS_READER });
    const failingReader = () => Promise.reject(new Error('pods/log forbidden'));
    const first = await evaluateGroup({ checks: [spec(q)] }, noProvider, {}, 1000, { logs: failingReader });
    const second = await evaluateGroup({ checks: [spec(q)] }, noProvider, first.records, 2000, { logs: failingReader });
    expect(second.records.errors?.state).toBe('unknown');
    expect(second.records.errors?.lastError).toContain('pods/log forbidden');
  });

  it('reuses a read for the query\'s interval', async () => {
    let clock = 1_000_000;
    const reader = kubeLogsReader(kube, () => clock);
    const before = api.requests.filter((r) => r.path.endsWith('/log')).length;
    await reader(query({ intervalMs: 60_000 }));
    clock += 30_000;
    await reader(query({ intervalMs: 60_000 }));
    const after = api.requests.filter((r) => r.path.endsWith('/log')).length;
    expect(after - before).toBe(4);
    clock += 31_000;
    await reader(query({ intervalMs: 60_000 }));
    expect(api.requests.filter((r) => r.path.endsWith('/log')).length - after).toBe(4);
  });

  it('is configured as `logs:` instead of `query:`, exactly one of them', async () => {
    const base = 'prometheus: { url: "http://127.0.0.1:9090" }\nchecks:\n  - name: c\n    fail: "> 100"\n';
    const ok = await loadConfig(await writeTemp(`${base}    logs: { namespace: istio-system, pattern: "error|warn", window: 24h }\n`), { env: {} });
    expect(ok.checks[0]?.logs).toMatchObject({ namespace: 'istio-system', pattern: 'error|warn', windowMs: 86_400_000, intervalMs: 300_000, maxPods: 50 });
    expect(ok.checks[0]?.query).toBe('logs{namespace=istio-system} =~ /error|warn/i over 86400s');
    for (const [extra, message] of [
      ['', "checks.0.query: missing required field 'query'"],
      ['    query: up\n    logs: { namespace: x, pattern: e }\n', 'a check has either query (PromQL) or logs, not both'],
      ['    logs: { namespace: x, pattern: "(" }\n', 'not a valid regular expression'],
    ] as const) {
      const e = await loadConfig(await writeTemp(base + extra), { env: {} }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(UserError);
      expect((e as UserError).message).toContain(message);
    }
  });

  // Last: it deletes a pod (its ReplicaSet replaces it).
  it('leaves out a pod deleted between the list and its log read (404), and still fails on other errors', async () => {
    const [a, b] = pods as [string, string];
    const logPath = `/api/v1/namespaces/${NS}/pods/${a}/log`;
    const askedBefore = api.requests.filter((r) => r.path === logPath).length;
    api.faults.inject({ method: 'GET', pathPrefix: logPath, delayMs: 300, times: 1 });
    const reading = readLogCounts(kube, query({ containers: ['discovery'] }));
    await waitFor(() => api.faults.pending === 0, { timeoutMs: 5000, intervalMs: 10, what: 'the delayed log read to arrive' });
    await kube.core.deleteNamespacedPod({ name: a, namespace: NS, gracePeriodSeconds: 0 });
    const samples = await reading;
    expect(samples.map((s) => `${s.labels.pod}/${s.labels.container}=${s.value}`)).toEqual([`${b}/discovery=2`]);
    // Its log was asked for (and answered 404: the pod is gone).
    expect(api.requests.filter((r) => r.path === logPath).length - askedBefore).toBe(1);
    await expect(kube.core.readNamespacedPod({ name: a, namespace: NS })).rejects.toThrow();
    // Any other failure still fails the read (the check counts it, then is unknown).
    api.faults.inject({ method: 'GET', pathPrefix: `/api/v1/namespaces/${NS}/pods/${b}/log`, status: 500, times: 5 });
    await expect(readLogCounts(kube, query({ containers: ['discovery'] }))).rejects.toThrow();
    api.faults.clear();
  });
});
