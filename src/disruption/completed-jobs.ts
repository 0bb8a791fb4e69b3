// Which disruption jobs of a suite already ran to the end (restore included), so a job that
// BullMQ hands out again (a stalled job recovered, a retry) is answered "already done"
// instead of disrupting the mesh twice. A sorted set per suite scored by completion time,
// capped to the newest entries so a months-long soak does not grow it without bound.

import type { Redis } from 'ioredis';

/** Far more jobs than a stalled-job recovery window could ever hold. */
const KEEP = 1000;

export class CompletedJobs {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'mesh-soak',
  ) {}

  private key(suite: string): string {
    return `${this.prefix}:disruption-done:${suite}`;
  }

  async has(suite: string, jobId: string): Promise<boolean> {
    return (await this.redis.zscore(this.key(suite), jobId)) !== null;
  }

  async add(suite: string, jobId: string, at: number): Promise<void> {
    await this.redis
      .multi()
      .zadd(this.key(suite), at, jobId)
      .zremrangebyrank(this.key(suite), 0, -(KEEP + 1))
      .exec();
  }
}
