// The RestoreJournal contract (src/disruption/restore-journal.ts): what a running
// disruption changed and must undo, kept where a crash cannot lose it. Redis is the only
// implementation (the runner's tests use it on a real Redis too).
//
// The port promises: a suite never written has no entries and is not in suites(); record
// returns the entry that stands, and the first one recorded for an object wins (a retry
// after a crash must not replace the true original with the scaled-down value); entries
// come sorted by time; clearing the last entry of a suite forgets the suite and leaves no
// key behind; an entry it cannot read (not JSON, or the wrong shape) is reported as
// unreadable, left in place and counted, never guessed at, and recording over it fails
// with a Fault; two key prefixes do not see each other.

import type { Redis } from 'ioredis';
import { describe, expect } from 'vitest';
import type { RestoreJournal, ScaleIntent } from '../../src/disruption/restore-journal.js';
import { caseRegistrar, rejection } from './contract-case.js';

export type RestoreJournalCase =
  | 'missing'
  | 'round-trip'
  | 'first-wins'
  | 'per-object'
  | 'clear'
  | 'suites-apart'
  | 'corrupt-json'
  | 'corrupt-shape'
  | 'record-over-corrupt'
  | 'prefix-isolation';

export interface RestoreJournalSubject {
  make(prefix: string): RestoreJournal;
  prefix(): string;
  redis(): Redis;
  /** The hash of one suite's entries under a prefix, for raw writes. */
  suiteKey(prefix: string, suite: string): string;
  allKeys(): Promise<string[]>;
  knownFailures?: Partial<Record<RestoreJournalCase, string>>;
}

const intent = (over: Partial<ScaleIntent> = {}): ScaleIntent => ({
  kind: 'scale',
  namespace: 'istio-system',
  deployment: 'istiod',
  original: 2,
  suite: 'web',
  jobId: 'job-1',
  at: 1_767_000_000_000,
  ...over,
});

export function restoreJournalContract(name: string, subject: RestoreJournalSubject): void {
  const test = caseRegistrar<RestoreJournalCase, never>({}, subject.knownFailures);
  const under = async (prefix: string): Promise<string[]> => (await subject.allKeys()).filter((k) => k.startsWith(`${prefix}:`));

  describe(`RestoreJournal contract: ${name}`, () => {
    test('missing', 'a suite never written has no entries, no count and is not listed; clearing nothing is fine', {}, async () => {
      const prefix = subject.prefix();
      const j = subject.make(prefix);
      expect(await j.entries('web')).toEqual({ entries: [], unreadable: [] });
      expect(await j.count('web')).toBe(0);
      expect(await j.suites()).toEqual([]);
      await j.clear(intent());
      expect(await under(prefix)).toEqual([]);
    });

    test('round-trip', 'record returns the entry, and entries, count and suites show it', {}, async () => {
      const j = subject.make(subject.prefix());
      expect(await j.record(intent())).toEqual(intent());
      expect(await j.entries('web')).toEqual({ entries: [intent()], unreadable: [] });
      expect(await j.count('web')).toBe(1);
      expect(await j.suites()).toEqual(['web']);
    });

    test('first-wins', 'the first entry recorded for an object stands; a later record returns it', {}, async () => {
      const j = subject.make(subject.prefix());
      await j.record(intent({ original: 3 }));
      const stood = await j.record(intent({ original: 0, jobId: 'job-2', at: 2 }));
      expect(stood).toEqual(intent({ original: 3 }));
      expect((await j.entries('web')).entries).toEqual([intent({ original: 3 })]);
    });

    test('per-object', 'one entry per namespace and deployment, sorted by time', {}, async () => {
      const j = subject.make(subject.prefix());
      const late = intent({ deployment: 'a', at: 30 });
      const early = intent({ deployment: 'a', namespace: 'other', at: 10 });
      const middle = intent({ deployment: 'b', at: 20 });
      for (const e of [late, early, middle]) await j.record(e);
      expect((await j.entries('web')).entries).toEqual([early, middle, late]);
      expect(await j.count('web')).toBe(3);
    });

    test('clear', 'clearing entries one by one forgets the suite at the last, leaving no key', {}, async () => {
      const prefix = subject.prefix();
      const j = subject.make(prefix);
      const a = intent({ deployment: 'a' });
      const b = intent({ deployment: 'b' });
      await j.record(a);
      await j.record(b);
      await j.clear(a);
      expect((await j.entries('web')).entries).toEqual([b]);
      expect(await j.suites()).toEqual(['web']);
      await j.clear(b);
      expect(await j.suites()).toEqual([]);
      expect(await j.count('web')).toBe(0);
      expect(await under(prefix)).toEqual([]);
    });

    test('suites-apart', 'suites do not see each other, and suites() lists them sorted', {}, async () => {
      const j = subject.make(subject.prefix());
      await j.record(intent({ suite: 'web' }));
      await j.record(intent({ suite: 'gateway', deployment: 'gw' }));
      expect(await j.suites()).toEqual(['gateway', 'web']);
      expect((await j.entries('web')).entries).toEqual([intent({ suite: 'web' })]);
      expect((await j.entries('gateway')).entries).toEqual([intent({ suite: 'gateway', deployment: 'gw' })]);
    });

    test('corrupt-json', 'an entry that is not JSON is reported unreadable, left in place and counted', {}, async () => {
      const prefix = subject.prefix();
      const j = subject.make(prefix);
      await j.record(intent());
      const key = subject.suiteKey(prefix, 'web');
      await subject.redis().hset(key, 'scale/ns/broken', '{not json');
      expect(await j.entries('web')).toEqual({ entries: [intent()], unreadable: ['scale/ns/broken'] });
      expect(await j.count('web')).toBe(2);
      expect(await subject.redis().hget(key, 'scale/ns/broken')).toBe('{not json');
    });

    test('corrupt-shape', 'an entry that is JSON of the wrong shape is reported unreadable, not guessed at', {}, async () => {
      const prefix = subject.prefix();
      const j = subject.make(prefix);
      const key = subject.suiteKey(prefix, 'web');
      await subject.redis().hset(key, 'scale/ns/negative', JSON.stringify(intent({ original: -1 })));
      await subject.redis().hset(key, 'scale/ns/fraction', JSON.stringify(intent({ original: 1.5 })));
      await subject.redis().hset(key, 'scale/ns/no-job', JSON.stringify({ ...intent(), jobId: undefined }));
      await subject.redis().hset(key, 'scale/ns/other-kind', JSON.stringify({ ...intent(), kind: 'env' }));
      await subject.redis().hset(key, 'scale/ns/array', '[1,2]');
      const { entries, unreadable } = await j.entries('web');
      expect(entries).toEqual([]);
      expect(unreadable.sort()).toEqual(['scale/ns/array', 'scale/ns/fraction', 'scale/ns/negative', 'scale/ns/no-job', 'scale/ns/other-kind']);
    });

    test('record-over-corrupt', 'recording over an unreadable entry fails with a Fault and leaves the entry as it was', {}, async () => {
      const prefix = subject.prefix();
      const j = subject.make(prefix);
      const e = intent();
      const key = subject.suiteKey(prefix, 'web');
      await subject.redis().hset(key, `scale/${e.namespace}/${e.deployment}`, 'garbage');
      const err = await rejection(j.record(e));
      expect(err).toMatchObject({ kind: 'redis' });
      expect(String((err as Error).message)).toContain(`scale/${e.namespace}/${e.deployment}`);
      expect(await subject.redis().hget(key, `scale/${e.namespace}/${e.deployment}`)).toBe('garbage');
      expect((await j.entries('web')).unreadable).toEqual([`scale/${e.namespace}/${e.deployment}`]);
    });

    test('prefix-isolation', 'two key prefixes on one Redis do not see each other, and keys stay under their prefix', {}, async () => {
      const [pa, pb] = [subject.prefix(), subject.prefix()];
      const a = subject.make(pa);
      const b = subject.make(pb);
      const before = new Set(await subject.allKeys());
      await a.record(intent({ original: 1 }));
      await b.record(intent({ original: 5 }));
      const written = (await subject.allKeys()).filter((k) => !before.has(k));
      expect(written.length).toBeGreaterThan(0);
      expect(written.filter((k) => !k.startsWith(`${pa}:`) && !k.startsWith(`${pb}:`))).toEqual([]);
      expect((await a.entries('web')).entries).toEqual([intent({ original: 1 })]);
      expect((await b.entries('web')).entries).toEqual([intent({ original: 5 })]);
      await a.clear(intent());
      expect(await a.suites()).toEqual([]);
      expect(await b.suites()).toEqual(['web']);
      expect(await under(pa)).toEqual([]);
    });
  });
}
