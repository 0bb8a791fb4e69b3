// Cluster operations over @kubernetes/client-node: the public surface of src/adapters/kube.
//
// May import: checks/, config/ (model types), disruption/cluster-ops.ts (the port), shared/.
export { createKubeClients, loadKubeConfig, type KubeContext, type KubeClientOptions } from './clients.js';
export { KubeError, isNotFound, isNamespaceTerminating, NothingSelected, RolloutFailed, type KubeErrorKind } from './errors.js';
export { DEFAULT_RETRY, withRetry, type RetryPolicy } from './retry.js';
export { applyManifests, deleteManifests, FIELD_MANAGER } from './manifests.js';
export {
  rolloutRestart,
  waitRollout,
  rolloutDone,
  rolloutState,
  PROGRESS_DEADLINE_EXCEEDED,
  RESTARTED_AT,
  type RolloutProgress,
  type RolloutState,
  type WaitRolloutOptions,
} from './rollout.js';
export { getScale, setScale } from './scale.js';
export { setEnv } from './env.js';
export { deletePods } from './pods.js';
export { waitNamespacesActive, type NamespaceWait, type WaitNamespacesOptions } from './namespaces.js';
export type { RequestReporter } from './http-library.js';
