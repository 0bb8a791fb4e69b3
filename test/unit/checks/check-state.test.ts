import { describe, expect, it } from 'vitest';
import { evaluateCheck, worstState } from '../../../src/checks/check-state.js';
import { empty, failure, run, scalar, SEC, series, skipped, spec, states, T0 } from './fixtures.js';

const MIN = 60 * SEC;

describe('evaluateCheck: one scalar instance', () => {
  it('fails at once when for is 0, with value, time and rendered texts in the transition', () => {
    const s = spec({ fail: '> 0', summary: '5xx rate is {{value}}', description: 'in {{labels.ns}}', labels: { ns: 'web' } });
    const [first] = run(s, [scalar(0.25)]);
    expect(first?.record.state).toBe('failing');
    expect(first?.record.instances['{}']).toMatchObject({ state: 'failing', value: 0.25, failingSince: T0, activeSince: T0 });
    expect(first?.transitions).toEqual([
      {
        key: '{}',
        labels: {},
        from: 'ok',
        to: 'failing',
        value: 0.25,
        at: T0,
        summary: '5xx rate is 0.25',
        description: 'in web',
      },
    ]);
  });

  it('goes ok → pending → failing once the condition has held for `for` (exactly)', () => {
    const steps = run(spec({ forMs: MIN }), [scalar(0), scalar(1), scalar(2), scalar(3)]);
    expect(states(steps)).toEqual(['ok', 'pending', 'pending', 'failing']);
    expect(steps[0]?.transitions).toEqual([]);
    expect(steps[1]?.transitions.map((t) => [t.from, t.to, t.at])).toEqual([['ok', 'pending', T0 + 30 * SEC]]);
    expect(steps[2]?.transitions).toEqual([]);
    expect(steps[3]?.transitions.map((t) => [t.from, t.to, t.value])).toEqual([['pending', 'failing', 3]]);
    expect(steps[3]?.record.instances['{}']).toMatchObject({ activeSince: T0 + 30 * SEC, failingSince: T0 + 90 * SEC });
  });

  it('goes back pending → ok when the condition clears before `for` ran out, and starts over after', () => {
    const steps = run(spec({ forMs: MIN }), [scalar(1), scalar(0), scalar(1), scalar(1), scalar(1)]);
    expect(states(steps)).toEqual(['pending', 'ok', 'pending', 'pending', 'failing']);
    expect(steps[1]?.transitions.map((t) => [t.from, t.to])).toEqual([['pending', 'ok']]);
    expect(steps[1]?.record.instances['{}']?.activeSince).toBeNull();
  });

  it('resolves failing → ok when the condition clears', () => {
    const steps = run(spec(), [scalar(5), scalar(5), scalar(0)]);
    expect(states(steps)).toEqual(['failing', 'failing', 'ok']);
    expect(steps[1]?.transitions).toEqual([]);
    expect(steps[1]?.record.instances['{}']?.failingSince).toBe(T0);
    expect(steps[2]?.transitions).toMatchObject([{ from: 'failing', to: 'ok', value: 0 }]);
    expect(steps[2]?.record.instances['{}']).toMatchObject({ failingSince: null, activeSince: null, lastTrueAt: T0 + 30 * SEC });
  });

  it('emits nothing for a brand-new ok instance', () => {
    expect(run(spec(), [scalar(0)])[0]?.transitions).toEqual([]);
  });

  it('keepFiringFor holds a failing check after the condition clears, then releases it', () => {
    const steps = run(spec({ keepFiringForMs: 2 * MIN }), [scalar(1), scalar(0), scalar(0), scalar(0), scalar(0)]);
    // last true at T0; kept while now - T0 < 2m, i.e. at +30s, +60s, +90s; released at +120s
    expect(states(steps)).toEqual(['failing', 'failing', 'failing', 'failing', 'ok']);
    expect(steps.slice(1, 4).flatMap((s) => s.transitions)).toEqual([]);
    expect(steps[2]?.record.instances['{}']).toMatchObject({ value: 0, failingSince: T0, lastTrueAt: T0 });
    expect(steps[4]?.transitions).toMatchObject([{ from: 'failing', to: 'ok', at: T0 + 2 * MIN }]);
  });

  it('keepFiringFor: a condition that returns while kept firing stays failing, not pending again', () => {
    const steps = run(spec({ forMs: MIN, keepFiringForMs: MIN }), [
      scalar(1),
      scalar(1),
      scalar(1),
      scalar(0),
      scalar(1),
      scalar(0),
      scalar(0),
      scalar(0),
    ]);
    // held last at +2m: kept at +2m30s, released at +3m (keepFiringFor counts from the last true tick)
    expect(states(steps)).toEqual(['pending', 'pending', 'failing', 'failing', 'failing', 'failing', 'ok', 'ok']);
    expect(steps[4]?.record.instances['{}']?.failingSince).toBe(T0 + MIN);
    expect(steps.flatMap((s) => s.transitions).map((t) => `${t.from}>${t.to}`)).toEqual([
      'ok>pending',
      'pending>failing',
      'failing>ok',
    ]);
  });

  it('records when it was evaluated', () => {
    const r = evaluateCheck(spec(), undefined, scalar(0), T0 + 7);
    expect(r.record.lastEvalAt).toBe(T0 + 7);
    expect(r.record.consecutiveErrors).toBe(0);
  });
});

describe('evaluateCheck: special values', () => {
  it('NaN cannot be judged: the instance is unknown, with a reason', () => {
    const [r] = run(spec({ fail: '> 0' }), [scalar(NaN)]);
    expect(r?.record.state).toBe('unknown');
    expect(r?.record.reason).toBe('the query returned NaN');
    expect(r?.record.instances['{}']?.value).toBeNaN();
    expect(r?.transitions).toMatchObject([{ from: 'ok', to: 'unknown' }]);
  });

  it('NaN interrupts a pending instance: its `for` starts over afterwards', () => {
    const steps = run(spec({ forMs: MIN }), [scalar(1), scalar(1), scalar(NaN), scalar(1), scalar(1), scalar(1)]);
    expect(states(steps)).toEqual(['pending', 'pending', 'unknown', 'pending', 'pending', 'failing']);
    expect(steps[3]?.record.instances['{}']?.activeSince).toBe(T0 + 90 * SEC);
  });

  it('NaN after failing is unknown, unless keepFiringFor still holds it failing', () => {
    expect(states(run(spec(), [scalar(1), scalar(NaN)]))).toEqual(['failing', 'unknown']);
    expect(states(run(spec({ keepFiringForMs: MIN }), [scalar(1), scalar(NaN), scalar(NaN)]))).toEqual([
      'failing',
      'failing',
      'unknown',
    ]);
  });

  it('+Inf and -Inf compare as numbers', () => {
    expect(states(run(spec({ fail: '> 1000' }), [scalar(Infinity), scalar(-Infinity)]))).toEqual(['failing', 'ok']);
    expect(states(run(spec({ fail: '< 0' }), [scalar(-Infinity), scalar(Infinity)]))).toEqual(['failing', 'ok']);
    expect(states(run(spec({ fail: '== +Inf' }), [scalar(Infinity)]))).toEqual(['failing']);
  });

  it('`outside A..B` holds strictly outside: the edges themselves are ok', () => {
    const s = spec({ fail: 'outside 0.5..10' });
    const values = [0.5, 10, 7, 0.4999, 10.0001, -Infinity, Infinity];
    expect(values.map((v) => evaluateCheck(s, undefined, scalar(v), T0).record.state)).toEqual([
      'ok',
      'ok',
      'ok',
      'failing',
      'failing',
      'failing',
      'failing',
    ]);
  });

  it('`>=` and `<=` hold at their edge, `>` and `<` do not', () => {
    const at = (fail: string, v: number) => evaluateCheck(spec({ fail }), undefined, scalar(v), T0).record.state;
    expect([at('>= 5', 5), at('> 5', 5), at('<= 5', 5), at('< 5', 5), at('!= 5', 5), at('== 5', 5)]).toEqual([
      'failing',
      'ok',
      'failing',
      'ok',
      'ok',
      'failing',
    ]);
  });
});

describe('evaluateCheck: vectors (one instance per series)', () => {
  const pod = (name: string, value: number) => ({ labels: { pod: name, ns: 'x' }, value });

  it('keeps a state, timer and labels per series; the check is the worst of them', () => {
    const s = spec({ forMs: MIN, summary: '{{labels.pod}}: {{value}}' });
    const steps = run(s, [
      series(pod('a', 1), pod('b', 0)),
      series(pod('a', 1), pod('b', 1)),
      series(pod('a', 1), pod('b', 1)),
      series(pod('a', 0), pod('b', 1)),
    ]);
    const a = '{ns="x",pod="a"}';
    const b = '{ns="x",pod="b"}';
    const instanceStates = steps.map((st) => [st.record.instances[a]?.state, st.record.instances[b]?.state]);
    expect(instanceStates).toEqual([
      ['pending', 'ok'],
      ['pending', 'pending'],
      ['failing', 'pending'],
      ['ok', 'failing'],
    ]);
    expect(states(steps)).toEqual(['pending', 'pending', 'failing', 'failing']);
    expect(steps[2]?.transitions).toEqual([
      { key: a, labels: { pod: 'a', ns: 'x' }, from: 'pending', to: 'failing', value: 1, at: T0 + MIN, summary: 'a: 1' },
    ]);
    expect(steps[3]?.transitions.map((t) => [t.key, t.from, t.to])).toEqual([
      [a, 'failing', 'ok'],
      [b, 'pending', 'failing'],
    ]);
  });

  it('finds an instance again whatever order its labels come in', () => {
    const steps = run(spec({ forMs: MIN }), [
      series({ labels: { b: '2', a: '1' }, value: 1 }),
      series({ labels: { a: '1', b: '2' }, value: 1 }),
      series({ labels: { b: '2', a: '1' }, value: 1 }),
    ]);
    expect(states(steps)).toEqual(['pending', 'pending', 'failing']);
    expect(Object.keys(steps[2]?.record.instances ?? {})).toEqual(['{a="1",b="2"}']);
  });

  it('resolves series that disappear and drops them; an ok series disappears silently', () => {
    const s = spec({ forMs: MIN });
    const steps = run(s, [
      series(pod('a', 1), pod('b', 1), pod('c', 0)),
      series(pod('a', 1), pod('b', 1), pod('c', 0)),
      series(pod('a', 1), pod('b', 1), pod('c', 0)),
      series(pod('d', 0)),
    ]);
    expect(steps[2]?.record.state).toBe('failing');
    const last = steps[3];
    expect(last?.record.state).toBe('ok');
    expect(Object.keys(last?.record.instances ?? {})).toEqual(['{ns="x",pod="d"}']);
    expect(last?.transitions.map((t) => [t.labels['pod'], t.from, t.to, t.value])).toEqual([
      ['a', 'failing', 'ok', null],
      ['b', 'failing', 'ok', null],
    ]);
  });

  it('a pending series that disappears resolves to ok', () => {
    const steps = run(spec({ forMs: MIN }), [series(pod('a', 1)), series(pod('b', 0))]);
    expect(steps[1]?.transitions).toMatchObject([{ key: '{ns="x",pod="a"}', from: 'pending', to: 'ok' }]);
  });

  it('a failing series that disappears keeps failing for keepFiringFor, then resolves and is dropped', () => {
    const a = '{ns="x",pod="a"}';
    const steps = run(spec({ keepFiringForMs: MIN }), [series(pod('a', 1)), series(pod('b', 0)), series(pod('b', 0))]);
    expect(states(steps)).toEqual(['failing', 'failing', 'ok']);
    expect(steps[1]?.record.instances[a]).toMatchObject({ state: 'failing', value: 1 });
    expect(steps[1]?.transitions).toEqual([]);
    expect(steps[2]?.record.instances[a]).toBeUndefined();
    expect(steps[2]?.transitions).toMatchObject([{ key: a, from: 'failing', to: 'ok' }]);
  });

  it('escapes quotes and backslashes in instance keys', () => {
    const [r] = run(spec(), [series({ labels: { path: 'a"b\\c' }, value: 1 })]);
    expect(Object.keys(r?.record.instances ?? {})).toEqual(['{path="a\\"b\\\\c"}']);
  });
});

describe('evaluateCheck: no data', () => {
  it('noData ok: the check is ok, one {} instance, no transition', () => {
    const [r] = run(spec({ noData: 'ok' }), [empty()]);
    expect(r?.record.state).toBe('ok');
    expect(Object.keys(r?.record.instances ?? {})).toEqual(['{}']);
    expect(r?.transitions).toEqual([]);
  });

  it('noData ok resolves series that were failing', () => {
    const steps = run(spec({ noData: 'ok' }), [series({ labels: { pod: 'a' }, value: 1 }), empty()]);
    expect(states(steps)).toEqual(['failing', 'ok']);
    expect(steps[1]?.transitions).toMatchObject([{ key: '{pod="a"}', from: 'failing', to: 'ok' }]);
  });

  it('noData unknown (the default): the check is unknown with reason "no data"', () => {
    const steps = run(spec(), [empty(), empty(), scalar(0)]);
    expect(states(steps)).toEqual(['unknown', 'unknown', 'ok']);
    expect(steps[0]?.record.reason).toBe('no data');
    expect(steps[0]?.record.instances['{}']).toMatchObject({ state: 'unknown', value: null, reason: 'no data' });
    expect(steps[0]?.transitions).toMatchObject([{ from: 'ok', to: 'unknown', value: null }]);
    expect(steps[2]?.transitions).toMatchObject([{ from: 'unknown', to: 'ok' }]);
    expect(steps[2]?.record.reason).toBeUndefined();
  });

  it('noData fail: no data counts as the condition holding, `for` included', () => {
    const steps = run(spec({ noData: 'fail', forMs: MIN, summary: 'value {{value}}' }), [empty(), empty(), empty()]);
    expect(states(steps)).toEqual(['pending', 'pending', 'failing']);
    expect(steps[2]?.transitions).toMatchObject([{ key: '{}', from: 'pending', to: 'failing', value: null, summary: 'value no data' }]);
  });

  it('series that vanish into no data resolve, and the {} instance takes over', () => {
    const steps = run(spec({ noData: 'unknown', forMs: MIN }), [series({ labels: { pod: 'a' }, value: 1 }), empty()]);
    expect(steps[1]?.record.state).toBe('unknown');
    expect(steps[1]?.transitions.map((t) => [t.key, t.from, t.to])).toEqual([
      ['{}', 'ok', 'unknown'],
      ['{pod="a"}', 'pending', 'ok'],
    ]);
  });
});

describe('evaluateCheck: query errors', () => {
  const ERR = failure('Prometheus unreachable');

  it('from nothing: unknown at once (never ok), counting errors; at the limit the reason says so', () => {
    const steps = run(spec({ errorLimit: 3 }), [ERR, ERR, ERR, ERR]);
    expect(states(steps)).toEqual(['unknown', 'unknown', 'unknown', 'unknown']);
    expect(steps.map((s) => s.record.consecutiveErrors)).toEqual([1, 2, 3, 4]);
    expect(steps[0]?.record.lastError).toBe('Prometheus unreachable');
    expect(steps[0]?.transitions).toMatchObject([{ key: '{}', from: 'ok', to: 'unknown', value: null }]);
    expect(steps.slice(1).flatMap((s) => s.transitions)).toEqual([]);
    expect(steps[2]?.record.reason).toBe('3 consecutive query errors: Prometheus unreachable');
    expect(steps[3]?.record.reason).toBe('4 consecutive query errors: Prometheus unreachable');
  });

  it('from ok: stays ok below the limit, unknown at it', () => {
    const steps = run(spec({ errorLimit: 3 }), [scalar(0), ERR, ERR, ERR, ERR]);
    expect(states(steps)).toEqual(['ok', 'ok', 'ok', 'unknown', 'unknown']);
    expect(steps[3]?.transitions).toMatchObject([{ from: 'ok', to: 'unknown', value: null }]);
    expect(steps[3]?.record.instances['{}']?.reason).toBe('3 consecutive query errors: Prometheus unreachable');
    expect(steps[4]?.transitions).toEqual([]);
  });

  it('from failing: stays failing below the limit (an outage never resolves an alert), unknown at it', () => {
    const steps = run(spec({ errorLimit: 2 }), [scalar(1), ERR, ERR]);
    expect(states(steps)).toEqual(['failing', 'failing', 'unknown']);
    expect(steps[1]?.record.instances['{}']).toMatchObject({ state: 'failing', value: 1 });
    expect(steps[1]?.transitions).toEqual([]);
    expect(steps[2]?.transitions).toMatchObject([{ from: 'failing', to: 'unknown' }]);
  });

  it('turns every series unknown at the limit', () => {
    const steps = run(spec({ errorLimit: 1 }), [
      series({ labels: { pod: 'a' }, value: 1 }, { labels: { pod: 'b' }, value: 0 }),
      ERR,
    ]);
    expect(Object.values(steps[1]?.record.instances ?? {}).map((i) => [i.key, i.state])).toEqual([
      ['{pod="a"}', 'unknown'],
      ['{pod="b"}', 'unknown'],
    ]);
    expect(steps[1]?.transitions.map((t) => [t.key, t.from, t.to])).toEqual([
      ['{pod="a"}', 'failing', 'unknown'],
      ['{pod="b"}', 'ok', 'unknown'],
    ]);
  });

  it('does not advance a pending instance below the limit; its `for` still counts from when it began', () => {
    const steps = run(spec({ forMs: MIN, errorLimit: 3 }), [scalar(1), ERR, ERR, scalar(1)]);
    expect(states(steps)).toEqual(['pending', 'pending', 'pending', 'failing']);
  });

  it('recovers after errors: a successful query resets the count and the check is judged afresh', () => {
    const steps = run(spec({ errorLimit: 2 }), [ERR, ERR, ERR, scalar(0), ERR]);
    expect(states(steps)).toEqual(['unknown', 'unknown', 'unknown', 'ok', 'ok']);
    expect(steps[3]?.record.consecutiveErrors).toBe(0);
    expect(steps[3]?.record.lastError).toBeUndefined();
    expect(steps[3]?.transitions).toMatchObject([{ from: 'unknown', to: 'ok', value: 0 }]);
    expect(steps[4]?.record.consecutiveErrors).toBe(1);
  });

  it('errors that never reach the limit in a row never make the check unknown', () => {
    const steps = run(spec({ errorLimit: 3 }), [scalar(0), ERR, ERR, scalar(0), ERR, ERR, scalar(0)]);
    expect(states(steps).every((s) => s === 'ok')).toBe(true);
  });

  it('recovering into a condition that holds fails at once when it held before the outage for long enough', () => {
    const steps = run(spec({ forMs: MIN, errorLimit: 1 }), [scalar(1), ERR, ERR, scalar(1)]);
    expect(states(steps)).toEqual(['pending', 'unknown', 'unknown', 'failing']);
  });
});

describe('evaluateCheck: skipped', () => {
  it('from failing: drops every instance and emits a transition to skipped', () => {
    const steps = run(spec({ summary: '{{value}}' }), [scalar(4), skipped('the suite is not running (its guard is 0)')]);
    const r = steps[1];
    expect(r?.record).toMatchObject({ state: 'skipped', instances: {}, reason: 'the suite is not running (its guard is 0)' });
    expect(r?.transitions).toMatchObject([{ key: '{}', from: 'failing', to: 'skipped', value: null, summary: 'no data' }]);
  });

  it('from ok: skipped without a transition', () => {
    const steps = run(spec(), [scalar(0), skipped()]);
    expect(steps[1]?.record.state).toBe('skipped');
    expect(steps[1]?.transitions).toEqual([]);
  });

  it('back from skipped: judged afresh, `for` starting over', () => {
    const steps = run(spec({ forMs: MIN }), [scalar(1), scalar(1), scalar(1), skipped(), scalar(1), scalar(0)]);
    expect(states(steps)).toEqual(['pending', 'pending', 'failing', 'skipped', 'pending', 'ok']);
    expect(steps[4]?.transitions).toMatchObject([{ from: 'ok', to: 'pending' }]);
  });

  it('errors while skipped keep it skipped below the limit', () => {
    const steps = run(spec({ errorLimit: 2 }), [skipped(), failure(), failure()]);
    expect(states(steps)).toEqual(['skipped', 'skipped', 'unknown']);
  });
});

describe('worstState', () => {
  it('orders failing > pending > unknown > ok > skipped', () => {
    expect(worstState(['ok', 'skipped'])).toBe('ok');
    expect(worstState(['ok', 'unknown', 'skipped'])).toBe('unknown');
    expect(worstState(['unknown', 'pending'])).toBe('pending');
    expect(worstState(['pending', 'failing', 'ok'])).toBe('failing');
    expect(worstState(['skipped'])).toBe('skipped');
  });

  it('returns the fallback for no states', () => {
    expect(worstState([])).toBe('ok');
    expect(worstState([], 'skipped')).toBe('skipped');
  });
});

describe('evaluateCheck: the `nan` policy, over time', () => {
  // Each row: policy, values fed every 30 s (NaN marked), the states expected.
  const table: Array<{ nan: 'ok' | 'unknown' | 'fail'; forMs: number; values: number[]; want: string[] }> = [
    { nan: 'unknown', forMs: 0, values: [NaN, 0, NaN], want: ['unknown', 'ok', 'unknown'] },
    { nan: 'ok', forMs: 0, values: [NaN, 1, NaN], want: ['ok', 'failing', 'ok'] },
    { nan: 'fail', forMs: 0, values: [NaN, 0, NaN], want: ['failing', 'ok', 'failing'] },
    // `fail` honours `for` like any value that meets the condition.
    { nan: 'fail', forMs: MIN, values: [NaN, NaN, NaN, 0], want: ['pending', 'pending', 'failing', 'ok'] },
    // `ok` interrupts a pending instance as a clear value does: `for` starts over.
    { nan: 'ok', forMs: MIN, values: [1, 1, NaN, 1, 1, 1], want: ['pending', 'pending', 'ok', 'pending', 'pending', 'failing'] },
  ];
  for (const row of table) {
    it(`nan: ${row.nan}, for ${row.forMs / SEC}s: ${row.values.join(', ')} → ${row.want.join(', ')}`, () => {
      expect(states(run(spec({ nan: row.nan, forMs: row.forMs }), row.values.map(scalar)))).toEqual(row.want);
    });
  }

  it('nan absent is unknown (the default), with the NaN kept as the value', () => {
    const [r] = run(spec(), [scalar(NaN)]);
    expect(r?.record).toMatchObject({ state: 'unknown', reason: 'the query returned NaN' });
    const [f] = run(spec({ nan: 'fail' }), [scalar(NaN)]);
    expect(f?.record.instances['{}']?.value).toBeNaN();
    expect(f?.record.reason).toBeUndefined();
  });
});

describe('evaluateCheck: the `unknown` outcome (guard data source missing)', () => {
  const missing = { kind: 'unknown' as const, reason: 'the guard data source is missing' };

  it('turns every instance unknown at once, counting no error, and recovers on data', () => {
    const steps = run(spec({ errorLimit: 3 }), [series({ labels: { pod: 'a' }, value: 1 }, { labels: { pod: 'b' }, value: 0 }), missing, scalar(0)]);
    expect(states(steps)).toEqual(['failing', 'unknown', 'ok']);
    expect(steps[1]?.record).toMatchObject({ consecutiveErrors: 0, reason: 'the guard data source is missing' });
    expect(Object.values(steps[1]?.record.instances ?? {}).map((i) => i.state)).toEqual(['unknown', 'unknown']);
    expect(steps[1]?.transitions.map((t) => `${t.from}>${t.to}`).sort()).toEqual(['failing>unknown', 'ok>unknown']);
  });

  it('gives a check with no record a `{}` unknown instance', () => {
    const [r] = run(spec(), [missing]);
    expect(r?.record.instances['{}']).toMatchObject({ state: 'unknown', reason: 'the guard data source is missing' });
  });
});
