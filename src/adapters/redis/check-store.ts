// Check records per suite in Redis: one hash per suite, field = check name, value = the
// JSON CheckRecord (checkRecordCodec). Kept outside the process so a restart, or another
// replica picking up the next tick, continues `for` timers and pending/failing instances
// where they were.

import type { Redis } from 'ioredis';
import type { CheckRecord } from '../../checks/types.js';
import { Fault } from '../../shared/errors.js';
import { checkRecordCodec, type ReportUnreadable, type UnreadableRecord } from './codecs.js';
import type { StateKeys } from './keys.js';

export interface CheckStoreOptions {
  /** Told of every record load() skipped because it could not be read; default: nobody. */
  onUnreadable?: ReportUnreadable;
}

export class CheckStore {
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
    return records;
  }

  /** Replaces the suite's records, so checks that left the config do not linger. */
  async save(suite: string, records: Record<string, CheckRecord>): Promise<void> {
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
    await this.redis.del(this.keys.checks(suite));
  }
}
