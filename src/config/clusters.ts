// Many clusters in one config (issue 15, docs/design-many-clusters.md): the rules that span
// fields (located like every other problem), the resolved cluster targets, and the *instance
// view* of a config — every suite once per cluster it is bound to, named by its instance id,
// with the mesh-wide checks as a suite `CLUSTER/mesh` per cluster. Without `clusters:` the
// view is the config itself, so nothing moves for today's configs.

import { homedir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { DEFAULT_CLUSTER, instanceId } from '../checks/suite-instance.js';
import { isRecord } from './cross-checks.js';
import { MESH_SUITE, type ClusterTarget, type Config, type Suite } from './model.js';
import { ms } from './resolve.js';
import type { ConfigInput } from './schema.js';
import { didYouMean } from './suggest.js';
import type { YamlSource } from './yaml-source.js';

export { DEFAULT_CLUSTER };

/** Reports: no Prometheus at all, top-level sections beside clusters:, duplicate cluster names, a suite bound to an unknown cluster. */
export function checkClusters(source: YamlSource, raw: Record<string, unknown>): void {
  const clusters = raw['clusters'];
  if (clusters === undefined) {
    if (raw['prometheus'] === undefined) source.report(['prometheus'], "missing required field 'prometheus'");
    for (const [i, e] of (Array.isArray(raw['suites']) ? raw['suites'] : []).entries()) {
      if (isRecord(e) && e['clusters'] !== undefined) source.report(['suites', i, 'clusters'], 'clusters: needs a top-level clusters: list naming them');
    }
    return;
  }
  for (const key of ['prometheus', 'kubernetes']) {
    if (raw[key] !== undefined) source.report([key], `with clusters:, give ${key} under each cluster (one place per setting), not at the top level`, 'key');
  }
  if (!Array.isArray(clusters)) return;
  const first = new Map<string, number>();
  clusters.forEach((c: unknown, i) => {
    if (!isRecord(c) || typeof c['name'] !== 'string') return;
    const seen = first.get(c['name']);
    if (seen === undefined) first.set(c['name'], i);
    else source.report(['clusters', i, 'name'], `duplicate cluster name '${c['name']}' (first used by clusters.${seen})`);
  });
  checkBindings(source, raw['suites'], [...first.keys()]);
}

function checkBindings(source: YamlSource, suites: unknown, known: string[]): void {
  if (!Array.isArray(suites)) return;
  suites.forEach((e: unknown, i) => {
    if (!isRecord(e) || !Array.isArray(e['clusters'])) return;
    e['clusters'].forEach((name: unknown, j) => {
      if (typeof name === 'string' && !known.includes(name)) {
        source.report(['suites', i, 'clusters', j], `unknown cluster '${name}'${didYouMean(name, known)} (clusters: ${known.join(', ')})`);
      }
    });
  });
}

/** A kubeconfig path as given: `~/` is the home folder, a relative path is the config file's folder's. */
export function kubeconfigPath(given: string | null | undefined, configPath: string): string | undefined {
  if (typeof given !== 'string' || given === '') return undefined;
  return given.startsWith('~/') ? resolve(homedir(), given.slice(2)) : resolve(dirname(configPath), given);
}

export function prometheusOf(p: NonNullable<ConfigInput['prometheus']>): Config['prometheus'] {
  return {
    url: p.url,
    timeoutMs: ms(p.timeout),
    headers: { ...p.headers },
    concurrency: p.concurrency,
    maxBodyBytes: p.maxBodyBytes,
    maxSeries: p.maxSeries,
    maxInstancesPerCheck: p.maxInstancesPerCheck,
    ...(p.recordingRules ? { recordingRules: p.recordingRules.maxAge !== undefined ? { maxAgeMs: ms(p.recordingRules.maxAge) } : {} } : {}),
  };
}

export function clustersOf(c: ConfigInput, configPath: string): ClusterTarget[] | undefined {
  return c.clusters?.map((x) => {
    const kubeconfig = kubeconfigPath(x.kubernetes.kubeconfig, configPath);
    return {
      name: x.name,
      kubernetes: { ...(kubeconfig ? { kubeconfig } : {}), ...(x.kubernetes.context ? { context: x.kubernetes.context } : {}) },
      prometheus: prometheusOf(x.prometheus),
    };
  });
}

/** The clusters' names; ["default"] without `clusters:`. */
export function clusterNames(config: Config): string[] {
  return config.clusters?.map((c) => c.name) ?? [DEFAULT_CLUSTER];
}

/** A cluster's target; the implicit cluster (or any name without clusters:) is the top-level sections. */
export function clusterTarget(config: Config, name: string): ClusterTarget {
  const found = config.clusters?.find((c) => c.name === name);
  return found ?? { name: DEFAULT_CLUSTER, kubernetes: config.kubernetes, prometheus: config.prometheus };
}

const views = new WeakSet<Config>();

/**
 * The config as the daemon runs it: each suite once per cluster it is bound to (name = the
 * instance id `cluster/suite`, `cluster` set), clusters in config order, and the mesh-wide
 * checks as one suite `cluster/mesh` per cluster (`checks` is then empty). Idempotent; the
 * config itself when it has no `clusters:`.
 */
export function instanceView(config: Config): Config {
  if (!config.clusters || views.has(config)) return config;
  const suites: Suite[] = [];
  for (const cluster of clusterNames(config)) {
    for (const s of config.suites) {
      if (!(s.clusters ?? [cluster]).includes(cluster)) continue;
      suites.push(suiteOn(s, cluster));
    }
    if (config.checks.length > 0) suites.push(meshInstance(config, cluster));
  }
  const view: Config = { ...config, suites, checks: [] };
  views.add(view);
  return view;
}

/** The instance of a (plain) suite on a named cluster: name `cluster/suite`, `cluster` set. */
export function suiteOn(s: Suite, cluster: string): Suite {
  return { ...s, name: instanceId({ cluster, suite: s.name }), cluster };
}

/**
 * The config with only the named clusters (config order); its top-level prometheus and
 * kubernetes become the first of them, like loading does. A config without clusters: as is.
 */
export function narrowClusters(config: Config, names: readonly string[]): Config {
  if (!config.clusters) return config;
  const clusters = config.clusters.filter((c) => names.includes(c.name));
  const first = clusters[0];
  if (!first) throw new Error(`narrowClusters: none of ${names.join(', ')} is configured`);
  return { ...config, clusters, prometheus: first.prometheus, kubernetes: first.kubernetes };
}

function meshInstance(config: Config, cluster: string): Suite {
  return {
    name: instanceId({ cluster, suite: MESH_SUITE }),
    description: 'the mesh-wide checks',
    dir: dirname(config.file),
    namespace: 'istio-system',
    params: {},
    manifests: [],
    checks: config.checks,
    tickMs: config.tickMs,
    enabled: true,
    cluster,
  };
}
