// What the Istio-series benchmarks run the daemon against: a temp dir, the synthetic Istio
// target, Redis and a Prometheus scraping the target every second, all owned by the
// benchmark's lifecycle; returns once Prometheus has the Istio series.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPrometheus, startRedis, type RunningPrometheus, type RunningRedis } from '../../test/harness/index.js';
import { startIstioTarget, type IstioTarget } from './istio-target.js';
import type { Lifecycle } from './lifecycle.js';
import { waitForSeries } from './wait-for-series.js';

export interface IstioStack {
  dir: string;
  istio: IstioTarget;
  redis: RunningRedis;
  prom: RunningPrometheus;
}

/** `name` names the temp dir: mesh-soak-bench-<name>-XXXXXX; ruleFiles (written into it) are loaded by Prometheus. */
export async function startIstioStack(life: Lifecycle, name: string, o: { ruleFiles?: (dir: string) => Promise<string[]> } = {}): Promise<IstioStack> {
  const dir = life.own(await mkdtemp(join(tmpdir(), `mesh-soak-bench-${name}-`)), (d) => rm(d, { recursive: true, force: true }));
  const istio = life.own(await startIstioTarget(), (t) => t.stop());
  const redis = life.own(await startRedis(), (r) => r.stop());
  const ruleFiles = o.ruleFiles ? await o.ruleFiles(dir) : [];
  const prom = life.own(await startPrometheus({ scrapeTargets: [istio.target.hostPort], scrapeIntervalS: 1, ...(ruleFiles.length > 0 ? { ruleFiles } : {}) }), (p) => p.stop());
  await waitForSeries(prom.url, 'istio_requests_total');
  return { dir, istio, redis, prom };
}
