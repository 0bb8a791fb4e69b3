// The disruption runner with the real client against the fake Kubernetes API and a real
// Redis: the requests each step sends and their order, the restore after a failed step,
// API faults retried and reported, and `disrupt --dry-run` announcing what is then sent.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { KubernetesObject } from '@kubernetes/client-node';
import { startRedis, waitFor, type RunningRedis } from '../../harness/index.js';
import { startFakeKubeApi, type FakeKubeApi, type RecordedRequest } from '../../../simulator/kube-api/index.js';
import { scaledMs } from '../../../simulator/local/wait-for.js';
import { applyManifests, createKubeClients, getScale, type KubeContext } from '../../../src/adapters/kube/index.js';
import { loadConfig } from '../../../src/config/load-config.js';
import type { Config, Suite } from '../../../src/config/model.js';
import { renderManifests } from '../../../src/config/suites/render-manifests.js';
import { createDisruptionRunner } from '../../../src/disruption/runner.js';
import { kubeClusterOps } from '../../../src/adapters/kube/cluster-ops.js';
import { planDisruption, PATCH_CONTENT_TYPE } from '../../../src/disruption/dry-run-plan.js';
import { RestoreJournal } from '../../../src/disruption/restore-journal.js';

const CONFIG = 'test/fixtures/suites-run/config.yaml';
/** The API client's per-request bound; stretched with the machine's load (an ordinary answer took over 500 ms at load ~12). */
const REQUEST_TIMEOUT_MS = scaledMs(500);
/** A delay the client always gives up on. */
const HUNG_MS = REQUEST_TIMEOUT_MS * 3;

let redisServer: RunningRedis;
let redis: Redis;
let api: FakeKubeApi;
let kube: KubeContext;
let config: Config;

function suite(name: string): Suite {
  const s = config.suites.find((x) => x.name === name);
  if (!s) throw new Error(`fixture suite ${name} missing`);
  return s;
}

const isWrite = (r: RecordedRequest): boolean => r.method !== 'GET';
const show = (r: RecordedRequest): string => `${r.method} ${r.path}${r.contentType && r.method === 'PATCH' ? ` ${r.contentType}` : ''}`;
/** Requests for resources (not discovery), from index `from` on. */
const resourceRequests = (from: number): RecordedRequest[] =>
  api.requests.slice(from).filter((r) => /\/namespaces\//.test(r.path));

async function rolledOut(ns: string, names: string[]): Promise<void> {
  await waitFor(
    () =>
      names.every((n) => {
        const d = api.store.read('apps/v1', 'Deployment', ns, n) as { spec?: { replicas?: number }; status?: { availableReplicas?: number; updatedReplicas?: number } } | undefined;
        return d?.status?.availableReplicas === d?.spec?.replicas && d?.status?.updatedReplicas === d?.spec?.replicas;
      }),
    { timeoutMs: 120_000, intervalMs: 20, what: `deployments ${names.join(', ')} in ${ns} rolled out` },
  );
}

beforeAll(async () => {
  redisServer = await startRedis();
  redis = new Redis(redisServer.url);
  api = await startFakeKubeApi({ rolloutStepMs: 10 });
  config = await loadConfig(CONFIG, { env: { REDIS_URL: redisServer.url, KUBECONFIG_PATH: api.kubeconfigPath } });
  kube = createKubeClients(config.kubernetes.kubeconfig, {
    retry: { attempts: 4, baseDelayMs: 5, maxDelayMs: 20, requestTimeoutMs: REQUEST_TIMEOUT_MS, totalMs: scaledMs(5000) },
  });
  for (const s of config.suites) await applyManifests(kube, (await renderManifests(s)) as KubernetesObject[]);
});

afterAll(async () => {
  redis?.disconnect();
  await api?.stop();
  await redisServer?.stop();
});

beforeEach(async () => {
  api.faults.clear();
  await rolledOut('soak-bouncer', ['pilot', 'gateway']);
  await rolledOut('soak-every', ['web', 'api']);
});

let jobSeq = 0;
const nextJob = (): { id: string; scheduledAt: number } => {
  jobSeq++;
  return { id: `job-${jobSeq}`, scheduledAt: Date.UTC(2026, 0, 1, 0, jobSeq, 0) };
};

describe('disruption over the Kubernetes API', () => {
  it('sends each step kind\'s requests in order and restores the scaled deployment', async () => {
    const job = nextJob();
    const from = api.requests.length;
    const runner = createDisruptionRunner({ ops: kubeClusterOps(kube), redis, pollMs: 20 });
    expect(await runner.run(suite('every-step'), job)).toMatchObject({ outcome: 'success' });
    const writes = resourceRequests(from).filter(isWrite).map(show);
    const deletes = writes.filter((w) => w.startsWith('DELETE'));
    expect(writes.filter((w) => !w.startsWith('DELETE'))).toEqual([
      'PATCH /apis/apps/v1/namespaces/soak-every/deployments/web/scale application/merge-patch+json',
      'PATCH /apis/apps/v1/namespaces/soak-every/deployments/api application/strategic-merge-patch+json',
      'PATCH /apis/apps/v1/namespaces/soak-every-cp/deployments/istiod application/strategic-merge-patch+json',
      // the restore
      'PATCH /apis/apps/v1/namespaces/soak-every/deployments/web/scale application/merge-patch+json',
    ]);
    // deletePods keeps 1 of api's 3 pods, and runs after setEnv and before the restore.
    expect(deletes).toHaveLength(2);
    expect(deletes.every((d) => d.startsWith('DELETE /api/v1/namespaces/soak-every/pods/api-'))).toBe(true);
    const order = resourceRequests(from).filter(isWrite).map(show);
    expect(order.indexOf(deletes[0]!)).toBeGreaterThan(order.findIndex((w) => w.includes('soak-every-cp')));

    const reqs = resourceRequests(from);
    // The original count is read before the scale, and the restore is read back.
    const scalePatch = reqs.findIndex((r) => r.method === 'PATCH' && r.path.endsWith('/web/scale'));
    expect(reqs.slice(0, scalePatch).some((r) => r.method === 'GET' && r.path.endsWith('/web/scale'))).toBe(true);
    expect(reqs.at(-1)).toMatchObject({ method: 'GET', path: '/apis/apps/v1/namespaces/soak-every/deployments/web/scale' });
    // Bodies: the job's time, not the clock, in both the restart and {{now}}.
    const restart = reqs.find((r) => r.method === 'PATCH' && r.path.endsWith('/deployments/api'));
    expect(JSON.stringify(restart?.body)).toContain(`"kubectl.kubernetes.io/restartedAt":"${new Date(job.scheduledAt).toISOString().replace('.000Z', 'Z')}"`);
    const env = reqs.find((r) => r.method === 'PATCH' && r.path.endsWith('/deployments/istiod'));
    expect(JSON.stringify(env?.body)).toContain(`{"name":"LAST_MANUAL_RESTART","value":"${job.scheduledAt / 1000}"}`);
    // waitRollout polled the deployment between the restart and setEnv.
    const restartAt = reqs.indexOf(restart!);
    expect(reqs[restartAt + 1]).toMatchObject({ method: 'GET', path: '/apis/apps/v1/namespaces/soak-every/deployments/api' });
    expect(await getScale(kube, 'soak-every', 'web')).toBe(3);
    expect(await new RestoreJournal(redis).suites()).toEqual([]);
  });

  it('sends the requests the dry run announces, in its order', async () => {
    const job = nextJob();
    const s = suite('bouncer-lite');
    const from = api.requests.length;
    expect(await createDisruptionRunner({ ops: kubeClusterOps(kube), redis, pollMs: 20 }).run(s, job)).toMatchObject({ outcome: 'success' });
    const sent = resourceRequests(from);
    let cursor = 0;
    for (const step of planDisruption(s, job.scheduledAt)) {
      for (const planned of step.requests) {
        const at = sent.findIndex(
          (r, i) =>
            i >= cursor &&
            r.method === planned.method &&
            r.path === planned.path &&
            (planned.patchType === undefined || r.contentType === PATCH_CONTENT_TYPE[planned.patchType]) &&
            (planned.body === undefined || JSON.stringify(r.body) === JSON.stringify(planned.body)) &&
            Object.entries(planned.query ?? {}).every(([k, v]) => r.query[k] === v),
        );
        expect(at, `${step.description}: ${planned.method} ${planned.path} ${JSON.stringify(planned.body)}`).toBeGreaterThanOrEqual(cursor);
        cursor = at + 1;
      }
    }
  });

  it('restores pilot when the step after the scale fails, with the API error in the outcome', async () => {
    const from = api.requests.length;
    api.faults.inject({ method: 'PATCH', pathPrefix: '/apis/apps/v1/namespaces/soak-bouncer/deployments/gateway', status: 500, times: 100 });
    const result = await createDisruptionRunner({ ops: kubeClusterOps(kube), redis, pollMs: 20 }).run(suite('bouncer-lite'), nextJob());
    api.faults.clear();
    expect(result.outcome).toBe('failure');
    expect(result.outcome === 'failure' ? result.message : '').toMatch(/step 2\/4 \(rolloutRestart gateway in soak-bouncer\) failed: .*injected fault: InternalError/);
    // Retried (attempts: 4), then given up.
    expect(resourceRequests(from).filter((r) => r.method === 'PATCH' && r.path.endsWith('/deployments/gateway'))).toHaveLength(4);
    expect(await getScale(kube, 'soak-bouncer', 'pilot')).toBe(2);
    expect(await new RestoreJournal(redis).suites()).toEqual([]);
  });

  it('retries 429, 503 and timeouts and succeeds when the API recovers', async () => {
    const from = api.requests.length;
    api.faults.inject({ method: 'PATCH', pathPrefix: '/apis/apps/v1/namespaces/soak-bouncer/deployments/pilot/scale', status: 429, times: 1 });
    api.faults.inject({ method: 'PATCH', pathPrefix: '/apis/apps/v1/namespaces/soak-bouncer/deployments/gateway', status: 503, times: 2 });
    api.faults.inject({ method: 'GET', pathPrefix: '/apis/apps/v1/namespaces/soak-bouncer/deployments/gateway', delayMs: HUNG_MS, times: 1 });
    const result = await createDisruptionRunner({ ops: kubeClusterOps(kube), redis, pollMs: 20 }).run(suite('bouncer-lite'), nextJob());
    expect(result).toMatchObject({ outcome: 'success' });
    const writes = resourceRequests(from).filter(isWrite).map((r) => r.path.split('/').slice(-2).join('/'));
    // In order: the scale (429, retried), the gateway patch (503 twice, retried), the restore.
    // A write the loaded machine answered after the client's bound is retried once more: runs
    // of the same write may be longer, never shorter or out of order.
    const runs = writes.reduce<Array<[string, number]>>((acc, w) => (acc.at(-1)?.[0] === w ? (acc.at(-1)![1]++, acc) : [...acc, [w, 1]]), []);
    expect(runs.map(([w]) => w)).toEqual(['pilot/scale', 'deployments/gateway', 'pilot/scale']);
    expect(runs[0]![1]).toBeGreaterThanOrEqual(2);
    expect(runs[1]![1]).toBeGreaterThanOrEqual(3);
    expect(await getScale(kube, 'soak-bouncer', 'pilot')).toBe(2);
  });

  it('reports a step that keeps timing out as a failure naming the timeout, and still restores', async () => {
    api.faults.inject({ method: 'PATCH', pathPrefix: '/apis/apps/v1/namespaces/soak-bouncer/deployments/gateway', delayMs: HUNG_MS, times: 10 });
    const result = await createDisruptionRunner({ ops: kubeClusterOps(kube), redis, pollMs: 20 }).run(suite('bouncer-lite'), nextJob());
    api.faults.clear();
    expect(result.outcome).toBe('failure');
    expect(result.outcome === 'failure' ? result.message : '').toContain(`no answer from the Kubernetes API within ${REQUEST_TIMEOUT_MS} ms`);
    expect(await getScale(kube, 'soak-bouncer', 'pilot')).toBe(2);
  });

  it('does nothing on a second run of a completed job', async () => {
    const job = nextJob();
    const runner = createDisruptionRunner({ ops: kubeClusterOps(kube), redis, pollMs: 20 });
    expect((await runner.run(suite('bouncer-lite'), job)).outcome).toBe('success');
    const from = api.requests.length;
    expect(await runner.run(suite('bouncer-lite'), job)).toEqual({ outcome: 'already-done' });
    expect(api.requests.length).toBe(from);
  });

  it('lets only one of two concurrent disruptions of a suite touch the cluster', async () => {
    const from = api.requests.length;
    const a = createDisruptionRunner({ ops: kubeClusterOps(kube), redis, pollMs: 20 });
    const b = createDisruptionRunner({ ops: kubeClusterOps(kube), redis, pollMs: 20 });
    const results = await Promise.all([a.run(suite('bouncer-lite'), nextJob()), b.run(suite('bouncer-lite'), nextJob())]);
    expect(results.map((r) => r.outcome).sort()).toEqual(['busy', 'success']);
    const scaleDowns = resourceRequests(from).filter((r) => r.method === 'PATCH' && r.path.endsWith('/pilot/scale') && JSON.stringify(r.body) === '{"spec":{"replicas":0}}');
    expect(scaleDowns).toHaveLength(1);
  });
});
