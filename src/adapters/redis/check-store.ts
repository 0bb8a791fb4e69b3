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
//
// A tick reads and rewrites every record of its suite, so the store keeps per suite the JSON
// text of each record it last wrote or read through the schema: a field that comes back with
// the same text skips the schema (and the reviver when it has no NaN/Infinity) and is only
// JSON-decoded, still a fresh copy for the caller.

import type { Redis } from 'ioredis';
import type { CheckRecord } from '../../checks/types.js';
import { Fault } from '../../shared/errors.js';
import { checkRecordCodec, decodeKnownCheckRecord, type ReportUnreadable, type UnreadableRecord } from './codecs.js';
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
  /** The encoded records (the texts the save wrote), decoded again only when needed. */
  fields: Map<string, string>;
  at: number;
}

export class CheckStore {
  private readonly memory = new Map<string, Remembered>();
  /** Per suite, per check: the text last written or read through the schema. */
  private readonly known = new Map<string, Map<string, string>>();

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
    const before = this.known.get(suite);
    const now = new Map<string, string>();
    const records: Record<string, CheckRecord> = {};
    const unreadable: UnreadableRecord[] = [];
    for (const [check, text] of Object.entries(raw)) {
      if (before?.get(check) === text) {
        records[check] = decodeKnownCheckRecord(text);
        now.set(check, text);
        continue;
      }
      const parsed = checkRecordCodec.parse(text);
      if (parsed.kind === 'ok') {
        records[check] = parsed.value;
        now.set(check, text);
      } else unreadable.push({ key, field: check, reason: parsed.reason });
    }
    this.known.set(suite, now);
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
    const out: Record<string, CheckRecord> = {};
    for (const [check, text] of m.fields) out[check] = decodeKnownCheckRecord(text);
    return out;
  }

  /** Replaces the suite's records, so checks that left the config do not linger. */
  async save(suite: string, records: Record<string, CheckRecord>): Promise<void> {
    const key = this.keys.checks(suite);
    const fields: string[] = [];
    const written = new Map<string, string>();
    for (const [check, record] of Object.entries(records)) {
      const text = checkRecordCodec.encode(record);
      fields.push(check, text);
      written.set(check, text);
    }
    if (this.options.remember) this.memory.set(suite, { fields: written, at: this.options.remember.now() });
    // What Redis will hold if the write lands; if it does not, the next read decodes afresh.
    this.known.set(suite, written);
    const tx = this.redis.multi().del(key);
    if (fields.length > 0) tx.hset(key, ...fields);
    const result = await tx.exec();
    const failed = result?.find(([err]) => err !== null);
    if (!result || failed) throw new Fault('redis', `saving check records of ${suite} failed`, { cause: failed?.[0] });
  }

  async remove(suite: string): Promise<void> {
    this.memory.delete(suite);
    this.known.delete(suite);
    await this.redis.del(this.keys.checks(suite));
  }
}
