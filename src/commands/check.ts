// `mesh-soak check`: every check of the selected suites (and the mesh-wide ones) once, like
// check_metrics.py. One-shot means there is no history: `for` and `keepFiringFor` cannot
// elapse, so a condition that holds is failing at once (check_metrics' behaviour), and a
// query error is `unknown` at once (errorLimit 1).

import { writeFile } from 'node:fs/promises';
import { loadConfig } from '../config/load-config.js';
import { MESH_SUITE, type CheckSpec, type Config, type Suite } from '../config/model.js';
import { clusterTarget, instanceView, narrowClusters } from '../config/clusters.js';
import { clusterOfId, splitInstanceId } from '../checks/suite-instance.js';
import type { MetricsProvider } from '../checks/types.js';
import { activeGroups } from '../config/check-groups.js';
import type { CheckGroup } from '../checks/evaluate-group.js';
import { evaluateGroup } from '../checks/evaluate-group.js';
import { buildKubeReaders, buildProvider, type KubeReaders } from '../app/index.js';
import { UserError, messageOf } from '../shared/errors.js';
import { configPath, type Command } from './command.js';
import { CLUSTER_OPTION, checkedClusters, clusterArgs } from './cluster-option.js';
import { exitCodeFor, formatTable, rowsFor, sortRows, summaryLine, toJson, toJUnit, type ReportRow } from './check-report.js';


function oneShot(spec: CheckSpec): CheckSpec {
  return { ...spec, forMs: 0, keepFiringForMs: 0, errorLimit: 1 };
}

/**
 * The groups named by --suite (even disabled ones), or every enabled suite plus the mesh-wide
 * checks. `config` may be an instance view (config/clusters.ts): then --suite S names S on
 * every cluster it is bound to (`cluster/S` names one instance).
 */
export function selectGroups(config: Config, wanted: string[]): CheckGroup[] {
  if (wanted.length === 0) return [...activeGroups(config).values()];
  const mesh: CheckGroup = { suite: MESH_SUITE, checks: config.checks };
  const candidates = [...config.suites.map(groupOf), ...(config.clusters ? [] : [mesh])];
  const matches = (w: string, g: CheckGroup): boolean => g.suite === w || splitInstanceId(g.suite).suite === w;
  const unknown = wanted.filter((w) => !candidates.some((g) => matches(w, g)));
  if (unknown.length > 0) {
    const names = [...new Set([...config.suites.map((s) => splitInstanceId(s.name).suite), MESH_SUITE])].join(', ');
    const where = config.clusters ? ` on clusters ${config.clusters.map((c) => c.name).join(', ')}` : '';
    throw new UserError(unknown.map((u) => `--suite ${u}: no such suite in ${config.file}${where} (configured: ${names})`).join('\n'));
  }
  return candidates.filter((g) => wanted.some((w) => matches(w, g)));
}

function groupOf(s: Suite): CheckGroup {
  return { suite: s.name, guard: s.guard, ...(s.guardSource ? { guardSource: s.guardSource } : {}), checks: s.checks };
}

/** The config with --prometheus in place of the (one selected) cluster's Prometheus. */
function withPrometheus(config: Config, override: string | undefined): Config {
  if (override === undefined) return config;
  try {
    const u = new URL(override);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw new UserError(`--prometheus: "${override}" is not an http(s) URL`);
  }
  const prometheus = { ...config.prometheus, url: override };
  if (!config.clusters) return { ...config, prometheus };
  if (config.clusters.length > 1) {
    throw new UserError(`--prometheus: ${config.file} names clusters ${config.clusters.map((c) => c.name).join(', ')}; say which one it replaces with --cluster NAME`);
  }
  return { ...config, prometheus, clusters: config.clusters.map((c) => ({ ...c, prometheus })) };
}

/** The clusters --cluster names (all without it), with --prometheus applied. */
export function scopedConfig(config: Config, clusters: string[], prometheus: string | undefined): Config {
  return withPrometheus(clusters.length > 0 ? narrowClusters(config, clusters) : config, prometheus);
}

/**
 * Evaluates the groups once. `url`: the Prometheus of a config without clusters:; with them
 * (`config` an instance view), each group asks its own cluster's Prometheus, and reads logs
 * and deployments through its own cluster.
 */
export async function runChecks(config: Config, groups: CheckGroup[], url: string, now = Date.now(), kube: Omit<KubeReaders, 'off'> = {}): Promise<ReportRow[]> {
  const providers = new Map<string, MetricsProvider>();
  const providerOf = (suite: string): MetricsProvider => {
    const cluster = clusterOfId(suite);
    const prometheus = config.clusters ? clusterTarget(config, cluster).prometheus : { ...config.prometheus, url };
    let p = providers.get(cluster);
    if (!p) providers.set(cluster, (p = buildProvider({ ...config, prometheus })));
    return p;
  };
  try {
    const results = await Promise.all(groups.map((g) => checkGroup(g, providerOf(g.suite), now, kube)));
    return sortRows(results.flat());
  } finally {
    await Promise.all([...providers.values()].map((p) => p.close()));
  }
}

async function checkGroup(g: CheckGroup, client: MetricsProvider, now: number, kube: Omit<KubeReaders, 'off'>): Promise<ReportRow[]> {
  const checks = g.checks.map(oneShot);
  const deployment = kube.deployment && splitInstanceId(g.suite).suite !== MESH_SUITE ? await kube.deployment(g.suite) : undefined;
  const logs = kube.logsByCluster?.get(clusterOfId(g.suite)) ?? kube.logs;
  const input = { guard: g.guard, guardSource: g.guardSource, checks, ...(deployment ? { deployment } : {}) };
  const { records } = await evaluateGroup(input, client, {}, now, logs ? { logs } : {});
  return checks.flatMap((spec) => {
    const record = records[spec.name];
    return record ? rowsFor(g.suite, spec, record) : [];
  });
}

export const checkCommand: Command = {
  summary: 'evaluate every check once (like check_metrics.py); exit 0 ok, 1 failing, 2 invalid input, 3 unknown, 4 skipped',
  help: [
    'usage: mesh-soak check [--config FILE] [--suite S]... [--cluster NAME]... [--prometheus URL] [--json] [--junit FILE] [--allow-skipped]',
    '',
    'Evaluates every check of the enabled suites and the mesh-wide checks once and prints a table.',
    '  --suite S         only suite S (repeatable; "mesh" selects the mesh-wide checks; disabled suites allowed)',
    '  --cluster NAME    with clusters: in the config, only the suite instances on cluster NAME (repeatable;',
    '                    default every cluster). Each instance, named cluster/suite, is checked through its',
    '                    own cluster\'s Prometheus and Kubernetes API; --suite S selects S on each of them',
    '  --prometheus URL  query this Prometheus instead of the configured one (with clusters: one --cluster)',
    '  --json            print JSON instead of the table',
    '  --junit FILE      also write JUnit XML to FILE',
    '  --allow-skipped   exit 0 even when a suite was skipped (its guard says it is not running)',
    'One-shot: `for` and `keepFiringFor` are not waited for; a query error makes the check unknown.',
    'A guard that returns nothing while none of its metrics exist makes the suite unknown, not skipped.',
    "With a Kubernetes API (kubernetes.kubeconfig, in-cluster, or ~/.kube/config), a suite whose namespace or",
    'Deployments are absent is skipped as "not deployed: <what is missing>" (exit 4 unless --allow-skipped).',
    'Exit: 0 all ok, 1 any failing, 2 invalid input, 3 any unknown, 4 any skipped (nothing was checked;',
    '      0 with --allow-skipped). Failing wins over unknown, unknown over skipped.',
  ].join('\n'),
  options: {
    suite: { type: 'string', multiple: true },
    ...CLUSTER_OPTION,
    prometheus: { type: 'string' },
    json: { type: 'boolean' },
    junit: { type: 'string' },
    'allow-skipped': { type: 'boolean' },
  },
  async run(ctx) {
    const loaded = await loadConfig(configPath(ctx), { env: ctx.env });
    const config = scopedConfig(loaded, checkedClusters(loaded, clusterArgs(ctx), 'check'), ctx.values.prometheus as string | undefined);
    const view = instanceView(config);
    const groups = selectGroups(view, (ctx.values.suite as string[] | undefined) ?? []);
    const rows = await runChecks(view, groups, config.prometheus.url, Date.now(), await buildKubeReaders(config));
    const code = exitCodeFor(rows, { allowSkipped: ctx.values['allow-skipped'] === true });
    if (ctx.values.json) ctx.stdout.write(toJson(rows, code));
    else ctx.stdout.write(formatTable(rows) + summaryLine(rows));
    const junit = ctx.values.junit as string | undefined;
    if (junit) {
      try {
        await writeFile(junit, toJUnit(rows));
      } catch (err) {
        // The path came from the user: a plain message, no stack trace.
        throw new UserError(`--junit: cannot write ${junit}: ${messageOf(err)}`);
      }
    }
    return code;
  },
};
