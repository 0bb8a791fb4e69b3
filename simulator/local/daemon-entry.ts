// The daemon as its own process, for the tests that need a real one (kill -9, SIGTERM) and
// for the benchmarks: the wiring of `mesh-soak run` (startDaemon with the process logger and
// metrics) bound to 127.0.0.1 — the CLI listens on 0.0.0.0, tests and benchmarks stay on
// loopback. No Kubernetes: disruptions are recorded as skipped. Started through
// daemon-process.ts (test/integration/daemon/child-daemon.ts, bench/lib/child-daemon.ts).
//
// Usage: node daemon-entry.js [CONFIG_FILE]
//   CONFIG_FILE               a config file, loaded as `run` loads it; without it the config
//                             comes as JSON (an already loaded Config) in MESH_SOAK_TEST_CONFIG
//   MESH_SOAK_TEST_PREFIX     Redis key prefix (default: the config's)
//   MESH_SOAK_TEST_RETRY_MS   scheduler install retry while Redis is away (default: run's)
//   MESH_SOAK_LOG_LEVEL       pino level of the JSON log on stdout (default info)
//   BENCH_DAEMON_ONLY=1       load only the daemon's modules; otherwise also the CLI's command
//                             table, as `mesh-soak run` does, so memory is the real process'
//
// Prints `LISTENING <port> <modules>` on stderr once the HTTP server is up, and `SCHEDULED`
// once the job schedulers are installed (stderr: never mixed with the JSON log). SIGUSR2 runs a full GC
// when node was started with --expose-gc (answering `GC done|unavailable` on stderr), so
// RSS can be sampled after one. SIGTERM or SIGINT stops it gracefully: exit 0, or 1 when the
// stop fails.

import { Registry } from 'prom-client';
import type { Config } from '../../src/config/model.js';
import { loadConfig } from '../../src/config/load-config.js';
import { startDaemon } from '../../src/app/index.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { createMetrics } from '../../src/telemetry/metrics.js';
import { version } from '../../src/shared/version.js';

async function configOf(file: string | undefined): Promise<Config> {
  if (file) return loadConfig(file);
  const json = process.env.MESH_SOAK_TEST_CONFIG;
  if (!json) throw new Error('usage: daemon-entry.js CONFIG_FILE (or the config as JSON in MESH_SOAK_TEST_CONFIG)');
  return JSON.parse(json) as Config;
}

/** The first SIGTERM or SIGINT; later ones are ignored while the daemon stops. */
function stopSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => resolve());
  });
}

async function main(): Promise<void> {
  const modules = process.env.BENCH_DAEMON_ONLY === '1' ? 'daemon-only' : 'cli';
  if (modules === 'cli') await import('../../src/commands/registry.js');
  const config = await configOf(process.argv[2]);
  const logger = createLogger({ level: process.env.MESH_SOAK_LOG_LEVEL ?? 'info', pretty: false });
  const retryMs = Number(process.env.MESH_SOAK_TEST_RETRY_MS ?? '');
  const prefix = process.env.MESH_SOAK_TEST_PREFIX;
  const daemon = await startDaemon(config, {
    logger,
    metrics: createMetrics(new Registry(), version),
    port: process.argv[2] ? 0 : config.http.port,
    host: '127.0.0.1',
    ...(prefix ? { prefix } : {}),
    ...(retryMs > 0 ? { retryMs } : {}),
  });
  const stopped = stopSignal();
  process.stderr.write(`LISTENING ${daemon.port} ${modules}\n`);
  void daemon.scheduled.then(() => process.stderr.write('SCHEDULED\n'));
  const gc = (globalThis as { gc?: () => void }).gc;
  process.on('SIGUSR2', () => {
    gc?.();
    process.stderr.write(`GC ${gc ? 'done' : 'unavailable'}\n`);
  });
  await stopped;
  await daemon.stop();
  logger.flush?.();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
