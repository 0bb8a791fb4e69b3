// The daemon as the benchmarks run it: the same wiring as `mesh-soak run` (loadConfig, the
// process logger and metrics, runDaemon), but bound to 127.0.0.1 — the CLI listens on
// 0.0.0.0 and the benchmarks stay on loopback. No Kubernetes: the bench suites have no
// disruption. By default it also loads the CLI's whole command registry, as `mesh-soak run`
// does (every command, @kubernetes/client-node included), so memory is the real process';
// BENCH_DAEMON_ONLY=1 loads only the daemon's own modules, to show what that costs.
// SIGUSR2 runs a full GC when started with --expose-gc, so RSS samples can be
// taken after one; SIGTERM stops it gracefully (exit 0), as `run` does.
//
// Usage: node dist/bench/lib/daemon-entry.js CONFIG_FILE

import { Registry } from 'prom-client';
import { loadConfig } from '../../src/config/load-config.js';
import { startDaemon } from '../../src/app/index.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { createMetrics } from '../../src/telemetry/metrics.js';
import { version } from '../../src/shared/version.js';

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error('usage: daemon-entry.js CONFIG_FILE');
  const modules = process.env.BENCH_DAEMON_ONLY === '1' ? 'daemon-only' : 'cli';
  if (modules === 'cli') await import('../../src/commands/registry.js');
  const config = await loadConfig(file);
  const logger = createLogger({ level: process.env.MESH_SOAK_LOG_LEVEL ?? 'info', pretty: false });
  const daemon = await startDaemon(config, { logger, metrics: createMetrics(new Registry(), version), port: 0, host: '127.0.0.1' });
  await daemon.scheduled;
  // One line the parent waits for; stderr so it never mixes with pino's JSON on stdout.
  process.stderr.write(`BENCH-LISTENING ${daemon.port} ${modules}\n`);

  const gc = (globalThis as { gc?: () => void }).gc;
  process.on('SIGUSR2', () => {
    gc?.();
    process.stderr.write(`BENCH-GC ${gc ? 'done' : 'unavailable'}\n`);
  });
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
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
