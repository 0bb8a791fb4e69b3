// waitRollout's deadline on a fixed clock: the context's clock and timer are the only time
// it knows, so a rollout that never finishes times out after exactly timeoutMs of polls.

import { describe, expect, it } from 'vitest';
import type { V1Deployment } from '@kubernetes/client-node';
import { DEFAULT_RETRY, KubeError, waitRollout, type KubeContext } from '../../../src/adapters/kube/index.js';

function deployment(updated: number): V1Deployment {
  // Only what rolloutProgress reads.
  return {
    metadata: { generation: 2 },
    spec: { replicas: 3 },
    status: { observedGeneration: 2, replicas: 3, updatedReplicas: updated, readyReplicas: 3, availableReplicas: 3 },
  } as V1Deployment;
}

/** A context whose API answers from `reads` in turn, on a clock that only sleeps advance. */
function fakeContext(reads: (n: number) => V1Deployment) {
  const clock = { t: 1_700_000_000_000, sleeps: [] as number[], polls: 0 };
  const ctx = {
    apps: { readNamespacedDeployment: async () => reads(clock.polls++) },
    retry: DEFAULT_RETRY,
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.sleeps.push(ms);
      clock.t += ms;
    },
  } as unknown as KubeContext;
  return { ctx, clock };
}

describe('waitRollout on a fixed clock', () => {
  it('returns once the rollout is done, having slept one poll interval between reads', async () => {
    const { ctx, clock } = fakeContext((n) => deployment(n < 2 ? 1 : 3));
    const done = await waitRollout(ctx, 'ns', 'web', { timeoutMs: 10_000, pollMs: 1_000 });
    expect(done.updatedReplicas).toBe(3);
    expect(clock.sleeps).toEqual([1_000, 1_000]);
  });

  it('times out after timeoutMs of the clock, the last wait cut to the deadline', async () => {
    const { ctx, clock } = fakeContext(() => deployment(1));
    const err = await waitRollout(ctx, 'ns', 'web', { timeoutMs: 2_500, pollMs: 1_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeError);
    expect(err).toMatchObject({ kind: 'timeout' });
    expect((err as Error).message).toContain('updated 1/3');
    expect(clock.sleeps).toEqual([1_000, 1_000, 500]);
    expect(clock.polls).toBe(4);
  });
});
