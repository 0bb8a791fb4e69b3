// The suite instance (issue 15, docs/design-many-clusters.md): one suite on one cluster. Its
// id is `cluster/suite` when the config names clusters, and just `suite` with the one implicit
// cluster, so a config without `clusters:` keeps its Redis keys, schedulers and metric series.
// Suite and cluster names never hold a "/" (config/schema.ts NAME_PATTERN), so the id splits
// back unambiguously. Pure; imports nothing.

/** The cluster of a config without `clusters:`. */
export const DEFAULT_CLUSTER = 'default';

export interface SuiteInstance {
  /** Absent: the implicit cluster (no `cluster` label, no prefix in the id). */
  cluster?: string;
  suite: string;
}

export function instanceId(i: SuiteInstance): string {
  return i.cluster === undefined ? i.suite : `${i.cluster}/${i.suite}`;
}

export function splitInstanceId(id: string): SuiteInstance {
  const at = id.indexOf('/');
  return at < 0 ? { suite: id } : { cluster: id.slice(0, at), suite: id.slice(at + 1) };
}

/** The cluster an instance id runs on ("default" for the implicit one). */
export function clusterOfId(id: string): string {
  return splitInstanceId(id).cluster ?? DEFAULT_CLUSTER;
}

/** `{ cluster }` for an instance of a named cluster, `{}` for the implicit one: spread into label sets. */
export function clusterLabel(id: string): { cluster?: string } {
  const { cluster } = splitInstanceId(id);
  return cluster === undefined ? {} : { cluster };
}

/**
 * A shared resource (a disruption's `exclusive.locks`, a benchmark's namespace and control
 * plane) as held by a suite instance: on a named cluster `cluster/resource`, so the same
 * resource of two clusters are two locks; the name as it is for the implicit cluster.
 */
export function clusterResource(id: string, resource: string): string {
  const { cluster } = splitInstanceId(id);
  return cluster === undefined ? resource : `${cluster}/${resource}`;
}
