// rolloutState judges a Deployment as `kubectl rollout status` does: nothing counts until the
// controller has observed the latest generation; then ProgressDeadlineExceeded on the
// Progressing condition is a failure, and all replicas updated, available and ready is done.
// Pure: V1Deployment objects in, a verdict out.

import { describe, expect, it } from 'vitest';
import type { V1Deployment, V1DeploymentCondition } from '@kubernetes/client-node';
import { isNamespaceTerminating, KubeError, rolloutState } from '../../../src/adapters/kube/index.js';
import { toKubeError } from '../../../src/adapters/kube/retry.js';
import { ApiException } from '@kubernetes/client-node';

const DEADLINE: V1DeploymentCondition = { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "web-7c9d" has timed out progressing.' };
const PROGRESSING: V1DeploymentCondition = { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: 'ReplicaSet "web-7c9d" is progressing.' };
const COMPLETE: V1DeploymentCondition = { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: 'ReplicaSet "web-7c9d" has successfully progressed.' };

function deployment(generation: number, observed: number, updated: number, progressing: V1DeploymentCondition): V1Deployment {
  return {
    metadata: { name: 'web', generation },
    spec: { replicas: 3, selector: {}, template: {} },
    status: { observedGeneration: observed, replicas: 3, updatedReplicas: updated, readyReplicas: 3, availableReplicas: 3, conditions: [progressing] },
  };
}

describe('rolloutState', () => {
  it('is failed with the reason and message when the current status says ProgressDeadlineExceeded', () => {
    expect(rolloutState(deployment(2, 2, 1, DEADLINE))).toMatchObject({
      state: 'failed',
      reason: 'ProgressDeadlineExceeded',
      message: 'ReplicaSet "web-7c9d" has timed out progressing.',
    });
  });

  it('is waiting while the controller has not observed the latest generation, whatever the rest says', () => {
    // Every count complete, and an old deadline: both describe generation 1, not 2.
    expect(rolloutState(deployment(2, 1, 3, COMPLETE)).state).toBe('waiting');
    expect(rolloutState(deployment(2, 1, 3, DEADLINE)).state).toBe('waiting');
    expect(rolloutState({ ...deployment(2, 1, 3, COMPLETE), status: { ...deployment(2, 1, 3, COMPLETE).status, observedGeneration: undefined } }).state).toBe('waiting');
  });

  it('is waiting while replicas are still being updated, and done once all are updated and available', () => {
    expect(rolloutState(deployment(2, 2, 1, PROGRESSING)).state).toBe('waiting');
    expect(rolloutState(deployment(2, 2, 3, COMPLETE))).toMatchObject({ state: 'done', progress: { generation: 2, observedGeneration: 2, updatedReplicas: 3 } });
  });
});

describe('isNamespaceTerminating', () => {
  // The Status a real API server answers when creating inside a namespace being deleted.
  const body = JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    status: 'Failure',
    message: 'serviceaccounts "httpbin" is forbidden: unable to create new content in namespace soak-web because it is being terminated',
    reason: 'Forbidden',
    details: { name: 'httpbin', kind: 'serviceaccounts', causes: [{ reason: 'NamespaceTerminating', message: 'namespace soak-web is being terminated', field: 'metadata.namespace' }] },
    code: 403,
  });

  it('recognises the 403 whose cause is NamespaceTerminating, and no other 403', () => {
    const err = toKubeError(new ApiException(403, 'Forbidden', body, {}), 'apply ServiceAccount soak-web/httpbin');
    expect(err).toBeInstanceOf(KubeError);
    expect(err).toMatchObject({ status: 403, reason: 'Forbidden', causes: ['NamespaceTerminating'] });
    expect(isNamespaceTerminating(err)).toBe(true);
    const rbac = toKubeError(new ApiException(403, 'Forbidden', JSON.stringify({ kind: 'Status', reason: 'Forbidden', message: 'forbidden', code: 403 }), {}), 'apply');
    expect(isNamespaceTerminating(rbac)).toBe(false);
  });
});
