// Running crash-child.ts for one disruption and SIGKILLing it the moment the fake API records
// a chosen request (synchronously, so the child never sees the answer). Shared by the
// crash-at-every-step tests.

import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import type { KubernetesObject } from '@kubernetes/client-node';
import { startFakeKubeApi, type FakeKubeApi, type RecordedRequest } from '../../../simulator/kube-api/index.js';
import { builtScript, startRedis, waitFor, type RunningRedis } from '../../harness/index.js';
import { loadScale } from '../../../simulator/local/wait-for.js';
import { applyManifests, createKubeClients, type KubeContext } from '../../../src/adapters/kube/index.js';
import { kubeClusterOps } from '../../../src/adapters/kube/cluster-ops.js';
import { loadConfig } from '../../../src/config/load-config.js';
import type { Suite } from '../../../src/config/model.js';
import { renderManifests } from '../../../src/config/suites/render-manifests.js';
import { createDisruptionRunner } from '../../../src/disruption/runner.js';

export const CRASH_CONFIG = join(resolve('.'), 'test/fixtures/suites-run/config.yaml');

/**
 * The suite lock's TTL, in the child and in the restorer: short, so a restore takes over soon
 * after a kill, and stretched with the machine's load, where a renewal can come late and a
 * live child would lose its lock mid-step.
 */
export const crashLockTtlMs = (): number => Math.round(600 * loadScale());

/** Redis, the fake API with the suite's manifests applied, and the compiled child; stop() ends them all. */
export interface CrashEnv {
  redisServer: RunningRedis;
  redis: Redis;
  api: FakeKubeApi;
  kube: KubeContext;
  /** The suite as the fixture config loads it. */
  suite: Suite;
  /** The suite's restore journal in Redis. */
  journalKey: string;
  /** Runs the child for `suite`; `killWhen` sees each request as the fake API records it. */
  run(jobId: string, scheduledAt: number, killWhen: CrashChildOptions['killWhen']): Promise<CrashRun>;
  stop(): Promise<void>;
}

/**
 * The control plane the chaos suites pick from, as Deployments in istio-system labelled
 * app=<name> (what their deletePods selectors and scale steps address).
 */
export const CONTROL_PLANE = ['istiod', 'istio-ingressgateway'] as const;

export function controlPlaneDeployment(name: string, replicas: number): KubernetesObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'istio-system', labels: { app: name } },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'discovery', image: 'istio/pilot' }] } } },
  } as KubernetesObject;
}

export async function startCrashEnv(suiteName: string): Promise<CrashEnv> {
  const childJs = await builtScript('test/integration/suites/crash-child.ts');
  const redisServer = await startRedis();
  const redis = new Redis(redisServer.url);
  const api = await startFakeKubeApi({ rolloutStepMs: 10 });
  const children = new Set<ChildProcess>();
  const config = await loadConfig(CRASH_CONFIG, { env: { REDIS_URL: redisServer.url, KUBECONFIG_PATH: api.kubeconfigPath } });
  const kube = createKubeClients(api.kubeconfigPath, { retry: { baseDelayMs: 5, maxDelayMs: 20, requestTimeoutMs: 2000, totalMs: 5000 } });
  const suite = config.suites.find((s) => s.name === suiteName);
  if (!suite) throw new Error(`no suite ${suiteName} in ${CRASH_CONFIG}`);
  await applyManifests(kube, (await renderManifests(suite)) as KubernetesObject[]);
  return {
    redisServer,
    redis,
    api,
    kube,
    suite,
    journalKey: `mesh-soak:restore-journal:${suiteName}`,
    run: (jobId, scheduledAt, killWhen) =>
      runCrashChild({ api, childJs, env: { CONFIG: CRASH_CONFIG, SUITE: suiteName, JOB_ID: jobId, SCHEDULED_AT: scheduledAt, REDIS_URL: redisServer.url, LOCK_TTL_MS: crashLockTtlMs() }, killWhen, children }),
    stop: async () => {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      redis.disconnect();
      await api.stop();
      await redisServer.stop();
    },
  };
}

/**
 * What a later start does after a crash: restorePending() until nothing is pending (a
 * load-scaled deadline: the killed child's lock must expire first). Leaves the journal empty.
 */
export async function restoreAfterCrash(env: CrashEnv): Promise<void> {
  const runner = createDisruptionRunner({ ops: kubeClusterOps(env.kube), redis: env.redis, lockTtlMs: crashLockTtlMs() });
  await waitFor(async () => (await runner.restorePending()) === 0, { timeoutMs: 150_000, intervalMs: 100, what: 'restorePending() to leave nothing pending' });
}

/** The deployment's replicas all updated, available and ready, and no other pod left (terminating ones aside). */
export async function deploymentSettled(kube: KubeContext, namespace: string, name: string): Promise<boolean> {
  const d = await kube.apps.readNamespacedDeployment({ name, namespace });
  const want = d.spec?.replicas ?? 1;
  const s = d.status ?? {};
  if ((s.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) return false;
  if (s.updatedReplicas !== want || s.availableReplicas !== want || s.readyReplicas !== want) return false;
  const selector = Object.entries(d.spec?.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
  const pods = await kube.core.listNamespacedPod({ namespace, labelSelector: selector });
  return pods.items.filter((p) => p.metadata?.deletionTimestamp === undefined).length === want;
}

/** Waits (load-scaled) until every named deployment of the namespace has settled. */
export async function waitSettled(kube: KubeContext, namespace: string, names: readonly string[]): Promise<void> {
  for (const name of names) {
    await waitFor(() => deploymentSettled(kube, namespace, name), { timeoutMs: 30_000, intervalMs: 50, what: `deployment ${namespace}/${name} ready at its replica count` });
  }
}

export interface CrashRun {
  killed: boolean;
  writes: number;
  stdout: string;
  stderr: string;
}

export interface CrashChildOptions {
  api: FakeKubeApi;
  /** The compiled crash-child.js. */
  childJs: string;
  env: { CONFIG: string; SUITE: string; REDIS_URL: string; JOB_ID: string; SCHEDULED_AT: number; LOCK_TTL_MS?: number };
  /** Sees each request as recorded with the count of writes so far; true kills the child. */
  killWhen: (r: RecordedRequest, writesSoFar: number) => boolean;
  /** Children still running, for the test's afterAll. */
  children: Set<ChildProcess>;
  timeoutMs?: number;
}

/** A mutating request to a namespaced or cluster-scoped object (discovery is only ever read). */
export const isWrite = (r: RecordedRequest): boolean => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method) && /^\/apis?\//.test(r.path);

export async function runCrashChild(o: CrashChildOptions): Promise<CrashRun> {
  const child = spawn(process.execPath, [o.childJs], {
    env: { ...process.env, ...o.env, SCHEDULED_AT: String(o.env.SCHEDULED_AT), LOCK_TTL_MS: String(o.env.LOCK_TTL_MS ?? 600), KUBECONFIG_PATH: o.api.kubeconfigPath },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  o.children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  let killed = false;
  let writes = 0;
  const requests = o.api.requests;
  const push = requests.push.bind(requests);
  requests.push = (...items: RecordedRequest[]): number => {
    const n = push(...items);
    for (const r of items) {
      if (isWrite(r)) writes++;
      if (!killed && o.killWhen(r, writes)) {
        killed = true;
        child.kill('SIGKILL');
      }
    }
    return n;
  };
  const timeoutMs = o.timeoutMs ?? 120_000;
  try {
    await new Promise<void>((done, fail) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        fail(new Error(`child did not finish within ${timeoutMs} ms; stderr: ${stderr}`));
      }, timeoutMs);
      child.once('exit', () => {
        clearTimeout(timer);
        done();
      });
    });
  } finally {
    requests.push = push;
    o.children.delete(child);
  }
  return { killed, writes, stdout, stderr };
}
