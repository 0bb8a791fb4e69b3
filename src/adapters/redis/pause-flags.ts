// The paused flag of each suite, one Redis hash shared by every replica, so pausing through
// one replica's API stops the suite's ticks and disruptions on all of them.

import type { Redis } from 'ioredis';
import type { Clock } from '../../shared/time.js';
import type { StateKeys } from './keys.js';

export interface PauseFlagsOptions {
  /** Dates a pause (the flag's value, epoch ms); default Date.now. */
  now?: Clock;
}

export class PauseFlags {
  private readonly now: Clock;

  constructor(
    private readonly redis: Redis,
    private readonly keys: StateKeys,
    options: PauseFlagsOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  async set(suite: string, paused: boolean): Promise<void> {
    if (paused) await this.redis.hset(this.keys.paused(), suite, String(this.now()));
    else await this.redis.hdel(this.keys.paused(), suite);
  }

  async isPaused(suite: string): Promise<boolean> {
    return (await this.redis.hexists(this.keys.paused(), suite)) === 1;
  }

  async all(): Promise<Set<string>> {
    return new Set(Object.keys(await this.redis.hgetall(this.keys.paused())));
  }
}
