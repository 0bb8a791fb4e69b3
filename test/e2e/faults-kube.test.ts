// The Kubernetes API misbehaving during disruptions of `mesh-soak run` (child process):
// a bounded number of 500s, 429s and one hung request (longer than the client's 15 s
// request timeout) are retried and the disruption still succeeds, with the codes counted in
// mesh_soak_kube_requests_total; a fault that outlasts the retries makes the disruption a
// `failure` (disruptions_total{outcome="failure"}), and pilot's scale is still restored from
// the journal by the ticks once the API recovers.

import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { waitFor } from '../harness/index.js';
import { DEFAULT_RETRY } from '../../src/adapters/kube/index.js';
import { startCliDaemon, type CliDaemon } from './fault-helpers/cli-daemon.js';
import { startFaultEnv, type FaultEnv } from './fault-helpers/fault-env.js';
import { scrape, sumOf } from './fault-helpers/metrics-text.js';
import { storedReplicas } from './fault-helpers/kube-writes.js';
import { deployFixture, namespaceOf, ORIGINAL_REPLICAS } from './fault-helpers/soak-fixture.js';
import { disruptionRecords, pendingRestores, type DisruptionRecord } from './fault-helpers/soak-state.js';
import { scaledMs } from '../../simulator/local/wait-for.js';

const TOKEN = 'fault-test-token';
/** The CLI's Kubernetes request timeout (src/adapters/kube/retry.ts DEFAULT_RETRY), not configurable. */
const REQUEST_TIMEOUT_MS = DEFAULT_RETRY.requestTimeoutMs;
/** Attempts per Kubernetes call (DEFAULT_RETRY.attempts). */
const RETRY_ATTEMPTS = DEFAULT_RETRY.attempts;
const NS = namespaceOf('web');
const DEPLOYMENTS = `/apis/apps/v1/namespaces/${NS}/deployments`;

let env: FaultEnv | undefined;
let daemon: CliDaemon | undefined;

beforeAll(async () => {
  env = await startFaultEnv({ name: 'kube', kubeApi: { rolloutStepMs: 50 } });
  const config = await env.writeFixture({ tick: '1s', suites: [{ name: 'web', schedule: '{ cron: "0 0 1 1 *" }' }] });
  await deployFixture(config, env.api.kubeconfigPath);
  daemon = await startCliDaemon({ cli: env.cli, config, logFile: join(env.dir, 'daemon.log'), env: { MESH_SOAK_ADMIN_TOKEN: TOKEN } });
}, scaledMs(600_000));

afterAll(() => env?.stop());

async function trigger(): Promise<number> {
  const at = Date.now();
  const res = await fetch(`${daemon!.base}/api/v1/suites/web/trigger`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}` },
    signal: AbortSignal.timeout(scaledMs(3000)),
  });
  expect(res.ok).toBe(true);
  return at;
}

async function outcomeAfter(at: number, timeoutMs: number): Promise<DisruptionRecord> {
  let found: DisruptionRecord | undefined;
  await waitFor(
    async () => {
      found = (await disruptionRecords(env!.client, 'web')).find((x) => x.startedAt >= at - 1000);
      return found !== undefined;
    },
    { timeoutMs, intervalMs: 200, what: 'the disruption outcome' },
  );
  return found!;
}

it('retries bounded 500s, 429s and a hung request: the disruption succeeds and the codes are counted', async () => {
  env!.api.faults.inject({ method: 'GET', pathPrefix: `${DEPLOYMENTS}/pilot/scale`, delayMs: REQUEST_TIMEOUT_MS + 1000, times: 1 });
  env!.api.faults.inject({ method: 'PATCH', pathPrefix: `${DEPLOYMENTS}/pilot/scale`, status: 500, times: 2 });
  env!.api.faults.inject({ method: 'PATCH', pathPrefix: `${DEPLOYMENTS}/gateway`, status: 429, times: 2 });
  env!.api.faults.inject({ method: 'GET', pathPrefix: `${DEPLOYMENTS}/gateway`, status: 503, times: 1 });
  const at = await trigger();
  const result = await outcomeAfter(at, REQUEST_TIMEOUT_MS + 30_000);
  expect(result.outcome, result.message).toBe('success');
  expect(env!.api.faults.pending).toBe(0);
  expect(storedReplicas(env!.api.store, NS, 'pilot')).toBe(ORIGINAL_REPLICAS);
  const m = await scrape(daemon!.base);
  const code = (c: string): number => sumOf(m, 'mesh_soak_kube_requests_total', { code: c });
  expect(code('500')).toBeGreaterThanOrEqual(2);
  expect(code('429')).toBeGreaterThanOrEqual(2);
  expect(code('503')).toBeGreaterThanOrEqual(1);
  expect(code('timeout')).toBeGreaterThanOrEqual(1);
  expect(sumOf(m, 'mesh_soak_disruptions_total', { outcome: 'success' })).toBeGreaterThanOrEqual(1);
  console.log(
    `[faults-kube] bounded faults: success in ${result.durationMs} ms (one ${REQUEST_TIMEOUT_MS} ms timeout included); ` +
      `kube_requests_total 500=${code('500')} 429=${code('429')} 503=${code('503')} timeout=${code('timeout')} 200=${code('200')}`,
  );
}, scaledMs(600_000));

it('reports a failure when the fault outlasts the retries, and restores pilot once the API recovers', async () => {
  const failuresBefore = sumOf(await scrape(daemon!.base), 'mesh_soak_disruptions_total', { outcome: 'failure' });
  // The gateway restart fails on every attempt (the step gives up), and pilot's restore
  // fails for three rounds of retries: the run's own, then the ticks' restorePending.
  env!.api.faults.inject({ method: 'PATCH', pathPrefix: `${DEPLOYMENTS}/gateway`, status: 500, times: RETRY_ATTEMPTS });
  const at = await trigger();
  await waitFor(() => storedReplicas(env!.api.store, NS, 'pilot') === 0, { timeoutMs: 60_000, intervalMs: 20, what: 'pilot scaled down' });
  env!.api.faults.inject({ method: 'PATCH', pathPrefix: `${DEPLOYMENTS}/pilot/scale`, status: 500, times: 3 * RETRY_ATTEMPTS });
  const result = await outcomeAfter(at, 40_000);
  const reportedAt = Date.now();
  expect(result.outcome).toBe('failure');
  expect(result.message).toMatch(/gateway/);
  expect(result.message).toMatch(/restore pilot/);
  expect(await pendingRestores(env!.client)).toEqual(['web']);
  expect(storedReplicas(env!.api.store, NS, 'pilot')).toBe(0);
  const m = await scrape(daemon!.base);
  expect(sumOf(m, 'mesh_soak_disruptions_total', { outcome: 'failure' })).toBe(failuresBefore + 1);

  // The API recovers once the remaining injected faults are used up by the ticks' retries.
  await waitFor(async () => (await pendingRestores(env!.client)).length === 0 && storedReplicas(env!.api.store, NS, 'pilot') === ORIGINAL_REPLICAS, {
    timeoutMs: 40_000,
    intervalMs: 200,
    what: 'pilot restored and the journal empty',
  });
  const restoredAfter = Date.now() - reportedAt;
  expect(env!.api.faults.pending).toBe(0);
  const after = await scrape(daemon!.base);
  expect(sumOf(after, 'mesh_soak_restores_pending')).toBe(0);
  console.log(`[faults-kube] outlasting fault: failure after ${result.durationMs} ms ("${result.message}"); pilot restored by the ticks ${restoredAfter} ms after the failure was reported (${2 * RETRY_ATTEMPTS} more 500s on the way)`);
}, scaledMs(600_000));
