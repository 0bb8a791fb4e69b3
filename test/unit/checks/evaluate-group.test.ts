import { tableProvider } from '../../fakes/table-provider.js';
import { describe, expect, it } from 'vitest';
import { evaluateGroup } from '../../../src/checks/evaluate-group.js';
import { Fault } from '../../../src/shared/errors.js';
import type { InstantQueryOptions, MetricsProvider } from '../../../src/adapters/prometheus/types.js';
import type { Sample } from '../../../src/checks/types.js';
import { spec, T0 } from './fixtures.js';

interface Call {
  expr: string;
  options: InstantQueryOptions | undefined;
  resolve(samples: Sample[]): void;
  reject(err: unknown): void;
}

/** A provider whose queries stay in flight until the test settles them. */
function gatedProvider(): { provider: MetricsProvider; calls: Call[] } {
  const calls: Call[] = [];
  const provider: MetricsProvider = {
    query: (expr, options) => new Promise<Sample[]>((resolve, reject) => calls.push({ expr, options, resolve, reject })),
    close: async () => {},
  };
  return { provider, calls };
}


/** Lets pending promise callbacks run, at most `rounds` times, until `done()`. */
async function settle(done: () => boolean, rounds = 50): Promise<void> {
  for (let i = 0; i < rounds && !done(); i++) await new Promise((r) => setImmediate(r));
}

const one = (value: number): Sample[] => [{ labels: {}, value }];

const checks = [
  spec({ name: '5xx', query: 'q5xx', fail: '> 0', severity: 'critical' }),
  spec({ name: 'cpu', query: 'qcpu', fail: '> 50' }),
  spec({ name: 'mem', query: 'qmem', fail: '> 64', severity: 'info' }),
];

describe('evaluateGroup', () => {
  it('starts every check query before any has answered, then judges each', async () => {
    const { provider, calls } = gatedProvider();
    const tick = evaluateGroup({ checks }, provider, {}, T0);
    await settle(() => calls.length === 3);
    expect(calls.map((c) => c.expr)).toEqual(['q5xx', 'qcpu', 'qmem']);
    // answer out of order: results still land on the right checks
    calls[2]?.resolve(one(100));
    calls[0]?.resolve(one(0));
    calls[1]?.resolve(one(10));
    const r = await tick;
    expect(Object.fromEntries(Object.entries(r.records).map(([k, v]) => [k, v.state]))).toEqual({
      '5xx': 'ok',
      cpu: 'ok',
      mem: 'failing',
    });
    expect(r.transitions).toMatchObject([{ check: 'mem', severity: 'info', from: 'ok', to: 'failing', value: 100, at: T0 }]);
    expect(r.errors).toBe(0);
    expect(Number.isFinite(r.durationMs)).toBe(true);
  });

  it('runs the guard first and the checks only once it says the suite is running', async () => {
    const { provider, calls } = gatedProvider();
    const tick = evaluateGroup({ guard: 'qguard', checks }, provider, {}, T0);
    await settle(() => calls.length > 1, 5);
    expect(calls.map((c) => c.expr)).toEqual(['qguard']);
    calls[0]?.resolve(one(3));
    await settle(() => calls.length === 4);
    expect(calls.map((c) => c.expr)).toEqual(['qguard', 'q5xx', 'qcpu', 'qmem']);
    for (const c of calls.slice(1)) c.resolve(one(0));
    expect(Object.values((await tick).records).map((rec) => rec.state)).toEqual(['ok', 'ok', 'ok']);
  });

  it('skips every check when the guard says not running, dropping the answers of the queries started beside it, resolving failing ones', async () => {
    const { provider, asked } = tableProvider({ qguard: [], q5xx: one(2), qcpu: one(0), qmem: one(0) });
    const before = (await evaluateGroup({ checks }, tableProvider({ q5xx: one(2), qcpu: one(0), qmem: one(0) }).provider, {}, T0))
      .records;
    expect(before['5xx']?.state).toBe('failing');

    const r = await evaluateGroup({ guard: 'qguard', checks }, provider, before, T0 + 30_000);
    // The suite ran on the previous tick: the checks' queries went out with the guard, guard first.
    expect(asked).toEqual(['qguard', 'q5xx', 'qcpu', 'qmem']);
    expect(Object.values(r.records).map((rec) => [rec.state, rec.reason])).toEqual([
      ['skipped', 'the suite is not running (its guard returned no data)'],
      ['skipped', 'the suite is not running (its guard returned no data)'],
      ['skipped', 'the suite is not running (its guard returned no data)'],
    ]);
    expect(r.transitions).toMatchObject([{ check: '5xx', severity: 'critical', from: 'failing', to: 'skipped' }]);
  });

  it('asks the guard’s data source when the guard is empty: present means skipped (not deployed)', async () => {
    const { provider, asked } = tableProvider({ qguard: [], qsource: [] });
    const r = await evaluateGroup({ guard: 'qguard', guardSource: 'qsource', checks }, provider, {}, T0);
    expect(asked).toEqual(['qguard', 'qsource']);
    expect(r.guard).toBe('not-running');
    expect(Object.values(r.records).map((rec) => rec.state)).toEqual(['skipped', 'skipped', 'skipped']);
  });

  it('makes every check unknown at once, never skipped, when the guard’s data source is missing', async () => {
    const { provider, asked } = tableProvider({ qguard: [], qsource: one(1) });
    const before = (await evaluateGroup({ checks }, tableProvider({ q5xx: one(2), qcpu: one(0), qmem: one(0) }).provider, {}, T0))
      .records;
    const r = await evaluateGroup({ guard: 'qguard', guardSource: 'qsource', checks }, provider, before, T0 + 30_000);
    // The checks' queries went out beside the guard (the suite ran on the previous tick); the
    // table rejects them, and those rejections are dropped with the rest of their answers (errors: 0).
    expect(asked).toEqual(['qguard', 'q5xx', 'qcpu', 'qmem', 'qsource']);
    expect(r.guard).toBe('source-missing');
    expect(r.errors).toBe(0);
    for (const rec of Object.values(r.records)) {
      expect(rec.state).toBe('unknown');
      expect(rec.consecutiveErrors).toBe(0);
      expect(rec.reason).toMatch(/data source is missing \(qsource is true\)/);
    }
    // Leaving failing for unknown is a transition (and no resolved alert: alert-event.ts).
    expect(r.transitions.map((t) => `${t.check}:${t.from}>${t.to}`).sort()).toEqual(['5xx:failing>unknown', 'cpu:ok>unknown', 'mem:ok>unknown']);
  });

  it('does not ask the data source when the guard answered 0 (an answer, not an absence)', async () => {
    const { provider, asked } = tableProvider({ qguard: one(0) });
    const r = await evaluateGroup({ guard: 'qguard', guardSource: 'qsource', checks }, provider, {}, T0);
    expect(asked).toEqual(['qguard']);
    expect(r.guard).toBe('not-running');
  });

  it('gives every check an error when the data-source query fails', async () => {
    const { provider } = tableProvider({ qguard: [], qsource: new Fault('timeout', 'query timed out') });
    const r = await evaluateGroup({ guard: 'qguard', guardSource: 'qsource', checks }, provider, {}, T0);
    expect(r.guard).toBe('error');
    expect(r.records['5xx']).toMatchObject({ state: 'unknown', lastError: 'guard source query failed: query timed out' });
  });

  it('reports the guard as running, or none without a guard', async () => {
    const all = { q5xx: one(0), qcpu: one(0), qmem: one(0) };
    expect((await evaluateGroup({ guard: 'qguard', checks }, tableProvider({ qguard: one(1), ...all }).provider, {}, T0)).guard).toBe('running');
    expect((await evaluateGroup({ checks }, tableProvider(all).provider, {}, T0)).guard).toBe('none');
  });

  it('gives every check the guard’s error when the guard query fails', async () => {
    const { provider, asked } = tableProvider({ qguard: new Fault('timeout', 'query timed out after 10s') });
    const r = await evaluateGroup({ guard: 'qguard', checks }, provider, {}, T0);
    expect(asked).toEqual(['qguard']);
    expect(r.errors).toBe(3);
    for (const rec of Object.values(r.records)) {
      expect(rec).toMatchObject({
        state: 'unknown',
        consecutiveErrors: 1,
        lastErrorKind: 'timeout',
        lastError: 'guard query failed: query timed out after 10s',
      });
    }
  });

  it('starts the checks’ queries beside the guard when the suite ran on the previous tick, judging them once it says running', async () => {
    const { provider, calls } = gatedProvider();
    const before = (await evaluateGroup({ checks }, tableProvider({ q5xx: one(0), qcpu: one(0), qmem: one(0) }).provider, {}, T0)).records;
    const tick = evaluateGroup({ guard: 'qguard', checks }, provider, before, T0 + 30_000);
    await settle(() => calls.length === 4);
    expect(calls.map((c) => c.expr)).toEqual(['qguard', 'q5xx', 'qcpu', 'qmem']);
    for (const c of calls.slice(1)) c.resolve(one(2));
    calls[0]?.resolve(one(1));
    const r = await tick;
    expect(r.guard).toBe('running');
    expect(r.records['5xx']?.state).toBe('failing');
  });

  it('never passes on the checks’ answers when the guard beside them fails: every check gets the guard’s error', async () => {
    const before = (await evaluateGroup({ checks }, tableProvider({ q5xx: one(0), qcpu: one(0), qmem: one(0) }).provider, {}, T0)).records;
    const { provider, asked } = tableProvider({ qguard: new Fault('timeout', 'query timed out after 10s'), q5xx: one(0), qcpu: one(0), qmem: one(0) });
    const r = await evaluateGroup({ guard: 'qguard', checks }, provider, before, T0 + 30_000);
    expect(asked).toEqual(['qguard', 'q5xx', 'qcpu', 'qmem']);
    expect(r.guard).toBe('error');
    expect(r.errors).toBe(3);
    // Each check takes the guard's error (ok holds under errorLimit, as when the guard ran alone), never the checks' answers.
    for (const rec of Object.values(r.records)) expect(rec).toMatchObject({ consecutiveErrors: 1, lastError: 'guard query failed: query timed out after 10s' });
    const alone = await evaluateGroup({ guard: 'qguard', checks }, tableProvider({ qguard: new Fault('timeout', 'query timed out after 10s') }).provider, before, T0 + 30_000);
    expect(r.records).toEqual(alone.records);
  });

  it('asks the guard alone first when the suite was skipped on the previous tick', async () => {
    const skipped = (await evaluateGroup({ guard: 'qguard', checks }, tableProvider({ qguard: [] }).provider, {}, T0)).records;
    const { provider, calls } = gatedProvider();
    const tick = evaluateGroup({ guard: 'qguard', checks }, provider, skipped, T0 + 30_000);
    await settle(() => calls.length > 1, 5);
    expect(calls.map((c) => c.expr)).toEqual(['qguard']);
    calls[0]?.resolve([]);
    expect((await tick).guard).toBe('not-running');
  });

  it('turns a rejected query into that check’s error, leaving the others judged', async () => {
    const { provider } = tableProvider({
      q5xx: new Fault('bad_data', 'parse error at char 5'),
      qcpu: 'a thrown string',
      qmem: one(1),
    });
    const r = await evaluateGroup({ checks }, provider, {}, T0);
    expect(r.errors).toBe(2);
    expect(r.records['5xx']).toMatchObject({ state: 'unknown', lastErrorKind: 'bad_data', lastError: 'parse error at char 5' });
    expect(r.records['cpu']).toMatchObject({ state: 'unknown', lastErrorKind: 'unknown', lastError: 'a thrown string' });
    expect(r.records['mem']).toMatchObject({ state: 'ok', consecutiveErrors: 0 });
  });

  it('catches a provider that throws instead of rejecting', async () => {
    const provider: MetricsProvider = {
      query: () => {
        throw new Error('boom');
      },
      close: async () => {},
    };
    const r = await evaluateGroup({ checks: [checks[0]!] }, provider, {}, T0);
    expect(r.records['5xx']).toMatchObject({ state: 'unknown', lastError: 'boom', lastErrorKind: 'unknown' });
  });

  it('carries state between ticks through `prev`, and passes the abort signal to the provider', async () => {
    const forOneMinute = [spec({ name: 'slow', query: 'q', forMs: 60_000 })];
    const { provider, calls } = gatedProvider();
    const controller = new AbortController();
    let prev = {};
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      const tick = evaluateGroup({ checks: forOneMinute }, provider, prev, T0 + i * 30_000, { signal: controller.signal });
      await settle(() => calls.length === i + 1);
      calls[i]?.resolve(one(1));
      const r = await tick;
      prev = r.records;
      seen.push(r.records['slow']?.state ?? '');
    }
    expect(seen).toEqual(['pending', 'pending', 'failing']);
    expect(calls.every((c) => c.options?.signal === controller.signal)).toBe(true);
  });

  it('does not carry records of checks no longer in the group', async () => {
    const { provider } = tableProvider({ q5xx: one(0) });
    const old = { gone: { state: 'failing' as const, instances: {}, consecutiveErrors: 0, lastEvalAt: T0 } };
    const r = await evaluateGroup({ checks: [checks[0]!] }, provider, old, T0);
    expect(Object.keys(r.records)).toEqual(['5xx']);
  });
});
