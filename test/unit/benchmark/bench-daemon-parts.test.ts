// The daemon's benchmark pieces that need no server: which benchmark schedulers a config asks
// for, which stored runs feed the mesh_soak_bench_* gauges, and how run ids are formed.

import { describe, expect, it } from 'vitest';
import { wantedBenchmarkSchedulers } from '../../../src/adapters/bullmq/schedules.js';
import { latestResults } from '../../../src/daemon/benchmarks.js';
import { benchCheckGroup, benchRunId } from '../../../src/benchmark/bench-job.js';
import type { BenchmarkSpec } from '../../../src/benchmark/model.js';
import type { Schedule } from '../../../src/config/model.js';
import { config, suite } from '../../integration/daemon/fixtures.js';
import { result, run } from './results-fixtures.js';

const base = { prometheusUrl: 'http://127.0.0.1:1', redisUrl: 'redis://127.0.0.1:1' };

function bench(schedule?: Schedule): BenchmarkSpec & { schedule?: Schedule } {
  const spec: BenchmarkSpec & { schedule?: Schedule } = {
    connections: [2], qps: [10], payloadBytes: [0], modes: ['both'], durationMs: 100_000, warmupMs: 62_000, cooldownMs: 30_000, stepMs: 15_000,
    targets: { both: 'http://s/echo' }, fortioUrl: 'http://c:8080', istioVersion: 'v', keepRuns: 10,
    regression: { baseline: { kind: 'median', lastN: 5 }, thresholds: { p99Percent: 10, cpuPercent: 15 } },
  };
  if (schedule) spec.schedule = schedule;
  return spec;
}

describe('wantedBenchmarkSchedulers', () => {
  it('schedules each enabled benchmark suite that has a schedule, by every or cron', () => {
    const cfg = config({
      ...base,
      suites: [
        suite('nightly', [], { benchmark: bench({ cron: '0 3 * * *' }) }),
        suite('often', [], { benchmark: bench({ every: 600_000 }) }),
        suite('on-demand', [], { benchmark: bench() }),
        suite('off', [], { enabled: false, benchmark: bench({ every: 1000 }) }),
        suite('plain', []),
      ],
    });
    expect(wantedBenchmarkSchedulers(cfg)).toEqual([
      { id: 'benchmark:nightly', suite: 'nightly', repeat: { pattern: '0 3 * * *' } },
      { id: 'benchmark:often', suite: 'often', repeat: { every: 600_000 } },
    ]);
  });
});

describe('latestResults', () => {
  it('takes the newest finished run of each Istio version, skipping running, stopped and unreadable ones', () => {
    const newest124 = run('c', '1.24.0', [result({ runId: 'c', p99: 3 })]);
    const older124 = run('a', '1.24.0', [result({ runId: 'a', p99: 1 })]);
    const only125 = run('b', '1.25.0', [result({ runId: 'b', istioVersion: '1.25.0', p99: 2 })]);
    const running = { ...run('d', '1.26.0', [result({ runId: 'd' })]), state: 'running' as const };
    const stopped = { ...run('e', '1.24.0', [result({ runId: 'e' })]), state: 'stopped' as const };
    const got = latestResults([running, stopped, undefined, newest124, only125, older124]);
    expect(got.map((r) => `${r.runId}:${r.latency.p99}`)).toEqual(['c:3', 'b:2']);
  });
});

describe('run ids and the regression check group', () => {
  it('names runs by suite and UTC second with a random tail, and keeps regression records apart from the suite', () => {
    const at = Date.UTC(2026, 11, 1, 13, 5, 9);
    const a = benchRunId('bench', at);
    expect(a).toMatch(/^bench-20261201T130509-[0-9a-f]{4}$/);
    expect(benchCheckGroup('bench')).toBe('bench:benchmark');
  });
});
