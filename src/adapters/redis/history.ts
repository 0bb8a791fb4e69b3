// Bounded history per suite in Redis streams: state changes and disruptions in one stream,
// tick runs in another (so a busy tick log never pushes the rarer events out). Both are
// capped with XADD MAXLEN ~, and trimmed again by housekeeping in case the cap changed.

import type { Redis } from 'ioredis';
import type { StateKeys } from './keys.js';

export const HISTORY_MAXLEN = 1000;

export type HistoryEvent =
  | {
      kind: 'state';
      check: string;
      instance: string;
      from: string;
      to: string;
      value: number | null;
      at: number;
    }
  | {
      kind: 'disruption';
      jobId: string;
      outcome: 'success' | 'failure' | 'skipped';
      message?: string;
      startedAt: number;
      durationMs: number;
    };

export interface TickEntry {
  jobId: string;
  scheduledAt: number;
  startedAt: number;
  durationMs: number;
  /** Replica that ran it (hostname:pid), to tell replicas apart in the log. */
  worker: string;
}

export interface StreamEntry<T> {
  id: string;
  event: T;
}

export class History {
  constructor(
    private readonly redis: Redis,
    private readonly keys: StateKeys,
    private readonly maxLen = HISTORY_MAXLEN,
  ) {}

  async append(suite: string, events: HistoryEvent[]): Promise<void> {
    if (events.length === 0) return;
    const tx = this.redis.multi();
    for (const e of events) tx.xadd(this.keys.history(suite), 'MAXLEN', '~', this.maxLen, '*', 'e', JSON.stringify(e));
    await tx.exec();
  }

  async recordTick(suite: string, entry: TickEntry): Promise<void> {
    await this.redis.xadd(this.keys.ticks(suite), 'MAXLEN', '~', this.maxLen, '*', 'e', JSON.stringify(entry));
  }

  /** Newest first. */
  async recent(suite: string, count: number): Promise<StreamEntry<HistoryEvent>[]> {
    return this.read<HistoryEvent>(this.keys.history(suite), count);
  }

  /** Newest first. */
  async recentTicks(suite: string, count: number): Promise<StreamEntry<TickEntry>[]> {
    return this.read<TickEntry>(this.keys.ticks(suite), count);
  }

  async lastDisruption(suite: string): Promise<(HistoryEvent & { kind: 'disruption' }) | undefined> {
    // Disruptions are rare next to state changes; look a bounded way back.
    for (const { event } of await this.recent(suite, 200)) if (event.kind === 'disruption') return event;
    return undefined;
  }

  async trim(suites: string[]): Promise<void> {
    const tx = this.redis.multi();
    for (const s of suites) {
      tx.xtrim(this.keys.history(s), 'MAXLEN', '~', this.maxLen);
      tx.xtrim(this.keys.ticks(s), 'MAXLEN', '~', this.maxLen);
    }
    await tx.exec();
  }

  private async read<T>(key: string, count: number): Promise<StreamEntry<T>[]> {
    const rows = await this.redis.xrevrange(key, '+', '-', 'COUNT', count);
    const out: StreamEntry<T>[] = [];
    for (const [id, fields] of rows) {
      const json = fields[1];
      if (json === undefined) continue;
      try {
        out.push({ id, event: JSON.parse(json) as T });
      } catch {
        // a foreign or damaged entry: skip it
      }
    }
    return out;
  }
}
