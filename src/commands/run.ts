// `mesh-soak run`: the daemon, built by the composition root (src/app/), with SIGTERM/SIGINT
// turned into a graceful stop: no new jobs, the running tick finishes (bounded), connections
// close, exit 0.

import { Registry } from 'prom-client';
import { loadConfig } from '../config/load-config.js';
import type { Config } from '../config/model.js';
import { buildDisruptionRunner, buildKubeReaders, startDaemon, type BuiltRunner } from '../app/index.js';
import { createLogger, type Logger } from '../telemetry/logger.js';
import { createMetrics, type Metrics } from '../telemetry/metrics.js';
import { UserError } from '../shared/errors.js';
import { version } from '../shared/version.js';
import { parsePort } from './port.js';
import { configPath, type Command, type CommandContext } from './command.js';
import { onStopSignals, untilAborted, type StopSignals } from './signals.js';

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

export const runCommand: Command = {
  summary: 'the daemon: schedule ticks and disruptions, serve /metrics, probes, API and status page',
  help: [
    'usage: mesh-soak run [--config FILE] [--port N] [--host ADDR] [--log-level LEVEL]',
    '',
    'Runs until SIGTERM or SIGINT, then stops gracefully and exits 0.',
    '  --port N    overrides http.port    --host ADDR  listen address (default: all interfaces, as in a pod)',
    'The admin endpoints need the token in the environment variable MESH_SOAK_ADMIN_TOKEN.',
  ].join('\n'),
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    'log-level': { type: 'string' },
  },
  async run(ctx) {
    const stop = onStopSignals();
    let built: BuiltRunner | undefined;
    let logger: Logger | undefined;
    try {
      const config = await loadConfig(configPath(ctx), { env: ctx.env });
      const port = parsePort(ctx.values.port as string | undefined);
      const level = (ctx.values['log-level'] as string | undefined) ?? ctx.env.MESH_SOAK_LOG_LEVEL ?? 'info';
      if (!LEVELS.includes(level)) throw new UserError(`--log-level: "${level}" is not one of ${LEVELS.join(', ')}`);
      logger = createLogger({ level });
      const metrics = createMetrics(new Registry(), version);
      built = await runnerIfNeeded(config, logger, metrics, stop.signal);
      if (stop.signal.aborted) {
        logger.info({ signal: stop.received() }, 'stopped before starting');
        return 0;
      }
      await serve(ctx, config, { logger, metrics, stop, port, ...(built ? { runner: built } : {}) });
      return 0;
    } finally {
      stop.dispose();
      // Also when start-up failed: the journal connection retries forever and would keep the process alive.
      await built?.close();
      logger?.flush?.();
      exitIfLingering(logger, 3000);
    }
  },
};

/** The Kubernetes client (and its modules' memory) only when some suite disrupts. */
async function runnerIfNeeded(config: Config, logger: Logger, metrics: Metrics, signal: AbortSignal): Promise<BuiltRunner | undefined> {
  const needsCluster = config.suites.some((s) => s.enabled && s.disruption);
  if (!needsCluster || signal.aborted) return undefined;
  // Steps in flight are aborted by a signal; the runner still restores what they changed.
  return buildDisruptionRunner(config, { logger, metrics, signal });
}

interface ServeOptions {
  logger: Logger;
  metrics: Metrics;
  stop: StopSignals;
  port: number | undefined;
  runner?: BuiltRunner;
}

async function serve(ctx: CommandContext, config: Config, o: ServeOptions): Promise<void> {
  const host = ctx.values.host as string | undefined;
  const readers = await buildKubeReaders(config, { metrics: o.metrics });
  if (readers.off.length > 0) o.logger.warn({ reasons: readers.off }, 'kubernetes readers off: not-deployed detection, or logs checks (unknown)');
  // The daemon stops itself when the signal aborts, even one that came while it started.
  const daemon = await startDaemon(config, {
    logger: o.logger,
    metrics: o.metrics,
    ...(readers.deployment ? { deployment: readers.deployment } : {}),
    ...(readers.logs ? { logs: readers.logs } : {}),
    ...(readers.evidence ? { evidence: readers.evidence } : {}),
    ...(readers.logsByCluster ? { logsByCluster: readers.logsByCluster } : {}),
    signal: o.stop.signal,
    ...(o.runner ? { disruptions: o.runner.runner } : {}),
    ...(o.port !== undefined ? { port: o.port } : {}),
    ...(host ? { host } : {}),
  });
  if (!o.stop.signal.aborted) o.logger.info({ version, port: daemon.port, config: config.file }, 'mesh-soak running');
  await untilAborted(o.stop.signal);
  o.logger.info({ signal: o.stop.received() }, 'stopping');
  await daemon.stop();
  o.logger.info('stopped');
}

/**
 * A safety net, not the way out: everything above closes what it opened, but a client library
 * that keeps reconnecting to an absent Redis would keep the process (and the pod) alive
 * after a stop that has already finished. Unref'd, so it never delays a clean exit.
 */
function exitIfLingering(logger: Logger | undefined, ms: number): void {
  setTimeout(() => {
    logger?.warn({ afterMs: ms }, 'connections still open after stop; exiting');
    logger?.flush?.();
    process.exit();
  }, ms).unref();
}
