// The real ClusterOps: src/adapters/kube/'s operations (retries, timeouts and typed KubeErrors built
// in) bound to one KubeContext.

import {
  deletePods,
  getScale,
  rolloutRestart,
  setEnv,
  setScale,
  waitRollout,
  type KubeContext,
} from './index.js';
import type { ClusterOps } from '../../disruption/cluster-ops.js';
import { kubeObjectOps } from './objects.js';

export function kubeClusterOps(kube: KubeContext): ClusterOps {
  return {
    getScale: (ns, deployment) => getScale(kube, ns, deployment),
    setScale: (ns, deployment, replicas) => setScale(kube, ns, deployment, replicas),
    rolloutRestart: (ns, deployment, at) => rolloutRestart(kube, ns, deployment, at),
    waitRollout: async (ns, deployment, options) => {
      await waitRollout(kube, ns, deployment, options);
    },
    setEnv: async (ns, env, selector) => {
      await setEnv(kube, ns, env, selector);
    },
    deletePods: async (ns, selector, keep) => {
      await deletePods(kube, ns, selector, keep);
    },
    objects: kubeObjectOps(kube),
  };
}
