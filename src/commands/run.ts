// `mesh-soak run`: the daemon. Wires the real adapters (Kubernetes client, Redis for the
// restore journal, the Prometheus client inside runDaemon) and turns SIGTERM/SIGINT into a
// graceful stop: no new jobs, the running tick finishes (bounded), connections close, exit 0.

import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { loadConfig } from '../config/load-config.js';
import { runDaemon } from '../daemon.js';
import { createLogger } from '../telemetry/logger.js';
import { createMetrics } from '../telemetry/metrics.js';
import { UserError } from '../errors.js';
import { version } from '../version.js';
import type { DisruptionRunner } from '../scheduler/disruption-runner.js';
import { configPath, type Command } from './registry.js';

function parsePort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserError(`--port: "${text}" is not a port (0-65535)`);
  return port;
}

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
    const config = await loadConfig(configPath(ctx), { env: ctx.env });
    const port = parsePort(ctx.values.port as string | undefined);
    const level = (ctx.values['log-level'] as string | undefined) ?? ctx.env.MESH_SOAK_LOG_LEVEL ?? 'info';
    if (!['trace', 'debug', 'info', 'warn', 'error', 'fatal'].includes(level)) throw new UserError(`--log-level: "${level}" is not one of trace, debug, info, warn, error, fatal`);
    const logger = createLogger({ level });
    const metrics = createMetrics(new Registry(), version);

    // The Kubernetes client (and its modules' memory) only when some suite disrupts.
    const needsCluster = config.suites.some((s) => s.enabled && s.disruption);
    const abort = new AbortController();
    let journalRedis: Redis | undefined;
    let disruptions: DisruptionRunner | undefined;
    if (needsCluster) {
      const { createKubeClients } = await import('../kube/index.js');
      const { createDisruptionRunner } = await import('../suites/disruption-runner.js');
      const kube = createKubeClients(config.kubernetes.kubeconfig, {
        onRequest: (verb, resource, code) => metrics.kubeRequests.inc({ verb, resource, code: String(code) }),
      });
      // The journal's connection: commands queue while Redis is away instead of failing a restore.
      const redis = new Redis(config.redis.url, { maxRetriesPerRequest: null });
      redis.on('error', (err: Error) => logger.debug({ err: err.message }, 'journal redis error'));
      journalRedis = redis;
      disruptions = createDisruptionRunner({ kube, redis, logger, signal: abort.signal });
    }

    const host = ctx.values.host as string | undefined;
    const daemon = await runDaemon(config, {
      logger,
      metrics,
      ...(disruptions ? { disruptions } : {}),
      ...(port !== undefined ? { port } : {}),
      ...(host ? { host } : {}),
    });
    logger.info({ version, port: daemon.port, config: config.file }, 'mesh-soak running');

    await new Promise<void>((resolve) => {
      const onSignal = (signal: NodeJS.Signals) => {
        logger.info({ signal }, 'stopping');
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
        resolve();
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
    });
    // Steps in flight are aborted; the runner still restores what they changed.
    abort.abort();
    await daemon.stop();
    await journalRedis?.quit().catch(() => journalRedis.disconnect());
    logger.info('stopped');
    logger.flush?.();
    return 0;
  },
};
