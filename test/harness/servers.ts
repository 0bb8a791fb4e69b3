// Where the harness' Redis, Prometheus and Alertmanager come from: containers through
// testcontainers (./containers.ts) or the local Debian binaries (simulator/local/). Chosen by
// MESH_SOAK_TEST_SERVERS:
//   auto (default)  containers when a Docker API answers (DOCKER_HOST, /var/run/docker.sock),
//                   else binaries. Nothing is started to find out.
//   containers      containers; when no Docker API answers, podman's service is started for
//                   this test process (and stopped at its end). Fails if neither works.
//   binaries        the local binaries.
// Both give the same handles, so a test does not know which it got.

import { startAlertmanager as startAlertmanagerBinary, type RunningAlertmanager } from '../../simulator/local/alertmanager.js';
import { startPrometheus as startPrometheusBinary, type PrometheusOptions, type RunningPrometheus } from '../../simulator/local/prometheus.js';
import { startRedis as startRedisBinary, type RedisOptions, type RunningRedis } from '../../simulator/local/redis.js';
import { answeringDockerHost } from '../../simulator/local/container-runtime.js';

export type ServerBackend = 'containers' | 'binaries';
export type ServerBackendSetting = ServerBackend | 'auto';

/** MESH_SOAK_TEST_SERVERS, checked: a typo is an error, not a silent fallback. */
export function serverBackendSetting(env: NodeJS.ProcessEnv = process.env): ServerBackendSetting {
  const value = (env.MESH_SOAK_TEST_SERVERS ?? 'auto').trim() || 'auto';
  if (value === 'auto' || value === 'containers' || value === 'binaries') return value;
  throw new Error(`MESH_SOAK_TEST_SERVERS="${value}": expected containers, binaries or auto`);
}

let chosen: Promise<ServerBackend> | undefined;

/** The backend this test process uses (decided once per process). */
export function serverBackend(env: NodeJS.ProcessEnv = process.env): Promise<ServerBackend> {
  chosen ??= (async (): Promise<ServerBackend> => {
    const setting = serverBackendSetting(env);
    if (setting !== 'auto') return setting;
    return (await answeringDockerHost(env)) ? 'containers' : 'binaries';
  })();
  return chosen;
}

/** Redis from the chosen backend. */
export async function startRedis(options: RedisOptions = {}): Promise<RunningRedis> {
  if ((await serverBackend()) === 'binaries') return startRedisBinary(options);
  const { startRedisContainer } = await import('../../simulator/local/containers.js');
  return startRedisContainer(options);
}

/** Prometheus from the chosen backend. */
export async function startPrometheus(options: PrometheusOptions = {}): Promise<RunningPrometheus> {
  if ((await serverBackend()) === 'binaries') return startPrometheusBinary(options);
  const { startPrometheusContainer } = await import('../../simulator/local/containers.js');
  return startPrometheusContainer(options);
}

/** Alertmanager from the chosen backend. */
export async function startAlertmanager(options: { configYaml: string }): Promise<RunningAlertmanager> {
  if ((await serverBackend()) === 'binaries') return startAlertmanagerBinary(options);
  const { startAlertmanagerContainer } = await import('../../simulator/local/containers.js');
  return startAlertmanagerContainer(options);
}
