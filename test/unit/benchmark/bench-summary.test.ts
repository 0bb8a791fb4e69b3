// The baseline summaries kept beside each run: the compact column-wise format round-trips
// every sample (missing components stay missing), the first format is still read, damaged
// records are refused with a reason; and a run's baselines read history only as far back as
// its medians need.

import { describe, expect, it } from 'vitest';
import { benchSummaryCodec, type BenchSummary } from '../../../src/adapters/redis/codecs.js';
import { baselineHistory } from '../../../src/benchmark/run-benchmark.js';
import { expandMatrix, pointKey, type BenchmarkSpec } from '../../../src/benchmark/model.js';
import type { BaselineSample } from '../../../src/benchmark/compare.js';

const summary: BenchSummary = {
  runId: 'r1',
  state: 'done',
  samples: [
    { runId: 'r1', istioVersion: '1.24.0', startedAt: 1000, key: 'both/c2/q10/s1024', p99: 2500, cpu: { proxy: 120.5, istiod: 12 }, mem: { proxy: 50 } },
    { runId: 'r1', istioVersion: '1.24.0', startedAt: 2000, key: 'baseline/c2/q10/s1024', p99: null, cpu: { istiod: 11 }, mem: {} },
  ],
};

describe('benchSummaryCodec', () => {
  it('round-trips the compact format', () => {
    const text = benchSummaryCodec.encode(summary);
    expect(JSON.parse(text)).toMatchObject({ v: 2, components: ['proxy', 'istiod'], cpu: [[120.5, null], [12, 11]], mem: [[50, null], [null, null]] });
    expect(benchSummaryCodec.parse(text)).toEqual({ kind: 'ok', value: summary });
  });

  it('still reads the first format', () => {
    expect(benchSummaryCodec.parse(JSON.stringify(summary))).toEqual({ kind: 'ok', value: summary });
  });

  it('refuses a compact record whose columns disagree or hold non-numbers', () => {
    const good = JSON.parse(benchSummaryCodec.encode(summary)) as Record<string, unknown>;
    expect(benchSummaryCodec.parse(JSON.stringify({ ...good, p99: [1] }))).toEqual({ kind: 'corrupt', reason: 'record: columns of different lengths' });
    expect(benchSummaryCodec.parse(JSON.stringify({ ...good, startedAt: ['x', 2] }))).toEqual({ kind: 'corrupt', reason: 'startedAt: expected an array of numbers' });
  });
});

describe('baselineHistory', () => {
  const spec = {
    connections: [2], qps: [10], payloadBytes: [1024], modes: ['both', 'baseline'], istioVersion: '1.30.0',
    regression: { baseline: { kind: 'median', lastN: 2 }, thresholds: { p99Percent: 10, cpuPercent: 15 } },
  } as unknown as BenchmarkSpec;
  const keys = expandMatrix(spec).map(pointKey);
  /** Runs newest first; every third under the current version (not a baseline). */
  const runs: BaselineSample[][] = Array.from({ length: 30 }, (_, i) =>
    keys.map((key) => ({ runId: `r${i}`, istioVersion: i % 3 === 0 ? '1.30.0' : `1.2${i % 3}.0`, startedAt: 10_000 - i, key, p99: 1, cpu: {}, mem: {} })));

  it('stops reading once every point has its last N results under another version', async () => {
    let asked = 0;
    const store = {
      history: async (_suite: string, o?: { enough?: (s: readonly BaselineSample[]) => boolean }) => {
        const got: BaselineSample[] = [];
        for (const run of runs) {
          asked += 1;
          got.push(...run);
          if (o?.enough?.(got)) break;
        }
        return got;
      },
    };
    const history = await baselineHistory(store, 'bench', spec);
    // r0 is the current version; r1 and r2 give both points their two other-version results.
    expect(asked).toBe(3);
    expect(new Set(history.map((s) => s.runId))).toEqual(new Set(['r0', 'r1', 'r2']));
    const pinned = { ...spec, regression: { ...spec.regression, baseline: { kind: 'pinned' as const, runId: 'r5' } } };
    expect(await baselineHistory(store, 'bench', pinned)).toEqual([]);
  });
});
