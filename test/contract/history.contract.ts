// The History contract (src/adapters/redis/history.ts): per suite, a bounded log of state
// changes and disruptions, and a separate bounded log of tick runs. Redis is the only
// implementation (tests that need no history pass a stub with one method, not a fake).
//
// The port promises: a suite never written reads as empty; what is appended reads back,
// newest first, with an id, `count` at most; the two logs and the suites stay apart;
// lastDisruption finds the newest disruption behind later state changes; each log stays
// near its bound (XADD/XTRIM MAXLEN ~: never fewer than the bound once that many were
// written, never more than one stream node, 100 entries, above it) and keeps the newest;
// an entry it cannot read is skipped, not thrown; two key prefixes do not see each other.

import type { Redis } from 'ioredis';
import { describe, expect } from 'vitest';
import type { History, HistoryEvent, TickEntry } from '../../src/adapters/redis/history.js';
import { caseRegistrar } from './contract-case.js';

export type HistoryCase =
  | 'missing'
  | 'round-trip'
  | 'append-empty'
  | 'tick-with'
  | 'count'
  | 'logs-apart'
  | 'last-disruption'
  | 'specials'
  | 'bound-append'
  | 'bound-ticks'
  | 'bound-trim'
  | 'corrupt-json'
  | 'corrupt-shape'
  | 'prefix-isolation';

export interface HistorySubject {
  make(prefix: string, maxLen?: number): History;
  prefix(): string;
  redis(): Redis;
  /** The stream keys of a suite under a prefix, for raw writes. */
  keys(prefix: string, suite: string): { history: string; ticks: string };
  allKeys(): Promise<string[]>;
  knownFailures?: Partial<Record<HistoryCase, string>>;
}

/** Slack of XADD/XTRIM MAXLEN ~: whole stream nodes only, at most stream-node-max-entries (100). */
const NODE = 100;

const state = (i: number, value: number | null = i): HistoryEvent => ({
  kind: 'state',
  check: 'five-xx',
  instance: `{pod="p${i}"}`,
  from: 'ok',
  to: 'failing',
  value,
  at: 1_767_000_000_000 + i,
});
const disruption = (jobId: string): HistoryEvent => ({
  kind: 'disruption',
  jobId,
  outcome: 'failure',
  message: 'step 1/2 failed',
  startedAt: 1_767_000_000_000,
  durationMs: 1234,
});
const tick = (i: number): TickEntry => ({ jobId: `tick-${i}`, scheduledAt: i, startedAt: i + 1, durationMs: 5, worker: 'host:1' });

export function historyContract(name: string, subject: HistorySubject): void {
  const test = caseRegistrar<HistoryCase, never>({}, subject.knownFailures);
  const events = async (h: History, suite: string): Promise<HistoryEvent[]> => (await h.recent(suite, 10_000)).map((e) => e.event);

  describe(`History contract: ${name}`, () => {
    test('missing', 'a suite never written has no events, no ticks and no last disruption', {}, async () => {
      const h = subject.make(subject.prefix());
      expect(await h.recent('none', 10)).toEqual([]);
      expect(await h.recentTicks('none', 10)).toEqual([]);
      expect(await h.lastDisruption('none')).toBeUndefined();
    });

    test('round-trip', 'appended events and recorded ticks read back newest first, each with an id', {}, async () => {
      const h = subject.make(subject.prefix());
      await h.append('web', [state(1), disruption('j1'), state(2, null)]);
      await h.recordTick('web', tick(1));
      await h.recordTick('web', tick(2));
      const recent = await h.recent('web', 10);
      expect(recent.map((e) => e.event)).toEqual([state(2, null), disruption('j1'), state(1)]);
      expect(new Set(recent.map((e) => e.id)).size).toBe(3);
      for (const e of recent) expect(e.id).toMatch(/^\d+-\d+$/);
      expect((await h.recentTicks('web', 10)).map((e) => e.event)).toEqual([tick(2), tick(1)]);
    });

    test('append-empty', 'appending no events writes nothing', {}, async () => {
      const prefix = subject.prefix();
      const before = await subject.allKeys();
      await subject.make(prefix).append('web', []);
      expect(await subject.allKeys()).toEqual(before);
    });

    test('tick-with', "recordTickWith writes a tick's state changes and its run entry together", {}, async () => {
      const h = subject.make(subject.prefix());
      await h.recordTickWith('web', [state(1), state(2)], tick(1));
      await h.recordTickWith('web', [], tick(2));
      expect(await events(h, 'web')).toEqual([state(2), state(1)]);
      expect((await h.recentTicks('web', 10)).map((e) => e.event)).toEqual([tick(2), tick(1)]);
    });

    test('count', 'recent(suite, n) gives the n newest', {}, async () => {
      const h = subject.make(subject.prefix());
      await h.append('web', [state(1), state(2), state(3)]);
      expect((await h.recent('web', 2)).map((e) => e.event)).toEqual([state(3), state(2)]);
    });

    test('logs-apart', 'ticks and events are separate logs, and suites do not see each other', {}, async () => {
      const h = subject.make(subject.prefix());
      await h.append('web', [state(1)]);
      await h.recordTick('web', tick(1));
      await h.append('mesh', [state(2)]);
      expect(await events(h, 'web')).toEqual([state(1)]);
      expect((await h.recentTicks('web', 10)).map((e) => e.event)).toEqual([tick(1)]);
      expect(await events(h, 'mesh')).toEqual([state(2)]);
      expect(await h.recentTicks('mesh', 10)).toEqual([]);
    });

    test('last-disruption', 'lastDisruption is the newest disruption, behind later state changes', {}, async () => {
      const h = subject.make(subject.prefix());
      await h.append('web', [disruption('old'), state(1), disruption('new')]);
      await h.append('web', Array.from({ length: 20 }, (_, i) => state(i + 2)));
      expect(await h.lastDisruption('web')).toEqual(disruption('new'));
      await h.append('mesh', [state(1)]);
      expect(await h.lastDisruption('mesh')).toBeUndefined();
    });

    // The check store keeps NaN/±Inf ({"$num": ...}); the history writes plain JSON, where
    // they become null, so a check that failed on +Inf is logged as having had no value.
    test('specials', 'NaN, +Inf and -Inf values of state changes read back as those numbers', {}, async () => {
      const h = subject.make(subject.prefix());
      await h.append('web', [state(1, NaN), state(2, Infinity), state(3, -Infinity)]);
      const values = (await events(h, 'web')).map((e) => (e.kind === 'state' ? e.value : 'not a state'));
      expect(values).toEqual([-Infinity, Infinity, NaN]);
    });

    test('bound-append', 'the event log stays near its bound as events arrive, and keeps the newest', {}, async () => {
      const maxLen = 10;
      const h = subject.make(subject.prefix(), maxLen);
      for (let batch = 0; batch < 25; batch++) await h.append('web', Array.from({ length: 10 }, (_, i) => state(batch * 10 + i)));
      const kept = await events(h, 'web');
      expect(kept.length).toBeGreaterThanOrEqual(maxLen);
      expect(kept.length).toBeLessThanOrEqual(maxLen + NODE);
      expect(kept[0]).toEqual(state(249));
      expect(kept.slice(0, maxLen)).toEqual(Array.from({ length: maxLen }, (_, i) => state(249 - i)));
    });

    test('bound-ticks', 'the tick log stays near its bound, and keeps the newest', {}, async () => {
      const maxLen = 10;
      const h = subject.make(subject.prefix(), maxLen);
      for (let i = 0; i < 250; i++) await h.recordTick('web', tick(i));
      const kept = (await h.recentTicks('web', 10_000)).map((e) => e.event);
      expect(kept.length).toBeGreaterThanOrEqual(maxLen);
      expect(kept.length).toBeLessThanOrEqual(maxLen + NODE);
      expect(kept[0]).toEqual(tick(249));
    });

    test('bound-trim', 'trim() brings logs written under a larger bound down to the current one', {}, async () => {
      const prefix = subject.prefix();
      const wide = subject.make(prefix, 1000);
      await wide.append('web', Array.from({ length: 250 }, (_, i) => state(i)));
      for (let i = 0; i < 250; i++) await wide.recordTick('web', tick(i));
      expect(await events(wide, 'web')).toHaveLength(250);
      const maxLen = 10;
      await subject.make(prefix, maxLen).trim(['web', 'never-written']);
      const kept = await events(wide, 'web');
      const ticks = await wide.recentTicks('web', 10_000);
      for (const n of [kept.length, ticks.length]) {
        expect(n).toBeGreaterThanOrEqual(maxLen);
        expect(n).toBeLessThanOrEqual(maxLen + NODE);
      }
      expect(kept[0]).toEqual(state(249));
      expect(ticks[0]?.event).toEqual(tick(249));
      expect(await wide.recent('never-written', 10)).toEqual([]);
    });

    test('corrupt-json', 'an entry that is not JSON is skipped; the others read back', {}, async () => {
      const prefix = subject.prefix();
      const h = subject.make(prefix);
      const { history, ticks } = subject.keys(prefix, 'web');
      await h.append('web', [state(1)]);
      await subject.redis().xadd(history, '*', 'e', '{"kind":"state",');
      await subject.redis().xadd(history, '*', 'other', 'field');
      await h.append('web', [state(2)]);
      await subject.redis().xadd(ticks, '*', 'e', 'garbage');
      await h.recordTick('web', tick(1));
      expect(await events(h, 'web')).toEqual([state(2), state(1)]);
      expect((await h.recentTicks('web', 10)).map((e) => e.event)).toEqual([tick(1)]);
    });

    // Today read() parses the JSON and casts it. Codec pending, see wt-adapters.
    test('corrupt-shape', 'an entry that is JSON of the wrong shape is skipped like unreadable JSON', {}, async () => {
      const prefix = subject.prefix();
      const h = subject.make(prefix);
      const { history, ticks } = subject.keys(prefix, 'web');
      await h.append('web', [state(1)]);
      await subject.redis().xadd(history, '*', 'e', '{"kind":"state"}');
      await subject.redis().xadd(history, '*', 'e', '42');
      await subject.redis().xadd(ticks, '*', 'e', '{"jobId":7}');
      expect(await events(h, 'web')).toEqual([state(1)]);
      expect(await h.recentTicks('web', 10)).toEqual([]);
    });

    test('prefix-isolation', 'two key prefixes on one Redis do not see each other, and keys stay under their prefix', {}, async () => {
      const [pa, pb] = [subject.prefix(), subject.prefix()];
      const a = subject.make(pa);
      const b = subject.make(pb);
      const before = new Set(await subject.allKeys());
      await a.append('web', [state(1)]);
      await a.recordTick('web', tick(1));
      await b.append('web', [state(2)]);
      const written = (await subject.allKeys()).filter((k) => !before.has(k));
      expect(written).toHaveLength(3);
      expect(written.filter((k) => !k.startsWith(`${pa}:`) && !k.startsWith(`${pb}:`))).toEqual([]);
      expect(await events(a, 'web')).toEqual([state(1)]);
      expect(await events(b, 'web')).toEqual([state(2)]);
      expect(await b.recentTicks('web', 10)).toEqual([]);
      await b.trim(['web']);
      expect(await events(a, 'web')).toEqual([state(1)]);
    });
  });
}
