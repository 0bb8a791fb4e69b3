// The per-suite disruption lock (keys.disruptionLock): SET NX PX with a random token, renewed
// while held, released only by its holder. The runner holds it for a whole disruption (steps
// and restore) and restorePending() takes it before undoing anything, so a replica never
// restores a disruption another replica is still running, and two disruptions of one suite
// never overlap. A crashed holder's lock expires after its TTL.

import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

export interface HeldLock {
  /** False once a renewal found the lock taken over or gone. */
  readonly held: boolean;
  /** Aborted at the same moment: stop doing what the lock protects. */
  readonly lost: AbortSignal;
  release(): Promise<void>;
}

export async function acquireLock(redis: Redis, key: string, ttlMs: number): Promise<HeldLock | undefined> {
  const token = randomUUID();
  const ok = await redis.set(key, token, 'PX', ttlMs, 'NX');
  if (ok !== 'OK') return undefined;
  let held = true;
  const lost = new AbortController();
  const timer = setInterval(
    () => {
      redis.eval(RENEW, 1, key, token, String(ttlMs)).then(
        (r) => {
          if (r !== 1 && held) {
            held = false;
            lost.abort(new Error(`lost the lock ${key} (expired or taken over)`));
          }
        },
        () => {
          // Redis briefly away: the TTL still covers us until the next renewal.
        },
      );
    },
    Math.max(50, Math.floor(ttlMs / 3)),
  );
  timer.unref();
  return {
    get held() {
      return held;
    },
    lost: lost.signal,
    async release() {
      clearInterval(timer);
      held = false;
      await redis.eval(RELEASE, 1, key, token);
    },
  };
}

/**
 * Takes every key or none (in the order given, so two takers of overlapping sets cannot
 * deadlock: the loser releases what it took and answers undefined). One `lost` signal for all.
 */
export async function acquireAll(redis: Redis, keys: string[], ttlMs: number): Promise<Pick<HeldLock, 'lost' | 'release'> | undefined> {
  const held: HeldLock[] = [];
  for (const key of keys) {
    const lock = await acquireLock(redis, key, ttlMs);
    if (!lock) {
      await Promise.all(held.map((h) => h.release().catch(() => undefined)));
      return undefined;
    }
    held.push(lock);
  }
  return {
    lost: AbortSignal.any(held.map((h) => h.lost)),
    release: async () => {
      await Promise.all(held.map((h) => h.release()));
    },
  };
}
