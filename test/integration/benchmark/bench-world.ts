// What every benchmark integration test runs against: a real Redis, the simulated Fortio
// REST API, its simulated cAdvisor series in a synthetic target, and a real Prometheus
// scraping that target every second. stop() ends all of it.

import { Redis } from 'ioredis';
import { startPrometheus, startRedis, startSyntheticTarget, type RunningPrometheus, type RunningRedis, type SyntheticTarget } from '../../harness/index.js';
import { startFortioSim, type FortioSim } from '../../../simulator/fortio/fortio-api.js';
import { feedContainerMetrics } from '../../../simulator/fortio/container-metrics.js';

export interface BenchWorld {
  redisServer: RunningRedis;
  redis: Redis;
  target: SyntheticTarget;
  sim: FortioSim;
  prom: RunningPrometheus;
  stop(): Promise<void>;
}

export async function startBenchWorld(): Promise<BenchWorld> {
  const stops: Array<() => unknown> = [];
  try {
    const redisServer = await startRedis();
    stops.push(() => redisServer.stop());
    const redis = new Redis(redisServer.url);
    stops.push(() => redis.disconnect());
    const target = await startSyntheticTarget();
    stops.push(() => target.stop());
    const sim = await startFortioSim();
    stops.push(() => sim.stop());
    stops.push(feedContainerMetrics(sim, target, { namespace: 'twopods', intervalMs: 200 }));
    const prom = await startPrometheus({ scrapeTargets: [target.hostPort], scrapeIntervalS: 1 });
    stops.push(() => prom.stop());
    const stop = async (): Promise<void> => {
      for (const s of stops.splice(0).reverse()) await Promise.resolve(s()).catch(() => undefined);
    };
    return { redisServer, redis, target, sim, prom, stop };
  } catch (err) {
    for (const s of stops.reverse()) await Promise.resolve(s()).catch(() => undefined);
    throw err;
  }
}
