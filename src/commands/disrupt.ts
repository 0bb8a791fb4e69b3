// `mesh-soak disrupt S [--dry-run]`: one disruption of suite S now, restore included, with
// the same runner, journal and lock as the daemon (so it never overlaps the daemon's own
// disruption of S). Ctrl-C stops the steps and still restores. `--dry-run` prints the steps
// and the requests they would send and contacts nothing: neither Redis nor the cluster.

import type { Redis } from 'ioredis';
import type { Config, RedisConfig, Suite } from '../config/model.js';
import { narrowClusters, suiteOn } from '../config/clusters.js';
import { createRedisClient } from '../adapters/redis/connection.js';
import { loadConfig } from '../config/load-config.js';
import { Fault, UserError, messageOf } from '../shared/errors.js';
import { buildDisruptionRunner } from '../app/index.js';
import { onStopSignals } from './signals.js';
import { formatPlan } from '../disruption/dry-run-plan.js';
import { findSuite } from '../config/suites/find-suite.js';
import { describeStep } from '../disruption/steps/step-kind.js';
import type { DisruptionResult } from '../disruption/types.js';
import { configPath, type Command } from './command.js';
import { CLUSTER_OPTION, clusterArgs, clusterForSuite } from './cluster-option.js';

export const disruptCommand: Command = {
  summary: 'run one disruption of a suite now, restore included (--dry-run: print it only)',
  help: [
    'usage: mesh-soak disrupt SUITE [--cluster NAME] [--dry-run] [--config FILE]',
    '',
    'Runs the suite\'s disruption steps once, in order, then restores what they changed',
    '(scaled deployments get their original replica count back), even when a step fails or',
    'on Ctrl-C. Uses the config\'s Redis for the restore journal and the per-suite lock.',
    '',
    '  --cluster NAME  with clusters: in the config, the cluster to disrupt (its kubeconfig and',
    '              context); needed when the suite runs on more than one. The lock and journal',
    '              are the daemon\'s for that suite instance (cluster/suite)',
    '  --dry-run   print each step and the Kubernetes API requests it would send;',
    '              contacts neither Redis nor the cluster',
    '',
    'Exit: 0 success, 1 a step or the restore failed, 2 unknown suite or invalid config.',
  ].join('\n'),
  options: { 'dry-run': { type: 'boolean' }, ...CLUSTER_OPTION },
  async run(ctx) {
    const loaded = await loadConfig(configPath(ctx), { env: ctx.env });
    if (ctx.positionals.length > 1) throw new UserError(`disrupt: one suite at a time (got ${ctx.positionals.join(', ')})`);
    const { config, suite } = targetOf(loaded, findSuite(loaded, ctx.positionals[0], 'disrupt'), clusterArgs(ctx));
    const steps = suite.disruption?.steps ?? [];
    if (steps.length === 0) throw new UserError(`disrupt: suite "${suite.name}" has no disruption steps`);
    const scheduledAt = Date.now();
    if (ctx.values['dry-run'] === true) {
      ctx.stdout.write(formatPlan(suite, scheduledAt));
      return 0;
    }

    const redis = await connectRedis(config.redis);
    const stop = onStopSignals(() => ctx.stderr.write('disrupt: stopping the steps; restoring before exit\n'));
    try {
      let n = 0;
      const { runner } = await buildDisruptionRunner(config, {
        redis,
        signal: stop.signal,
        onStep: (s, step, outcome) => {
          n++;
          ctx.stdout.write(`${n}/${steps.length} ${describeStep(step, s.namespace)}: ${outcome === 'success' ? 'done' : 'FAILED'}\n`);
        },
      });
      const result = await runner.run(suite, { id: `manual:${suite.name}:${scheduledAt}`, scheduledAt });
      ctx.stdout.write(`disruption of ${suite.name}: ${describeResult(result)}\n`);
      return result.outcome === 'success' ? 0 : 1;
    } finally {
      stop.dispose();
      redis.disconnect();
    }
  },
};

/** The suite's instance on the cluster it runs on, and the config narrowed to that cluster. */
function targetOf(config: Config, suite: Suite, clusters: string[]): { config: Config; suite: Suite } {
  const cluster = clusterForSuite(config, suite, clusters, 'disrupt');
  return cluster === undefined ? { config, suite } : { config: narrowClusters(config, [cluster]), suite: suiteOn(suite, cluster) };
}

function describeResult(result: DisruptionResult): string {
  switch (result.outcome) {
    case 'success':
      return 'success';
    case 'failure':
      return `failure: ${result.message}`;
    case 'busy':
      return 'failure: another disruption of this suite is running';
    case 'already-done':
      return 'failure: this job id already ran';
  }
}

async function connectRedis(r: RedisConfig): Promise<Redis> {
  const url = r.url;
  const redis = createRedisClient(r, {
    lazyConnect: true,
    connectTimeout: 5000,
    maxRetriesPerRequest: 3,
    // A one-shot command: give up after a few reconnects instead of waiting forever.
    retryStrategy: (times) => (times > 3 ? null : Math.min(times * 200, 1000)),
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    throw new Fault('redis', `cannot reach Redis at ${safeHost(url)}: ${messageOf(err)}`);
  }
  return redis;
}

/** Host and port only: a Redis URL may carry a password. */
function safeHost(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '6379'}`;
  } catch {
    return 'the configured URL';
  }
}
