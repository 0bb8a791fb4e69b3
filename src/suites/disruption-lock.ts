// The per-suite disruption lock, `<prefix>:disruption-lock:<suite>`: SET NX PX with a random
// token, renewed while held, released only by its holder. run() holds it for the whole
// disruption (steps and restore) and restorePending() takes it before undoing anything, so
// a replica's tick never restores a disruption that another replica is still running, and
// two disruptions of one suite never overlap. A crashed holder's lock expires after its TTL.

import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

export function disruptionLockKey(prefix: string, suite: string): string {
  return `${prefix}:disruption-lock:${suite}`;
}

export interface DisruptionLock {
  /** Aborted when a renewal finds the lock gone or taken over: stop touching the cluster. */
  readonly lost: AbortSignal;
  release(): Promise<void>;
}

export async function acquireDisruptionLock(
  redis: Redis,
  key: string,
  ttlMs: number,
): Promise<DisruptionLock | undefined> {
  const token = randomUUID();
  const ok = await redis.set(key, token, 'PX', ttlMs, 'NX');
  if (ok !== 'OK') return undefined;
  const lost = new AbortController();
  const renew = (): void => {
    redis.eval(RENEW, 1, key, token, String(ttlMs)).then(
      (r) => {
        if (r !== 1) lost.abort(new Error(`lost the disruption lock ${key} (expired or taken over)`));
      },
      () => {
        // Redis briefly unreachable: the remaining TTL still covers us until the next renewal.
      },
    );
  };
  const timer = setInterval(renew, Math.max(50, Math.floor(ttlMs / 3)));
  timer.unref();
  return {
    lost: lost.signal,
    async release() {
      clearInterval(timer);
      await redis.eval(RELEASE, 1, key, token);
    },
  };
}
