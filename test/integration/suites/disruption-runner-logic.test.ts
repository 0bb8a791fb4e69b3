// The runner's guarantees with a real Redis and an in-memory cluster: steps in order with
// idempotent values, scale journaled and restored even when a later step fails, a
// re-delivered job not re-run, one disruption per suite at a time, and restorePending
// undoing only what no running disruption owns.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startRedis, type RunningRedis } from '../../harness/index.js';
import { createDisruptionRunner } from '../../../src/disruption/runner.js';
import { stateKeys } from '../../../src/adapters/redis/keys.js';
import { RestoreJournal } from '../../../src/disruption/restore-journal.js';
import { RecordingClusterOps } from './recording-cluster-ops.js';
import { suiteWith } from './suite-fixture.js';
import { pick } from '../../../src/disruption/steps/choose.js';

let server: RunningRedis;
let redis: Redis;

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url, { lazyConnect: false });
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});
afterEach(async () => {
  await redis.flushall();
});

const scheduledAt = Date.UTC(2026, 0, 2, 3, 4, 5);

describe('disruption runner', () => {
  it('runs every step kind in order with the suite namespace and the job time', async () => {
    const ops = new RecordingClusterOps();
    ops.replicas.set('ns-a/pilot', 2);
    const suite = suiteWith('a', [
      { scale: { deployment: 'pilot', replicas: 0 } },
      { rolloutRestart: { deployment: 'gw' } },
      { waitRollout: { deployment: 'gw', timeoutMs: 5000 } },
      { setEnv: { namespace: 'istio-system', env: { LAST_MANUAL_RESTART: '{{now}}', KEEP: 'x' } } },
      { deletePods: { selector: 'app=x', keep: 1 } },
      { sleep: { durationMs: 10 } },
    ]);
    const runner = createDisruptionRunner({ ops, redis, pollMs: 10 });
    const result = await runner.run(suite, { id: 'job-1', scheduledAt });
    expect(result).toMatchObject({ outcome: 'success' });
    expect(ops.calls.map((c) => [c.op, ...c.args])).toEqual([
      ['getScale', 'ns-a', 'pilot'],
      ['setScale', 'ns-a', 'pilot', 0],
      ['rolloutRestart', 'ns-a', 'gw', new Date(scheduledAt).toISOString()],
      ['waitRollout', 'ns-a', 'gw', 5000],
      ['setEnv', 'istio-system', { LAST_MANUAL_RESTART: String(scheduledAt / 1000), KEEP: 'x' }],
      ['deletePods', 'ns-a', 'app=x', 1],
      // the restore, then its confirmation
      ['setScale', 'ns-a', 'pilot', 2],
      ['getScale', 'ns-a', 'pilot'],
    ]);
    expect(await new RestoreJournal(redis).suites()).toEqual([]);
  });

  it('restores a scale when a later step fails, and reports the failing step and its error', async () => {
    const ops = new RecordingClusterOps();
    ops.replicas.set('ns-b/pilot', 3);
    ops.fail.set('rolloutRestart', 'deployments.apps "gw" is forbidden: 500 Internal Server Error');
    const suite = suiteWith('b', [
      { scale: { deployment: 'pilot', replicas: 0 } },
      { rolloutRestart: { deployment: 'gw' } },
      { sleep: { durationMs: 10 } },
    ]);
    const steps: string[] = [];
    const runner = createDisruptionRunner({
      ops,
      redis,
      onStep: (_s, step, outcome) => steps.push(`${Object.keys(step)[0]}:${outcome}`),
    });
    const result = await runner.run(suite, { id: 'job-1', scheduledAt });
    expect(result.outcome).toBe('failure');
    const message = result.outcome === 'failure' ? result.message : '';
    expect(message).toContain('step 2/3 (rolloutRestart gw in ns-b)');
    expect(message).toContain('500 Internal Server Error');
    expect(steps).toEqual(['scale:success', 'rolloutRestart:failure']);
    expect(ops.replicas.get('ns-b/pilot')).toBe(3);
    expect(await redis.hlen('mesh-soak:restore-journal:b')).toBe(0);
  });

  it('keeps the original recorded by an interrupted attempt instead of the scaled-down count', async () => {
    const ops = new RecordingClusterOps();
    // An earlier attempt recorded 4, scaled to 0 and crashed: the cluster now says 0.
    ops.replicas.set('ns-c/pilot', 0);
    await new RestoreJournal(redis).record({
      kind: 'scale', namespace: 'ns-c', deployment: 'pilot', original: 4, suite: 'c', jobId: 'job-1', at: 1,
    });
    const suite = suiteWith('c', [{ scale: { deployment: 'pilot', replicas: 0 } }]);
    const result = await createDisruptionRunner({ ops, redis }).run(suite, { id: 'job-2', scheduledAt });
    expect(result.outcome).toBe('success');
    expect(ops.replicas.get('ns-c/pilot')).toBe(4);
  });

  it('answers "already done" to a second run of the same job and touches nothing', async () => {
    const ops = new RecordingClusterOps();
    const suite = suiteWith('d', [{ rolloutRestart: { deployment: 'web' } }]);
    const runner = createDisruptionRunner({ ops, redis });
    expect((await runner.run(suite, { id: 'job-7', scheduledAt })).outcome).toBe('success');
    const before = ops.calls.length;
    expect(await runner.run(suite, { id: 'job-7', scheduledAt })).toEqual({ outcome: 'already-done' });
    expect(ops.calls.length).toBe(before);
    // A different job of the same suite does run.
    expect(await runner.run(suite, { id: 'job-8', scheduledAt })).toMatchObject({ outcome: 'success' });
    expect(ops.calls.length).toBe(before + 1);
  });

  it('lets exactly one of two concurrent runs of a suite touch the cluster', async () => {
    const ops = new RecordingClusterOps();
    const suite = suiteWith('e', [
      { rolloutRestart: { deployment: 'web' } },
      { sleep: { durationMs: 200 } },
    ]);
    const a = createDisruptionRunner({ ops, redis });
    const b = createDisruptionRunner({ ops, redis });
    const results = await Promise.all([
      a.run(suite, { id: 'job-1', scheduledAt }),
      b.run(suite, { id: 'job-2', scheduledAt }),
    ]);
    expect(results.map((r) => r.outcome).sort()).toEqual(['busy', 'success']);
    expect(ops.calls.filter((c) => c.op === 'rolloutRestart')).toHaveLength(1);
  });

  it('restorePending restores abandoned entries but not those of a suite whose disruption is running', async () => {
    const ops = new RecordingClusterOps();
    ops.replicas.set('ns-f/pilot', 0);
    ops.replicas.set('ns-g/pilot', 0);
    const journal = new RestoreJournal(redis);
    await journal.record({ kind: 'scale', namespace: 'ns-f', deployment: 'pilot', original: 2, suite: 'f', jobId: 'j', at: 1 });
    await journal.record({ kind: 'scale', namespace: 'ns-g', deployment: 'pilot', original: 5, suite: 'g', jobId: 'j', at: 1 });
    // Suite g is being disrupted by another replica right now.
    await redis.set(stateKeys().disruptionLock('g'), 'someone-else', 'PX', 60_000);
    const runner = createDisruptionRunner({ ops, redis });
    expect(await runner.restorePending()).toBe(1);
    expect(ops.replicas.get('ns-f/pilot')).toBe(2);
    expect(ops.replicas.get('ns-g/pilot')).toBe(0);
    await redis.del(stateKeys().disruptionLock('g'));
    expect(await runner.restorePending()).toBe(0);
    expect(ops.replicas.get('ns-g/pilot')).toBe(5);
    expect(await journal.suites()).toEqual([]);
  });

  it('keeps a journal entry whose restore failed, and restorePending finishes it later', async () => {
    const ops = new RecordingClusterOps();
    ops.replicas.set('ns-h/pilot', 1);
    const suite = suiteWith('h', [{ scale: { deployment: 'pilot', replicas: 0 } }]);
    const runner = createDisruptionRunner({ ops, redis });
    // Let the scale-down succeed, then make every further setScale fail.
    const realSet = ops.setScale.bind(ops);
    let sets = 0;
    ops.setScale = async (ns, dep, n) => {
      sets++;
      if (sets > 1) throw new Error('503 Service Unavailable');
      return realSet(ns, dep, n);
    };
    const result = await runner.run(suite, { id: 'job-1', scheduledAt });
    expect(result.outcome).toBe('failure');
    expect(result.outcome === 'failure' ? result.message : '').toContain('restore pilot in ns-h to 1 replicas: 503 Service Unavailable');
    expect(await runner.restorePending()).toBe(1);
    ops.setScale = realSet;
    expect(await runner.restorePending()).toBe(0);
    expect(ops.replicas.get('ns-h/pilot')).toBe(1);
  });

  it('stops the steps when aborted and still restores', async () => {
    const ops = new RecordingClusterOps();
    ops.replicas.set('ns-i/pilot', 2);
    const abort = new AbortController();
    const suite = suiteWith('i', [
      { scale: { deployment: 'pilot', replicas: 0 } },
      { sleep: { durationMs: 30_000 } },
      { rolloutRestart: { deployment: 'gw' } },
    ]);
    const runner = createDisruptionRunner({
      ops,
      redis,
      signal: abort.signal,
      onStep: (_s, step) => {
        if ('scale' in step) abort.abort(new Error('daemon stopping'));
      },
    });
    const result = await runner.run(suite, { id: 'job-1', scheduledAt });
    expect(result.outcome).toBe('failure');
    expect(result.outcome === 'failure' ? result.message : '').toContain('daemon stopping');
    expect(ops.calls.some((c) => c.op === 'rolloutRestart')).toBe(false);
    expect(ops.replicas.get('ns-i/pilot')).toBe(2);
  });

  it('a choice already in the journal for the job is repeated, not drawn again; the restore forgets it', async () => {
    const ops = new RecordingClusterOps();
    const suite = suiteWith('ch', [
      { choose: { name: 'c', from: ['a', 'b'], countMin: 1, countMax: 1, seed: 1 } },
      { scale: { deployment: '{{choice.c}}', replicas: 0 } },
    ]);
    const drawn = pick(['a', 'b'], 1, 1, 1)[0];
    const other = drawn === 'a' ? 'b' : 'a';
    // What an earlier attempt of the same job recorded before it crashed.
    await new RestoreJournal(redis).record({ kind: 'choice', key: 'job-c/c', name: 'c', seed: 1, values: [other], suite: 'ch', jobId: 'job-c', at: 1 });
    expect(await createDisruptionRunner({ ops, redis }).run(suite, { id: 'job-c', scheduledAt })).toMatchObject({ outcome: 'success' });
    expect(ops.mutating().map((c) => `${c.op} ${c.args.join(' ')}`)).toEqual([`setScale ns-ch ${other} 0`, `setScale ns-ch ${other} 1`]);
    expect(await new RestoreJournal(redis).count('ch')).toBe(0);
  });
});
