// What running a disruption needs from the cluster, as one small interface. The real
// implementation (adapters/kube/cluster-ops.ts) binds src/adapters/kube/'s functions to a KubeContext; tests
// of the runner's own logic can pass a fake. Keeping this seam narrow is what lets the
// runner stay ignorant of HTTP, retries and client-node.

export interface WaitRolloutOptions {
  timeoutMs: number;
  pollMs: number;
  signal?: AbortSignal;
}

export interface ClusterOps {
  /** spec.replicas of a deployment, read through its scale subresource. */
  getScale(namespace: string, deployment: string): Promise<number>;
  setScale(namespace: string, deployment: string, replicas: number): Promise<void>;
  /** Sets the restartedAt pod-template annotation to `at`; the same `at` twice is a no-op. */
  rolloutRestart(namespace: string, deployment: string, at: Date): Promise<void>;
  waitRollout(namespace: string, deployment: string, options: WaitRolloutOptions): Promise<void>;
  /**
   * Sets the variables on every container of every deployment in the namespace, or, with a
   * label selector, of the deployments it matches (rejecting when it matches none).
   */
  setEnv(namespace: string, env: Record<string, string>, selector?: string): Promise<void>;
  /** Deletes pods matching the selector, keeping `keep` of them. */
  deletePods(namespace: string, selector: string, keep: number): Promise<void>;
  /** Objects and namespace labels; absent in an implementation without them (those steps fail, naming it). */
  objects?: ObjectOps;
}

/** A Kubernetes object's identity, enough to read or delete it. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  /** Absent for cluster-scoped objects (Namespace). */
  namespace?: string;
}

export type KubeObject = Record<string, unknown>;

/** What the manifest and namespace-label steps need (steps/manifest-steps.ts, steps/label-namespace.ts). */
export interface ObjectOps {
  /** The object as the API holds it, or null when it does not exist. */
  read(ref: ObjectRef): Promise<KubeObject | null>;
  /** Server-side apply (field manager mesh-soak, forced). */
  apply(object: KubeObject): Promise<void>;
  /** Deletes it; an object already gone is done. */
  delete(ref: ObjectRef): Promise<void>;
  /** Sets (string) or removes (null) the namespace's labels, leaving the others. */
  patchNamespaceLabels(namespace: string, labels: Record<string, string | null>): Promise<void>;
  /** rolloutRestart of every deployment of the namespace at `at` (its sidecars re-injected). */
  restartDeployments(namespace: string, at: Date): Promise<void>;
}
