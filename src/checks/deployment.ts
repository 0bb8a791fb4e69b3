// Whether a suite's own objects exist in the cluster: the "not deployed" verdict, decided
// from the Kubernetes API (its namespace and Deployments) rather than from a metric that may
// be missing for other reasons. A suite that is not deployed has every check `skipped` with
// a reason that starts with NOT_DEPLOYED, so coverage (coverage.ts) can tell it apart from
// a guard that says "not running" using the records alone. An error asking the API is not a
// verdict: the guard and the checks decide as if nobody had asked. Pure.

/** The objects a suite's manifests create that must exist for it to run. */
export interface SuiteObjects {
  namespace: string;
  /** Deployment names in `namespace` (or `other/name` for another namespace). */
  deployments: string[];
}

export type DeploymentVerdict =
  | { deployed: true }
  /** `reason` names the missing object, e.g. `namespace x does not exist`. */
  | { deployed: false; reason: string }
  | { error: string };

/** Asks the cluster about one suite's objects; never rejects (failures are `{ error }`). */
export type DeploymentProbe = (suite: string, signal?: AbortSignal) => Promise<DeploymentVerdict>;

/** The prefix of every not-deployed skip reason. */
export const NOT_DEPLOYED = 'not deployed: ';

export function notDeployedReason(verdict: DeploymentVerdict): string | undefined {
  return 'deployed' in verdict && !verdict.deployed ? NOT_DEPLOYED + verdict.reason : undefined;
}

export function isNotDeployedReason(reason: string | undefined): boolean {
  return reason?.startsWith(NOT_DEPLOYED) === true;
}
