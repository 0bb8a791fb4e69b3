// The paused flag of each suite, one Redis hash shared by every replica, so pausing through
// one replica's API stops the suite's ticks and disruptions on all of them.
//
// Pauses survive Redis losing its data (FLUSHALL, a restart without persistence): each
// process keeps the flags it last wrote or read, and a marker key (`dataEpoch`, a random id
// set once per data set) tells "another replica resumed the suite" (marker unchanged) from
// "Redis lost everything" (marker gone or new). On a loss the remembered flags are written
// back — on the first isPaused() that disagrees with memory, and on every sync() (called by
// housekeeping) — so a paused suite never silently un-pauses and its disruptions stay off.

import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Clock } from '../../shared/time.js';
import type { StateKeys } from './keys.js';

export interface PauseFlagsOptions {
  /** Dates a pause (the flag's value, epoch ms); default Date.now. */
  now?: Clock;
  /** Told when remembered flags were written back after Redis lost its data. */
  onReasserted?: (suites: string[]) => void;
}

export class PauseFlags {
  private readonly now: Clock;
  /** suite → pause time, as this process last wrote or read it. */
  private readonly known = new Map<string, string>();
  /** The data epoch this process last saw. */
  private epoch: string | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly keys: StateKeys,
    private readonly options: PauseFlagsOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  async set(suite: string, paused: boolean): Promise<void> {
    // Other remembered flags first: a resume right after a loss must not hide the loss.
    await this.reassertIfLost();
    if (paused) {
      const at = String(this.now());
      await this.redis.hset(this.keys.paused(), suite, at);
      this.known.set(suite, at);
    } else {
      await this.redis.hdel(this.keys.paused(), suite);
      this.known.delete(suite);
    }
  }

  async isPaused(suite: string): Promise<boolean> {
    const at = await this.redis.hget(this.keys.paused(), suite);
    if (at !== null) {
      this.known.set(suite, at);
      return true;
    }
    if (!this.known.has(suite)) return false;
    if ((await this.reassertIfLost()).includes(suite)) return true;
    this.known.delete(suite);
    return false;
  }

  /** The flags as this process last wrote or read them; no Redis call. */
  remembered(): Set<string> {
    return new Set(this.known.keys());
  }

  async all(): Promise<Set<string>> {
    await this.sync();
    return new Set(this.known.keys());
  }

  /**
   * Brings memory and Redis in line: after a data loss the remembered flags are written
   * back; otherwise memory takes Redis' flags. Returns the suites written back.
   */
  async sync(): Promise<string[]> {
    const reasserted = await this.reassertIfLost();
    const flags = await this.redis.hgetall(this.keys.paused());
    this.known.clear();
    for (const [suite, at] of Object.entries(flags)) this.known.set(suite, at);
    return reasserted;
  }

  /** Writes the remembered flags back when the data epoch is gone or new; returns them. */
  private async reassertIfLost(): Promise<string[]> {
    const current = await this.redis.get(this.keys.dataEpoch());
    const lost = current === null || (this.epoch !== undefined && current !== this.epoch);
    if (!lost) {
      this.epoch = current;
      return [];
    }
    const suites = [...this.known.keys()];
    if (suites.length > 0) await this.redis.hset(this.keys.paused(), Object.fromEntries(this.known));
    await this.adoptEpoch();
    if (suites.length > 0) this.options.onReasserted?.(suites);
    return suites;
  }

  /** Sets the marker if absent and remembers the one in Redis. */
  private async adoptEpoch(): Promise<void> {
    await this.redis.set(this.keys.dataEpoch(), randomUUID(), 'NX');
    this.epoch = (await this.redis.get(this.keys.dataEpoch())) ?? undefined;
  }
}
