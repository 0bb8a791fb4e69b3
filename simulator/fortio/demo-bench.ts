// The benchmark part of `mesh-soak demo`: the simulated Fortio client pod (its REST API,
// reached through the fake API server's service proxy as `fortio.via: apiserver` has it)
// and its cAdvisor series as a scrape target; the shipped benchmark suite shrunk to a 2×2
// matrix (connections 2, 4 × qps 100, 400) in two modes (both, baseline) of 10 s points,
// so a run ends within two minutes; a previous Istio release as the simulator models it
// (seed.ts) stored as the baseline; the `slow-proxy` fault; and the finished runs as CSV.

import { Redis } from 'ioredis';
import type { Config } from '../../src/config/model.js';
import type { BenchmarkSpec } from '../../src/benchmark/model.js';
import { BenchStore } from '../../src/adapters/redis/bench-store.js';
import { stateKeys } from '../../src/adapters/redis/keys.js';
import { toCsv } from '../../src/benchmark/csv.js';
import type { FakeKubeApi } from '../kube-api/index.js';
import { startFortioSim, type FortioSim } from './fortio-api.js';
import { startCadvisorTarget } from './cadvisor-target.js';
import { simulatedRun } from './seed.js';

export const DEMO_BENCH_SUITE = 'benchmark';
export const DEMO_BENCH_FAULT = 'slow-proxy';
const DEMO_ISTIO = '1.24.0';
const SEED_ISTIO = '1.23.0';

export interface DemoBench {
  sim: FortioSim;
  /** host:port of the simulated cAdvisor series. */
  scrapeTarget: string;
  /** The config entry of the suite (YAML lines under `suites:`). */
  configEntry: string;
  /** Shrinks the loaded suite's matrix, routes its service proxy to the simulator, stores the baseline. */
  prepare(config: Config, kube: FakeKubeApi): Promise<void>;
  /** Finished runs (the seeded baseline excluded) with the original's columns. */
  csv(): Promise<string>;
  stop(): Promise<void>;
}

function demoSpec(spec: BenchmarkSpec): BenchmarkSpec {
  return {
    ...spec, modes: ['both', 'baseline'], connections: [2, 4], qps: [100, 400], payloadBytes: [1024],
    durationMs: 10_000, warmupMs: 3000, cooldownMs: 2000, stepMs: 1000, fortioVia: 'apiserver', istioVersion: DEMO_ISTIO,
    regression: { baseline: { kind: 'median', lastN: 3 }, thresholds: spec.regression.thresholds },
  };
}

/** `cluster`: under the demo's clusters:, the one cluster the benchmark suite is bound to (its runs are that instance's). */
export async function startDemoBench(o: { redisUrl: () => string; schedule: string; cluster?: string }): Promise<DemoBench> {
  const instance = o.cluster === undefined ? DEMO_BENCH_SUITE : `${o.cluster}/${DEMO_BENCH_SUITE}`;
  const sim = await startFortioSim();
  const cadvisor = await startCadvisorTarget(sim, { namespace: 'twopods' }).catch(async (err: unknown) => {
    await sim.stop();
    throw err;
  });
  const seedId = `${DEMO_BENCH_SUITE}-seeded-${SEED_ISTIO}`;
  const withStore = async <T>(use: (store: BenchStore) => Promise<T>): Promise<T> => {
    const redis = new Redis(o.redisUrl(), { maxRetriesPerRequest: 1 });
    try {
      return await use(new BenchStore(redis, stateKeys()));
    } finally {
      redis.disconnect();
    }
  };
  return {
    sim,
    scrapeTarget: cadvisor.hostPort,
    configEntry: `  - use: ${DEMO_BENCH_SUITE}\n    schedule: { every: ${o.schedule} }\n    params: { istioVersion: "${DEMO_ISTIO}" }${o.cluster === undefined ? '' : `\n    clusters: [${o.cluster}]`}`,
    async prepare(config, kube) {
      const suite = config.suites.find((s) => s.name === DEMO_BENCH_SUITE);
      if (!suite?.benchmark) throw new Error(`the demo config has no benchmark suite "${DEMO_BENCH_SUITE}"`);
      suite.benchmark = { ...suite.benchmark, ...demoSpec(suite.benchmark) };
      const { hostname, port } = new URL(suite.benchmark.fortioUrl);
      kube.serviceProxy.register(suite.namespace, hostname.split('.')[0] ?? '', port, sim.url);
      const seed = simulatedRun(suite.benchmark, { runId: seedId, suite: instance, istioVersion: SEED_ISTIO, startedAt: Date.now() - 86_400_000 });
      await withStore((store) => store.save(seed, suite.benchmark!.keepRuns));
    },
    csv: () => withStore(async (store) => toCsv((await store.list(instance)).filter((r) => r.state === 'done' && r.id !== seedId).flatMap((r) => r.results))),
    async stop() {
      await cadvisor.stop();
      await sim.stop();
    },
  };
}
