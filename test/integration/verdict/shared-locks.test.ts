// Shared-resource locks across suites, over real Redis and the real runner: istio-upgrader and a
// chaos suite both declaring `istio-system` never disrupt at the same time (skip, or wait up to
// D), a slot that cannot start before its missed-run deadline is skipped instead of firing late,
// and a benchmark holding the same resource (keys.resourceLock) keeps disruptions out. The steps
// are `sleep`s, so the cluster port is never called (it throws if it is).
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { Suite } from '../../../src/config/model.js';
import { stateKeys } from '../../../src/adapters/redis/keys.js';
import { History } from '../../../src/adapters/redis/history.js';
import { PauseFlags } from '../../../src/adapters/redis/pause-flags.js';
import { RunLedger } from '../../../src/adapters/redis/ledger.js';
import { createDisruptionRunner } from '../../../src/disruption/runner.js';
import { acquireAll } from '../../../src/disruption/lock.js';
import type { ClusterOps } from '../../../src/disruption/cluster-ops.js';
import { runDisruptionJob, type DisruptionDeps } from '../../../src/disruption/job.js';
import { createMetrics } from '../../../src/telemetry/metrics.js';
import { useRedis } from '../../contract/redis-fixture.js';

const shared = useRedis();

const noCluster = new Proxy({}, { get: () => () => Promise.reject(new Error('the cluster must not be touched')) }) as ClusterOps;

function suite(name: string, exclusive: Suite['exclusive'], sleepMs = 400): Suite {
  return {
    name, description: '', dir: '/', namespace: name, params: {}, manifests: [], checks: [], tickMs: 10_000, enabled: true,
    disruption: { schedule: { every: 60_000 }, steps: [{ sleep: { durationMs: sleepMs } }] },
    ...(exclusive ? { exclusive } : {}),
  };
}

function setup(suites: Suite[]) {
  const redis = shared.client();
  const keys = stateKeys(shared.prefix());
  const metrics = createMetrics(new Registry(), 'test');
  const runner = createDisruptionRunner({ ops: noCluster, redis, keys, pollMs: 50, lockTtlMs: 3000 });
  const ledger = new RunLedger(redis, keys);
  const deps: DisruptionDeps = {
    suites: new Map(suites.map((s) => [s.name, s])), history: new History(redis, keys), pause: new PauseFlags(redis, keys),
    metrics, logger: pino({ level: 'silent' }), runner, now: Date.now, ledger,
  };
  const window = async (name: string) => (await ledger.range(name, 0, Date.now() + 1, 10)).find((e) => e.kind === 'disruption');
  return { deps, keys, redis, ledger, window, metrics };
}

describe('shared-resource locks across suites', () => {
  it('skip: two suites locking istio-system on the same slot never overlap; the loser says why', async () => {
    const lock = { locks: ['istio-system'], waitMs: 0 };
    const { deps, window } = setup([suite('istio-upgrader', lock), suite('chaos', lock)]);
    const slot = Date.now();
    const outcomes = await Promise.all(['istio-upgrader', 'chaos'].map((s) => runDisruptionJob(deps, { id: `${s}-1`, suite: s, scheduledAt: slot, manual: false })));
    expect([...outcomes].sort()).toEqual(['skipped', 'success']);
    const entries = await Promise.all(['istio-upgrader', 'chaos'].map(window));
    const skipped = entries.filter((e) => e?.kind === 'disruption' && e.outcome === 'skipped');
    expect(skipped).toEqual([expect.objectContaining({ skip: 'lock-held', reason: expect.stringContaining('istio-system') as string })]);
  });

  it('wait up to D: the second runs after the first, never alongside it', async () => {
    const lock = { locks: ['istio-system'], waitMs: 10_000 };
    const { deps, window } = setup([suite('istio-upgrader', lock), suite('chaos', lock)]);
    const slot = Date.now();
    const outcomes = await Promise.all(['istio-upgrader', 'chaos'].map((s) => runDisruptionJob(deps, { id: `${s}-2`, suite: s, scheduledAt: slot, manual: false })));
    expect(outcomes).toEqual(['success', 'success']);
    const [a, b] = await Promise.all(['istio-upgrader', 'chaos'].map(window));
    if (a?.kind !== 'disruption' || b?.kind !== 'disruption') throw new Error('both disruptions must be in the ledger');
    const [first, second] = a.startedAt <= b.startedAt ? [a, b] : [b, a];
    // What ran under the lock are the steps: the second's begin after the first's have ended.
    // (The ledger's `at` is written after the lock is released, so it is no bound here.)
    const firstEnd = Math.max(...first.steps.map((s) => s.endedAt));
    const secondStart = Math.min(...second.steps.map((s) => s.startedAt));
    expect(first.steps.length * second.steps.length).toBeGreaterThan(0);
    expect(secondStart).toBeGreaterThanOrEqual(firstEnd);
  });

  it('missed-run deadline: a wait cut short by the deadline, and a slot already past it, are skipped', async () => {
    const { deps, keys, redis } = setup([suite('chaos', { locks: ['istio-system'], waitMs: 60_000, missedRunDeadlineMs: 300 })]);
    const held = await acquireAll(redis, [keys.resourceLock('istio-system')], 5000);
    if (!held) throw new Error('the test could not take the lock');
    try {
      expect(await runDisruptionJob(deps, { id: 'c-1', suite: 'chaos', scheduledAt: Date.now(), manual: false })).toBe('skipped');
    } finally {
      await held.release();
    }
    expect(await runDisruptionJob(deps, { id: 'c-2', suite: 'chaos', scheduledAt: Date.now() - 60_000, manual: false })).toBe('skipped');
    const reasons = (await deps.ledger?.range('chaos', 0, Date.now() + 1, 10))?.flatMap((e) => (e.kind === 'disruption' ? [e.skip] : []));
    expect(reasons).toEqual(['lock-held', 'missed-deadline']);
  });

  it('a benchmark holding the resource keeps a disruption out; suites without locks are not held up', async () => {
    const { deps, keys, redis } = setup([suite('chaos', { locks: ['istio-system'], waitMs: 0 }), suite('gateway-bouncer', undefined, 50)]);
    const bench = await acquireAll(redis, [keys.resourceLock('istio-system')], 5000);
    if (!bench) throw new Error('the test could not take the lock');
    try {
      expect(await runDisruptionJob(deps, { id: 'c-3', suite: 'chaos', scheduledAt: Date.now(), manual: false })).toBe('skipped');
      expect(await runDisruptionJob(deps, { id: 'g-1', suite: 'gateway-bouncer', scheduledAt: Date.now(), manual: false })).toBe('success');
    } finally {
      await bench.release();
    }
    expect(await runDisruptionJob(deps, { id: 'c-4', suite: 'chaos', scheduledAt: Date.now(), manual: false })).toBe('success');
  });
});
