// Bounded history per suite in Redis streams: state changes and disruptions in one stream,
// tick runs in another (so a busy tick log never pushes the rarer events out). Both are
// capped with XADD MAXLEN ~, and trimmed again by housekeeping in case the cap changed.
// Entries are written and read through historyEventCodec and tickEntryCodec.

import type { ChainableCommander, Redis } from 'ioredis';
import { historyEventCodec, tickEntryCodec, type Codec, type HistoryEvent, type ReportUnreadable, type TickEntry } from './codecs.js';
import type { StateKeys } from './keys.js';

export type { HistoryEvent, TickEntry } from './codecs.js';

export const HISTORY_MAXLEN = 1000;

export interface StreamEntry<T> {
  id: string;
  event: T;
}

export interface HistoryOptions {
  /** Entries kept per stream (approximately); default HISTORY_MAXLEN. */
  maxLen?: number;
  /** Told of every entry a read skipped because it could not be read; default: nobody. */
  onUnreadable?: ReportUnreadable;
}

export class History {
  private readonly maxLen: number;

  constructor(
    private readonly redis: Redis,
    private readonly keys: StateKeys,
    private readonly options: HistoryOptions = {},
  ) {
    this.maxLen = options.maxLen ?? HISTORY_MAXLEN;
  }

  async append(suite: string, events: HistoryEvent[]): Promise<void> {
    if (events.length === 0) return;
    const tx = this.redis.multi();
    this.addEvents(tx, suite, events);
    await tx.exec();
  }

  async recordTick(suite: string, entry: TickEntry): Promise<void> {
    await this.redis.xadd(this.keys.ticks(suite), 'MAXLEN', '~', this.maxLen, '*', 'e', tickEntryCodec.encode(entry));
  }

  /** A tick's state changes and its run entry in one round trip (one MULTI); `also` adds more commands to it. */
  async recordTickWith(suite: string, events: HistoryEvent[], entry: TickEntry, also?: (tx: ChainableCommander) => void): Promise<void> {
    const tx = this.redis.multi();
    this.addEvents(tx, suite, events);
    tx.xadd(this.keys.ticks(suite), 'MAXLEN', '~', this.maxLen, '*', 'e', tickEntryCodec.encode(entry));
    also?.(tx);
    await tx.exec();
  }

  private addEvents(tx: ChainableCommander, suite: string, events: HistoryEvent[]): void {
    for (const e of events) tx.xadd(this.keys.history(suite), 'MAXLEN', '~', this.maxLen, '*', 'e', historyEventCodec.encode(e));
  }

  /** Newest first; unreadable entries skipped. */
  async recent(suite: string, count: number): Promise<StreamEntry<HistoryEvent>[]> {
    return this.read(this.keys.history(suite), count, historyEventCodec);
  }

  /** Newest first; unreadable entries skipped. */
  async recentTicks(suite: string, count: number): Promise<StreamEntry<TickEntry>[]> {
    return this.read(this.keys.ticks(suite), count, tickEntryCodec);
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

  private async read<T>(key: string, count: number, codec: Codec<T>): Promise<StreamEntry<T>[]> {
    const rows = await this.redis.xrevrange(key, '+', '-', 'COUNT', count);
    const out: StreamEntry<T>[] = [];
    for (const [id, fields] of rows) {
      const json = fields[1];
      const parsed = json === undefined ? { kind: 'corrupt' as const, reason: 'entry has no value' } : codec.parse(json);
      // A foreign or damaged entry is skipped; the stream's cap ages it out.
      if (parsed.kind === 'ok') out.push({ id, event: parsed.value });
      else this.options.onUnreadable?.({ key, field: id, reason: parsed.reason });
    }
    return out;
  }
}
