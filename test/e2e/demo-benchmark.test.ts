// The demo's benchmark: the 2×2 matrix in two modes (both, baseline) runs on its schedule
// through the fake API server's service proxy to the simulated Fortio client, its results
// land in the CSV with the original's columns, and with `bench:slow-proxy` on the p99
// regression check fails against the seeded previous release and its alert arrives through
// the real Alertmanager. The same stack `mesh-soak demo --fault bench:slow-proxy` starts.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { startDemoStack, type DemoStack } from '../../simulator/demo-stack.js';
import { checkOf, describeChecks, fetchStatus, suiteOf } from './helpers/daemon-status.js';
import { describeAlerts, findAlert } from './helpers/received-alerts.js';
import { waitUntil } from './helpers/wait-until.js';
import { scaledMs } from '../../simulator/local/wait-for.js';

let stack: DemoStack;

beforeAll(async () => {
  stack = await startDemoStack({
    tickMs: 2000,
    schedules: { 'graceful-shutdown': '24h', 'gateway-bouncer': '24h', 'istio-upgrader': '24h' },
    benchmark: '1h',
  });
  stack.setFault('bench', 'slow-proxy');
}, scaledMs(120_000));

afterAll(async () => {
  await stack?.stop();
}, scaledMs(60_000));

it('runs the 2×2 matrix in two modes on schedule, writes the CSV, and catches the slower proxy through Alertmanager', async () => {
  const status = () => fetchStatus(stack.urls.status);
  const bench = async () => suiteOf(await status(), 'benchmark');
  // The run is stored as done before its regression checks are judged: wait for the p99 check too.
  await waitUntil(
    'the first scheduled benchmark run, judged',
    async () => (await bench()).benchmark?.lastRun?.state === 'done' && checkOf(await status(), 'benchmark', 'bench-p99-regression').state === 'failing',
    { timeoutMs: 240_000, intervalMs: 1000, detail: async () => describeChecks(await status()) },
  );
  const run = (await bench()).benchmark?.lastRun;
  expect(run).toMatchObject({ istioVersion: '1.24.0', points: 8 });
  const csv = (await stack.benchCsv!()).trim().split(/\r?\n/);
  expect(csv[0]).toMatch(/^Labels,StartTime,RequestedQPS,ActualQPS,NumThreads,RunType,ActualDuration,min,max,p50,p75,p90,p99,p999,errorPercent,Payload,/);
  expect(csv.slice(1).map((l) => l.split(',')[2]).sort()).toEqual(['100', '100', '100', '100', '400', '400', '400', '400']);
  const p99 = checkOf(await status(), 'benchmark', 'bench-p99-regression');
  expect(p99.state).toBe('failing');
  // Only the sidecar mode slowed down: the baseline mode has no proxy on its path.
  expect(new Set(p99.instances.filter((i) => i.state === 'failing').map((i) => i.labels['mode']))).toEqual(new Set(['both']));
  await waitUntil('the regression alert through Alertmanager', () => findAlert(stack.alerts, { suite: 'benchmark', check: 'bench-p99-regression', status: 'firing' }) !== undefined, {
    timeoutMs: 60_000,
    detail: () => describeAlerts(stack.alerts),
  });
  expect(stack.kube.serviceProxy.calls.some((c) => c.startsWith('twopods/fortioclient:8080 /fortio/rest/run'))).toBe(true);
}, scaledMs(330_000));
