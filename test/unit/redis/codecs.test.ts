// The codecs of every record read back from Redis: what they write reads back the same
// (NaN and ±Infinity included), anything else is `corrupt` with a reason, and parse never
// throws whatever the text.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  checkRecordCodec,
  historyEventCodec,
  journalEntryCodec,
  tickEntryCodec,
  type Codec,
  type HistoryEvent,
  type JournalEntry,
  type TickEntry,
} from '../../../src/adapters/redis/codecs.js';
import type { CheckRecord } from '../../../src/checks/types.js';
import type { ScaleIntent } from '../../../src/disruption/restore-journal.js';

const record: CheckRecord = {
  state: 'failing',
  consecutiveErrors: 0,
  lastEvalAt: 1_700_000_000_000,
  reason: 'why',
  instances: {
    '{pod="a"}': { key: '{pod="a"}', labels: { pod: 'a' }, state: 'failing', value: Number.POSITIVE_INFINITY, activeSince: 1, failingSince: 2, lastTrueAt: 3, summary: 's' },
    '{pod="b"}': { key: '{pod="b"}', labels: { pod: 'b' }, state: 'unknown', value: Number.NaN, activeSince: null, failingSince: null, lastTrueAt: null, reason: 'NaN' },
    '{pod="c"}': { key: '{pod="c"}', labels: { pod: 'c' }, state: 'ok', value: Number.NEGATIVE_INFINITY, activeSince: null, failingSince: null, lastTrueAt: null },
    '{pod="d"}': { key: '{pod="d"}', labels: { pod: 'd' }, state: 'unknown', value: null, activeSince: null, failingSince: null, lastTrueAt: null },
  },
};
const stateEvent: HistoryEvent = { kind: 'state', check: 'c', instance: '{}', from: 'ok', to: 'failing', value: 3, at: 10 };
const disruptionEvent: HistoryEvent = { kind: 'disruption', jobId: 'j', outcome: 'failure', message: 'step 2 failed', startedAt: 1, durationMs: 2 };
const tick: TickEntry = { jobId: 't', scheduledAt: 1, startedAt: 2, durationMs: 3, worker: 'host:1' };
const intent: JournalEntry = { kind: 'scale', namespace: 'ns', deployment: 'pilot', original: 2, suite: 's', jobId: 'j1', at: 1 };

function corruptReason<T>(codec: Codec<T>, text: string): string {
  const parsed = codec.parse(text);
  if (parsed.kind !== 'corrupt') throw new Error(`expected corrupt, got ${JSON.stringify(parsed)}`);
  return parsed.reason;
}

describe('round trips', () => {
  it.each([
    ['check record', checkRecordCodec as Codec<unknown>, record],
    ['state event', historyEventCodec as Codec<unknown>, stateEvent],
    ['disruption event', historyEventCodec as Codec<unknown>, disruptionEvent],
    ['tick entry', tickEntryCodec as Codec<unknown>, tick],
    ['journal entry', journalEntryCodec as Codec<unknown>, intent],
  ])('%s reads back as written', (_name, codec, value) => {
    expect(codec.parse(codec.encode(value))).toEqual({ kind: 'ok', value });
  });

  it('keeps NaN and the infinities of a check record apart from null', () => {
    const parsed = checkRecordCodec.parse(checkRecordCodec.encode(record));
    if (parsed.kind !== 'ok') throw new Error(parsed.reason);
    expect(Object.values(parsed.value.instances).map((i) => i.value)).toEqual([Infinity, NaN, -Infinity, null]);
  });
});

describe('corrupt records', () => {
  it('says where a check record is wrong', () => {
    expect(corruptReason(checkRecordCodec, '{')).toMatch(/^not JSON: /);
    expect(corruptReason(checkRecordCodec, 'null')).toMatch(/^record: /);
    expect(corruptReason(checkRecordCodec, JSON.stringify({ ...record, state: 'bogus' }))).toMatch(/^state: /);
    expect(corruptReason(checkRecordCodec, JSON.stringify({ ...record, consecutiveErrors: '1' }))).toMatch(/^consecutiveErrors: /);
    const { lastTrueAt: _, ...noLastTrue } = record.instances['{pod="d"}']!;
    expect(corruptReason(checkRecordCodec, JSON.stringify({ ...record, instances: { x: noLastTrue } }))).toMatch(/^instances\.x\.lastTrueAt: /);
    // What the old hand check let through: `state` and `instances` present, nothing else right.
    expect(corruptReason(checkRecordCodec, '{"state":"ok","instances":{}}')).toMatch(/\(and \d+ more\)$/);
  });

  it('refuses history events of unknown kind or outcome, and ticks without their replica', () => {
    expect(corruptReason(historyEventCodec, JSON.stringify({ ...stateEvent, kind: 'other' }))).toMatch(/^kind: /);
    expect(corruptReason(historyEventCodec, JSON.stringify({ ...disruptionEvent, outcome: 'busy' }))).toMatch(/^outcome: /);
    const { worker: _, ...noWorker } = tick;
    expect(corruptReason(tickEntryCodec, JSON.stringify(noWorker))).toMatch(/^worker: /);
  });

  it('refuses journal entries the restore could not act on', () => {
    expect(corruptReason(journalEntryCodec, JSON.stringify({ ...intent, original: -1 }))).toMatch(/^original: /);
    expect(corruptReason(journalEntryCodec, JSON.stringify({ ...intent, original: 1.5 }))).toMatch(/^original: /);
    expect(corruptReason(journalEntryCodec, JSON.stringify({ ...intent, kind: 'env' }))).toMatch(/^kind: /);
    // Unknown fields are dropped, as the hand check did.
    expect(journalEntryCodec.parse(JSON.stringify({ ...intent, extra: 1 }))).toEqual({ kind: 'ok', value: intent });
  });

  it('never throws, whatever the text', () => {
    const codecs = [checkRecordCodec, historyEventCodec, tickEntryCodec, journalEntryCodec] as Codec<unknown>[];
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.jsonValue().map((v) => JSON.stringify(v))), (text) => {
        for (const codec of codecs) expect(['ok', 'corrupt']).toContain(codec.parse(text).kind);
      }),
      { numRuns: 300 },
    );
  });
});

describe('the journal codec and restore-journal.ts agree on the entry type', () => {
  it('is the same shape both ways', () => {
    const a: ScaleIntent = intent;
    const b: JournalEntry = a;
    expect(b).toBe(intent);
  });
});
