// `mesh-soak run`: the daemon. Wires the real adapters (Kubernetes client, Redis for the
// restore journal, the Prometheus client inside runDaemon) and turns SIGTERM/SIGINT into a
// graceful stop: no new jobs, the running tick finishes (bounded), connections close, exit 0.

import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { loadConfig } from '../config/load-config.js';
import { runDaemon } from '../daemon/daemon.js';
import { createLogger, type Logger } from '../telemetry/logger.js';
import { createMetrics } from '../telemetry/metrics.js';
import { UserError } from '../shared/errors.js';
import { version } from '../shared/version.js';
import type { DisruptionRunner } from '../disruption/types.js';
import { parsePort } from './port.js';
import { configPath, type Command } from './registry.js';

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
    // Signals first: a SIGTERM while starting still stops gracefully (and exits 0) instead of
    // killing the process with connections half open.
    const abort = new AbortController();
    let received: NodeJS.Signals | undefined;
    const onSignal = (signal: NodeJS.Signals) => {
      received ??= signal;
      // A second signal falls through to the default handler: a way out of a stuck stop.
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      abort.abort();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);

    let journalRedis: Redis | undefined;
    let logger: Logger | undefined;
    try {
      const config = await loadConfig(configPath(ctx), { env: ctx.env });
      const port = parsePort(ctx.values.port as string | undefined);
      const level = (ctx.values['log-level'] as string | undefined) ?? ctx.env.MESH_SOAK_LOG_LEVEL ?? 'info';
      if (!['trace', 'debug', 'info', 'warn', 'error', 'fatal'].includes(level)) throw new UserError(`--log-level: "${level}" is not one of trace, debug, info, warn, error, fatal`);
      const log = createLogger({ level });
      logger = log;
      const metrics = createMetrics(new Registry(), version);

      // The Kubernetes client (and its modules' memory) only when some suite disrupts.
      const needsCluster = config.suites.some((s) => s.enabled && s.disruption);
      let disruptions: DisruptionRunner | undefined;
      if (needsCluster && !abort.signal.aborted) {
        const { createKubeClients } = await import('../adapters/kube/index.js');
        const { createDisruptionRunner } = await import('../disruption/runner.js');
        const kube = createKubeClients(config.kubernetes.kubeconfig, {
          onRequest: (verb, resource, code) => metrics.kubeRequests.inc({ verb, resource, code: String(code) }),
        });
        // The journal's connection: commands queue while Redis is away instead of failing a restore.
        const redis = new Redis(config.redis.url, { maxRetriesPerRequest: null });
        redis.on('error', (err: Error) => log.debug({ err: err.message }, 'journal redis error'));
        journalRedis = redis;
        // Steps in flight are aborted by a signal; the runner still restores what they changed.
        disruptions = createDisruptionRunner({ kube, redis, logger: log, signal: abort.signal });
      }
      if (abort.signal.aborted) {
        log.info({ signal: received }, 'stopped before starting');
        return 0;
      }

      const host = ctx.values.host as string | undefined;
      // The daemon stops itself when the signal aborts, even one that came while it started.
      const daemon = await runDaemon(config, {
        logger: log,
        metrics,
        signal: abort.signal,
        ...(disruptions ? { disruptions } : {}),
        ...(port !== undefined ? { port } : {}),
        ...(host ? { host } : {}),
      });
      if (!abort.signal.aborted) log.info({ version, port: daemon.port, config: config.file }, 'mesh-soak running');

      await new Promise<void>((resolve) => {
        if (abort.signal.aborted) resolve();
        else abort.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      log.info({ signal: received }, 'stopping');
      await daemon.stop();
      log.info('stopped');
      return 0;
    } finally {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      // Also when start-up failed: this connection retries forever and would keep the process alive.
      await closeRedis(journalRedis);
      logger?.flush?.();
      exitIfLingering(logger, 3000);
    }
  },
};

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

/** quit() waits for Redis, which may be gone: bounded, then the socket is dropped. */
async function closeRedis(redis: Redis | undefined): Promise<void> {
  if (!redis) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    redis.quit().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, 1000);
    }),
  ]);
  clearTimeout(timer);
  redis.disconnect();
}
