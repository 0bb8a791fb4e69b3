// The per-suite disruption lock, `<prefix>:disruption-lock:<suite>`: SET NX PX with a random
// token, renewed while held, released only by its holder. run() holds it for the whole
// disruption (steps and restore) and restorePending() takes it before undoing anything, so
// a replica's tick never restores a disruption that another replica is still running, and
// two disruptions of one suite never overlap. A crashed holder's lock expires after its TTL.

import { acquireLock, type HeldLock } from './lock.js';

export function disruptionLockKey(prefix: string, suite: string): string {
  return `${prefix}:disruption-lock:${suite}`;
}

export type DisruptionLock = HeldLock;
export const acquireDisruptionLock = acquireLock;
