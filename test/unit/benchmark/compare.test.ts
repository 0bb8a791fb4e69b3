// Baselines, regression findings, the samples that make them checks, and run deltas.

import { describe, expect, it } from 'vitest';
import { compareRuns, findRegressions, median, regressionChecks, regressionSamples, sampleOf, selectBaseline } from '../../../src/benchmark/compare.js';
import { evaluateCheck } from '../../../src/checks/check-state.js';
import { result, run } from './results-fixtures.js';

const thresholds = { p99Percent: 10, cpuPercent: 15 };

describe('median', () => {
  it.each([
    [[], null], [[3], 3], [[5, 1, 3], 3], [[4, 1, 3, 2], 2.5],
  ])('median(%j) = %s', (xs, m) => expect(median(xs)).toBe(m));
});

describe('selectBaseline', () => {
  const history = [
    result({ runId: 'a', istioVersion: '1.23.0', startedAt: 1, p99: 1000, cpu: 100 }),
    result({ runId: 'b', istioVersion: '1.23.0', startedAt: 2, p99: 3000, cpu: 300 }),
    result({ runId: 'c', istioVersion: '1.23.0', startedAt: 3, p99: 2000, cpu: 200 }),
    result({ runId: 'd', istioVersion: '1.24.0', startedAt: 4, p99: 9000, cpu: 900 }),
    result({ runId: 'e', istioVersion: '1.23.0', startedAt: 5, p99: 7000, connections: 4 }),
  ].map(sampleOf);
  const current = result({ runId: 'now', istioVersion: '1.24.0', startedAt: 10 });

  it.each([
    ['median of the last 3 under another version, same point', { kind: 'median', lastN: 3 } as const, { p99: 2000, from: ['c', 'b', 'a'] }],
    ['median of the last 2', { kind: 'median', lastN: 2 } as const, { p99: 2500, from: ['c', 'b'] }],
    ['a pinned run, whatever its version', { kind: 'pinned', runId: 'd' } as const, { p99: 9000, from: ['d'] }],
  ])('%s', (_name, policy, expected) => {
    expect(selectBaseline(current, history, policy)).toMatchObject(expected);
  });

  it.each([
    ['nothing under another version', [sampleOf(result({ runId: 'x', istioVersion: '1.24.0' }))], { kind: 'median', lastN: 5 } as const],
    ['a pinned run that does not hold this point', history, { kind: 'pinned', runId: 'e' } as const],
    ['the current run itself', [sampleOf(current)], { kind: 'pinned', runId: 'now' } as const],
  ])('none for %s', (_name, hist, policy) => {
    expect(selectBaseline(current, hist, policy)).toBeUndefined();
  });
});

describe('findRegressions', () => {
  const baseline = { p99: 2000, cpu: { istio_proxy_fortioserver: 100, discovery: 20 }, mem: { istio_proxy_fortioserver: 50 }, from: ['a'] };
  it.each([
    ['p99 +10 % exactly is not a regression', { p99: 2200 }, []],
    ['p99 +10.05 % is', { p99: 2201 }, ['p99']],
    ['CPU +15 % is not', { cpu: 115 }, []],
    ['CPU +20 % is', { cpu: 120 }, ['cpu:istio_proxy_fortioserver']],
    ['faster and cheaper is not', { p99: 1000, cpu: 50 }, []],
  ])('%s', (_name, input, regressed) => {
    const f = findRegressions(result(input), baseline, thresholds);
    expect(f.filter((x) => x.regressed).map((x) => (x.component ? `${x.metric}:${x.component}` : x.metric))).toEqual(regressed);
  });

  it('skips a metric that was not measured or has a zero baseline', () => {
    const f = findRegressions(result({ p99: null }), { ...baseline, cpu: { istio_proxy_fortioserver: 0 } }, thresholds);
    expect(f.map((x) => x.metric)).toEqual([]);
  });
});

describe('regression checks', () => {
  it('turn a regression into a failing check instance through the ordinary state machine', () => {
    const current = result({ p99: 2600, mode: 'both', connections: 2, qps: 10 });
    const base = { p99: 2000, cpu: {}, mem: {}, from: ['a'] };
    const findings = [{ result: current, findings: findRegressions(current, base, thresholds) }];
    const [p99Check] = regressionChecks(thresholds);
    const samples = regressionSamples('p99', findings);
    expect(samples).toEqual([{ labels: { mode: 'both', connections: '2', qps: '10', payload: '1024' }, value: 30 }]);
    const { record, transitions } = evaluateCheck(p99Check!, undefined, { kind: 'data', samples }, 5000);
    expect(record.state).toBe('failing');
    expect(transitions.map((t) => t.to)).toEqual(['failing']);
    expect(Object.values(record.instances)[0]?.summary).toBe('p99 latency 30 % over the baseline (mode both, c 2, qps 10)');
  });

  it('no findings: the check is ok (noData ok), never skipped silently', () => {
    const [p99Check] = regressionChecks(thresholds);
    expect(evaluateCheck(p99Check!, undefined, { kind: 'data', samples: [] }, 0).record.state).toBe('ok');
  });

  it('a memory check only when a memory threshold is set', () => {
    expect(regressionChecks(thresholds).map((c) => c.name)).toEqual(['bench-p99-regression', 'bench-cpu-regression']);
    expect(regressionChecks({ ...thresholds, memPercent: 20 }).map((c) => c.name)).toContain('bench-mem-regression');
  });
});

describe('compareRuns', () => {
  it('gives deltas for the points both runs hold', () => {
    const a = run('A', '1.23.0', [result({ p99: 2000, cpu: 100 }), result({ connections: 8 })]);
    const b = run('B', '1.24.0', [result({ p99: 3000, cpu: 150 })]);
    const rows = compareRuns(a, b);
    expect(rows.find((r) => r.metric === 'p99_us')).toEqual({ point: 'both/c2/q10/s1024', metric: 'p99_us', a: 2000, b: 3000, deltaPercent: 50 });
    expect(rows.find((r) => r.metric === 'cpu_mili_avg_istio_proxy_fortioserver')?.deltaPercent).toBe(50);
    expect(rows.find((r) => r.metric === 'errorPercent')?.deltaPercent).toBeNull();
    expect(new Set(rows.map((r) => r.point))).toEqual(new Set(['both/c2/q10/s1024']));
  });
});
