// The CheckStore contract (src/adapters/redis/check-store.ts): the records of a suite's
// checks, kept between ticks and shared by replicas. Run against the Redis store and the
// in-memory fake the tick tests use.
//
// The port promises: load of a suite never saved is {}; save then load gives back the same
// records (NaN and ±Inf values included) as a copy the caller may change; save replaces
// the suite's records, so a check that left the config does not linger; remove forgets
// the suite; suites do not see each other. With Redis behind it: a record it cannot read
// is dropped on load (the check starts afresh) instead of failing the tick; and two key
// prefixes on one Redis do not see each other. With two record formats (the Redis store since
// issue 15): format 1 is read when it is all there is or holds the later tick (an old replica
// ran last) and is then written beside format 2 for old replicas, until COMPAT_MS after; a save
// writes only the format-2 fields whose text changed.

import { describe, expect } from 'vitest';
import type { CheckRecord } from '../../src/checks/types.js';
// Format 1's codec: what replicas of older versions read and write (contract cases 'migrate', 'old-*').
import { checkRecordCodec as oldCodec } from '../../src/adapters/redis/codecs.js';
import { caseRegistrar } from './contract-case.js';

export type CheckStorePort = {
  load(suite: string): Promise<Record<string, CheckRecord>>;
  save(suite: string, records: Record<string, CheckRecord>): Promise<void>;
  remove(suite: string): Promise<void>;
};

export interface CheckStoreCapabilities {
  /** Has a Redis behind it that a case can write raw (corrupt) records into. */
  rawRedis: boolean;
  /** Takes a key prefix, so two stores can share one backend. */
  keyPrefix: boolean;
  /** Keeps format 2 beside format 1 for replicas of older versions (rolling upgrades). */
  formats: boolean;
}
type Capability = keyof CheckStoreCapabilities;

export type CheckStoreCase =
  | 'missing'
  | 'round-trip'
  | 'copy'
  | 'replace'
  | 'save-empty'
  | 'remove'
  | 'suites-apart'
  | 'corrupt-json'
  | 'corrupt-shape'
  | 'overwritten'
  | 'prefix-isolation'
  | 'migrate'
  | 'old-reader'
  | 'old-writer'
  | 'only-changed'
  | 'compat-ends';

export interface CheckStoreSubject {
  /** A store whose keys live under `prefix` (a fake may ignore it; see capabilities), on the clock `now` when given. */
  make(prefix: string, now?: () => number): CheckStorePort;
  /** A fresh prefix for one case. */
  prefix(): string;
  /** Writes one field of a suite's record hash as is (rawRedis only). */
  writeRaw?(prefix: string, suite: string, check: string, text: string): Promise<void>;
  /** Every key in the backing Redis, sorted (rawRedis only). */
  allKeys?(): Promise<string[]>;
  /** Replaces a suite's format-1 hash as a replica of an older version does (formats only). */
  writeFormat1?(prefix: string, suite: string, fields: Record<string, string>): Promise<void>;
  /** A suite's hashes in both formats, as Redis holds them (formats only). */
  readHashes?(prefix: string, suite: string): Promise<{ format1: Record<string, string>; format2: Record<string, string> }>;
  capabilities: CheckStoreCapabilities;
  knownFailures?: Partial<Record<CheckStoreCase, string>>;
}

const T0 = 1_767_000_000_000;

/** A record using every field the type has, specials included. */
export function fullRecord(over: Partial<CheckRecord> = {}): CheckRecord {
  return {
    state: 'failing',
    instances: {
      '{pod="a"}': {
        key: '{pod="a"}',
        labels: { pod: 'a' },
        state: 'failing',
        value: Infinity,
        activeSince: T0 - 60_000,
        failingSince: T0,
        lastTrueAt: T0,
        summary: 'pod a: +Inf',
        description: 'ratio with a zero denominator',
      },
      '{pod="b"}': {
        key: '{pod="b"}',
        labels: { pod: 'b' },
        state: 'unknown',
        value: NaN,
        activeSince: null,
        failingSince: null,
        lastTrueAt: null,
        reason: 'value is NaN',
      },
      '{pod="c"}': {
        key: '{pod="c"}',
        labels: { pod: 'c' },
        state: 'ok',
        value: -Infinity,
        activeSince: null,
        failingSince: null,
        lastTrueAt: null,
      },
      '{}': { key: '{}', labels: {}, state: 'pending', value: 0.25, activeSince: T0, failingSince: null, lastTrueAt: T0 },
    },
    consecutiveErrors: 2,
    lastError: 'HTTP 503: unavailable',
    lastErrorKind: 'http',
    reason: 'two errors in a row',
    lastEvalAt: T0,
    ...over,
  };
}

const okRecord = (at: number): CheckRecord => ({ state: 'ok', instances: {}, consecutiveErrors: 0, lastEvalAt: at });

export function checkStoreContract(name: string, subject: CheckStoreSubject): void {
  const test = caseRegistrar<CheckStoreCase, Capability>(subject.capabilities, subject.knownFailures);
  const raw = (): Required<Pick<CheckStoreSubject, 'writeRaw' | 'allKeys'>> => {
    if (!subject.writeRaw || !subject.allKeys) throw new Error(`${name}: rawRedis needs writeRaw and allKeys`);
    return { writeRaw: subject.writeRaw, allKeys: subject.allKeys };
  };
  const formats = (): Required<Pick<CheckStoreSubject, 'writeFormat1' | 'readHashes'>> => {
    if (!subject.writeFormat1 || !subject.readHashes) throw new Error(`${name}: formats needs writeFormat1 and readHashes`);
    return { writeFormat1: subject.writeFormat1, readHashes: subject.readHashes };
  };
  /** What a replica of an older version reads: every format-1 field through the old codec. */
  const asOldReplica = async (prefix: string, suite: string): Promise<Record<string, unknown>> => {
    const { format1 } = await formats().readHashes(prefix, suite);
    return Object.fromEntries(Object.entries(format1).map(([check, text]) => [check, oldCodec.parse(text)]));
  };

  describe(`CheckStore contract: ${name}`, () => {
    test('missing', 'load of a suite never saved is {}', {}, async () => {
      expect(await subject.make(subject.prefix()).load('never-saved')).toEqual({});
    });

    test('round-trip', 'save then load gives back every field, NaN and ±Inf included', {}, async () => {
      const store = subject.make(subject.prefix());
      const records = { 'five-xx': fullRecord(), sanity: okRecord(T0) };
      await store.save('web', records);
      const loaded = await store.load('web');
      expect(loaded).toEqual(records);
      expect(loaded['five-xx']?.instances['{pod="a"}']?.value).toBe(Infinity);
      expect(loaded['five-xx']?.instances['{pod="b"}']?.value).toBeNaN();
      expect(loaded['five-xx']?.instances['{pod="c"}']?.value).toBe(-Infinity);
    });

    test('copy', 'what load returns is a copy: changing it changes nothing stored', {}, async () => {
      const store = subject.make(subject.prefix());
      const saved = { c: fullRecord() };
      await store.save('web', saved);
      saved.c.state = 'ok';
      const first = await store.load('web');
      expect(first.c?.state).toBe('failing');
      (first.c as CheckRecord).consecutiveErrors = 99;
      expect((await store.load('web')).c?.consecutiveErrors).toBe(2);
    });

    test('replace', 'save replaces the suite: a check left out of the next save is gone', {}, async () => {
      const store = subject.make(subject.prefix());
      await store.save('web', { a: okRecord(1), b: okRecord(2) });
      await store.save('web', { a: okRecord(3) });
      expect(await store.load('web')).toEqual({ a: okRecord(3) });
    });

    test('save-empty', 'saving no records leaves the suite empty', {}, async () => {
      const store = subject.make(subject.prefix());
      await store.save('web', { a: okRecord(1) });
      await store.save('web', {});
      expect(await store.load('web')).toEqual({});
    });

    test('remove', 'remove forgets the suite; removing twice is fine', {}, async () => {
      const store = subject.make(subject.prefix());
      await store.save('web', { a: okRecord(1) });
      await store.remove('web');
      await store.remove('web');
      expect(await store.load('web')).toEqual({});
    });

    test('suites-apart', 'suites do not see each other', {}, async () => {
      const store = subject.make(subject.prefix());
      await store.save('web', { a: okRecord(1) });
      await store.save('mesh', { b: okRecord(2) });
      await store.remove('web');
      expect(await store.load('web')).toEqual({});
      expect(await store.load('mesh')).toEqual({ b: okRecord(2) });
    });

    test('corrupt-json', 'a record that is not JSON is dropped on load; the others load', { needs: ['rawRedis'] }, async () => {
      const prefix = subject.prefix();
      const store = subject.make(prefix);
      await store.save('web', { good: okRecord(1) });
      await raw().writeRaw(prefix, 'web', 'broken', '{"state":"ok","instances":');
      await raw().writeRaw(prefix, 'web', 'null', 'null');
      expect(await store.load('web')).toEqual({ good: okRecord(1) });
    });

    // Today load() only checks that `state` and `instances` exist and casts the rest, so a
    // record of the wrong shape reaches the engine. Codec pending, see wt-adapters.
    test('corrupt-shape', 'a record that is JSON of the wrong shape is dropped on load like unreadable JSON', { needs: ['rawRedis'] }, async () => {
      const prefix = subject.prefix();
      const store = subject.make(prefix);
      await store.save('web', { good: okRecord(1) });
      await raw().writeRaw(prefix, 'web', 'bogus', JSON.stringify({ state: 'exploded', instances: 'none', lastEvalAt: 'yesterday' }));
      expect(await store.load('web')).toEqual({ good: okRecord(1) });
    });

    // The store remembers the texts it wrote and read; a field someone else rewrote since is read afresh.
    test('overwritten', 'a record rewritten behind the store is loaded as rewritten, or dropped when unreadable', { needs: ['rawRedis'] }, async () => {
      const prefix = subject.prefix();
      const store = subject.make(prefix);
      await store.save('web', { a: okRecord(1), b: okRecord(2) });
      expect(await store.load('web')).toEqual({ a: okRecord(1), b: okRecord(2) });
      await raw().writeRaw(prefix, 'web', 'a', JSON.stringify(okRecord(7)));
      await raw().writeRaw(prefix, 'web', 'b', JSON.stringify({ state: 'exploded', instances: 'none' }));
      expect(await store.load('web')).toEqual({ a: okRecord(7) });
    });

    test('migrate', 'format 1 alone (left by an older version) is loaded, then saved as format 2 and kept as format 1 too', { needs: ['formats'] }, async () => {
      const prefix = subject.prefix();
      const store = subject.make(prefix);
      await formats().writeFormat1(prefix, 'web', { a: oldCodec.encode(fullRecord()), b: oldCodec.encode(okRecord(T0)) });
      expect(await store.load('web')).toEqual({ a: fullRecord(), b: okRecord(T0) });
      const next = { a: fullRecord({ lastEvalAt: T0 + 2000 }), b: okRecord(T0 + 2000) };
      await store.save('web', next);
      const { format2 } = await formats().readHashes(prefix, 'web');
      expect(Object.keys(format2).sort()).toEqual(['$tick', 'a', 'b']);
      expect(await subject.make(prefix).load('web')).toEqual(next);
    });

    test('old-reader', 'while format 1 is written, a replica of an older version reads the latest records whole', { needs: ['formats'] }, async () => {
      const prefix = subject.prefix();
      const store = subject.make(prefix);
      await formats().writeFormat1(prefix, 'web', { a: oldCodec.encode(okRecord(T0)) });
      await store.load('web');
      const next = { a: fullRecord({ lastEvalAt: T0 + 2000 }), c: okRecord(T0 + 2000) };
      await store.save('web', next);
      expect(await asOldReplica(prefix, 'web')).toEqual({ a: { kind: 'ok', value: next.a }, c: { kind: 'ok', value: next.c } });
      // Another new replica, that never read format 1, keeps writing it for the old ones.
      const other = subject.make(prefix);
      await other.load('web');
      await other.save('web', { a: okRecord(T0 + 4000) });
      expect(await asOldReplica(prefix, 'web')).toEqual({ a: { kind: 'ok', value: okRecord(T0 + 4000) } });
    });

    test('old-writer', 'format 1 written by an old replica after format 2 wins; an older format 1 does not', { needs: ['formats'] }, async () => {
      const prefix = subject.prefix();
      const store = subject.make(prefix);
      await store.save('web', { a: okRecord(T0) });
      await formats().writeFormat1(prefix, 'web', { a: oldCodec.encode(okRecord(T0 - 2000)) });
      expect(await store.load('web')).toEqual({ a: okRecord(T0) });
      const old = fullRecord({ lastEvalAt: T0 + 2000 });
      await formats().writeFormat1(prefix, 'web', { a: oldCodec.encode(old) });
      expect(await store.load('web')).toEqual({ a: old });
      expect(await subject.make(prefix).load('web')).toEqual({ a: old });
    });

    test('only-changed', 'a save rewrites only the records whose state data changed; values and lastEvalAt still load new', { needs: ['formats', 'rawRedis'] }, async () => {
      const prefix = subject.prefix();
      const store = subject.make(prefix);
      await store.save('web', { a: fullRecord(), b: okRecord(T0) });
      const { format2 } = await formats().readHashes(prefix, 'web');
      // The same content in other text: left alone by a save that does not change `a`, read through the schema.
      const respaced = JSON.stringify(JSON.parse(format2.a ?? ''), null, 1);
      await raw().writeRaw(prefix, 'web', 'a', respaced);
      const a = fullRecord({ lastEvalAt: T0 + 2000 });
      (a.instances['{}'] as { value: number | null }).value = 0.5;
      const b = { ...okRecord(T0 + 2000), state: 'unknown' as const, reason: 'no data' };
      await store.save('web', { a, b });
      const after = (await formats().readHashes(prefix, 'web')).format2;
      expect(after.a).toBe(respaced);
      expect(after.b).not.toBe(format2.b);
      expect(await subject.make(prefix).load('web')).toEqual({ a, b });
    });

    test('compat-ends', 'format 1 stops being written, and is deleted, COMPAT_MS after it was last read as the latest', { needs: ['formats'] }, async () => {
      const prefix = subject.prefix();
      let now = T0;
      const store = subject.make(prefix, () => now);
      await formats().writeFormat1(prefix, 'web', { a: oldCodec.encode(okRecord(T0)) });
      await store.load('web');
      now += 9 * 60_000;
      await store.save('web', { a: okRecord(now) });
      expect(Object.keys((await formats().readHashes(prefix, 'web')).format1)).toEqual(['a']);
      now += 2 * 60_000;
      const late = subject.make(prefix, () => now);
      expect(await late.load('web')).toEqual({ a: okRecord(T0 + 9 * 60_000) });
      await late.save('web', { a: okRecord(now) });
      expect((await formats().readHashes(prefix, 'web')).format1).toEqual({});
      expect(await late.load('web')).toEqual({ a: okRecord(now) });
    });

    test('prefix-isolation', 'two key prefixes on one Redis do not see each other, and keys stay under their prefix', { needs: ['rawRedis', 'keyPrefix'] }, async () => {
      const [pa, pb] = [subject.prefix(), subject.prefix()];
      const a = subject.make(pa);
      const b = subject.make(pb);
      const before = new Set(await raw().allKeys());
      await a.save('web', { c: okRecord(1) });
      await b.save('web', { c: okRecord(2) });
      const written = (await raw().allKeys()).filter((k) => !before.has(k));
      expect(written.length).toBeGreaterThan(0);
      expect(written.filter((k) => !k.startsWith(`${pa}:`) && !k.startsWith(`${pb}:`))).toEqual([]);
      expect(await a.load('web')).toEqual({ c: okRecord(1) });
      expect(await b.load('web')).toEqual({ c: okRecord(2) });
      await a.remove('web');
      expect(await a.load('web')).toEqual({});
      expect(await b.load('web')).toEqual({ c: okRecord(2) });
    });
  });
}
