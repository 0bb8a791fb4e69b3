// The daemon's records in Redis under its default prefix (`mesh-soak`), read the way a
// replica reads them: tick runs per suite, disruption outcomes, and the restore journal.

import type { Redis } from 'ioredis';
import { History, type TickEntry } from '../../../src/adapters/redis/history.js';
import { stateKeys } from '../../../src/adapters/redis/keys.js';
import { RestoreJournal } from '../../../src/disruption/restore-journal.js';

export const PREFIX = 'mesh-soak';

export async function tickEntries(redis: Redis, suite: string): Promise<TickEntry[]> {
  const h = new History(redis, stateKeys(PREFIX));
  return (await h.recentTicks(suite, 5000)).map((e) => e.event).reverse();
}

/** scheduledAt values that ran more than once. */
export function duplicateSlots(ticks: TickEntry[]): number[] {
  const seen = new Map<number, number>();
  for (const t of ticks) seen.set(t.scheduledAt, (seen.get(t.scheduledAt) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([s]) => s);
}

/** Gaps between consecutive scheduled slots larger than one tick, as [from, to] pairs. */
export function slotGaps(ticks: TickEntry[], tickMs: number): Array<[number, number]> {
  const slots = [...new Set(ticks.map((t) => t.scheduledAt))].sort((a, b) => a - b);
  const gaps: Array<[number, number]> = [];
  for (let i = 1; i < slots.length; i++) {
    const a = slots[i - 1]!;
    const b = slots[i]!;
    if (b - a > tickMs) gaps.push([a, b]);
  }
  return gaps;
}

export interface DisruptionRecord {
  jobId: string;
  outcome: string;
  message?: string;
  startedAt: number;
  durationMs: number;
}

export async function disruptionRecords(redis: Redis, suite: string): Promise<DisruptionRecord[]> {
  const h = new History(redis, stateKeys(PREFIX));
  const out: DisruptionRecord[] = [];
  for (const { event } of await h.recent(suite, 1000)) if (event.kind === 'disruption') out.push(event);
  return out.reverse();
}

/** Suites with entries in the restore journal. */
export async function pendingRestores(redis: Redis): Promise<string[]> {
  return new RestoreJournal(redis, stateKeys(PREFIX)).suites();
}
