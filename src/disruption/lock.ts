// The per-suite disruption lock (keys.disruptionLock): SET NX PX with a random token, renewed
// while held, released only by its holder. The runner holds it for a whole disruption (steps
// and restore) and restorePending() takes it before undoing anything, so a replica never
// restores a disruption another replica is still running, and two disruptions of one suite
// never overlap. A crashed holder's lock expires after its TTL.
//
// Renewal runs on a timer, so a process whose event loop stalls past the TTL (a loaded node,
// a long GC) can lose the lock without knowing it yet. fenceOps() closes that gap: every call
// to the cluster first confirms, in one Redis round trip, that the lock is still this
// holder's (and renews it); a lock taken over is never written through.

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
  /** Renews and answers whether the lock is still this holder's (a lost lock aborts `lost`). */
  confirm(): Promise<boolean>;
}

/** A cluster call refused because the lock that protects it was lost. */
export class LockLostError extends Error {
  constructor(key: string) {
    super(`lost the lock ${key} (expired or taken over); the cluster call was not made`);
    this.name = 'LockLostError';
  }
}

export async function acquireLock(redis: Redis, key: string, ttlMs: number): Promise<HeldLock | undefined> {
  const token = randomUUID();
  const ok = await redis.set(key, token, 'PX', ttlMs, 'NX');
  if (ok !== 'OK') return undefined;
  let held = true;
  const lost = new AbortController();
  const renew = async (): Promise<boolean> => {
    const r = await redis.eval(RENEW, 1, key, token, String(ttlMs));
    if (r !== 1 && held) {
      held = false;
      lost.abort(new Error(`lost the lock ${key} (expired or taken over)`));
    }
    return held;
  };
  const timer = setInterval(
    () => {
      // Redis briefly away: the TTL still covers us until the next renewal.
      renew().catch(() => undefined);
    },
    Math.max(50, Math.floor(ttlMs / 3)),
  );
  timer.unref();
  return {
    get held() {
      return held;
    },
    lost: lost.signal,
    confirm: () => (held ? renew() : Promise.resolve(false)),
    async release() {
      clearInterval(timer);
      held = false;
      await redis.eval(RELEASE, 1, key, token);
    },
  };
}

/**
 * `ops` with every method fenced by `lock`: each call first confirms the lock (one round
 * trip, which also renews it) and throws LockLostError without calling through when it is
 * gone. Methods of any port shape are fenced, nested groups included, so new cluster
 * operations are covered too.
 */
export function fenceOps<T extends object>(ops: T, lock: Pick<HeldLock, 'confirm'>, key: string): T {
  return new Proxy(ops, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      // A group of operations (e.g. ClusterOps.objects) is fenced too, method by method.
      if (value !== null && typeof value === 'object') return fenceOps(value, lock, key);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]): Promise<unknown> => {
        if (!(await lock.confirm())) throw new LockLostError(key);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/**
 * Takes every key or none (in the order given, so two takers of overlapping sets cannot
 * deadlock: the loser releases what it took and answers undefined). One `lost` signal for all.
 */
export async function acquireAll(redis: Redis, keys: string[], ttlMs: number): Promise<Pick<HeldLock, 'lost' | 'release' | 'confirm'> | undefined> {
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
    confirm: async () => (await Promise.all(held.map((h) => h.confirm()))).every(Boolean),
    release: async () => {
      await Promise.all(held.map((h) => h.release()));
    },
  };
}
