// Real servers from the local Debian binaries (Redis, Prometheus, Alertmanager), each on a
// free 127.0.0.1 port with its own temp dir, for `mesh-soak demo` and the tests. Every
// start* waits (bounded) for readiness and returns a handle with stop(). containers.ts runs
// the same servers, described by the same modules, in containers; daemon-entry.ts is the
// daemon as a child process (started through daemon-process.ts) for tests and benchmarks.
export { freePort } from './free-port.js';
export { waitFor, type WaitForOptions } from './wait-for.js';
export { startPrometheus, type PrometheusOptions, type RunningPrometheus } from './prometheus.js';
export { startAlertmanager, type RunningAlertmanager } from './alertmanager.js';
export { startRedis, type RedisOptions, type RunningRedis } from './redis.js';
export { startDaemonProcess, killAllDaemonProcesses, type DaemonProcess, type DaemonProcessOptions } from './daemon-process.js';
