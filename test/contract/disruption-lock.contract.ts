// The disruption lock's contract (src/disruption/lock.ts, keyed per suite by
// disruption-lock.ts): mutual exclusion across replicas for one suite's disruptions.
// Redis is the only implementation.
//
// The port promises: a free lock is granted, held and not lost; a held lock is refused to
// anyone else (undefined, not an error); release frees it, is idempotent, and never frees
// a lock someone else holds now; while held it is renewed past its TTL; when it is taken
// over or vanishes, `held` turns false and `lost` aborts; a crashed holder's lock expires
// after its TTL; a key holding something else counts as taken; two key prefixes do not
// share locks; a call fenced by the lock is refused, uncalled, the moment the lock is someone
// else's, even before a renewal noticed (an event loop stalled past the TTL). Timing: cases wait (bounded) for what they observe, they never assert a duration.

import type { Redis } from 'ioredis';
import { afterEach, describe, expect } from 'vitest';
import { fenceOps, LockLostError, type HeldLock } from '../../src/disruption/lock.js';
import { waitFor } from '../harness/index.js';
import { caseRegistrar } from './contract-case.js';

export type LockCase =
  | 'acquire'
  | 'busy'
  | 'release'
  | 'release-only-holder'
  | 'renewal'
  | 'lost-takeover'
  | 'lost-vanished'
  | 'expiry'
  | 'corrupt-key'
  | 'prefix-isolation'
  | 'fenced';

export interface LockSubject {
  acquire(redis: Redis, key: string, ttlMs: number): Promise<HeldLock | undefined>;
  /** The lock key of a suite under a prefix. */
  key(prefix: string, suite: string): string;
  prefix(): string;
  redis(): Redis;
  knownFailures?: Partial<Record<LockCase, string>>;
}

/** Short enough that renewals (every third of it) happen within a case. */
const LOCK_TTL = 750;

export function lockContract(name: string, subject: LockSubject): void {
  const test = caseRegistrar<LockCase, never>({}, subject.knownFailures);
  const held: HeldLock[] = [];
  const acquire = async (key: string, ttlMs = LOCK_TTL): Promise<HeldLock | undefined> => {
    const lock = await subject.acquire(subject.redis(), key, ttlMs);
    if (lock) held.push(lock);
    return lock;
  };
  const must = (lock: HeldLock | undefined): HeldLock => {
    if (!lock) throw new Error('expected the lock to be granted');
    return lock;
  };
  const freshKey = (): string => subject.key(subject.prefix(), 'web');

  describe(`Lock contract: ${name}`, () => {
    afterEach(async () => {
      // Stops every renewal timer a case left running.
      await Promise.allSettled(held.splice(0).map((l) => l.release()));
    });

    test('acquire', 'a free lock is granted, held, not lost, and expires at most a TTL from now', {}, async () => {
      const key = freshKey();
      const lock = must(await acquire(key));
      expect(lock.held).toBe(true);
      expect(lock.lost.aborted).toBe(false);
      const ttl = await subject.redis().pttl(key);
      expect(ttl).toBeGreaterThan(0);
      // The TTL Redis stores for the key (PTTL), not elapsed time: never above what was set.
      expect(ttl).toBeLessThanOrEqual(LOCK_TTL);
    });

    test('busy', 'a held lock is refused to a second taker, without an error, and the holder keeps it', {}, async () => {
      const key = freshKey();
      const first = must(await acquire(key));
      expect(await acquire(key)).toBeUndefined();
      expect(first.held).toBe(true);
    });

    test('release', 'release frees the lock for the next taker, and releasing twice is fine', {}, async () => {
      const key = freshKey();
      const first = must(await acquire(key));
      await first.release();
      expect(first.held).toBe(false);
      expect(await subject.redis().exists(key)).toBe(0);
      await first.release();
      const second = must(await acquire(key));
      expect(second.held).toBe(true);
    });

    test('release-only-holder', 'a holder whose lock was taken over does not free the new holder’s lock', {}, async () => {
      const key = freshKey();
      const first = must(await acquire(key));
      await subject.redis().set(key, 'another-replica', 'PX', 60_000);
      await first.release();
      expect(await subject.redis().get(key)).toBe('another-replica');
    });

    test('renewal', 'a held lock is renewed, so it outlives its TTL while held', {}, async () => {
      const key = freshKey();
      const lock = must(await acquire(key));
      // Watch the key's TTL: each time it climbs back up, a renewal happened.
      let renewals = 0;
      let last = await subject.redis().pttl(key);
      await waitFor(
        async () => {
          const now = await subject.redis().pttl(key);
          if (now > last) renewals++;
          last = now;
          return renewals >= 4;
        },
        { timeoutMs: 20 * LOCK_TTL, intervalMs: 20, what: 'four renewals of the lock' },
      );
      // Four renewals, a third of the TTL apart: longer than the TTL, and still ours.
      expect(lock.held).toBe(true);
      expect(lock.lost.aborted).toBe(false);
      expect(await acquire(key)).toBeUndefined();
    });

    test('lost-takeover', 'when another holder takes the key over, held turns false and lost aborts', {}, async () => {
      const key = freshKey();
      const lock = must(await acquire(key));
      await subject.redis().set(key, 'another-replica', 'PX', 60_000);
      await waitFor(() => lock.lost.aborted, { timeoutMs: 20 * LOCK_TTL, intervalMs: 10, what: 'the lock to notice the takeover' });
      expect(lock.held).toBe(false);
      expect(String((lock.lost.reason as Error).message)).toContain(key);
      expect(await subject.redis().get(key)).toBe('another-replica');
    });

    test('lost-vanished', 'when the key vanishes (a Redis flush, a failover), held turns false and lost aborts', {}, async () => {
      const key = freshKey();
      const lock = must(await acquire(key));
      await subject.redis().del(key);
      await waitFor(() => lock.lost.aborted, { timeoutMs: 20 * LOCK_TTL, intervalMs: 10, what: 'the lock to notice it vanished' });
      expect(lock.held).toBe(false);
      await lock.release();
    });

    test('expiry', 'a crashed holder’s lock (never renewed) is granted again once its TTL has run out', {}, async () => {
      const key = freshKey();
      await subject.redis().set(key, 'crashed-replica', 'PX', 200, 'NX');
      expect(await acquire(key)).toBeUndefined();
      let next: HeldLock | undefined;
      await waitFor(async () => (next = await acquire(key)) !== undefined, { timeoutMs: 10_000, intervalMs: 50, what: 'the crashed holder’s lock to expire' });
      expect(next?.held).toBe(true);
    });

    test('corrupt-key', 'a key holding something else counts as taken, without an error, and is left alone', {}, async () => {
      const key = freshKey();
      await subject.redis().hset(key, 'not', 'a lock');
      expect(await acquire(key)).toBeUndefined();
      expect(await subject.redis().hget(key, 'not')).toBe('a lock');
      await subject.redis().del(key);
    });

    test('prefix-isolation', 'the same suite under two key prefixes is two locks, each under its prefix', {}, async () => {
      const [pa, pb] = [subject.prefix(), subject.prefix()];
      const [ka, kb] = [subject.key(pa, 'web'), subject.key(pb, 'web')];
      expect(ka.startsWith(`${pa}:`)).toBe(true);
      expect(kb.startsWith(`${pb}:`)).toBe(true);
      const a = must(await acquire(ka));
      const b = must(await acquire(kb));
      expect([a.held, b.held]).toEqual([true, true]);
      await a.release();
      expect(b.held).toBe(true);
      expect(await acquire(kb)).toBeUndefined();
    });

    test('fenced', 'a fenced call confirms the lock first: taken over between renewals, the call is refused and never made', {}, async () => {
      const key = freshKey();
      // A TTL no renewal timer reaches within the case: only the fence can notice.
      const lock = must(await acquire(key, 60_000));
      const calls: string[] = [];
      const ops = fenceOps({ setScale: async (d: string) => void calls.push(d), objects: { apply: async (d: string) => void calls.push(d) } }, lock, key);
      await ops.setScale('before');
      await ops.objects.apply('before, nested');
      // What a stalled holder does not see: its key expired and another replica took it.
      await subject.redis().set(key, 'other-replica', 'PX', 60_000);
      const err = await ops.setScale('after').then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(LockLostError);
      const nested = await ops.objects.apply('after, nested').then(() => undefined, (e: unknown) => e);
      expect(nested).toBeInstanceOf(LockLostError);
      expect(calls).toEqual(['before', 'before, nested']);
      expect(lock.held).toBe(false);
      expect(lock.lost.aborted).toBe(true);
      expect(await subject.redis().get(key)).toBe('other-replica');
      await subject.redis().del(key);
    });
  });
}
