// sds-certmanager's four checks against the simulated mesh and cert-manager: the fake API with
// the suite applied (its Certificate included), the synthetic metrics target exporting Istio's
// and cert-manager's series for it (simulator/certmanager-metrics.ts), a real Prometheus
// scraping it, and the suite's checks through the check engine and the real Prometheus client.
// Each fault must turn its checks failing and, once switched off, ok again:
//   cert-not-ready → certificate-ready; cert-expiring → certificate-expiry;
//   5xx → gateway-5xx; cert-expired → sanity (handshakes fail), certificate-ready, certificate-expiry.
// The suite's `for`s and window are shortened through its params; waits are load-scaled.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubernetesObject } from '@kubernetes/client-node';
import { startFakeKubeApi, type FakeKubeApi } from '../../../simulator/kube-api/index.js';
import { kubeCertificatesView, kubeClusterView } from '../../../simulator/cluster-view.js';
import { CERT_MANAGER_TYPES } from '../../../simulator/certmanager-metrics.js';
import { startMetricsTarget, type MetricsTarget } from '../../../simulator/metrics-target.js';
import type { FaultKind } from '../../../simulator/istio-metrics.js';
import { loadScale } from '../../../simulator/local/wait-for.js';
import { startPrometheus, waitFor, type RunningPrometheus } from '../../harness/index.js';
import { applyManifests, createKubeClients } from '../../../src/adapters/kube/index.js';
import { buildProvider } from '../../../src/app/index.js';
import { evaluateGroup } from '../../../src/checks/evaluate-group.js';
import type { CheckRecord } from '../../../src/checks/types.js';
import { loadConfig } from '../../../src/config/load-config.js';
import type { Config, Suite } from '../../../src/config/model.js';
import { renderManifests } from '../../../src/config/suites/render-manifests.js';
import type { MetricsProvider } from '../../../src/adapters/prometheus/types.js';
import { writeSuitesConfig } from './suite-config.js';

const NS = 'istio-stability-sds-certmanager';
const CHECKS = ['certificate-ready', 'certificate-expiry', 'gateway-5xx', 'sanity'] as const;
type Check = (typeof CHECKS)[number];
// Detection needs a few scrapes; recovery needs the 20 s window to forget.
const DETECT_MS = 60_000;
const RECOVER_MS = 90_000;

let api: FakeKubeApi;
let target: MetricsTarget;
let prom: RunningPrometheus;
let provider: MetricsProvider;
let dir: string;
let suite: Suite;
let records: Record<string, CheckRecord> = {};

beforeAll(async () => {
  api = await startFakeKubeApi({ rolloutStepMs: 50 });
  for (const t of CERT_MANAGER_TYPES) api.store.catalogue.add(t);
  target = await startMetricsTarget({ view: kubeClusterView(api.kubeconfigPath), certificates: kubeCertificatesView(api.kubeconfigPath) });
  prom = await startPrometheus({ scrapeTargets: [target.hostPort], scrapeIntervalS: 1 });
  dir = await mkdtemp(join(tmpdir(), 'mesh-soak-sds-'));
  const file = await writeSuitesConfig(dir, {
    redisUrl: 'redis://127.0.0.1:9',
    kubeconfig: api.kubeconfigPath,
    prometheusUrl: prom.url,
    suites: ['  - use: sds-certmanager', '    params: { readyFor: 0s, sanityFor: 0s, window: 20s }'],
  });
  const config: Config = await loadConfig(file, { env: {} });
  suite = config.suites[0]!;
  provider = buildProvider(config);
  const kube = createKubeClients(api.kubeconfigPath);
  await applyManifests(kube, (await renderManifests(suite)) as KubernetesObject[]);
}, 120_000 * loadScale());

afterAll(async () => {
  await provider?.close();
  await prom?.stop();
  await target?.stop();
  await api?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function states(): Promise<Record<Check, string>> {
  const e = await evaluateGroup({ checks: suite.checks }, provider, records, Date.now());
  records = e.records;
  return Object.fromEntries(CHECKS.map((c) => [c, records[c]?.state ?? 'absent'])) as Record<Check, string>;
}

async function waitStates(checks: readonly Check[], want: string, timeoutMs: number): Promise<void> {
  let last: Record<string, string> = {};
  await waitFor(
    async () => {
      last = await states();
      return checks.every((c) => last[c] === want);
    },
    { timeoutMs, intervalMs: 1000, what: `${checks.join(', ')} ${want}`, seen: () => last },
  );
}

/** Switches the fault on, sees the checks fail (the others not), switches it off, sees them ok. */
async function faultPhase(kind: FaultKind, failing: readonly Check[]): Promise<void> {
  target.model.setFault(NS, kind, true);
  try {
    await waitStates(failing, 'failing', DETECT_MS);
    const now = await states();
    for (const c of CHECKS.filter((x) => !failing.includes(x))) expect(now[c], `${c} must not fail from ${kind}`).not.toBe('failing');
  } finally {
    target.model.setFault(NS, kind, false);
  }
  await waitStates(CHECKS, 'ok', RECOVER_MS);
}

const phaseMs = (DETECT_MS + RECOVER_MS + 10_000) * loadScale();

describe('sds-certmanager on the simulated mesh and cert-manager', () => {
  it('exports cert-manager\'s metrics for the suite\'s Certificate, and every check is ok', async () => {
    await waitStates(CHECKS, 'ok', 90_000);
    const text = await (await fetch(`${target.url}/metrics`)).text();
    const labels = `name="sds-gateway",namespace="${NS}",issuer_name="sds-selfsigned",issuer_kind="Issuer",issuer_group="cert-manager.io"`;
    expect(text).toMatch(new RegExp(`certmanager_certificate_expiration_timestamp_seconds\\{${labels}\\} \\d+`));
    expect(text).toMatch(new RegExp(`certmanager_certificate_renewal_timestamp_seconds\\{${labels}\\} \\d+`));
    expect(text).toContain(`certmanager_certificate_ready_status{${labels},condition="True"} 1`);
  }, 100_000 * loadScale());

  it('cert-not-ready fails certificate-ready, then recovers', async () => {
    await faultPhase('cert-not-ready', ['certificate-ready']);
  }, phaseMs);

  it('cert-expiring fails certificate-expiry, then recovers (cert-manager renews)', async () => {
    await faultPhase('cert-expiring', ['certificate-expiry']);
  }, phaseMs);

  it('5xx through the gateway fails gateway-5xx, then recovers', async () => {
    await faultPhase('5xx', ['gateway-5xx']);
  }, phaseMs);

  it('cert-expired fails certificate-ready, certificate-expiry and sanity (no request passes the gateway), then recovers', async () => {
    await faultPhase('cert-expired', ['certificate-ready', 'certificate-expiry', 'sanity']);
  }, phaseMs);
});
