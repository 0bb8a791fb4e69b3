// The 16 release-qualification checks (suites/release-qualification) and http10's client-side
// checks on the demo stack: real Redis, Prometheus and Alertmanager, the fake Kubernetes API,
// the simulated mesh and the daemon. Each fault of the simulated mesh is injected, the check
// meant for it must turn failing, and after the fault is switched off it must come back ok.
// Faults whose effects do not overlap run side by side (phase 1); the ones that hide other
// series (no ingress traffic, no Istio metrics at all) run alone. Windows and `for`s are
// shortened through the suite's params so that each phase takes about a minute.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoStack, type DemoStack } from '../../simulator/demo-stack.js';
import type { FaultKind } from '../../simulator/istio-metrics.js';
import { checkOf, describeChecks, fetchStatus, suiteOf } from './helpers/daemon-status.js';
import { waitUntil } from './helpers/wait-until.js';
import { scaledMs } from '../../simulator/local/wait-for.js';

const RQ = 'release-qualification';
const HTTP10 = 'http10';
// Detection needs a few scrapes into a 20 s window; recovery needs the window to forget.
const DETECT_MS = 60_000;
const RECOVER_MS = 90_000;

let stack: DemoStack;

beforeAll(async () => {
  stack = await startDemoStack({
    tickMs: 1000,
    // The disrupting suites stay out of the way: their schedules are long.
    schedules: { 'graceful-shutdown': '24h', 'gateway-bouncer': '24h', 'istio-upgrader': '24h' },
    params: {
      'gateway-bouncer': { pilotOutage: '3s' },
      [RQ]: {
        window: '20s',
        for: '0s',
        latencyFor: '0s',
        growthWindow: '30s',
        ingressGrowthFor: '0s',
        istiodGrowthFor: '0s',
        ingress200For: '0s',
        ingress200MinRps: 5,
        // Only the mesh's own gateway: gateway-bouncer runs one of the same name.
        ingressNamespace: 'istio-system',
      },
    },
  });
}, scaledMs(120_000));

afterAll(async () => {
  await stack?.stop();
}, scaledMs(60_000));

type Target = readonly [suite: string, check: string];

async function states(targets: readonly Target[]): Promise<Map<string, string>> {
  const body = await fetchStatus(stack.urls.status);
  return new Map(targets.map(([s, c]) => [`${s}/${c}`, checkOf(body, s, c).state]));
}

async function detail(): Promise<string> {
  return fetchStatus(stack.urls.status).then(describeChecks, (e: unknown) => `status unavailable: ${String(e)}`);
}

async function waitStates(targets: readonly Target[], want: (state: string) => boolean, what: string, timeoutMs: number): Promise<void> {
  await waitUntil(
    what,
    async () => {
      const now = await states(targets);
      return [...now.values()].every(want);
    },
    { timeoutMs, intervalMs: 500, detail },
  );
}

/** Injects the faults, sees every target fail (and the bystanders not), clears them, sees every target ok. */
async function faultPhase(faults: Array<readonly [suite: string, kind: FaultKind]>, targets: readonly Target[], bystanders: readonly Target[] = []): Promise<void> {
  for (const [suite, kind] of faults) stack.setFault(suite, kind, true);
  try {
    await waitStates(targets, (s) => s === 'failing', `failing: ${targets.map((t) => t.join('/')).join(', ')}`, DETECT_MS);
    const calm = await states(bystanders);
    for (const [name, state] of calm) expect(state, `${name} must not fail from these faults\n${await detail()}`).not.toBe('failing');
  } finally {
    for (const [suite, kind] of faults) stack.setFault(suite, kind, false);
  }
  await waitStates(targets, (s) => s === 'ok', `ok again: ${targets.map((t) => t.join('/')).join(', ')}`, RECOVER_MS);
}

describe('release-qualification on the simulated mesh', () => {
  it('is healthy to begin with: all 16 checks ok', async () => {
    const body0 = await fetchStatus(stack.urls.status);
    const names = suiteOf(body0, RQ).checks.map((c) => c.name);
    expect(names).toHaveLength(16);
    await waitStates(
      names.map((n) => [RQ, n] as const),
      (s) => s === 'ok',
      'every release-qualification check ok',
      90_000,
    );
    const body = await fetchStatus(stack.urls.status);
    expect(suiteOf(body, RQ).coverage).toMatchObject({ checked: true, reason: 'checked' });
  }, scaledMs(100_000));

  it('sees each of 13 side-by-side faults fail its own check, and recover', async () => {
    await faultPhase(
      [
        [RQ, '5xx'],
        [RQ, 'latency'],
        [RQ, 'ingress-latency'],
        [RQ, 'proxy-cpu'],
        [RQ, 'proxy-memory'],
        [RQ, 'ingress-memory-growth'],
        [RQ, 'istiod-cpu'],
        [RQ, 'istiod-memory'],
        [RQ, 'istiod-memory-growth'],
        [RQ, 'xds-push-errors'],
        [RQ, 'xds-rejects'],
        [RQ, 'istiod-not-ready'],
        [RQ, 'istiod-unavailable'],
        // Without PILOT_HTTP10 the client's sidecar answers 426.
        [HTTP10, 'no-pilot-http10'],
      ],
      [
        [RQ, 'http-5xx-ratio'],
        [RQ, 'workload-latency-p99'],
        [RQ, 'ingress-latency-p99'],
        [RQ, 'proxy-cpu'],
        [RQ, 'proxy-memory'],
        [RQ, 'ingress-memory-growth'],
        [RQ, 'istiod-cpu'],
        [RQ, 'istiod-memory'],
        [RQ, 'istiod-memory-growth'],
        [RQ, 'xds-push-errors'],
        [RQ, 'xds-rejects'],
        [RQ, 'istiod-not-ready'],
        [RQ, 'istiod-unavailable'],
        [HTTP10, 'client-4xx'],
      ],
      [
        [RQ, 'ingress-traffic-missing'],
        [RQ, 'istio-metrics-missing'],
        [RQ, 'ingress-200-rate'],
      ],
    );
    const body = await fetchStatus(stack.urls.status);
    const http10 = checkOf(body, HTTP10, 'client-4xx');
    expect(http10.state).toBe('ok');
  }, DETECT_MS + RECOVER_MS + 10_000);

  it('sees ingress errors fail ingress-200-rate, and HTTP/1.0 without Host fail http10 (400), then recover', async () => {
    await faultPhase(
      [
        [RQ, 'ingress-errors'],
        [HTTP10, 'no-host'],
      ],
      [
        [RQ, 'ingress-200-rate'],
        [HTTP10, 'client-4xx'],
      ],
      [[RQ, 'ingress-traffic-missing']],
    );
  }, DETECT_MS + RECOVER_MS + 10_000);

  it('sees missing ingress traffic fail ingress-traffic-missing, then recover', async () => {
    await faultPhase([[RQ, 'no-ingress']], [[RQ, 'ingress-traffic-missing'], [RQ, 'ingress-200-rate']], [[RQ, 'istio-metrics-missing']]);
  }, DETECT_MS + RECOVER_MS + 10_000);

  it('sees missing Istio metrics fail istio-metrics-missing, then recover; the check set itself stays checked', async () => {
    // (The traffic-guarded suites keep judging their [10m] windows for a while after the series
    // vanish, as Prometheus does; istio-metrics-missing is what says so at once.)
    stack.setFault(RQ, 'no-istio-metrics', true);
    try {
      await waitStates([[RQ, 'istio-metrics-missing']], (s) => s === 'failing', 'istio-metrics-missing failing', DETECT_MS);
      const body = await fetchStatus(stack.urls.status);
      expect(suiteOf(body, RQ).coverage).toMatchObject({ checked: true });
      const metrics = await (await fetch(stack.urls.metrics)).text();
      expect(metrics).toMatch(/mesh_soak_suite_checked\{suite="release-qualification",reason="checked"\} 1/);
    } finally {
      stack.setFault(RQ, 'no-istio-metrics', false);
    }
    await waitStates([[RQ, 'istio-metrics-missing']], (s) => s === 'ok', 'istio-metrics-missing ok again', RECOVER_MS);
  }, DETECT_MS + RECOVER_MS + 10_000);
});
