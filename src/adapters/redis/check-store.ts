// Check records per suite in Redis: one hash per suite, field = check name, value = the
// JSON CheckRecord (checkRecordCodec). Kept outside the process so a restart, or another
// replica picking up the next tick, continues `for` timers and pending/failing instances
// where they were.
//
// With `remember`, the store also keeps in memory the records this process last saved (kept
// even when the Redis write fails: an out-of-memory Redis). A suite whose hash comes back
// empty — Redis flushed or restarted without persistence — is then answered from that
// memory (when recent), so `for` timers, failingSince and firing alerts survive the loss,
// and the next save writes them back.

import type { Redis } from 'ioredis';
import type { CheckRecord } from '../../checks/types.js';
import { Fault } from '../../shared/errors.js';
import { checkRecordCodec, type ReportUnreadable, type UnreadableRecord } from './codecs.js';
import type { StateKeys } from './keys.js';

export interface CheckStoreOptions {
  /** Told of every record load() skipped because it could not be read; default: nobody. */
  onUnreadable?: ReportUnreadable;
  /** Keep the last saved records in memory and answer from them when Redis lost them. */
  remember?: {
    /** Older memory is not used (another replica may have evaluated since). */
    maxAgeMs: number;
    now: () => number;
    /** Told each time a lost suite is answered from memory. */
    onRestored?: (suite: string, checks: number) => void;
  };
}

interface Remembered {
  records: Record<string, CheckRecord>;
  at: number;
}

export class CheckStore {
  private readonly memory = new Map<string, Remembered>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: StateKeys,
    private readonly options: CheckStoreOptions = {},
  ) {}

  /**
   * The suite's readable records, and the fields that could not be read. An unreadable record
   * is left in Redis (the next save replaces it) and its check starts afresh.
   */
  async read(suite: string): Promise<{ records: Record<string, CheckRecord>; unreadable: UnreadableRecord[] }> {
    const key = this.keys.checks(suite);
    const raw = await this.redis.hgetall(key);
    const records: Record<string, CheckRecord> = {};
    const unreadable: UnreadableRecord[] = [];
    for (const [check, json] of Object.entries(raw)) {
      const parsed = checkRecordCodec.parse(json);
      if (parsed.kind === 'ok') records[check] = parsed.value;
      else unreadable.push({ key, field: check, reason: parsed.reason });
    }
    return { records, unreadable };
  }

  /** The suite's readable records; each unreadable one goes to `onUnreadable`. */
  async load(suite: string): Promise<Record<string, CheckRecord>> {
    const { records, unreadable } = await this.read(suite);
    for (const u of unreadable) this.options.onUnreadable?.(u);
    if (Object.keys(records).length === 0 && unreadable.length === 0) {
      const kept = this.remembered(suite);
      if (kept) {
        this.options.remember?.onRestored?.(suite, Object.keys(kept).length);
        return kept;
      }
    }
    return records;
  }

  /** Like load(), but answers from memory (when recent) while Redis cannot be read. */
  async loadOrRemembered(suite: string): Promise<Record<string, CheckRecord>> {
    try {
      return await this.load(suite);
    } catch (err) {
      const kept = this.remembered(suite);
      if (kept) return kept;
      throw err;
    }
  }

  private remembered(suite: string): Record<string, CheckRecord> | undefined {
    const r = this.options.remember;
    const m = this.memory.get(suite);
    if (!r || !m || r.now() - m.at > r.maxAgeMs) return undefined;
    return structuredClone(m.records);
  }

  /** Replaces the suite's records, so checks that left the config do not linger. */
  async save(suite: string, records: Record<string, CheckRecord>): Promise<void> {
    if (this.options.remember) this.memory.set(suite, { records: structuredClone(records), at: this.options.remember.now() });
    const key = this.keys.checks(suite);
    const fields: string[] = [];
    for (const [check, record] of Object.entries(records)) fields.push(check, checkRecordCodec.encode(record));
    const tx = this.redis.multi().del(key);
    if (fields.length > 0) tx.hset(key, ...fields);
    const result = await tx.exec();
    const failed = result?.find(([err]) => err !== null);
    if (!result || failed) throw new Fault('redis', `saving check records of ${suite} failed`, { cause: failed?.[0] });
  }

  async remove(suite: string): Promise<void> {
    this.memory.delete(suite);
    await this.redis.del(this.keys.checks(suite));
  }
}
