// Fortio reached through the Kubernetes API server's service proxy (`fortio.via: apiserver`):
// a whole benchmark run whose every Fortio call goes through the fake API server's
// services/NAME:PORT/proxy route with the kubeconfig's bearer token (the service's own host
// does not resolve here, so nothing can go direct), recovery stopping a load the same way,
// and a service without endpoints failing with the API server's message.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKubeApi, type FakeKubeApi } from '../../../simulator/kube-api/index.js';
import { buildBenchmark } from '../../../src/app/benchmark.js';
import { stateKeys } from '../../../src/adapters/redis/keys.js';
import { runBenchmark } from '../../../src/benchmark/run-benchmark.js';
import { FortioClient } from '../../../src/adapters/fortio/client.js';
import { serviceProxyConnection } from '../../../src/adapters/fortio/service-proxy.js';
import { kubeAccess } from '../../../src/adapters/fortio/kube-access.js';
import type { BenchmarkSpec } from '../../../src/benchmark/model.js';
import type { Config, Suite } from '../../../src/config/model.js';
import { startBenchWorld, type BenchWorld } from './bench-world.js';
import { scaledMs } from '../../../simulator/local/wait-for.js';

let w: BenchWorld;
let kube: FakeKubeApi;
const FORTIO_URL = 'http://fortioclient.twopods:8080';

function suiteOf(): Suite {
  const benchmark: BenchmarkSpec = {
    connections: [2], qps: [100], payloadBytes: [256], modes: ['both'], durationMs: 3000, warmupMs: 1000, cooldownMs: 500, stepMs: 1000,
    targets: { both: 'http://fortioserver:8080/echo' }, fortioUrl: FORTIO_URL, fortioVia: 'apiserver', istioVersion: '1.24.0',
    regression: { baseline: { kind: 'median', lastN: 3 }, thresholds: { p99Percent: 10, cpuPercent: 15 } }, keepRuns: 10,
  };
  return { name: 'bench', description: '', dir: '.', namespace: 'twopods', params: {}, manifests: [], checks: [], tickMs: 30_000, enabled: true, benchmark };
}

beforeAll(async () => {
  [w, kube] = await Promise.all([startBenchWorld(), startFakeKubeApi()]);
  kube.serviceProxy.register('twopods', 'fortioclient', 8080, w.sim.url);
}, scaledMs(120_000));

afterAll(async () => {
  await kube?.stop();
  await w?.stop();
});

describe('Fortio through the API server service proxy', () => {
  it('runs a benchmark point with every Fortio call proxied, and recovery stops a load the same way', async () => {
    const suite = suiteOf();
    const config = { prometheus: { url: w.prom.url, timeoutMs: 5000, headers: {} }, kubernetes: { kubeconfig: kube.kubeconfigPath }, suites: [suite] } as unknown as Config;
    const keys = stateKeys(`proxy-${process.pid}`);
    const bench = buildBenchmark(config, { redis: w.redis, owner: 'test', keys, pollMs: 100, lockTtlMs: 3000 });
    const out = await runBenchmark({ suite: 'bench', namespace: 'twopods', spec: suite.benchmark!, runId: 'via-proxy' }, bench.deps(suite), new AbortController().signal);
    expect(out.outcome).toBe('done');
    if (out.outcome === 'busy') return;
    expect(out.run.results[0]?.latency.RequestedQPS).toBe(100);
    const paths = kube.serviceProxy.calls.map((c) => c.replace(/\?.*$/, ''));
    expect(paths).toContain('twopods/fortioclient:8080 /fortio/rest/run');
    expect(paths).toContain('twopods/fortioclient:8080 /fortio/rest/status');
    expect(paths.some((p) => /^twopods\/fortioclient:8080 \/fortio\/data\/.+\.json$/.test(p))).toBe(true);

    // A crashed run's load, stopped by recovery through the proxy too.
    const direct = new FortioClient({ baseUrl: w.sim.url });
    const started = await direct.start({ url: 'http://fortioserver:8080/echo', qps: 10, connections: 1, durationMs: 60_000, labels: 'x_both' });
    await bench.store.save({ id: 'orphan', suite: 'bench', istioVersion: '1.24.0', state: 'running', startedAt: Date.now(), finishedAt: null, results: [] }, 10);
    await bench.store.journalPut({ runId: 'orphan', suite: 'bench', fortioUrl: FORTIO_URL, fortioRunId: started.runId, owner: 'gone', startedAt: Date.now() });
    expect(await bench.recover()).toEqual(['orphan']);
    expect(kube.serviceProxy.calls.at(-1)).toBe(`twopods/fortioclient:8080 /fortio/rest/stop?runid=${started.runId}`);
    expect(await direct.running(started.runId)).toBe(false);
  }, scaledMs(120_000));

  it('a service without endpoints fails with the API server message; a wrong token is refused', async () => {
    const access = () => kubeAccess(kube.kubeconfigPath);
    const none = new FortioClient({ baseUrl: 'unused', connect: serviceProxyConnection('http://fortioclient.other:8080', 'twopods', access) });
    await expect(none.running(1)).rejects.toThrow(/fortio status: HTTP 503: .*no endpoints available for service \\"fortioclient\\"/);
    const badToken = async () => ({ ...(await access()), headers: async () => ({ Authorization: 'Bearer wrong' }) });
    const refused = new FortioClient({ baseUrl: 'unused', connect: serviceProxyConnection(FORTIO_URL, 'twopods', badToken) });
    await expect(refused.running(1)).rejects.toThrow(/fortio status: HTTP 401/);
  });
});
