// The whole loop, per suite, on the demo stack (real Redis, Prometheus and Alertmanager, the
// fake Kubernetes API, the synthetic Istio metrics target, the daemon): every suite's
// disruption runs its steps against the API; healthy disruptions alert nobody; a fault
// injected into each suite is caught by the check meant for it and arrives through
// Alertmanager's webhook; switching the fault off resolves the alert and the status page
// shows the check ok again. One stack for the file, the faults run side by side (they are
// per namespace), so the file takes about three minutes.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoStack, type DemoStack, type ReceivedAlert } from '../../simulator/demo-stack.js';
import type { FaultKind } from '../../simulator/istio-metrics.js';
import { checkOf, describeChecks, fetchStatus, suiteOf } from './helpers/daemon-status.js';
import { deploymentWrites, describeWrites, findSequence, type DeploymentWrite } from './helpers/deployment-writes.js';
import { describeAlerts, findAlert, firedChecks } from './helpers/received-alerts.js';
import { waitUntil } from './helpers/wait-until.js';
import { scaledMs } from '../../simulator/local/wait-for.js';

const GRACEFUL = 'graceful-shutdown';
const BOUNCER = 'gateway-bouncer';
const UPGRADER = 'istio-upgrader';
const HTTP10 = 'http10';
const MESH = 'mesh';
const GRACEFUL_NS = 'istio-stability-graceful-shutdown';
const BOUNCER_NS = 'istio-stability-gateway-bouncer';

// A [1m] rate window forgets a fault a minute after its last bad sample; then one tick, one
// scrape and Alertmanager's group interval. ~100 s covers it on a busy machine.
const RESOLVE_MS = 110_000;
// A fault that needs a disruption to show (no-drain, early-ready) waits for the next one.
const DETECT_MS = 60_000;

let stack: DemoStack;
let bouncerPilotReplicas = 0;

function replicasInStore(namespace: string, name: string): number {
  const d = stack.kube.store.read('apps/v1', 'Deployment', namespace, name);
  const r = (d?.spec as { replicas?: unknown } | undefined)?.replicas;
  if (typeof r !== 'number') throw new Error(`deployment ${namespace}/${name} has no replica count in the fake API`);
  return r;
}

async function stackDetail(namespace?: string): Promise<string> {
  const status = await fetchStatus(stack.urls.status).then(describeChecks, (e: unknown) => `status unavailable: ${String(e)}`);
  return [status, describeAlerts(stack.alerts), namespace ? describeWrites(deploymentWrites(stack.kube.requests, namespace)) : ''].join('\n');
}

beforeAll(async () => {
  stack = await startDemoStack({
    tickMs: 1000,
    schedules: { [GRACEFUL]: '10s', [BOUNCER]: '20s', [UPGRADER]: '15s' },
    params: { [BOUNCER]: { pilotOutage: '3s' } },
  });
  bouncerPilotReplicas = replicasInStore(BOUNCER_NS, 'istiod');
}, scaledMs(600_000));

afterAll(async () => {
  await stack?.stop();
}, scaledMs(600_000));

describe('healthy disruptions', () => {
  let watchingSince = 0;

  it('every check sees the simulated mesh (guards true, data flowing)', async () => {
    // The first disruptions start with the daemon, before Prometheus has scraped anything;
    // the ones that count for "alerts nobody" are those the checks were watching.
    await waitUntil(
      'every check of every suite ok or pending (none skipped or unknown)',
      async () => {
        const body = await fetchStatus(stack.urls.status);
        return body.suites.every((s) => s.checks.every((c) => c.state === 'ok' || c.state === 'pending'));
      },
      { timeoutMs: 60_000, intervalMs: 500, detail: () => stackDetail() },
    );
    watchingSince = Date.now();
  }, scaledMs(70_000));

  it('every disrupting suite runs its disruption to success while the checks watch', async () => {
    const status = await waitUntil(
      'a successful disruption of graceful-shutdown, gateway-bouncer and istio-upgrader started after the checks saw data',
      async () => {
        const body = await fetchStatus(stack.urls.status);
        return (
          [GRACEFUL, BOUNCER, UPGRADER].every((s) => {
            const last = suiteOf(body, s).lastDisruption;
            return last !== null && last.outcome === 'success' && last.startedAt >= watchingSince;
          }) && body
        );
      },
      { timeoutMs: 75_000, intervalMs: 500, detail: () => stackDetail() },
    );
    // http10 has no disruption: it only watches.
    expect(suiteOf(status, HTTP10).lastDisruption).toBeNull();
    expect(suiteOf(status, HTTP10).schedules.disruption).toBeNull();
  }, scaledMs(600_000));

  it('graceful-shutdown restarts httpbin through its pod template', () => {
    const writes = deploymentWrites(stack.kube.requests, GRACEFUL_NS);
    const restarts = writes.filter((w) => w.deployment === 'httpbin' && w.action === 'restart');
    expect(restarts.length, describeWrites(writes)).toBeGreaterThanOrEqual(1);
    // A restart and nothing else: no scaling, no env, no other deployment touched.
    expect(writes.filter((w) => w.deployment !== 'httpbin' || w.action !== 'restart'), describeWrites(writes)).toEqual([]);
  });

  it('gateway-bouncer takes pilot down, restarts the gateway, then brings pilot back to its count', async () => {
    const isPilot = (w: DeploymentWrite) => w.deployment === 'istiod';
    const steps = await waitUntil(
      'gateway-bouncer: scale istiod → 0, restart istio-ingressgateway, scale istiod back',
      () =>
        findSequence(deploymentWrites(stack.kube.requests, BOUNCER_NS), [
          (w) => isPilot(w) && w.action === 'scale' && w.replicas === 0,
          (w) => w.deployment === 'istio-ingressgateway' && w.action === 'restart',
          (w) => isPilot(w) && w.action === 'scale' && w.replicas === bouncerPilotReplicas,
        ]),
      { timeoutMs: 30_000, detail: () => describeWrites(deploymentWrites(stack.kube.requests, BOUNCER_NS)) },
    );
    expect(steps.map((w) => `${w.deployment}:${w.action}`)).toEqual(['istiod:scale', 'istio-ingressgateway:restart', 'istiod:scale']);
    // Every run ends restored: pilot at its original count again.
    await waitUntil(
      `istiod in ${BOUNCER_NS} back at ${bouncerPilotReplicas} replica(s) after the disruption`,
      async () => {
        const body = await fetchStatus(stack.urls.status);
        return suiteOf(body, BOUNCER).lastDisruption?.outcome === 'success' && replicasInStore(BOUNCER_NS, 'istiod') === bouncerPilotReplicas;
      },
      { timeoutMs: 90_000, intervalMs: 500, detail: () => stackDetail(BOUNCER_NS) },
    );
    const writes = deploymentWrites(stack.kube.requests, BOUNCER_NS);
    const lastPilotScale = writes.filter((w) => isPilot(w) && w.action === 'scale').at(-1);
    expect(lastPilotScale, describeWrites(writes)).toMatchObject({ action: 'scale', replicas: bouncerPilotReplicas });
  }, scaledMs(45_000));

  it('istio-upgrader sets LAST_MANUAL_RESTART on the istio-system deployments', () => {
    const writes = deploymentWrites(stack.kube.requests, 'istio-system');
    const env = writes.filter((w): w is Extract<DeploymentWrite, { action: 'env' }> => w.action === 'env' && 'LAST_MANUAL_RESTART' in w.env);
    expect(env.map((w) => w.deployment), describeWrites(writes)).toContain('istiod');
    // {{now}} rendered, not left as a template.
    for (const w of env) expect(w.env.LAST_MANUAL_RESTART).not.toMatch(/\{\{/);
  });

  it('disruptions that the mesh survives alert nobody, and every check is ok', async () => {
    expect(stack.alerts, describeAlerts(stack.alerts)).toEqual([]);
    const body = await fetchStatus(stack.urls.status);
    const failing = body.suites.flatMap((s) => s.checks.filter((c) => c.state === 'failing').map((c) => `${s.name}/${c.name}`));
    expect(failing, describeChecks(body)).toEqual([]);
    // The 5xx checks, the ones the faults below aim at, have evaluated and are ok.
    for (const [suite, check] of [[HTTP10, '5xx-rate'], [GRACEFUL, '5xx-rate'], [BOUNCER, 'gateway-5xx'], [UPGRADER, 'xds-rejects'], [MESH, 'pilot-xds-rejects']] as const) {
      expect(checkOf(body, suite, check).state, `${suite}/${check}\n${describeChecks(body)}`).toBe('ok');
    }
  });
});

interface FaultCase {
  suite: string;
  /** Goes first, alone: at its alert, no other suite's check may be failing. */
  alone?: boolean;
  kind: FaultKind;
  /** The check that must fire, and later resolve (a [1m] window). */
  check: string;
  /** Other checks that must fire too (their longer windows outlast the test). */
  alsoFiring?: Array<{ suite: string; check: string }>;
  /** Where the resolution is observed, when not on `suite`. */
  resolvedOn?: { suite: string; check: string };
}

const FAULTS: FaultCase[] = [
  // The server's 503 is the client's 503 too: http10 looks on both sides.
  { suite: HTTP10, kind: '5xx', check: '5xx-rate', alone: true, alsoFiring: [{ suite: HTTP10, check: 'client-5xx' }] },
  { suite: GRACEFUL, kind: 'no-drain', check: '5xx-rate' },
  { suite: BOUNCER, kind: 'early-ready', check: 'gateway-5xx', alsoFiring: [{ suite: BOUNCER, check: 'client-restarts' }] },
  // One counter, two checks: the suite's [5m] window and the mesh-wide [1m] one.
  { suite: UPGRADER, kind: 'xds-rejects', check: 'xds-rejects', alsoFiring: [{ suite: MESH, check: 'pilot-xds-rejects' }], resolvedOn: { suite: MESH, check: 'pilot-xds-rejects' } },
];

/** Pairs a fault may make fire; anything else firing is a false alarm. */
const MAY_FIRE = new Set([
  ...FAULTS.flatMap((f) => [`${f.suite}/${f.check}`, ...(f.alsoFiring ?? []).map((a) => `${a.suite}/${a.check}`)]),
  // A server-side 5xx is a client-side one too: the clients' view of the same requests.
  `${GRACEFUL}/client-errors`,
]);

function expectAlertShape(alert: ReceivedAlert, suite: string, check: string): void {
  expect(alert.labels).toMatchObject({ alertname: 'MeshSoakCheck', suite, check });
  expect(alert.labels.severity).toMatch(/^(critical|warning|info)$/);
  expect(alert.annotations.summary, `${suite}/${check} summary`).toBeTruthy();
  expect(alert.annotations.summary).not.toMatch(/\{\{/);
  expect(alert.annotations.value, `${suite}/${check} value`).toBeTruthy();
}

/** Injection → firing alert and switch-off → resolved alert, per case; printed, never asserted. */
const timings: string[] = [];

// The other faults wait for the lone one's alert (it comes within seconds), so that one
// shows the fault of one namespace failing nothing else.
let loneDone: () => void = () => undefined;
const loneFired = new Promise<void>((resolve) => {
  loneDone = resolve;
});

describe.concurrent('an injected fault, per suite', () => {
  for (const f of FAULTS) {
    it(`${f.suite}: ${f.kind} fires ${f.check} through Alertmanager, and switching it off resolves it`, async () => {
      const ns = f.suite === GRACEFUL ? GRACEFUL_NS : f.suite === BOUNCER ? BOUNCER_NS : undefined;
      if (!f.alone) await Promise.race([loneFired, new Promise((resolve) => setTimeout(resolve, DETECT_MS))]);
      const injectedAt = Date.now();
      stack.setFault(f.suite, f.kind, true);
      let faultOn = true;
      try {
        const firing = await waitUntil(
          `a firing ${f.suite}/${f.check} alert through Alertmanager after injecting ${f.kind}`,
          () => findAlert(stack.alerts, { suite: f.suite, check: f.check, status: 'firing', since: injectedAt }),
          { timeoutMs: DETECT_MS, detail: () => stackDetail(ns) },
        );
        expectAlertShape(firing, f.suite, f.check);
        if (f.alone) {
          try {
            // One more evaluation of every check after the alert, then only this one fails.
            const body = await waitUntil(
              'every check evaluated again after the first alert',
              async () => {
                const b = await fetchStatus(stack.urls.status);
                return b.suites.every((x) => x.checks.every((c) => (c.lastEvalAt ?? 0) >= firing.at)) && b;
              },
              { timeoutMs: 45_000, intervalMs: 500, detail: () => stackDetail() },
            );
            const failingNow = body.suites.flatMap((x) => x.checks.filter((c) => c.state === 'failing').map((c) => `${x.name}/${c.name}`));
            const aimed = [`${f.suite}/${f.check}`, ...(f.alsoFiring ?? []).map((a) => `${a.suite}/${a.check}`)].sort();
            expect([...failingNow].sort(), describeChecks(body)).toEqual(aimed);
          } finally {
            loneDone();
          }
        }
        for (const also of f.alsoFiring ?? []) {
          const a = await waitUntil(
            `a firing ${also.suite}/${also.check} alert after injecting ${f.kind} into ${f.suite}`,
            () => findAlert(stack.alerts, { ...also, status: 'firing', since: injectedAt }),
            { timeoutMs: 60_000, detail: () => stackDetail(ns) },
          );
          expectAlertShape(a, also.suite, also.check);
        }
        const failing = checkOf(await fetchStatus(stack.urls.status), f.suite, f.check);
        expect(failing.state, `${f.suite}/${f.check} on the status page while its alert fires`).toBe('failing');

        stack.setFault(f.suite, f.kind, false);
        faultOn = false;
        const switchedOffAt = Date.now();
        const target = f.resolvedOn ?? { suite: f.suite, check: f.check };
        const resolved = await waitUntil(
          `a resolved ${target.suite}/${target.check} alert after switching ${f.kind} off`,
          () => findAlert(stack.alerts, { ...target, status: 'resolved', since: switchedOffAt }),
          { timeoutMs: RESOLVE_MS, intervalMs: 500, detail: () => stackDetail(ns) },
        );
        expect(resolved.labels).toMatchObject({ suite: target.suite, check: target.check });
        timings.push(`${f.suite}:${f.kind} fired after ${((firing.at - injectedAt) / 1000).toFixed(1)} s, resolved ${((resolved.at - switchedOffAt) / 1000).toFixed(1)} s after switch-off`);
        const after = checkOf(await fetchStatus(stack.urls.status), target.suite, target.check);
        expect(after.state, `${target.suite}/${target.check} on the status page after its resolution`).toBe('ok');
      } finally {
        if (faultOn) stack.setFault(f.suite, f.kind, false);
        if (f.alone) loneDone();
      }
    }, DETECT_MS + 20_000 + RESOLVE_MS + 10_000);
  }
});

describe('afterwards', () => {
  it('only the checks aimed at by a fault ever fired', () => {
    const unexpected = firedChecks(stack.alerts).filter((c) => !MAY_FIRE.has(c));
    expect(unexpected, describeAlerts(stack.alerts)).toEqual([]);
    console.info(`e2e suites timings:\n  ${timings.join('\n  ')}`);
  });
});
