// Running crash-child.ts for one disruption and SIGKILLing it the moment the fake API records
// a chosen request (synchronously, so the child never sees the answer). Shared by the
// crash-at-every-step tests.

import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import type { KubernetesObject } from '@kubernetes/client-node';
import { startFakeKubeApi, type FakeKubeApi, type RecordedRequest } from '../../../simulator/kube-api/index.js';
import { builtScript, startRedis, type RunningRedis } from '../../harness/index.js';
import { applyManifests, createKubeClients, type KubeContext } from '../../../src/adapters/kube/index.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { renderManifests } from '../../../src/config/suites/render-manifests.js';

export const CRASH_CONFIG = join(resolve('.'), 'test/fixtures/suites-run/config.yaml');

/** Redis, the fake API with the suite's manifests applied, and the compiled child; stop() ends them all. */
export interface CrashEnv {
  redisServer: RunningRedis;
  redis: Redis;
  api: FakeKubeApi;
  kube: KubeContext;
  /** Runs the child for `suite`; `killWhen` sees each request as the fake API records it. */
  run(jobId: string, scheduledAt: number, killWhen: CrashChildOptions['killWhen']): Promise<CrashRun>;
  stop(): Promise<void>;
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
    run: (jobId, scheduledAt, killWhen) =>
      runCrashChild({ api, childJs, env: { CONFIG: CRASH_CONFIG, SUITE: suiteName, JOB_ID: jobId, SCHEDULED_AT: scheduledAt, REDIS_URL: redisServer.url }, killWhen, children }),
    stop: async () => {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      redis.disconnect();
      await api.stop();
      await redisServer.stop();
    },
  };
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
  env: { CONFIG: string; SUITE: string; REDIS_URL: string; JOB_ID: string; SCHEDULED_AT: number };
  /** Sees each request as recorded with the count of writes so far; true kills the child. */
  killWhen: (r: RecordedRequest, writesSoFar: number) => boolean;
  /** Children still running, for the test's afterAll. */
  children: Set<ChildProcess>;
  timeoutMs?: number;
}

/** A mutating request to a namespaced or cluster object (not discovery). */
export const isWrite = (r: RecordedRequest): boolean => r.method !== 'GET' && r.path.includes('/namespaces/');

export async function runCrashChild(o: CrashChildOptions): Promise<CrashRun> {
  const child = spawn(process.execPath, [o.childJs], {
    env: { ...process.env, ...o.env, SCHEDULED_AT: String(o.env.SCHEDULED_AT), KUBECONFIG_PATH: o.api.kubeconfigPath },
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
