// "Not deployed" decided from the suite's own objects through the Kubernetes API: the shipped
// http10 suite against the simulated cluster and a real Prometheus whose data shows http10
// answering 5xx. Before its namespace and Deployments exist, `check` reports the suite
// skipped as "not deployed: …" (exit 4, never 0); once they exist the checks are judged and
// the 5xx fail; an unreachable API leaves the decision to the guard.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubernetesObject } from '@kubernetes/client-node';
import { startFakeKubeApi, type FakeKubeApi } from '../../../simulator/kube-api/index.js';
import { startPrometheus, type RunningPrometheus } from '../../harness/index.js';
import { loadConfig } from '../../../src/config/load-config.js';
import type { Config } from '../../../src/config/model.js';
import { buildKubeReaders } from '../../../src/app/index.js';
import { runChecks, selectGroups } from '../../../src/commands/check.js';
import { exitCodeFor } from '../../../src/commands/check-report.js';
import { applyManifests, createKubeClients } from '../../../src/adapters/kube/index.js';
import { probeSuiteObjects } from '../../../src/adapters/kube/suite-objects.js';
import { renderManifests } from '../../../src/config/suites/render-manifests.js';
import type { DeploymentProbe } from '../../../src/checks/deployment.js';
import { scaledMs } from '../../../simulator/local/wait-for.js';

const NS = 'istio-stability-http10';
let api: FakeKubeApi;
let prom: RunningPrometheus;
let dir: string;
let config: Config;

/** http10's traffic: 5 req/s at the server, one in five answered 503. */
function openMetrics(nowS: number): string {
  const lines = ['# TYPE istio_requests_total counter'];
  const start = nowS - 1800;
  for (const [code, rate] of [['200', 4], ['503', 1]] as const) {
    const labels = `reporter="destination",destination_service_namespace="${NS}",source_workload_namespace="${NS}",response_code="${code}"`;
    for (let t = start; t <= nowS + 600; t += 10) lines.push(`istio_requests_total{${labels}} ${rate * (t - start)} ${t}`);
  }
  return lines.join('\n') + '\n# EOF\n';
}

beforeAll(async () => {
  api = await startFakeKubeApi({ rolloutStepMs: 10 });
  prom = await startPrometheus({ backfillOpenMetrics: openMetrics(Math.floor(Date.now() / 1000)) });
  dir = await mkdtemp(join(tmpdir(), 'mesh-soak-not-deployed-'));
  const file = join(dir, 'config.yaml');
  await writeFile(file, `prometheus: { url: "${prom.url}" }\nredis: { url: "redis://127.0.0.1:1" }\nkubernetes: { kubeconfig: "${api.kubeconfigPath}" }\nsuites:\n  - use: http10\n`);
  config = await loadConfig(file, { env: {} });
}, scaledMs(120_000));

afterAll(async () => {
  await api?.stop();
  await prom?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function probe(): Promise<DeploymentProbe> {
  const built = await buildKubeReaders(config);
  if (!built.deployment) throw new Error(`no probe: ${built.off.join('; ')}`);
  return built.deployment;
}

async function check(p: DeploymentProbe) {
  const rows = await runChecks(config, selectGroups(config, ['http10']), prom.url, Date.now(), { deployment: p });
  return { rows, code: exitCodeFor(rows, { allowSkipped: false }) };
}

describe('not deployed, from the Kubernetes API', () => {
  it('skips every check with the missing namespace as the reason while Prometheus shows 5xx; exit 4, not 0', async () => {
    const p = await probe();
    expect(await p('http10')).toEqual({ deployed: false, reason: `namespace ${NS} does not exist` });
    const { rows, code } = await check(p);
    expect(rows.length).toBeGreaterThan(3);
    for (const r of rows) {
      expect(r.state).toBe('skipped');
      expect(r.reason).toBe(`not deployed: namespace ${NS} does not exist`);
    }
    expect(code).toBe(4);
  }, scaledMs(60_000));

  it('names the first missing Deployment once the namespace exists', async () => {
    const kube = createKubeClients(api.kubeconfigPath);
    await applyManifests(kube, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }]);
    const verdict = await (await probe())('http10');
    expect(verdict).toMatchObject({ deployed: false });
    expect('reason' in verdict && verdict.reason).toMatch(new RegExp(`^deployment ${NS}/[a-z0-9-]+ does not exist$`));
  }, scaledMs(60_000));

  it('judges the checks once every object exists: the 5xx fail (exit 1)', async () => {
    const kube = createKubeClients(api.kubeconfigPath);
    const suite = config.suites.find((s) => s.name === 'http10')!;
    await applyManifests(kube, (await renderManifests(suite)) as KubernetesObject[]);
    const p = await probe();
    expect(await p('http10')).toEqual({ deployed: true });
    const { rows, code } = await check(p);
    expect(rows.find((r) => r.check === '5xx-rate')?.state).toBe('failing');
    expect(rows.some((r) => r.reason?.startsWith('not deployed') === true)).toBe(false);
    expect(code).toBe(1);
  }, scaledMs(60_000));

  it('an API that cannot answer is an error verdict, not "not deployed"', async () => {
    const kube = createKubeClients(api.kubeconfigPath, { retry: { attempts: 1, requestTimeoutMs: 2000, totalMs: 2000 } });
    api.faults.inject({ status: 500, times: 10 });
    try {
      const verdict = await probeSuiteObjects(kube, { namespace: NS, deployments: [] });
      expect(verdict).toHaveProperty('error');
    } finally {
      api.faults.clear();
    }
  }, scaledMs(60_000));
});
