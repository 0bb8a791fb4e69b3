// The test harness for real servers, used by every integration test. The binary starters live in
// simulator/local/ because `mesh-soak demo` starts the same servers; tests import them here. Each start* picks a
// free 127.0.0.1 port, uses its own temp dir, waits (bounded) until the server answers,
// and returns a handle whose stop() a test must call in afterAll. A process 'exit' hook
// SIGKILLs anything still running, as a last resort. Redis, Prometheus and Alertmanager
// run from the local binaries or, through testcontainers, in containers (./servers.ts:
// MESH_SOAK_TEST_SERVERS=auto|containers|binaries; docs/testing-containers.md).
//
//   const prom = await startPrometheus({ scrapeTargets: [target.hostPort] });
//   afterAll(() => prom.stop());
//
// - freePort(): a free loopback port.
// - waitFor(fn, { timeoutMs, intervalMs?, what }): bounded polling; throws naming `what`.
// - startPrometheus({ scrapeTargets?, scrapeIntervalS?, ruleFiles?, backfillOpenMetrics?, extraArgs? })
//     → { url, port, dataDir, stop(), reload() }
// - startAlertmanager({ configYaml }) → { url, port, stop() }
// - startRedis({ appendonly? }) → { url, port, stop(), kill9(), restart() }
// - startSyntheticTarget() → { url, hostPort, set(name, labels, value), remove(name, labels), stop() }
// - builtCli() / builtScript(entry): path of a compiled script to run as a child process
//     (one tsc build per source state, cached under node_modules/.cache/mesh-soak-built).

export { freePort } from '../../simulator/local/free-port.js';
export { scaledMs, waitFor, type WaitForOptions } from '../../simulator/local/wait-for.js';
export type { PrometheusOptions, RunningPrometheus } from '../../simulator/local/prometheus.js';
export type { RunningAlertmanager } from '../../simulator/local/alertmanager.js';
export type { RedisOptions, RunningRedis } from '../../simulator/local/redis.js';
// Containers (testcontainers) or local binaries, per MESH_SOAK_TEST_SERVERS: see ./servers.ts.
export { startPrometheus, startAlertmanager, startRedis, serverBackend, type ServerBackend } from './servers.js';
export { startSyntheticTarget, type SyntheticTarget } from './synthetic-target.js';
export { builtCli, builtScript, type BuiltEntry } from './built-scripts.js';
