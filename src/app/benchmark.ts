// The benchmark parts of the composition root (app/index.ts): the Fortio clients, the
// query_range client and the bench store over the config. Loaded only by what runs
// benchmarks: `mesh-soak bench`, and the daemon when a suite has a benchmark: section.
//
// May import anything in src/ (it is the top of the dependency order); nothing in src/ but
// app/index.ts and commands/ imports it.

import type { Redis } from 'ioredis';
import type { Config, Suite } from '../config/model.js';
import { stateKeys, type StateKeys } from '../adapters/redis/keys.js';
import { keyPrefix } from '../adapters/redis/connection.js';
import { BenchStore } from '../adapters/redis/bench-store.js';
import { FortioClient } from '../adapters/fortio/client.js';
import { serviceOf, serviceProxyConnection, type KubeAccess } from '../adapters/fortio/service-proxy.js';
import { rangeQueryClient } from '../adapters/prometheus/range-query.js';
import { acquireAll } from '../disruption/lock.js';
import { recoverInterrupted, type BenchDeps } from '../benchmark/run-benchmark.js';
import { defaultComponents, type RangeQuery } from '../benchmark/resources.js';
import { clusterTarget } from '../config/clusters.js';
import { clusterOfId, splitInstanceId } from '../checks/suite-instance.js';

export interface BenchBuildOptions {
  redis: Redis;
  /** Who runs benchmarks (journal entries name it): the daemon's worker id, or cli:PID. */
  owner: string;
  keys?: StateKeys;
  lockTtlMs?: number;
  /** How often Fortio's status is polled; default 2 s. */
  pollMs?: number;
  onPoint?: BenchDeps['onPoint'];
}

export interface BuiltBenchmark {
  store: BenchStore;
  /** The ports a run of `suite` needs (its Fortio URL, the config's Prometheus). */
  deps(suite: Suite): BenchDeps;
  /** Stops and marks runs a crash left in the journal (see run-benchmark.ts). */
  recover(): Promise<string[]>;
}

/**
 * The Fortio client of a suite's URL: direct, or with `fortio.via: apiserver` through the API
 * server's service proxy with the kubeconfig's credentials (client-node loaded only then) — a
 * suite instance's own cluster's with clusters:. Every such suite's URL is checked at once, so
 * a bad one fails at start, not at its first run. `suite` may be an instance id.
 */
function fortioClients(config: Config): (url: string, suite: string) => FortioClient {
  const accessByCluster = new Map<string, Promise<KubeAccess>>();
  const access = (cluster: string) => (): Promise<KubeAccess> => {
    let found = accessByCluster.get(cluster);
    if (!found) {
      const k = clusterTarget(config, cluster).kubernetes;
      found = import('../adapters/fortio/kube-access.js').then((m) => m.kubeAccess(k.kubeconfig, k.context));
      found.catch(() => accessByCluster.delete(cluster));
      accessByCluster.set(cluster, found);
    }
    return found;
  };
  const proxied = new Map<string, Suite>(config.suites.filter((s) => s.benchmark?.fortioVia === 'apiserver').map((s) => [s.name, s]));
  for (const s of proxied.values()) serviceOf(s.benchmark!.fortioUrl, s.namespace);
  return (url, suiteName) => {
    const suite = proxied.get(splitInstanceId(suiteName).suite);
    return new FortioClient({ baseUrl: url, ...(suite ? { connect: serviceProxyConnection(url, suite.namespace, access(clusterOfId(suiteName))) } : {}) });
  };
}

/** query_range clients by cluster ("default" without clusters:), built when first asked for. */
function promClients(config: Config): (suite: string) => RangeQuery {
  const clients = new Map<string, RangeQuery>();
  return (suite) => {
    const cluster = clusterOfId(suite);
    let c = clients.get(cluster);
    if (!c) {
      const p = clusterTarget(config, cluster).prometheus;
      clients.set(cluster, (c = rangeQueryClient({ url: p.url, timeoutMs: p.timeoutMs, headers: p.headers })));
    }
    return c;
  };
}

/**
 * Benchmarks over the config's Redis, Prometheus (query_range) and each suite's Fortio REST
 * API. A suite instance (`cluster/suite`, config/clusters.ts instanceView) runs against its
 * own cluster's Prometheus and API server; its runs are stored under its instance id.
 */
export function buildBenchmark(config: Config, o: BenchBuildOptions): BuiltBenchmark {
  const keys = o.keys ?? stateKeys(keyPrefix(config.redis));
  const store = new BenchStore(o.redis, keys);
  const promFor = promClients(config);
  const acquire = (resources: string[]) => acquireAll(o.redis, resources.map((r) => keys.resourceLock(r)), o.lockTtlMs ?? 30_000);
  const fortioFor = fortioClients(config);
  const namespaceOf = (name: string): string | undefined => config.suites.find((s) => s.name === splitInstanceId(name).suite)?.namespace;
  return {
    store,
    deps: (suite) => ({
      fortio: fortioFor(suite.benchmark?.fortioUrl ?? '', suite.name),
      prom: promFor(suite.name),
      store,
      acquire,
      now: Date.now,
      owner: o.owner,
      pollMs: o.pollMs ?? 2000,
      components: defaultComponents(suite.namespace),
      ...(o.onPoint ? { onPoint: o.onPoint } : {}),
    }),
    recover: () => recoverInterrupted({ store, acquire, now: Date.now, fortioFor, namespaceOf }),
  };
}
