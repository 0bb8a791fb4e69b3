// Crash-and-restore at every step boundary: a child process runs bouncer-lite's disruption
// [scale pilot 0, rolloutRestart gateway, sleep 200ms, waitRollout gateway] with the real
// runner, client and Redis, and is SIGKILLed the moment the fake API receives its k-th
// mutating request (k = 1..N, the restore's own write included), or while its scale-down
// request hangs (journal written, cluster not yet changed). Then restorePending(), as the
// daemon calls it on start-up and every tick, must bring pilot back and empty the journal.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import type { KubernetesObject } from '@kubernetes/client-node';
import { builtScript, startRedis, waitFor, type RunningRedis } from '../../harness/index.js';
import { startFakeKubeApi, type FakeKubeApi, type RecordedRequest } from '../../../simulator/kube-api/index.js';
import { applyManifests, createKubeClients, getScale, type KubeContext } from '../../../src/adapters/kube/index.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { renderManifests } from '../../../src/config/suites/render-manifests.js';
import { createDisruptionRunner } from '../../../src/disruption/runner.js';
import { kubeClusterOps } from '../../../src/adapters/kube/cluster-ops.js';
import { RestoreJournal } from '../../../src/disruption/restore-journal.js';

const ROOT = resolve('.');
const CONFIG = join(ROOT, 'test/fixtures/suites-run/config.yaml');
/** Writes of an uninterrupted run: scale pilot to 0, restart the gateway, restore pilot. */
const WRITES = 3;

let redisServer: RunningRedis;
let redis: Redis;
let api: FakeKubeApi;
let kube: KubeContext;
/** The compiled crash-child.js (the child runs as plain Node). */
let childJs: string;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  childJs = await builtScript('test/integration/suites/crash-child.ts');
  redisServer = await startRedis();
  redis = new Redis(redisServer.url);
  api = await startFakeKubeApi({ rolloutStepMs: 10 });
  const config = await loadConfig(CONFIG, { env: { REDIS_URL: redisServer.url, KUBECONFIG_PATH: api.kubeconfigPath } });
  kube = createKubeClients(api.kubeconfigPath, { retry: { baseDelayMs: 5, maxDelayMs: 20, requestTimeoutMs: 2000, totalMs: 5000 } });
  const suite = config.suites.find((s) => s.name === 'bouncer-lite');
  await applyManifests(kube, (await renderManifests(suite!)) as KubernetesObject[]);
}, 600_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  redis?.disconnect();
  await api?.stop();
  await redisServer?.stop();
});

const isWrite = (r: RecordedRequest): boolean => r.method !== 'GET' && r.path.includes('/namespaces/');

/** Runs the child; `killWhen` sees each request as the fake API records it and may SIGKILL the child. */
async function runChild(
  jobId: string,
  scheduledAt: number,
  killWhen: (r: RecordedRequest, writesSoFar: number) => boolean,
): Promise<{ killed: boolean; writes: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [childJs], {
    env: {
      ...process.env,
      CONFIG,
      SUITE: 'bouncer-lite',
      JOB_ID: jobId,
      SCHEDULED_AT: String(scheduledAt),
      REDIS_URL: redisServer.url,
      KUBECONFIG_PATH: api.kubeconfigPath,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  let killed = false;
  let writes = 0;
  const requests = api.requests;
  const push = requests.push.bind(requests);
  // Kill synchronously as the request is recorded: the child never sees the answer.
  requests.push = (...items: RecordedRequest[]): number => {
    const n = push(...items);
    for (const r of items) {
      if (isWrite(r)) writes++;
      if (!killed && killWhen(r, writes)) {
        killed = true;
        child.kill('SIGKILL');
      }
    }
    return n;
  };
  try {
    await new Promise<void>((done, fail) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        fail(new Error(`child did not finish within 150 s; stderr: ${stderr}`));
        // Generous: a loaded 2-core machine takes ~20 s to start and run the child.
      }, 150_000);
      child.once('exit', () => {
        clearTimeout(timer);
        done();
      });
    });
  } finally {
    requests.push = push;
    children.delete(child);
  }
  return { killed, writes, stdout, stderr };
}

async function expectRestored(): Promise<void> {
  const runner = createDisruptionRunner({ ops: kubeClusterOps(kube), redis, lockTtlMs: 600 });
  // The dead child's lock expires after its TTL; until then the entry is (rightly) left alone.
  await waitFor(async () => (await runner.restorePending()) === 0, {
    timeoutMs: 150_000,
    intervalMs: 100,
    what: 'restorePending() to leave nothing pending',
  });
  expect(await getScale(kube, 'soak-bouncer', 'pilot')).toBe(2);
  expect(await new RestoreJournal(redis).suites()).toEqual([]);
  expect(await redis.hlen('mesh-soak:restore-journal:bouncer-lite')).toBe(0);
}

// A case may start the child twice and wait out a lock: bounded generously for a loaded machine.
describe('a disruption killed with SIGKILL is restored by restorePending', { timeout: 600_000 }, () => {
  it('runs to the end when not killed, with the writes this test counts on', async () => {
    const r = await runChild('uninterrupted', Date.UTC(2026, 1, 1), () => false);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ outcome: 'success' });
    expect(r.writes).toBe(WRITES);
    expect(await getScale(kube, 'soak-bouncer', 'pilot')).toBe(2);
  });

  for (let k = 1; k <= WRITES; k++) {
    it(`after write ${k} of ${WRITES}`, async () => {
      const r = await runChild(`kill-${k}`, Date.UTC(2026, 1, 1, 0, k), (_req, writes) => writes === k);
      expect(r.killed).toBe(true);
      if (k < WRITES) expect(await getScale(kube, 'soak-bouncer', 'pilot')).toBe(0);
      await expectRestored();
    });
  }

  it('after the journal write, while the scale-down request is still in flight', async () => {
    // The scale-down hangs; the kill lands after the journal entry exists, before the change.
    api.faults.inject({ method: 'PATCH', pathPrefix: '/apis/apps/v1/namespaces/soak-bouncer/deployments/pilot/scale', delayMs: 3000, times: 1 });
    let journaled = false;
    const r = await runChild('kill-in-flight', Date.UTC(2026, 1, 1, 1), (req) => {
      if (req.method === 'PATCH' && req.path.endsWith('/pilot/scale')) journaled = true;
      return journaled;
    });
    api.faults.clear();
    expect(r.killed).toBe(true);
    expect(await redis.hlen('mesh-soak:restore-journal:bouncer-lite')).toBe(1);
    await expectRestored();
  });

  it('during the sleep, with pilot down and the gateway restarting', async () => {
    const r = await runChild('kill-sleep', Date.UTC(2026, 1, 1, 2), (req, writes) => writes === 2 && req.method === 'PATCH');
    expect(r.killed).toBe(true);
    await expectRestored();
    // A later disruption of the suite runs normally after the repair.
    const again = await runChild('after-repair', Date.UTC(2026, 1, 1, 3), () => false);
    expect(JSON.parse(again.stdout)).toEqual({ outcome: 'success' });
    await expectRestored();
  });
});
