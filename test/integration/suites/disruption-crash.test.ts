// Crash-and-restore at every step boundary: a child process runs bouncer-lite's disruption
// [scale pilot 0, rolloutRestart gateway, sleep 200ms, waitRollout gateway] with the real
// runner, client and Redis, and is SIGKILLed the moment the fake API receives its k-th
// mutating request (k = 1..N, the restore's own write included), or while its scale-down
// request hangs (journal written, cluster not yet changed). Then restorePending(), as the
// daemon calls it on start-up and every tick, must bring pilot back and empty the journal.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { waitFor } from '../../harness/index.js';
import type { FakeKubeApi, RecordedRequest } from '../../../simulator/kube-api/index.js';
import { getScale, type KubeContext } from '../../../src/adapters/kube/index.js';
import { createDisruptionRunner } from '../../../src/disruption/runner.js';
import { kubeClusterOps } from '../../../src/adapters/kube/cluster-ops.js';
import { RestoreJournal } from '../../../src/disruption/restore-journal.js';
import { startCrashEnv, type CrashEnv, type CrashRun } from './crash-harness.js';
import { scaledMs } from '../../../simulator/local/wait-for.js';

/** Writes of an uninterrupted run: scale pilot to 0, restart the gateway, restore pilot. */
const WRITES = 3;

let env: CrashEnv | undefined;
let redis: Redis;
let api: FakeKubeApi;
let kube: KubeContext;

beforeAll(async () => {
  env = await startCrashEnv('bouncer-lite');
  ({ redis, api, kube } = env);
}, scaledMs(600_000));

afterAll(async () => {
  await env?.stop();
});

/** Runs the child; `killWhen` sees each request as the fake API records it and may SIGKILL the child. */
function runChild(jobId: string, scheduledAt: number, killWhen: (r: RecordedRequest, writesSoFar: number) => boolean): Promise<CrashRun> {
  return env!.run(jobId, scheduledAt, killWhen);
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
describe('a disruption killed with SIGKILL is restored by restorePending', { timeout: scaledMs(600_000) }, () => {
  it('runs to the end when not killed, with the writes this test counts on', async () => {
    const r = await runChild('uninterrupted', Date.UTC(2026, 1, 1), () => false);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ outcome: 'success' });
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
    expect(JSON.parse(again.stdout)).toMatchObject({ outcome: 'success' });
    await expectRestored();
  });
});
