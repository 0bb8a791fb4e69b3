// How many replicas are alive, as each says so itself: on every housekeeping pass a replica
// puts its worker id into one sorted set under the key prefix, scored with the time, drops the
// entries older than ttlMs and counts the rest — one MULTI, one key (Redis Cluster), and only
// commands on the prefix's keys (an ACL user needs nothing more; CLIENT LIST is not asked).
// A replica that stops cleanly takes itself out, so the others take its share at their next
// pass instead of after the TTL.

import type { Redis } from 'ioredis';

/** Records `worker` as alive at nowMs and returns how many workers said so within ttlMs (itself included). */
export async function countReplicas(redis: Redis, key: string, worker: string, nowMs: number, ttlMs: number): Promise<number> {
  const replies = await redis
    .multi()
    .zadd(key, nowMs, worker)
    .zremrangebyscore(key, '-inf', `(${nowMs - ttlMs}`)
    .zcard(key)
    .pexpire(key, ttlMs * 2)
    .exec();
  const count = replies?.[2];
  if (!count || count[0] !== null || typeof count[1] !== 'number') throw new Error('replica count: no answer from Redis');
  return count[1];
}

/** Takes `worker` out of the count (a clean stop). */
export async function leaveReplicas(redis: Redis, key: string, worker: string): Promise<void> {
  await redis.zrem(key, worker);
}
