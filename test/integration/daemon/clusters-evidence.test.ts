// Two clusters (issue 15), each with its own Prometheus scraping its own mesh (a synthetic
// target) and its own simulated Kubernetes API (simulator/kube-api, read through the real
// client that buildKubeReaders builds): when suite a's check starts failing on west only,
// the evidence is read from west's API (east's sees no request for it), the alert re-sent from
// the shared state links west's Prometheus, and /api/v1/status groups the instances by cluster.
// Suite l's `logs` check counts error lines in each cluster's own pod logs (logsByCluster).

import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { KubernetesObject } from '@kubernetes/client-node';
import { applyManifests, createKubeClients } from '../../../src/adapters/kube/index.js';
import { startFakeKubeApi, type FakeKubeApi } from '../../../simulator/kube-api/index.js';
import { podLogsOf } from '../../../simulator/kube-api/pod-logs.js';
import { describeLogs } from '../../../src/checks/logs.js';
import type { LogsQuery } from '../../../src/checks/model.js';
import { scaledMs } from '../../../simulator/local/wait-for.js';
import { startPrometheus, startRedis, startSyntheticTarget, waitFor } from '../../harness/index.js';
import type { RunningPrometheus, RunningRedis, SyntheticTarget } from '../../harness/index.js';
import { buildKubeReaders, startDaemon, type Daemon } from '../../../src/app/index.js';
import { RunLedger, type LedgerEntry } from '../../../src/adapters/redis/ledger.js';
import { stateKeys } from '../../../src/adapters/redis/keys.js';
import type { AlertEvent } from '../../../src/checks/alert-event.js';
import type { Config } from '../../../src/config/model.js';
import { check, checkState, config, getJson, quietLogger, suite, uniquePrefix } from './fixtures.js';

const CLUSTERS = ['east', 'west'] as const;
const NS = 'ns-a';
const LOGS_NS = 'ns-l';
/** Error lines in suite l's pod logs: none on east, 5 on west (the check fails over 3). */
const ERROR_LINES = { east: 0, west: 5 };
const logsQuery: LogsQuery = { namespace: LOGS_NS, pattern: 'error', windowMs: 3_600_000, intervalMs: 60_000, maxBytesPerContainer: 1 << 20, maxPods: 10 };
let redis: RunningRedis | undefined;
const proms: RunningPrometheus[] = [];
const targets: SyntheticTarget[] = [];
const apis: FakeKubeApi[] = [];
let daemon: Daemon | undefined;
const fired: AlertEvent[] = [];
const resent: AlertEvent[] = [];
let client: Redis | undefined;
const prefix = uniquePrefix();

/** The namespace of suite a, with one event naming the cluster it lives in. */
async function seedApi(api: FakeKubeApi, cluster: string): Promise<void> {
  const kube = createKubeClients(api.kubeconfigPath, { retry: { attempts: 1, requestTimeoutMs: 30_000, totalMs: 30_000 } });
  await kube.core.createNamespace({ body: { metadata: { name: NS } } });
  await kube.core.createNamespacedEvent({
    namespace: NS,
    body: {
      metadata: { name: `httpbin.${cluster}`, namespace: NS },
      involvedObject: { kind: 'Pod', name: `httpbin-${cluster}`, namespace: NS },
      reason: 'Unhealthy',
      type: 'Warning',
      message: `readiness probe failed on ${cluster}`,
      lastTimestamp: new Date(),
      count: 1,
    },
  });
  const app = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'app', namespace: LOGS_NS },
    spec: { replicas: 1, selector: { matchLabels: { app: 'app' } }, template: { metadata: { labels: { app: 'app' } }, spec: { containers: [{ name: 'app', image: 'app' }] } } },
  };
  await applyManifests(kube, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: LOGS_NS } }, app as KubernetesObject]);
  let pod = '';
  await waitFor(async () => {
    pod = (await kube.core.listNamespacedPod({ namespace: LOGS_NS })).items.find((p) => p.status?.phase === 'Running')?.metadata?.name ?? '';
    return pod !== '';
  }, { timeoutMs: 30_000, intervalMs: 50, what: `a running pod in ${LOGS_NS} on ${cluster}` });
  const errors = ERROR_LINES[cluster as keyof typeof ERROR_LINES];
  podLogsOf(api.store).append(LOGS_NS, pod, 'app', ['info started', ...Array.from({ length: errors }, (_, i) => `error ${i} on ${cluster}`)]);
}

beforeAll(async () => {
  redis = await startRedis();
  for (const name of CLUSTERS) {
    const target = await startSyntheticTarget();
    target.set('soak_value', {}, 1);
    targets.push(target);
    proms.push(await startPrometheus({ scrapeTargets: [target.hostPort], scrapeIntervalS: 1 }));
    const api = await startFakeKubeApi({ rolloutStepMs: 10 });
    apis.push(api);
    await seedApi(api, name);
  }
  const base = config({ prometheusUrl: proms[0]!.url, redisUrl: redis.url, suites: [suite('a', [check('v', 'sum(soak_value)', '> 5')]), suite('l', [check('errors', describeLogs(logsQuery), '> 3', { logs: logsQuery, noData: 'ok' })])] });
  const cfg: Config = {
    ...base,
    notify: { webhooks: [], alertmanager: { url: 'http://127.0.0.1:9', resendMs: 500 } },
    clusters: CLUSTERS.map((name, i) => ({ name, kubernetes: { kubeconfig: apis[i]!.kubeconfigPath }, prometheus: { ...base.prometheus, url: proms[i]!.url } })),
  };
  const readers = await buildKubeReaders(cfg);
  expect(readers.evidence, readers.off.join('; ')).toBeDefined();
  const notifier = { enqueue: (events: AlertEvent[]) => void fired.push(...events), resend: (events: AlertEvent[]) => void resent.push(...events) };
  expect([...(readers.logsByCluster?.keys() ?? [])]).toEqual(['east', 'west']);
  daemon = await startDaemon(cfg, {
    logger: quietLogger, prefix, port: 0, host: '127.0.0.1', notifier,
    ...(readers.evidence ? { evidence: readers.evidence } : {}),
    ...(readers.logsByCluster ? { logsByCluster: readers.logsByCluster } : {}),
  });
  await daemon.scheduled;
  client = new Redis(redis.url);
}, scaledMs(180_000));

afterAll(async () => {
  await daemon?.stop();
  client?.disconnect();
  for (const p of proms) await p.stop();
  for (const a of apis) await a.stop();
  await redis?.stop();
  for (const t of targets) await t.stop();
});

const nsReads = (api: FakeKubeApi): string[] => api.requests.filter((r) => r.path.startsWith(`/api/v1/namespaces/${NS}/`)).map((r) => `${r.method} ${r.path}`);

async function evidenceOf(instance: string): Promise<Array<LedgerEntry & { kind: 'evidence' }>> {
  const ledger = new RunLedger(client!, stateKeys(prefix));
  return (await ledger.range(instance, 0, Date.now() + 3600_000, 1000)).filter((e): e is LedgerEntry & { kind: 'evidence' } => e.kind === 'evidence');
}

it("a check failing on west captures evidence from west's Kubernetes API only", async () => {
  const url = `http://127.0.0.1:${daemon!.port}`;
  await waitFor(async () => (await checkState(url, 'east/a', 'v'))?.state === 'ok' && (await checkState(url, 'west/a', 'v'))?.state === 'ok', { timeoutMs: 90_000, what: 'both instances ok' });
  const eastBefore = nsReads(apis[0]!).length;
  targets[1]!.set('soak_value', {}, 10);
  await waitFor(async () => (await evidenceOf('west/a')).length > 0, { timeoutMs: 90_000, intervalMs: 250, what: "west/a's evidence in the ledger" });
  const [entry] = await evidenceOf('west/a');
  expect(entry).toMatchObject({ suite: 'west/a', check: 'v' });
  expect(entry!.evidence.namespaces).toEqual([NS]);
  expect(entry!.evidence.events.map((e) => e.message)).toEqual(['readiness probe failed on west']);
  expect(nsReads(apis[1]!)).toEqual(expect.arrayContaining([`GET /api/v1/namespaces/${NS}/events`, `GET /api/v1/namespaces/${NS}/pods`]));
  expect(nsReads(apis[0]!).slice(eastBefore), "east's API: no read for west's evidence").toEqual([]);
  expect(await evidenceOf('east/a')).toEqual([]);
  expect((await checkState(url, 'east/a', 'v'))?.state).toBe('ok');
});

it("the alert re-sent from the shared state links west's Prometheus", async () => {
  await waitFor(() => resent.some((a) => a.cluster === 'west' && a.suite === 'a'), { timeoutMs: 30_000, what: "a re-send of west/a's alert" });
  const west = resent.filter((a) => a.cluster === 'west');
  expect(west.length).toBeGreaterThan(0);
  for (const a of west) expect(a.generatorURL.startsWith(`${proms[1]!.url}/graph?`), a.generatorURL).toBe(true);
  expect(resent.filter((a) => a.cluster !== 'west'), 'only west is failing').toEqual([]);
  // The tick's own firing alert links the same Prometheus.
  const first = fired.find((a) => a.status === 'firing' && a.cluster === 'west');
  expect(first?.generatorURL.startsWith(`${proms[1]!.url}/graph?`)).toBe(true);
});

interface ClusterGroup {
  name: string;
  suites: string[];
  counts: Record<string, number>;
}

it("each cluster's logs check reads its own cluster's pod logs", async () => {
  const url = `http://127.0.0.1:${daemon!.port}`;
  await waitFor(async () => (await checkState(url, 'west/l', 'errors'))?.state === 'failing', { timeoutMs: 60_000, what: "west/l's logs check failing" });
  expect(await checkState(url, 'west/l', 'errors')).toMatchObject({ state: 'failing', value: ERROR_LINES.west });
  expect(await checkState(url, 'east/l', 'errors')).toMatchObject({ state: 'ok', value: ERROR_LINES.east });
  // Each API served its own cluster's logs read.
  for (const api of apis) expect(api.requests.some((r) => r.path.startsWith(`/api/v1/namespaces/${LOGS_NS}/pods/`) && r.path.endsWith('/log'))).toBe(true);
});

it('the status JSON groups the instances by cluster, with counts, beside the flat list', async () => {
  const url = `http://127.0.0.1:${daemon!.port}`;
  const { body } = await getJson<{ suites: Array<{ name: string; cluster?: string }>; clusters?: ClusterGroup[] }>(`${url}/api/v1/status`);
  expect(body.suites.map((s) => s.name)).toEqual(['east/a', 'east/l', 'west/a', 'west/l']);
  expect(body.clusters).toEqual([
    { name: 'east', suites: ['east/a', 'east/l'], counts: { ok: 2 }, unchecked: 0 },
    { name: 'west', suites: ['west/a', 'west/l'], counts: { failing: 2 }, unchecked: 0 },
  ]);
});
