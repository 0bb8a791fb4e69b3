// The servers every fault test starts before its daemons: a temp dir, the built CLI, Redis,
// the fake Kubernetes API, a Prometheus when the checks query one, and the test's own Redis
// client; and their teardown (daemons first, then the servers, then the dir), which also
// runs when start-up fails halfway so no server outlives the test.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis, type RedisOptions as ClientOptions } from 'ioredis';
import { builtCli, startPrometheus, startRedis, type RedisOptions, type RunningPrometheus, type RunningRedis } from '../../harness/index.js';
import { startFakeKubeApi, type FakeKubeApi, type FakeKubeApiOptions } from '../../../simulator/kube-api/index.js';
import { killAllDaemons } from './cli-daemon.js';
import { writeFixture, type FixtureOptions } from './soak-fixture.js';

export interface FaultEnvOptions {
  /** Names the temp dir: mesh-soak-fault-<name>-XXXXXX. */
  name: string;
  redis?: RedisOptions;
  kubeApi?: FakeKubeApiOptions;
  /** Start a Prometheus for the checks; without one they query port 9, where nothing listens. */
  prometheus?: boolean;
  /** Options of the test's own Redis client. */
  client?: ClientOptions;
}

export interface FaultEnv {
  dir: string;
  /** The compiled src/cli.js. */
  cli: string;
  redis: RunningRedis;
  api: FakeKubeApi;
  prom: RunningPrometheus | undefined;
  client: Redis;
  /** writeFixture with this env's dir, Redis, Prometheus and kubeconfig filled in. */
  writeFixture(o: Omit<FixtureOptions, 'dir' | 'redisUrl' | 'prometheusUrl' | 'kubeconfig'>): Promise<string>;
  /** SIGKILLs the daemons, stops the servers, removes the dir (kept if MESH_SOAK_FAULT_KEEP is set). */
  stop(): Promise<void>;
}

export async function startFaultEnv(o: FaultEnvOptions): Promise<FaultEnv> {
  const dir = await mkdtemp(join(tmpdir(), `mesh-soak-fault-${o.name}-`));
  const [cli, redis, api, prom] = await Promise.allSettled([
    builtCli(),
    startRedis(o.redis),
    startFakeKubeApi(o.kubeApi),
    o.prometheus ? startPrometheus() : Promise.resolve(undefined),
  ]);
  const started = { redis: ok(redis), api: ok(api), prom: ok(prom) };
  const stop = async (client?: Redis): Promise<void> => {
    await killAllDaemons();
    client?.disconnect();
    await Promise.allSettled([started.redis?.stop(), started.prom?.stop(), started.api?.stop()]);
    if (!process.env.MESH_SOAK_FAULT_KEEP) await rm(dir, { recursive: true, force: true });
  };
  if (cli.status === 'rejected' || !started.redis || !started.api || (o.prometheus && !started.prom)) {
    await stop();
    const failed = [cli, redis, api, prom].find((r): r is PromiseRejectedResult => r.status === 'rejected');
    throw failed?.reason instanceof Error ? failed.reason : new Error(`fault env did not start: ${String(failed?.reason)}`);
  }
  const env = { redis: started.redis, api: started.api, prom: started.prom };
  const client = new Redis(env.redis.url, o.client ?? {});
  return {
    dir,
    cli: cli.value,
    ...env,
    client,
    writeFixture: (f) =>
      writeFixture({
        ...f,
        dir,
        redisUrl: env.redis.url,
        prometheusUrl: env.prom?.url ?? 'http://127.0.0.1:9',
        kubeconfig: env.api.kubeconfigPath,
      }),
    stop: () => stop(client),
  };
}

function ok<T>(r: PromiseSettledResult<T>): T | undefined {
  return r.status === 'fulfilled' ? r.value : undefined;
}
