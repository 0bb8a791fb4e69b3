// The run ledger in Redis: what happened during a soak, kept for the report and the status
// page. One sorted set per suite (and one for `mesh`), scored by time: check state changes,
// disruptions with their steps and outcome, their impact and recovery, and the evidence
// captured when a check started failing; one more for the Istio versions seen. Every write
// trims by count and by age in the same transaction, so the ledger never grows past its
// bounds. Disruptions whose impact is still open sit in a small hash per suite until the
// tick closes them (daemon/impact-tracker.ts). Everything is read back through codecs.

import type { Redis } from 'ioredis';
import {
  disruptionWindowCodec,
  ledgerEntryCodec,
  parseLedgerArray,
  versionSpanCodec,
  type Codec,
  type LedgerEntry,
  type ReportUnreadable,
  type VersionSpan,
} from './codecs.js';
import type { StateKeys } from './keys.js';
import type { DisruptionWindow } from '../../verdict/impact.js';

export type { LedgerEntry, VersionSpan, Evidence, LedgerStep } from './codecs.js';

export const LEDGER_MAX_ENTRIES = 20_000;
export const LEDGER_MAX_AGE_MS = 7 * 24 * 3600_000;
/** Open windows kept per suite: more means impacts never close; the oldest go. */
const MAX_OPEN = 16;
const LAST = '~last';
/** The newest rows of a score range, newest first, joined by commas (JSON never holds a raw one outside strings, and rows are whole JSON values). */
const RANGE_JOINED = "return table.concat(redis.call('ZREVRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[2], 'LIMIT', 0, ARGV[3]), ',')";

export interface LedgerOptions {
  /** Entries kept per suite; default LEDGER_MAX_ENTRIES. */
  maxEntries?: number;
  /** Entries older than this are dropped on write; default 7 days. */
  maxAgeMs?: number;
  now?: () => number;
  onUnreadable?: ReportUnreadable;
}

export interface OpenDisruptions {
  windows: DisruptionWindow[];
  /** The latest disruption's window (kept after its impact closed), for phase-aware checks. */
  last?: DisruptionWindow;
}

export class RunLedger {
  readonly maxEntries: number;
  readonly maxAgeMs: number;
  private readonly now: () => number;

  constructor(
    private readonly redis: Redis,
    private readonly keys: StateKeys,
    private readonly options: LedgerOptions = {},
  ) {
    this.maxEntries = options.maxEntries ?? LEDGER_MAX_ENTRIES;
    this.maxAgeMs = options.maxAgeMs ?? LEDGER_MAX_AGE_MS;
    this.now = options.now ?? Date.now;
  }

  async append(suite: string, entries: LedgerEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const tx = this.redis.multi();
    this.queueAppend(tx, suite, entries);
    await tx.exec();
  }

  /**
   * Entries of `suite` with from <= at <= to, oldest first, at most `limit` (the newest kept).
   * Redis joins the rows into one JSON array (one reply and one JSON.parse instead of one per
   * row: a day of a suite is thousands of rows); when some row is not JSON, row by row.
   */
  async range(suite: string, from: number, to: number, limit: number): Promise<LedgerEntry[]> {
    const key = this.keys.ledger(suite);
    const joined = (await this.redis.eval(RANGE_JOINED, 1, key, to, from, limit)) as string;
    const parsed = parseLedgerArray(`[${joined}]`);
    if (!parsed) {
      const rows = await this.redis.zrevrangebyscore(key, to, from, 'LIMIT', 0, limit);
      return this.parseAll(key, rows.reverse(), ledgerEntryCodec);
    }
    const out: LedgerEntry[] = [];
    for (let i = parsed.length - 1; i >= 0; i--) {
      const p = parsed[i];
      if (p?.kind === 'ok') out.push(p.value);
      else if (p) this.options.onUnreadable?.({ key, field: `entry ${parsed.length - 1 - i} of the range`, reason: p.reason });
    }
    return out;
  }

  /**
   * Which of `checks` may capture evidence now: each one not captured within `minIntervalMs`
   * (across replicas: one SET NX PX per check, in one round trip).
   */
  async claimEvidence(suite: string, checks: string[], minIntervalMs: number): Promise<string[]> {
    if (checks.length === 0) return [];
    const tx = this.redis.pipeline();
    for (const check of checks) tx.set(this.keys.ledgerEvidence(suite, check), String(this.now()), 'PX', Math.max(1, Math.round(minIntervalMs)), 'NX');
    const answers = (await tx.exec()) ?? [];
    return checks.filter((_, i) => answers[i]?.[1] === 'OK');
  }

  async count(suite: string): Promise<number> {
    return this.redis.zcard(this.keys.ledger(suite));
  }

  /** A disruption started: its window opens (before-states included) and becomes the last one. */
  async openDisruption(window: DisruptionWindow): Promise<void> {
    const key = this.keys.ledgerOpen(window.suite);
    const json = disruptionWindowCodec.encode(window);
    await this.redis.multi().hset(key, window.id, json).hset(key, LAST, json).exec();
    const fields = await this.redis.hkeys(key);
    const open = fields.filter((f) => f !== LAST);
    if (open.length > MAX_OPEN) await this.redis.hdel(key, ...open.sort().slice(0, open.length - MAX_OPEN));
  }

  /** The disruption ended: its window gets its end and the run is recorded. */
  async endDisruption(window: DisruptionWindow, entry: LedgerEntry & { kind: 'disruption' }): Promise<void> {
    const key = this.keys.ledgerOpen(window.suite);
    const json = disruptionWindowCodec.encode(window);
    const tx = this.redis.multi().hset(key, window.id, json).hset(key, LAST, json);
    this.queueAppend(tx, window.suite, [entry]);
    await tx.exec();
  }

  /** Its impact is final: the window closes and the impact is recorded. */
  async closeDisruption(suite: string, id: string, impact: LedgerEntry & { kind: 'impact' }): Promise<void> {
    const tx = this.redis.multi().hdel(this.keys.ledgerOpen(suite), id);
    this.queueAppend(tx, suite, [impact]);
    await tx.exec();
  }

  async open(suite: string): Promise<OpenDisruptions> {
    const key = this.keys.ledgerOpen(suite);
    const all = await this.redis.hgetall(key);
    const out: OpenDisruptions = { windows: [] };
    for (const [field, json] of Object.entries(all)) {
      const parsed = disruptionWindowCodec.parse(json);
      if (parsed.kind !== 'ok') {
        this.options.onUnreadable?.({ key, field, reason: parsed.reason });
        continue;
      }
      if (field === LAST) out.last = parsed.value;
      else out.windows.push(parsed.value);
    }
    out.windows.sort((a, b) => a.startedAt - b.startedAt);
    return out;
  }

  /** The version seen at `at`: extends the current span, or starts a new one when it changed. */
  async recordVersion(version: string, source: string, at: number): Promise<void> {
    const key = this.keys.ledgerVersions();
    const [latest] = await this.redis.zrange(key, '-1', '-1');
    const current = latest === undefined ? undefined : versionSpanCodec.parse(latest);
    const tx = this.redis.multi();
    if (current?.kind === 'ok' && current.value.version === version && latest !== undefined) {
      tx.zrem(key, latest);
      tx.zadd(key, current.value.firstSeen, versionSpanCodec.encode({ ...current.value, lastSeen: at }));
    } else {
      tx.zadd(key, at, versionSpanCodec.encode({ version, source, firstSeen: at, lastSeen: at }));
    }
    this.queueTrim(tx, key);
    await tx.exec();
  }

  /** Version spans overlapping [from, to], oldest first. */
  async versions(from: number, to: number): Promise<VersionSpan[]> {
    const key = this.keys.ledgerVersions();
    const rows = await this.redis.zrangebyscore(key, '-inf', to, 'LIMIT', 0, this.maxEntries);
    return this.parseAll(key, rows, versionSpanCodec).filter((v) => v.lastSeen >= from);
  }

  private queueAppend(tx: ReturnType<Redis['multi']>, suite: string, entries: LedgerEntry[]): void {
    const key = this.keys.ledger(suite);
    const args: Array<string | number> = [];
    for (const e of entries) args.push(e.at, ledgerEntryCodec.encode(e));
    tx.zadd(key, ...args);
    this.queueTrim(tx, key);
  }

  private queueTrim(tx: ReturnType<Redis['multi']>, key: string): void {
    tx.zremrangebyscore(key, '-inf', `(${this.now() - this.maxAgeMs}`);
    tx.zremrangebyrank(key, 0, -(this.maxEntries + 1));
  }

  private parseAll<T>(key: string, rows: string[], codec: Codec<T>): T[] {
    const out: T[] = [];
    for (const row of rows) {
      const parsed = codec.parse(row);
      if (parsed.kind === 'ok') out.push(parsed.value);
      else this.options.onUnreadable?.({ key, field: row.slice(0, 80), reason: parsed.reason });
    }
    return out;
  }
}
