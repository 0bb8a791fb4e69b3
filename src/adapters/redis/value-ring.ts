// The last values of every check of a suite, for the status page's sparklines: one Redis list
// per suite, one entry per tick ({ t, v: { check: value } }), capped at VALUE_RING_LENGTH
// entries. The tick appends its entry inside the MULTI it already sends (RPUSH + LTRIM, no
// extra round trip), so whichever replica ticks, the list is the suite's one history. The
// check records themselves (check-store.ts) are untouched. Entries are read back through
// valueSnapshotCodec; an unreadable one is skipped.

import type { ChainableCommander, Redis } from 'ioredis';
import { z } from 'zod';
import { jsonCodec, type Codec, type ReportUnreadable } from './codecs.js';
import type { StateKeys } from './keys.js';

/** Ticks kept per suite: at a 10 s tick, the last 10 minutes. */
export const VALUE_RING_LENGTH = 60;

/** One tick's values: when (ms) and each check's worst-instance value; null when it had none (or NaN/±Inf). */
export interface ValueSnapshot {
  t: number;
  v: Record<string, number | null>;
}

const snapshotSchema = z.strictObject({ t: z.number(), v: z.record(z.string(), z.number().nullable()) });
export const valueSnapshotCodec: Codec<ValueSnapshot> = jsonCodec(snapshotSchema);

/** A tick's snapshot from each check's value; non-finite values (JSON has none) become null. */
export function snapshotOf(t: number, values: Iterable<[string, number | null]>): ValueSnapshot {
  const v: Record<string, number | null> = {};
  for (const [check, value] of values) v[check] = value !== null && Number.isFinite(value) ? value : null;
  return { t, v };
}

/**
 * One check's values, oldest first, from a suite's snapshots (in any order): the last
 * `max` ticks at most; a tick that did not list the check counts as no value (null).
 */
export function checkSeries(snapshots: ValueSnapshot[], check: string, max: number = VALUE_RING_LENGTH): Array<number | null> {
  if (max <= 0) return [];
  return [...snapshots]
    .sort((a, b) => a.t - b.t)
    .slice(-max)
    .map((s) => s.v[check] ?? null);
}

export class ValueRing {
  constructor(
    private readonly redis: Redis,
    private readonly keys: StateKeys,
    private readonly options: { length?: number; onUnreadable?: ReportUnreadable } = {},
  ) {}

  private get length(): number {
    return this.options.length ?? VALUE_RING_LENGTH;
  }

  /** Adds the snapshot to a MULTI the caller sends (the tick's one round trip). */
  addTo(tx: ChainableCommander, suite: string, snapshot: ValueSnapshot): void {
    const key = this.keys.checkValues(suite);
    tx.rpush(key, valueSnapshotCodec.encode(snapshot));
    tx.ltrim(key, -this.length, -1);
  }

  /** The suite's snapshots, oldest first; unreadable entries skipped (and reported). */
  async recent(suite: string): Promise<ValueSnapshot[]> {
    const key = this.keys.checkValues(suite);
    const rows = await this.redis.lrange(key, -this.length, -1);
    const out: ValueSnapshot[] = [];
    rows.forEach((text, i) => {
      const parsed = valueSnapshotCodec.parse(text);
      if (parsed.kind === 'ok') out.push(parsed.value);
      else this.options.onUnreadable?.({ key, field: String(i), reason: parsed.reason });
    });
    return out;
  }
}
