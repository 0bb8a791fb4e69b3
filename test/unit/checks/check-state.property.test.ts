import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateCheck, worstState } from '../../../src/checks/check-state.js';
import type { CheckRecord, CheckStateName, QueryOutcome } from '../../../src/checks/types.js';
import { spec, T0 } from './fixtures.js';

const specArb = fc
  .record({
    fail: fc.constantFrom('> 0', '< 1', '>= 0.5', '== 0', '!= 0', 'outside 0..1'),
    forMs: fc.constantFrom(0, 30_000, 60_000, 300_000),
    keepFiringForMs: fc.constantFrom(0, 45_000, 120_000),
    noData: fc.constantFrom('ok' as const, 'unknown' as const, 'fail' as const),
    errorLimit: fc.integer({ min: 0, max: 6 }),
  })
  .map((over) => spec(over));

const valueArb = fc.oneof(
  fc.constantFrom(0, 0.5, 1, 2, -1, NaN, Infinity, -Infinity),
  fc.double(), // NaN and ±Inf included
);

const errorArb: fc.Arbitrary<QueryOutcome> = fc.record({
  kind: fc.constant('error' as const),
  errorKind: fc.constantFrom('unreachable', 'timeout', 'http', 'bad_data'),
  message: fc.string({ maxLength: 20 }),
});

const outcomeArb: fc.Arbitrary<QueryOutcome> = fc.oneof(
  valueArb.map((value): QueryOutcome => ({ kind: 'data', samples: [{ labels: {}, value }] })),
  fc
    .array(fc.record({ labels: fc.record({ pod: fc.constantFrom('a', 'b', 'c') }), value: valueArb }), { maxLength: 3 })
    .map((samples): QueryOutcome => ({ kind: 'data', samples })),
  errorArb,
  fc.constant<QueryOutcome>({ kind: 'skipped', reason: 'not running' }),
);

/** Ticks at increasing times, 0 to 2 minutes apart (two ticks may share a time). */
const gapsArb = (n: number) => fc.array(fc.integer({ min: 0, max: 120_000 }), { minLength: n, maxLength: n });

function ticks(outcomes: QueryOutcome[], gaps: number[]): Array<[QueryOutcome, number]> {
  let t = T0;
  return outcomes.map((o, i) => {
    t += gaps[i] ?? 0;
    return [o, t];
  });
}

describe('evaluateCheck properties', () => {
  it('a check whose every outcome since the start was an error is never ok', () => {
    fc.assert(
      fc.property(
        specArb,
        fc.array(errorArb, { minLength: 1, maxLength: 30 }).chain((errs) => fc.tuple(fc.constant(errs), gapsArb(errs.length))),
        (s, [errs, gaps]) => {
          let prev: CheckRecord | undefined;
          for (const [o, now] of ticks(errs, gaps)) {
            prev = evaluateCheck(s, prev, o, now).record;
            expect(prev.state).not.toBe('ok');
            expect(prev.state).toBe('unknown');
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('once not ok, errors alone never make a check ok', () => {
    fc.assert(
      fc.property(
        specArb,
        fc.array(outcomeArb, { maxLength: 10 }),
        fc.array(errorArb, { minLength: 1, maxLength: 10 }),
        gapsArb(20),
        (s, lead, errs, gaps) => {
          let prev: CheckRecord | undefined;
          const all = ticks([...lead, ...errs], gaps);
          all.forEach(([o, now], i) => {
            const wasNotOk = prev !== undefined && prev.state !== 'ok';
            prev = evaluateCheck(s, prev, o, now).record;
            if (i >= lead.length && wasNotOk) expect(prev.state).not.toBe('ok');
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the check is the worst of its instances, and replaying its transitions reproduces its non-ok instances', () => {
    fc.assert(
      fc.property(
        specArb,
        fc.array(outcomeArb, { minLength: 1, maxLength: 25 }).chain((os) => fc.tuple(fc.constant(os), gapsArb(os.length))),
        (s, [outcomes, gaps]) => {
          let prev: CheckRecord | undefined;
          // What a notifier that only sees transitions believes: key → non-ok state.
          const believed = new Map<string, CheckStateName>();
          for (const [o, now] of ticks(outcomes, gaps)) {
            const { record, transitions } = evaluateCheck(s, prev, o, now);
            const instStates = Object.values(record.instances).map((i) => i.state);
            // only a skipped check has no instances (an error below the limit keeps it skipped)
            expect(record.state).toBe(worstState(instStates, 'skipped'));
            for (const t of transitions) {
              expect(t.from).toBe(believed.get(t.key) ?? 'ok');
              expect(t.to).not.toBe(t.from);
              expect(t.at).toBe(now);
              if (t.to === 'ok' || t.to === 'skipped') believed.delete(t.key);
              else believed.set(t.key, t.to);
            }
            const actual = new Map(
              Object.values(record.instances)
                .filter((i) => i.state !== 'ok')
                .map((i) => [i.key, i.state] as const),
            );
            expect(believed).toEqual(actual);
            prev = record;
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
