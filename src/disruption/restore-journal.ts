// The restore journal: what a running disruption changed that must be undone, kept in
// Redis so a crash (kill -9 at any point) cannot lose it. One hash per suite, one field per
// changed object; an index set names the suites that have entries so restorePending()
// never has to SCAN.
//
// Written with HSETNX on purpose: when an interrupted attempt already recorded the original
// replica count, a later attempt (which would read the already-scaled 0) must not replace it.
// Entry kinds (adapters/redis/codecs.ts): scale (replicas), object (a manifest object as it
// was, or null when it did not exist), namespaceLabels (labels as they were), choice (a
// `choose` step's pick, so the same job repeats it; nothing to undo).

import type { Redis } from 'ioredis';
import { Fault } from '../shared/errors.js';
import { stateKeys, type StateKeys } from '../adapters/redis/keys.js';
import { journalEntryCodec, type JournalEntry } from '../adapters/redis/codecs.js';

export type { ScaleIntent, JournalEntry, ChoiceRecord, ObjectIntent, NamespaceLabelsIntent } from '../adapters/redis/codecs.js';

// Remove the field and, if that emptied the hash, the suite from the index, atomically:
// a concurrent HSETNX+SADD either lands before (hash not empty) or after (SADD re-adds).
const CLEAR = `
redis.call('hdel', KEYS[1], ARGV[1])
if redis.call('hlen', KEYS[1]) == 0 then redis.call('srem', KEYS[2], ARGV[2]) end
return 1`;

// Record and index in one step so an entry never exists without its suite in the index.
const RECORD = `
redis.call('hsetnx', KEYS[1], ARGV[1], ARGV[2])
redis.call('sadd', KEYS[2], ARGV[3])
return redis.call('hget', KEYS[1], ARGV[1])`;

/** One field per changed object: a second change of the same object keeps the first original. */
export function entryField(entry: JournalEntry): string {
  return entry.kind === 'scale' ? `${entry.kind}/${entry.namespace}/${entry.deployment}` : `${entry.kind}/${entry.key}`;
}

export class RestoreJournal {
  constructor(
    private readonly redis: Redis,
    private readonly keys: StateKeys = stateKeys(),
  ) {}

  /**
   * Records the intent unless one for the same object is already there; resolves to the entry
   * that stands (the earlier one wins, so its `original` is what gets restored).
   */
  async record<E extends JournalEntry>(entry: E): Promise<E> {
    const stored = await this.redis.eval(
      RECORD,
      2,
      this.keys.journal(entry.suite),
      this.keys.journalIndex(),
      entryField(entry),
      journalEntryCodec.encode(entry),
      entry.suite,
    );
    const parsed = typeof stored === 'string' ? journalEntryCodec.parse(stored) : { kind: 'corrupt' as const, reason: 'missing' };
    if (parsed.kind !== 'ok') throw new Fault('redis', `restore journal entry ${entryField(entry)} of ${entry.suite} is unreadable: ${parsed.reason}`);
    // The field names the kind, so the standing entry is of the same kind as the one offered.
    if (parsed.value.kind !== entry.kind) throw new Fault('redis', `restore journal entry ${entryField(entry)} of ${entry.suite} is a ${parsed.value.kind}`);
    return parsed.value as E;
  }

  /** Every readable entry of the suite; unreadable ones are left alone and reported in `unreadable`. */
  async entries(suite: string): Promise<{ entries: JournalEntry[]; unreadable: string[] }> {
    const raw = await this.redis.hgetall(this.keys.journal(suite));
    const entries: JournalEntry[] = [];
    const unreadable: string[] = [];
    for (const [field, value] of Object.entries(raw)) {
      const e = journalEntryCodec.parse(value);
      if (e.kind === 'ok') entries.push(e.value);
      else unreadable.push(field);
    }
    entries.sort((a, b) => a.at - b.at);
    // Undone newest first (runner.ts reverses): a label set after a manifest was applied goes back before it is deleted.
    return { entries, unreadable };
  }

  /** Drops one entry; call only once its restore is confirmed. */
  async clear(entry: JournalEntry): Promise<void> {
    await this.redis.eval(CLEAR, 2, this.keys.journal(entry.suite), this.keys.journalIndex(), entryField(entry), entry.suite);
  }

  /** Suites that have (or very recently had) entries. */
  async suites(): Promise<string[]> {
    const names = await this.redis.smembers(this.keys.journalIndex());
    return names.sort();
  }

  /** Number of entries of one suite, readable or not. */
  async count(suite: string): Promise<number> {
    return this.redis.hlen(this.keys.journal(suite));
  }
}
