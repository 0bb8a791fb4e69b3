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
}
