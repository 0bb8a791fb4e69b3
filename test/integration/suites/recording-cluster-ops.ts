// An in-memory ClusterOps for tests of the runner's own logic (order, journal, lock,
// restore): records every call and keeps replica counts; any operation can be made to fail.

import type { ClusterOps, WaitRolloutOptions } from '../../../src/disruption/cluster-ops.js';

export type Call = { op: keyof ClusterOps; args: unknown[] };

export class RecordingClusterOps implements ClusterOps {
  readonly calls: Call[] = [];
  readonly replicas = new Map<string, number>();
  /** Operations that throw this message, e.g. fail.set('rolloutRestart', 'boom'). */
  readonly fail = new Map<keyof ClusterOps, string>();

  private guard(op: keyof ClusterOps, args: unknown[]): void {
    this.calls.push({ op, args });
    const message = this.fail.get(op);
    if (message) throw new Error(message);
  }

  mutating(): Call[] {
    return this.calls.filter((c) => c.op !== 'getScale' && c.op !== 'waitRollout');
  }

  async getScale(namespace: string, deployment: string): Promise<number> {
    this.guard('getScale', [namespace, deployment]);
    return this.replicas.get(`${namespace}/${deployment}`) ?? 1;
  }
  async setScale(namespace: string, deployment: string, replicas: number): Promise<void> {
    this.guard('setScale', [namespace, deployment, replicas]);
    this.replicas.set(`${namespace}/${deployment}`, replicas);
  }
  async rolloutRestart(namespace: string, deployment: string, at: Date): Promise<void> {
    this.guard('rolloutRestart', [namespace, deployment, at.toISOString()]);
  }
  async waitRollout(namespace: string, deployment: string, options: WaitRolloutOptions): Promise<void> {
    this.guard('waitRollout', [namespace, deployment, options.timeoutMs]);
  }
  async setEnv(namespace: string, env: Record<string, string>, selector?: string): Promise<void> {
    this.guard('setEnv', selector === undefined ? [namespace, env] : [namespace, env, selector]);
  }
  async deletePods(namespace: string, selector: string, keep: number): Promise<void> {
    this.guard('deletePods', [namespace, selector, keep]);
  }
}
