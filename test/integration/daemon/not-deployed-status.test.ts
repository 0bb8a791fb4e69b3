// A suite the Kubernetes API says is not deployed, as the daemon shows it: /api/v1/status
// carries coverage {checked: false, reason: not_deployed, detail: "not deployed: …"}, the
// check is skipped without being queried, and /metrics has suite_checked{reason="not_deployed"} 0
// (what MeshSoakSuiteNotChecked fires on) — while the Prometheus data would have failed it.
// The probe (the port buildKubeReaders fills from the real API, see
// test/integration/kube/not-deployed.test.ts) answers per suite here.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus, startRedis, startSyntheticTarget, waitFor } from '../../harness/index.js';
import type { RunningPrometheus, RunningRedis, SyntheticTarget } from '../../harness/index.js';
import { startDaemon, type Daemon } from '../../../src/app/index.js';
import type { DeploymentProbe } from '../../../src/checks/deployment.js';
import { check, checkState, config, getJson, quietLogger, suite, uniquePrefix } from './fixtures.js';
import { scaledMs } from '../../../simulator/local/wait-for.js';

let redis: RunningRedis | undefined;
let prom: RunningPrometheus | undefined;
let target: SyntheticTarget | undefined;
let daemon: Daemon | undefined;
let base = '';
const asked: string[] = [];

beforeAll(async () => {
  target = await startSyntheticTarget();
  target.set('soak_errors', { app: 'web' }, 9);
  redis = await startRedis();
  prom = await startPrometheus({ scrapeTargets: [target.hostPort], scrapeIntervalS: 1 });
  const probe: DeploymentProbe = (name) => {
    asked.push(name);
    return Promise.resolve(name === 'gone' ? { deployed: false, reason: 'namespace ns-gone does not exist' } : { deployed: true });
  };
  const cfg = config({
    prometheusUrl: prom.url,
    redisUrl: redis.url,
    suites: [suite('web', [check('errors', 'sum(soak_errors)', '> 5')]), suite('gone', [check('errors', 'sum(soak_errors)', '> 5')])],
  });
  daemon = await startDaemon(cfg, { logger: quietLogger, prefix: uniquePrefix(), port: 0, host: '127.0.0.1', deployment: probe });
  base = `http://127.0.0.1:${daemon.port}`;
  await daemon.scheduled;
}, scaledMs(120_000));

afterAll(async () => {
  await daemon?.stop();
  await prom?.stop();
  await redis?.stop();
  await target?.stop();
});

describe('a suite that is not deployed', () => {
  it('is skipped with the reason in status and metrics, while a deployed one is judged', async () => {
    type Coverage = { checked: boolean; reason: string; detail: string };
    const coverage = async (name: string): Promise<Coverage | undefined> => {
      const { body } = await getJson<{ suites: Array<{ name: string; coverage?: Coverage }> }>(`${base}/api/v1/status`);
      return body.suites.find((s) => s.name === name)?.coverage;
    };
    await waitFor(async () => (await coverage('gone'))?.reason === 'not_deployed', { timeoutMs: 60_000, what: 'gone not deployed' });
    expect(await coverage('gone')).toEqual({ checked: false, reason: 'not_deployed', detail: 'not deployed: namespace ns-gone does not exist' });
    expect((await checkState(base, 'gone', 'errors'))?.state).toBe('skipped');
    await waitFor(async () => (await checkState(base, 'web', 'errors'))?.state === 'failing', { timeoutMs: 60_000, what: 'web failing' });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/mesh_soak_suite_checked\{suite="gone",reason="not_deployed"\} 0/);
    expect(metrics).toMatch(/mesh_soak_suite_checked\{suite="web",reason="checked"\} 1/);
    expect(asked).toContain('gone');
    expect(asked).not.toContain('mesh');
  });
});
