// `mesh-soak bench run NAME [--dry-run] | list [NAME] | compare A B | export [NAME] [--csv|--json]`:
// a benchmark suite's matrix run now (holding its shared resources, journaled, Ctrl-C stops
// the Fortio load and marks the run), its stored runs, a table of deltas between two runs,
// and every stored result as CSV with the original's columns or as JSON. Regressions found
// by a run become the suite's regression checks (stored like every check's record) and are
// sent to the configured notifiers. --dry-run prints the plan and contacts nothing.

import type { Redis } from 'ioredis';
import pino from 'pino';
import { loadConfig } from '../config/load-config.js';
import type { Config, Suite } from '../config/model.js';
import { findSuite } from '../config/suites/find-suite.js';
import { Fault, UserError, messageOf } from '../shared/errors.js';
import { buildNotifier, closeRedis } from '../app/index.js';
import { buildBenchmark } from '../app/benchmark.js';
import { stateKeys } from '../adapters/redis/keys.js';
import { createRedisClient, keyPrefix } from '../adapters/redis/connection.js';
import { CheckStore } from '../adapters/redis/check-store.js';
import { createMetrics } from '../telemetry/metrics.js';
import { Registry } from 'prom-client';
import { version } from '../shared/version.js';
import { compareRuns } from '../benchmark/compare.js';
import { toCsv } from '../benchmark/csv.js';
import { expandMatrix, type BenchRun } from '../benchmark/model.js';
import { benchResources, loadUrl, runBenchmark, type BenchOutcome } from '../benchmark/run-benchmark.js';
import { benchRunId, recordRegressions } from '../benchmark/bench-job.js';
import { cpuQuery, defaultComponents, memoryQuery } from '../benchmark/resources.js';
import { onStopSignals } from './signals.js';
import { serviceOf, serviceProxyUrl } from '../adapters/fortio/service-proxy.js';
import { configPath, type Command, type CommandContext } from './command.js';
import { CLUSTER_OPTION, checkedClusters, clusterArgs, clusterForSuite } from './cluster-option.js';
import { clusterTarget, instanceView, narrowClusters, suiteOn } from '../config/clusters.js';
import { clusterOfId, splitInstanceId } from '../checks/suite-instance.js';

const SUBCOMMANDS = ['run', 'list', 'compare', 'export'];

export const benchCommand: Command = {
  summary: 'benchmark suites: run one now (--dry-run), list stored runs, compare two, export CSV/JSON',
  help: [
    'usage: mesh-soak bench run SUITE [--cluster NAME] [--dry-run] [--config FILE]',
    '       mesh-soak bench list [SUITE] [--cluster NAME]...',
    '       mesh-soak bench compare RUN_A RUN_B',
    '       mesh-soak bench export [SUITE] [--cluster NAME]... [--csv | --json]',
    '',
    'run      runs every point of the suite\'s benchmark matrix through its Fortio REST API,',
    '         reads CPU/memory from Prometheus, stores the run and checks it for regressions',
    '         (exit 1 when a regression check fails or the run fails). --dry-run prints the',
    '         points, Fortio options and PromQL and contacts nothing.',
    'list     stored runs, newest first',
    'compare  per common matrix point, the change of qps, latency and resources from A to B',
    'export   every stored result, CSV with the original perf/benchmark columns (latency in',
    '         µs) or JSON',
    'With clusters: in the config a benchmark runs per suite instance (cluster/suite): run',
    'needs --cluster NAME when the suite runs on several clusters; list and export show every',
    'cluster\'s runs, or those of the --cluster named.',
    '',
    'Exit: 0 ok, 1 failed run or regression, 2 invalid input.',
  ].join('\n'),
  options: { 'dry-run': { type: 'boolean' }, csv: { type: 'boolean' }, json: { type: 'boolean' }, ...CLUSTER_OPTION },
  async run(ctx) {
    const [sub, ...args] = ctx.positionals;
    if (sub === undefined || !SUBCOMMANDS.includes(sub)) throw new UserError(`bench: expected one of ${SUBCOMMANDS.join(', ')}${sub ? `, got "${sub}"` : ''}`);
    const config = await loadConfig(configPath(ctx), { env: ctx.env });
    if (sub === 'run') {
      const plain = benchSuiteOf(config, args[0], 'bench run');
      const cluster = clusterForSuite(config, plain, clusterArgs(ctx), 'bench run');
      const suite = cluster === undefined ? plain : suiteOn(plain, cluster);
      if (ctx.values['dry-run'] === true) return dryRun(ctx, suite);
      return withRedis(config, (redis) => runNow(ctx, config, suite, redis));
    }
    if (sub === 'compare' && args.length !== 2) throw new UserError('bench compare: give two run ids (see "mesh-soak bench list")');
    const suites = storedSuites(config, sub !== 'compare' ? args[0] : undefined, clusterArgs(ctx), `bench ${sub}`);
    return withRedis(config, async (redis) => {
      const store = buildBenchmark(config, { redis, owner: `cli:${process.pid}` }).store;
      if (sub === 'compare') return compare(ctx, await store.get(args[0] as string), await store.get(args[1] as string), args);
      const runs = (await Promise.all(suites.map((s) => store.list(s.name)))).flat();
      if (sub === 'list') ctx.stdout.write(listTable(runs));
      else if (ctx.values.json === true) ctx.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
      else ctx.stdout.write(toCsv(runs.filter((r) => r.state === 'done').flatMap((r) => r.results)));
      return 0;
    });
  },
};

/** The benchmark suites (suite instances with clusters:, of the --cluster named) whose runs list and export read. */
function storedSuites(config: Config, name: string | undefined, clusters: string[], command: string): Suite[] {
  const chosen = checkedClusters(config, clusters, command);
  const named = name === undefined ? undefined : benchSuiteOf(config, name, command).name;
  const view = instanceView(chosen.length > 0 ? narrowClusters(config, chosen) : config);
  return view.suites.filter((s) => s.benchmark && (named === undefined || splitInstanceId(s.name).suite === named));
}

function benchSuiteOf(config: Config, name: string | undefined, command: string): Suite {
  const suite = findSuite(config, name, command);
  if (!suite.benchmark) throw new UserError(`${command}: suite "${suite.name}" has no benchmark: section`);
  return suite;
}

function dryRun(ctx: CommandContext, suite: Suite): number {
  const spec = suite.benchmark!;
  const points = expandMatrix(spec);
  const via = spec.fortioVia === 'apiserver' ? `the API server's service proxy ${serviceProxyUrl('', serviceOf(spec.fortioUrl, suite.namespace))}` : spec.fortioUrl;
  const out = [`benchmark ${suite.name}: ${points.length} points of ${spec.durationMs / 1000} s through ${via}/fortio/rest/run`];
  // The lock names the run takes: per cluster (`east/control-plane`) for a suite instance under clusters:.
  out.push(`holds: ${benchResources(suite.namespace, suite.name).join(', ')}`);
  points.forEach((p, i) => out.push(`${i + 1}/${points.length} ${p.mode} c=${p.connections} qps=${String(p.qps)} size=${p.payloadBytes}: ${loadUrl(spec, p)}`));
  out.push(`resources over each window minus ${spec.warmupMs / 1000} s warm-up and ${spec.cooldownMs / 1000} s cool-down, step ${spec.stepMs / 1000} s:`);
  for (const c of defaultComponents(suite.namespace)) out.push(`  ${cpuQuery(c)}`, `  ${memoryQuery(c)}`);
  ctx.stdout.write(`${out.join('\n')}\n`);
  return 0;
}

async function runNow(ctx: CommandContext, config: Config, suite: Suite, redis: Redis): Promise<number> {
  const spec = suite.benchmark!;
  const built = buildBenchmark(config, {
    redis,
    owner: `cli:${process.pid}`,
    onPoint: (p, o) => ctx.stdout.write(`${p.mode} c=${p.connections} qps=${String(p.qps)} size=${p.payloadBytes}: ${'result' in o ? `p99 ${o.result.latency.p99 ?? '-'} µs, ${o.result.latency.ActualQPS} qps` : `FAILED ${o.error}`}\n`),
  });
  const recovered = await built.recover();
  if (recovered.length > 0) ctx.stderr.write(`bench: marked ${recovered.length} interrupted run(s) stopped: ${recovered.join(', ')}\n`);
  const stop = onStopSignals(() => ctx.stderr.write('bench: stopping the Fortio load; the run is marked stopped\n'));
  try {
    const runId = benchRunId(suite.name, Date.now());
    const outcome = await runBenchmark({ suite: suite.name, namespace: suite.namespace, spec, runId }, built.deps(suite), stop.signal);
    if (outcome.outcome === 'busy') {
      ctx.stderr.write(`bench: ${outcome.resources.join(' or ')} is held by another benchmark or disruption\n`);
      return 1;
    }
    const failing = await reportRegressions(config, suite, redis, outcome);
    ctx.stdout.write(`run ${outcome.run.id}: ${outcome.run.state}${outcome.run.reason ? ` (${outcome.run.reason})` : ''}; ${failing} regression(s)\n`);
    return outcome.run.state === 'done' && failing === 0 ? 0 : 1;
  } finally {
    stop.dispose();
  }
}

/** Evaluates the regression checks, stores their records (as the daemon does), notifies; answers the failing instances. */
async function reportRegressions(config: Config, suite: Suite, redis: Redis, outcome: Exclude<BenchOutcome, { outcome: 'busy' }>): Promise<number> {
  const logger = pino({ level: 'warn' });
  const notifier = buildNotifier(config, createMetrics(new Registry(), version), logger);
  const checks = new CheckStore(redis, stateKeys(keyPrefix(config.redis)));
  const { failing } = await recordRegressions({ checks, ...(notifier ? { alerts: notifier } : {}), prometheusUrl: clusterTarget(config, clusterOfId(suite.name)).prometheus.url, now: Date.now }, suite, outcome);
  if (notifier) {
    await notifier.flush?.(10_000);
    await notifier.close?.();
  }
  return failing;
}

function compare(ctx: CommandContext, a: BenchRun | undefined, b: BenchRun | undefined, ids: string[]): number {
  if (!a || !b) throw new UserError(`bench compare: no stored run "${!a ? ids[0] : ids[1]}" (see "mesh-soak bench list")`);
  const rows = compareRuns(a, b);
  const fmt = (v: number | null) => (v === null ? '-' : Number.isInteger(v) ? String(v) : v.toFixed(2));
  const lines = [`A ${a.id} (${a.istioVersion}) → B ${b.id} (${b.istioVersion})`, ['point', 'metric', 'A', 'B', 'delta %'].join('\t')];
  for (const r of rows) lines.push([r.point, r.metric, fmt(r.a), fmt(r.b), r.deltaPercent === null ? '-' : `${r.deltaPercent >= 0 ? '+' : ''}${r.deltaPercent.toFixed(1)}`].join('\t'));
  if (rows.length === 0) lines.push('(no matrix point in common)');
  ctx.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

function listTable(runs: BenchRun[]): string {
  const lines = [['run', 'suite', 'istio', 'state', 'started', 'points'].join('\t')];
  for (const r of runs) lines.push([r.id, r.suite, r.istioVersion, r.state + (r.reason ? ` (${r.reason})` : ''), new Date(r.startedAt).toISOString(), String(r.results.length)].join('\t'));
  return `${lines.join('\n')}\n`;
}

async function withRedis<T>(config: Config, use: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = createRedisClient(config.redis, { lazyConnect: true, connectTimeout: 5000, maxRetriesPerRequest: 3, retryStrategy: (n) => (n > 3 ? null : n * 200) });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    throw new Fault('redis', `cannot reach Redis: ${messageOf(err)}`);
  }
  try {
    return await use(redis);
  } finally {
    await closeRedis(redis);
  }
}
