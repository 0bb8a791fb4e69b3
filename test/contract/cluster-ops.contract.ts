// The ClusterOps port's contract (src/disruption/cluster-ops.ts): what a disruption needs
// from the cluster. Run against the real implementation (kubeClusterOps over client-node)
// on the Kubernetes stand-in, and against the recording fake the runner's tests use.
//
// The port has one read (getScale), so the cases see the rest of the cluster through an
// observer the subject provides beside the port: the pods, the containers' environment,
// the restart annotation. An implementation that does not model one of them declares it
// false and the cases that need it are skipped by name.
//
// The port promises: getScale reads spec.replicas and setScale writes it (a non-negative
// integer, anything else refused without a change); rolloutRestart sets the
// kubectl.kubernetes.io/restartedAt template annotation to `at` (RFC 3339, seconds) and
// waitRollout resolves once every pod is of the new template — the same `at` twice rolls
// nothing; waitRollout gives up when its signal aborts; setEnv sets the variables on every
// container of every deployment of the namespace (with a label selector: of the deployments
// it matches, rejecting when it matches none) and keeps the others, and repeating it
// rolls nothing; deletePods deletes the pods the selector matches except the first `keep`
// by name, and nothing else; every operation on a deployment that does not exist rejects
// with an error naming it.

import { describe, expect } from 'vitest';
import type { ClusterOps, WaitRolloutOptions } from '../../src/disruption/cluster-ops.js';
import { caseRegistrar, rejection } from './contract-case.js';

export interface SeedDeployment {
  name: string;
  replicas: number;
  /** Variables already on the `main` container. */
  env?: Record<string, string>;
}

/** What the cluster looks like, read beside the port. */
export interface ClusterObserver {
  /** Names of the live pods matching a label selector, sorted. */
  pods(namespace: string, selector: string): Promise<string[]>;
  /** Each container's env as a name → value map, in container order. */
  env(namespace: string, deployment: string): Promise<Array<Record<string, string>>>;
  /** The kubectl.kubernetes.io/restartedAt pod-template annotation, if set. */
  restartedAt(namespace: string, deployment: string): Promise<string | undefined>;
}

export interface ClusterOpsCapabilities {
  /** Models pods (scaling and deletion change what `observe.pods` sees). */
  pods: boolean;
  /** Models containers' environment. */
  env: boolean;
  /** Models the pod template's restart annotation. */
  restarts: boolean;
}
type Capability = keyof ClusterOpsCapabilities;

export type ClusterOpsCase =
  | 'get-scale'
  | 'set-scale'
  | 'scale-pods'
  | 'scale-invalid'
  | 'restart-wait'
  | 'restart-observed'
  | 'restart-same-at'
  | 'wait-aborted'
  | 'set-env'
  | 'set-env-again'
  | 'set-env-empty'
  | 'set-env-selector'
  | 'delete-pods'
  | 'delete-pods-none'
  | 'delete-pods-invalid'
  | 'missing-get-scale'
  | 'missing-set-scale'
  | 'missing-restart'
  | 'missing-wait';

export interface ClusterOpsSubject {
  ops(): ClusterOps;
  /** A namespace no other case uses. */
  namespace(): string;
  /** Creates the namespace and the deployments (label app=<name>, containers main and helper), rolled out. */
  seed(namespace: string, deployments: SeedDeployment[]): Promise<void>;
  /** Required for the capabilities declared true. */
  observe?: Partial<ClusterObserver>;
  capabilities: ClusterOpsCapabilities;
  knownFailures?: Partial<Record<ClusterOpsCase, string>>;
}

const WAIT: WaitRolloutOptions = { timeoutMs: 10_000, pollMs: 10 };

/** kubectl's restartedAt format: RFC 3339 without fractions. */
const rfc3339 = (d: Date): string => d.toISOString().replace(/\.\d+Z$/, 'Z');

export function clusterOpsContract(name: string, subject: ClusterOpsSubject): void {
  const test = caseRegistrar<ClusterOpsCase, Capability>(subject.capabilities, subject.knownFailures);
  const observe = <K extends keyof ClusterObserver>(what: K): ClusterObserver[K] => {
    const fn = subject.observe?.[what];
    if (!fn) throw new Error(`${name}: a capability needs observe.${what}`);
    return fn;
  };
  const ops = (): ClusterOps => subject.ops();
  /** A namespace with `web` (2 replicas) and `db` (1). */
  const seeded = async (web: Partial<SeedDeployment> = {}): Promise<string> => {
    const ns = subject.namespace();
    await subject.seed(ns, [{ name: 'web', replicas: 2, ...web }, { name: 'db', replicas: 1 }]);
    return ns;
  };

  describe(`ClusterOps contract: ${name}`, () => {
    test('get-scale', 'getScale reads each deployment’s replicas', {}, async () => {
      const ns = await seeded();
      expect(await ops().getScale(ns, 'web')).toBe(2);
      expect(await ops().getScale(ns, 'db')).toBe(1);
    });

    test('set-scale', 'setScale writes the replicas getScale reads back, for that deployment only', {}, async () => {
      const ns = await seeded();
      await ops().setScale(ns, 'web', 0);
      expect(await ops().getScale(ns, 'web')).toBe(0);
      await ops().setScale(ns, 'web', 3);
      expect(await ops().getScale(ns, 'web')).toBe(3);
      expect(await ops().getScale(ns, 'db')).toBe(1);
    });

    test('scale-pods', 'after setScale and waitRollout the pods match the replicas, 0 included', { needs: ['pods'] }, async () => {
      const ns = await seeded();
      await ops().setScale(ns, 'web', 3);
      await ops().waitRollout(ns, 'web', WAIT);
      expect(await observe('pods')(ns, 'app=web')).toHaveLength(3);
      await ops().setScale(ns, 'web', 0);
      await ops().waitRollout(ns, 'web', WAIT);
      expect(await observe('pods')(ns, 'app=web')).toEqual([]);
      expect(await observe('pods')(ns, 'app=db')).toHaveLength(1);
    });

    test('scale-invalid', 'setScale refuses a negative or fractional count and changes nothing', {}, async () => {
      const ns = await seeded();
      for (const bad of [-1, 1.5, NaN]) expect(await rejection(ops().setScale(ns, 'web', bad))).toBeInstanceOf(Error);
      expect(await ops().getScale(ns, 'web')).toBe(2);
    });

    test('restart-wait', 'rolloutRestart then waitRollout resolve, and the replicas stay as they were', {}, async () => {
      const ns = await seeded();
      await ops().rolloutRestart(ns, 'web', new Date('2026-11-25T11:00:00.500Z'));
      await ops().waitRollout(ns, 'web', WAIT);
      expect(await ops().getScale(ns, 'web')).toBe(2);
    });

    test('restart-observed', 'a restart sets restartedAt to `at` and replaces every pod of that deployment only', { needs: ['restarts', 'pods'] }, async () => {
      const ns = await seeded();
      const before = await observe('pods')(ns, 'app=web');
      const db = await observe('pods')(ns, 'app=db');
      const at = new Date('2026-11-25T11:00:00.500Z');
      await ops().rolloutRestart(ns, 'web', at);
      await ops().waitRollout(ns, 'web', WAIT);
      expect(await observe('restartedAt')(ns, 'web')).toBe(rfc3339(at));
      expect(await observe('restartedAt')(ns, 'db')).toBeUndefined();
      const after = await observe('pods')(ns, 'app=web');
      expect(after).toHaveLength(2);
      expect(after.filter((p) => before.includes(p))).toEqual([]);
      expect(await observe('pods')(ns, 'app=db')).toEqual(db);
    });

    test('restart-same-at', 'restarting again with the same `at` rolls nothing', { needs: ['pods'] }, async () => {
      const ns = await seeded();
      const at = new Date('2026-11-25T12:00:00Z');
      await ops().rolloutRestart(ns, 'web', at);
      await ops().waitRollout(ns, 'web', WAIT);
      const pods = await observe('pods')(ns, 'app=web');
      await ops().rolloutRestart(ns, 'web', at);
      await ops().waitRollout(ns, 'web', WAIT);
      expect(await observe('pods')(ns, 'app=web')).toEqual(pods);
    });

    test('wait-aborted', 'waitRollout rejects with the reason of an aborted signal', {}, async () => {
      const ns = await seeded();
      const reason = new Error('shutting down');
      const err = await rejection(ops().waitRollout(ns, 'web', { ...WAIT, signal: AbortSignal.abort(reason) }));
      expect(err).toBe(reason);
    });

    test('set-env', 'setEnv sets the variables on every container of every deployment of the namespace, keeping the others', { needs: ['env'] }, async () => {
      const ns = await seeded({ env: { KEEP: 'k', X: 'old' } });
      const other = await seeded();
      await ops().setEnv(ns, { X: '1', Y: '2' });
      expect(await observe('env')(ns, 'web')).toEqual([{ KEEP: 'k', X: '1', Y: '2' }, { X: '1', Y: '2' }]);
      expect(await observe('env')(ns, 'db')).toEqual([{ X: '1', Y: '2' }, { X: '1', Y: '2' }]);
      expect(await observe('env')(other, 'web')).toEqual([{}, {}]);
    });

    test('set-env-again', 'setting the same variables again rolls nothing', { needs: ['env', 'pods'] }, async () => {
      const ns = await seeded();
      await ops().setEnv(ns, { X: '1' });
      await ops().waitRollout(ns, 'web', WAIT);
      const pods = await observe('pods')(ns, 'app=web');
      await ops().setEnv(ns, { X: '1' });
      await ops().waitRollout(ns, 'web', WAIT);
      expect(await observe('pods')(ns, 'app=web')).toEqual(pods);
    });

    test('set-env-empty', 'setEnv on a namespace without deployments resolves and changes nothing', {}, async () => {
      const ns = subject.namespace();
      await subject.seed(ns, []);
      await expect(ops().setEnv(ns, { X: '1' })).resolves.toBeUndefined();
    });

    test('set-env-selector', 'setEnv with a label selector sets the variables only on the deployments it matches, and rejects when it matches none', { needs: ['env'] }, async () => {
      const ns = await seeded();
      await ops().setEnv(ns, { X: '1' }, 'app in (web)');
      expect(await observe('env')(ns, 'web')).toEqual([{ X: '1' }, { X: '1' }]);
      expect(await observe('env')(ns, 'db')).toEqual([{}, {}]);
      expect(await rejection(ops().setEnv(ns, { X: '2' }, 'app=none'))).toBeInstanceOf(Error);
      expect(await observe('env')(ns, 'web')).toEqual([{ X: '1' }, { X: '1' }]);
    });

    test('delete-pods', 'deletePods deletes the matching pods but the first `keep` by name, and no other pod', { needs: ['pods'] }, async () => {
      const ns = await seeded({ replicas: 3 });
      const web = await observe('pods')(ns, 'app=web');
      const db = await observe('pods')(ns, 'app=db');
      expect(web).toHaveLength(3);
      await ops().deletePods(ns, 'app=web', 1);
      const now = await observe('pods')(ns, 'app=web');
      // Replacements may already be there (the controller recreates pods); the originals are what count.
      expect(web.filter((p) => now.includes(p))).toEqual([web[0]]);
      expect(await observe('pods')(ns, 'app=db')).toEqual(db);
    });

    test('delete-pods-none', 'deletePods with a selector that matches nothing, or keep above the count, deletes nothing', {}, async () => {
      const ns = await seeded();
      await ops().deletePods(ns, 'app=none', 0);
      await ops().deletePods(ns, 'app=web', 5);
      expect(await ops().getScale(ns, 'web')).toBe(2);
      if (subject.capabilities.pods) expect(await observe('pods')(ns, 'app=web')).toHaveLength(2);
    });

    test('delete-pods-invalid', 'deletePods refuses a negative or fractional keep', {}, async () => {
      const ns = await seeded();
      for (const bad of [-1, 0.5]) expect(await rejection(ops().deletePods(ns, 'app=web', bad))).toBeInstanceOf(Error);
      if (subject.capabilities.pods) expect(await observe('pods')(ns, 'app=web')).toHaveLength(2);
    });

    const missing: Array<[ClusterOpsCase, string, (ns: string) => Promise<unknown>]> = [
      ['missing-get-scale', 'getScale', (ns) => ops().getScale(ns, 'nope')],
      ['missing-set-scale', 'setScale', (ns) => ops().setScale(ns, 'nope', 1)],
      ['missing-restart', 'rolloutRestart', (ns) => ops().rolloutRestart(ns, 'nope', new Date())],
      ['missing-wait', 'waitRollout', (ns) => ops().waitRollout(ns, 'nope', WAIT)],
    ];
    for (const [id, op, call] of missing) {
      test(id, `${op} of a deployment that does not exist rejects, naming it`, {}, async () => {
        const ns = await seeded();
        const err = await rejection(call(ns));
        expect(err).toBeInstanceOf(Error);
        expect((err as Error).message).toContain('nope');
      });
    }
  });
}
