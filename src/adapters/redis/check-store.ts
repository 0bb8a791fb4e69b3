// Check records per suite in Redis. Kept outside the process so a restart, or another replica
// picking up the next tick, continues `for` timers and pending/failing instances where they were.
//
// Format 2 (hash `…:checks2:<suite>`, issue 15): field = check name, value = the record
// without what every tick changes (instance values; lastEvalAt when it is the tick's), and one
// field `$tick` holding the tick's time and every check's instance values. A save writes
// `$tick` and only the fields whose text changed, instead of all the suite's records.
// Format 1 (hash `…:checks:<suite>`, every version before): one full JSON record per field.
//
// Rolling upgrades (decision): the new format has a new key, so a replica of an older version
// never reads format 2 as unreadable records. A new replica reads format 2, and format 1 when
// format 2 is absent (migration) or when format 1 holds a later tick than format 2's `$tick`
// (an old replica ticked last): the latest tick wins, whichever version ran it. Each time it
// read format 1 that way, format 1 is written too (full records, as old replicas expect) for
// the next COMPAT_MS, the deadline carried in `$tick` so every new replica keeps to it; so an
// old replica still running sees current records and continues the checks. Ten minutes after
// the last old replica's tick, new replicas stop writing format 1 and delete it. An old replica
// that comes back later (a rollback) finds no format 1 and starts its checks afresh, as after a
// Redis flush (or from its `remember` memory); the next new replica reads its records as the
// latest and writes both formats again. Clocks of replicas more than a tick apart can make an
// old replica's tick look older than format 2's: that tick is then not continued from.
//
// With `remember`, the store also keeps in memory the records this process last saved (kept
// even when the Redis write fails: an out-of-memory Redis). A suite whose hashes come back
// empty — Redis flushed or restarted without persistence — is then answered from that memory
// (when recent), so `for` timers, failingSince and firing alerts survive the loss, and the
// next save writes them back. The store keeps per suite the text of each format-2 field as
// Redis holds it (last written or read through the schema): a field read back unchanged skips
// the schema and is only JSON-decoded, and a save compares against it to write only changes.

import type { Redis } from 'ioredis';
import type { CheckRecord } from '../../checks/types.js';
import { Fault } from '../../shared/errors.js';
import {
  checkRecordCodec,
  checkTickCodec,
  completeCheckRecord,
  decodeKnown,
  encodeStoredCheckRecord,
  storedCheckRecordCodec,
  TICK_FIELD,
  type CheckTick,
  type ReportUnreadable,
  type StoredCheckRecord,
  type UnreadableRecord,
} from './codecs.js';
import type { StateKeys } from './keys.js';

/** How long format 1 is still written after a new replica last read it as the latest (CheckStoreOptions.compatMs). */
export const COMPAT_MS = 10 * 60_000;

/** What `known` holds for a field present in Redis that could not be read (rewritten or deleted on save). */
const UNREADABLE = '\u0000unreadable';

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
  /** The clock for the format-1 deadline; default: remember.now, else Date.now. */
  now?: () => number;
  /**
   * How long format 1 is still written after it was last read as the latest; default COMPAT_MS.
   * At least a few of the longest tick: an old replica that draws a suite less often than the
   * window must still find format 1 (the daemon passes 10 × its longest tick when longer).
   */
  compatMs?: number;
}

interface Remembered {
  /** The format-2 fields the save wrote, `$tick` included, decoded again only when needed. */
  fields: Map<string, string>;
  at: number;
}

type ReadResult = { records: Record<string, CheckRecord>; unreadable: UnreadableRecord[] };

export class CheckStore {
  private readonly memory = new Map<string, Remembered>();
  /** Per suite, per format-2 field: the text Redis holds (UNREADABLE for a field that could not be read). */
  private readonly known = new Map<string, Map<string, string>>();
  /** Per suite: until when format 1 is written too. */
  private readonly compatUntil = new Map<string, number>();
  /** Per suite: saves started, so a read that crossed one leaves `known` alone. */
  private readonly saves = new Map<string, number>();
  private readonly now: () => number;

  constructor(
    private readonly redis: Redis,
    private readonly keys: StateKeys,
    private readonly options: CheckStoreOptions = {},
  ) {
    this.now = options.now ?? options.remember?.now ?? Date.now;
  }

  /**
   * The suite's readable records, and the fields that could not be read. An unreadable record
   * is left in Redis (the next save replaces or deletes it) and its check starts afresh.
   */
  async read(suite: string): Promise<ReadResult> {
    const saves = this.saves.get(suite) ?? 0;
    const [v2, v1] = await this.hashes(suite);
    // A save sent meanwhile (a scrape's read beside a tick) makes this answer older than `known`.
    if ((this.saves.get(suite) ?? 0) !== saves) return this.decodeOnly(suite, v2, v1);
    const hasV2 = Object.keys(v2).length > 0;
    if (Object.keys(v1).length > 0 && (!hasV2 || latestEvalAt(v1) > tickAt(v2))) return this.readFormat1(suite, v1);
    const before = this.known.get(suite);
    const { result, texts, tick } = decodeFormat2(v2, this.keys.checks2(suite), (field, text) => before?.get(field) === text);
    this.compatUntil.set(suite, tick?.compatUntil ?? 0);
    // A check the tick lists without its field: the hash was partly lost; the next save writes all.
    if (tick && Object.keys(tick.values).some((c) => !texts.has(c))) this.known.delete(suite);
    else this.known.set(suite, texts);
    return result;
  }

  /** Decodes without touching what the store knows of Redis. */
  private decodeOnly(suite: string, v2: Record<string, string>, v1: Record<string, string>): ReadResult {
    const hasV2 = Object.keys(v2).length > 0;
    if (Object.keys(v1).length > 0 && (!hasV2 || latestEvalAt(v1) > tickAt(v2))) {
      return decodeFormat1(v1, this.keys.checks(suite));
    }
    return decodeFormat2(v2, this.keys.checks2(suite), () => false).result;
  }

  /** Both formats' hashes in one round trip. */
  private async hashes(suite: string): Promise<[Record<string, string>, Record<string, string>]> {
    const replies = await execOrFault(this.redis.multi().hgetall(this.keys.checks2(suite)).hgetall(this.keys.checks(suite)), `reading check records of ${suite} failed`);
    return [(replies[0]?.[1] ?? {}) as Record<string, string>, (replies[1]?.[1] ?? {}) as Record<string, string>];
  }

  /** Format 1 read as the latest (migration, or an old replica ticked last): written too for COMPAT_MS. */
  private readFormat1(suite: string, raw: Record<string, string>): ReadResult {
    this.known.delete(suite);
    this.compatUntil.set(suite, this.now() + (this.options.compatMs ?? COMPAT_MS));
    return decodeFormat1(raw, this.keys.checks(suite));
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
    const { result } = decodeFormat2(Object.fromEntries(m.fields), this.keys.checks2(suite), () => true);
    return result.records;
  }

  /** Replaces the suite's records, so checks that left the config do not linger. */
  async save(suite: string, records: Record<string, CheckRecord>): Promise<void> {
    const compat = (this.compatUntil.get(suite) ?? 0) > this.now();
    const fields = encodeFormat2(records, compat ? this.compatUntil.get(suite) : undefined);
    if (this.options.remember) this.memory.set(suite, { fields, at: this.options.remember.now() });
    this.saves.set(suite, (this.saves.get(suite) ?? 0) + 1);
    const before = this.known.get(suite);
    // What Redis will hold if the write lands; if it does not, the next save writes every field.
    this.known.set(suite, Object.keys(records).length === 0 ? new Map() : fields);
    const key = this.keys.checks2(suite);
    const tx = this.redis.multi();
    // First in tx, so its answer is the first of exec's.
    const diff = writeFormat2(tx, key, fields, before, Object.keys(records).length === 0);
    tx.del(this.keys.checks(suite));
    if (compat) {
      const v1 = Object.entries(records).flatMap(([check, record]) => [check, checkRecordCodec.encode(record)]);
      if (v1.length > 0) tx.hset(this.keys.checks(suite), ...v1);
    }
    const failed = `saving check records of ${suite} failed`;
    try {
      const result = await execOrFault(tx, failed);
      // The diff was refused (another writer since): the whole hash, in a second round trip.
      if (diff && result[0]?.[1] === STALE) await execOrFault(queueReplace(this.redis.multi(), key, fields), failed);
    } catch (err) {
      this.known.delete(suite);
      throw err;
    }
  }

  async remove(suite: string): Promise<void> {
    this.memory.delete(suite);
    this.known.delete(suite);
    this.compatUntil.delete(suite);
    await this.redis.del(this.keys.checks2(suite), this.keys.checks(suite));
  }
}

type Multi = ReturnType<Redis['multi']>;

/** Runs tx; its answers, or a redis Fault with `message` when it or one of its commands failed. */
async function execOrFault(tx: Multi, message: string): Promise<Array<[Error | null, unknown]>> {
  const result = await tx.exec();
  const failed = result?.find(([err]) => err !== null);
  if (!result || failed) throw new Fault('redis', message, { cause: failed?.[0] });
  return result;
}

/** Queues the replacement of the format-2 hash by `fields` (DEL, then HSET) on tx. */
function queueReplace(tx: Multi, key: string, fields: Map<string, string>): Multi {
  return tx.del(key).hset(key, ...[...fields].flat());
}

/** A format-1 hash: every field through the full record's schema. */
function decodeFormat1(raw: Record<string, string>, key: string): ReadResult {
  const records: Record<string, CheckRecord> = {};
  const unreadable: UnreadableRecord[] = [];
  for (const [check, text] of Object.entries(raw)) {
    const parsed = checkRecordCodec.parse(text);
    if (parsed.kind === 'ok') records[check] = parsed.value;
    else unreadable.push({ key, field: check, reason: parsed.reason });
  }
  return { records, unreadable };
}

/** The format-2 fields of a save: one text per check, and `$tick`. */
function encodeFormat2(records: Record<string, CheckRecord>, compatUntil: number | undefined): Map<string, string> {
  const fields = new Map<string, string>();
  // The latest evaluation (a tick's records share it): format 1 written beside is then never later than this.
  let at = -Infinity;
  for (const check in records) at = Math.max(at, (records[check] as CheckRecord).lastEvalAt);
  const tick: CheckTick = { at: Number.isFinite(at) ? at : 0, values: {} };
  if (compatUntil !== undefined) tick.compatUntil = compatUntil;
  for (const check in records) {
    const { text, values } = encodeStoredCheckRecord(records[check] as CheckRecord, tick.at);
    fields.set(check, text);
    tick.values[check] = values;
  }
  fields.set(TICK_FIELD, checkTickCodec.encode(tick));
  return fields;
}

/** What DIFF_SCRIPT answers when Redis no longer holds the expected `$tick`. */
const STALE = 1;

/**
 * ARGV: expected `$tick` text, n, n diff entries (field, text, ...), g, g fields to delete.
 * Applies the diff and answers 0 when `$tick` is as expected, else writes nothing and answers
 * STALE. HSET/HDEL in chunks: Lua's unpack is bounded (8000 values).
 */
const DIFF_SCRIPT = `
local key = KEYS[1]
local function apply(cmd, from, to)
  local i = from
  while i <= to do
    local j = math.min(i + 199, to)
    redis.call(cmd, key, unpack(ARGV, i, j))
    i = j + 1
  end
end
if redis.call('HGET', key, '${TICK_FIELD}') ~= ARGV[1] then return ${STALE} end
local n = tonumber(ARGV[2])
local g = tonumber(ARGV[3 + n])
apply('HSET', 3, 2 + n)
apply('HDEL', 4 + n, 3 + n + g)
return 0
`;

/**
 * Queues the save of the format-2 hash on tx. With `before` (what this store knows Redis
 * holds): only the fields that differ, applied only while Redis still holds the `$tick`
 * `before` was read or written with (then true is returned: one command queued, whose
 * STALE answer means another writer came since (a replica, or this suite's previous tick
 * finishing late elsewhere) and the caller replaces the whole hash, so no record is left half
 * another writer's). Without `before`: the whole hash, replaced in tx.
 */
function writeFormat2(tx: Multi, key: string, fields: Map<string, string>, before: Map<string, string> | undefined, empty: boolean): boolean {
  if (empty) {
    tx.del(key);
    return false;
  }
  const expected = before?.get(TICK_FIELD);
  if (!before || expected === undefined) {
    queueReplace(tx, key, fields);
    return false;
  }
  const changed: string[] = [];
  for (const [field, text] of fields) if (before.get(field) !== text) changed.push(field, text);
  const gone: string[] = [];
  for (const field of before.keys()) if (!fields.has(field)) gone.push(field);
  tx.eval(DIFF_SCRIPT, 1, key, expected, changed.length, ...changed, gone.length, ...gone);
  return true;
}

/** Decodes a format-2 hash; `trusted` fields skip the schema. `texts`: what Redis holds, per field. */
function decodeFormat2(
  raw: Record<string, string>,
  key: string,
  trusted: (field: string, text: string) => boolean,
): { result: ReadResult; texts: Map<string, string>; tick: CheckTick | undefined } {
  const texts = new Map<string, string>();
  const unreadable: UnreadableRecord[] = [];
  const records: Record<string, CheckRecord> = {};
  const tick = decodeField<CheckTick>(raw[TICK_FIELD], TICK_FIELD, key, trusted, checkTickCodec, texts, unreadable);
  for (const check in raw) {
    if (check === TICK_FIELD) continue;
    const stored = decodeField<StoredCheckRecord>(raw[check], check, key, trusted, storedCheckRecordCodec, texts, unreadable);
    if (!stored) continue;
    const record = completeCheckRecord(stored, tick, check);
    if (typeof record !== 'string') records[check] = record;
    else {
      texts.set(check, UNREADABLE);
      unreadable.push({ key, field: check, reason: record });
    }
  }
  return { result: { records, unreadable }, texts, tick };
}

/** One field: JSON only when trusted, else through its codec; records what Redis holds in `texts`. */
function decodeField<T extends StoredCheckRecord | CheckTick>(
  text: string | undefined,
  field: string,
  key: string,
  trusted: (field: string, text: string) => boolean,
  codec: { parse(text: string): { kind: 'ok'; value: T } | { kind: 'corrupt'; reason: string } },
  texts: Map<string, string>,
  unreadable: UnreadableRecord[],
): T | undefined {
  if (text === undefined) return undefined;
  if (trusted(field, text)) {
    texts.set(field, text);
    return decodeKnown<T>(text);
  }
  const parsed = codec.parse(text);
  if (parsed.kind === 'ok') {
    texts.set(field, text);
    return parsed.value;
  }
  texts.set(field, UNREADABLE);
  unreadable.push({ key, field, reason: parsed.reason });
  return undefined;
}

/** `$tick`'s time in a format-2 hash; -Infinity when unreadable. */
function tickAt(raw: Record<string, string>): number {
  const m = /"at":(-?\d+(?:\.\d+)?)/.exec(raw[TICK_FIELD] ?? '');
  return m ? Number(m[1]) : -Infinity;
}

/** The latest lastEvalAt of a format-1 hash, read off the texts (no full decode); -Infinity when none. */
function latestEvalAt(raw: Record<string, string>): number {
  let latest = -Infinity;
  for (const text of Object.values(raw)) {
    const m = /"lastEvalAt":(-?\d+(?:\.\d+)?)/.exec(text);
    if (m) latest = Math.max(latest, Number(m[1]));
  }
  return latest;
}
