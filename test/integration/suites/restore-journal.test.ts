// The restore journal in a real Redis: the first recorded original wins, clearing the last
// entry drops the suite from the index, and a damaged entry is kept and reported, never
// guessed at.

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { useRedis } from '../../contract/redis-fixture.js';
import { RestoreJournal, type ScaleIntent } from '../../../src/disruption/restore-journal.js';
import { createDisruptionRunner } from '../../../src/disruption/runner.js';
import { stateKeys } from '../../../src/adapters/redis/keys.js';
import { RecordingClusterOps } from './recording-cluster-ops.js';

// One real Redis for the file (test/contract/redis-fixture.ts).
const shared = useRedis();
let redis: Redis;
beforeAll(() => {
  redis = shared.client();
});
afterEach(async () => {
  await redis.flushall();
});

const intent = (over: Partial<ScaleIntent>): ScaleIntent => ({
  kind: 'scale', namespace: 'ns', deployment: 'pilot', original: 2, suite: 's', jobId: 'j1', at: 1, ...over,
});

describe('restore journal', () => {
  it('keeps the first original recorded for an object', async () => {
    const j = new RestoreJournal(redis);
    expect((await j.record(intent({ original: 3 }))).original).toBe(3);
    // A retry after a crash reads the scaled-down 0; the journal answers with the real original.
    const stood = await j.record(intent({ original: 0, jobId: 'j2', at: 2 }));
    expect(stood).toMatchObject({ original: 3, jobId: 'j1' });
    expect((await j.entries('s')).entries).toEqual([intent({ original: 3 })]);
  });

  it('keeps one entry per deployment and namespace, and forgets a suite once all are cleared', async () => {
    const j = new RestoreJournal(redis, stateKeys('custom'));
    const a = intent({ deployment: 'a' });
    const b = intent({ deployment: 'a', namespace: 'other' });
    await j.record(a);
    await j.record(b);
    expect(await j.count('s')).toBe(2);
    expect(await j.suites()).toEqual(['s']);
    await j.clear(a);
    expect(await j.suites()).toEqual(['s']);
    await j.clear(b);
    expect(await j.suites()).toEqual([]);
    expect(await redis.keys('custom:*')).toEqual([]);
  });

  it('reports an unreadable entry, leaves it in place, and counts it as pending', async () => {
    const j = new RestoreJournal(redis);
    await j.record(intent({}));
    await redis.hset('mesh-soak:restore-journal:s', 'scale/ns/broken', '{not json');
    const { entries, unreadable } = await j.entries('s');
    expect(entries).toHaveLength(1);
    expect(unreadable).toEqual(['scale/ns/broken']);
    const ops = new RecordingClusterOps();
    ops.replicas.set('ns/pilot', 0);
    expect(await createDisruptionRunner({ ops, redis }).restorePending()).toBe(1);
    expect(ops.replicas.get('ns/pilot')).toBe(2);
    expect(await redis.hget('mesh-soak:restore-journal:s', 'scale/ns/broken')).toBe('{not json');
  });
});
