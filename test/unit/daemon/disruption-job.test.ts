// Disruption jobs as /metrics shows them: every counted run (success, failure, skipped)
// is also one observation of disruption_duration_seconds, so the two never disagree.
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { Suite } from '../../../src/config/model.js';
import { runDisruptionJob, type DisruptionDeps } from '../../../src/disruption/job.js';
import type { DisruptionRunner } from '../../../src/disruption/types.js';
import type { History } from '../../../src/adapters/redis/history.js';
import type { PauseFlags } from '../../../src/adapters/redis/pause-flags.js';
import { createMetrics, type Metrics } from '../../../src/telemetry/metrics.js';

function setup(opts: { paused?: boolean; runner?: DisruptionRunner; stepMs?: number }): { deps: DisruptionDeps; metrics: Metrics } {
  const metrics = createMetrics(new Registry(), 'test');
  let clock = 0;
  const deps: DisruptionDeps = {
    suites: new Map([['s', { name: 's' } as Suite]]),
    history: { append: () => Promise.resolve() } as unknown as History,
    pause: { isPaused: () => Promise.resolve(opts.paused ?? false) } as unknown as PauseFlags,
    metrics,
    logger: pino({ level: 'silent' }),
    ...(opts.runner ? { runner: opts.runner } : {}),
    now: () => (clock += opts.stepMs ?? 0),
  };
  return { deps, metrics };
}

async function counts(m: Metrics): Promise<{ outcomes: Record<string, number>; observed: number; sum: number }> {
  const outcomes: Record<string, number> = {};
  for (const v of (await m.disruptions.get()).values) outcomes[String(v.labels.outcome)] = v.value;
  const hist = (await m.disruptionDuration.get()).values;
  const observed = hist.find((v) => v.metricName?.endsWith('_count'))?.value ?? 0;
  const sum = hist.find((v) => v.metricName?.endsWith('_sum'))?.value ?? 0;
  return { outcomes, observed, sum };
}

const job = (id: string, manual = false) => ({ id, suite: 's', scheduledAt: 0, manual });

describe('runDisruptionJob metrics', () => {
  it('a successful run counts once and observes its duration', async () => {
    const runner: DisruptionRunner = { run: () => Promise.resolve({ outcome: 'success' }), restorePending: () => Promise.resolve(0) };
    const { deps, metrics } = setup({ runner, stepMs: 30_000 });
    expect(await runDisruptionJob(deps, job('j1'))).toBe('success');
    const c = await counts(metrics);
    expect(c.outcomes).toEqual({ success: 1 });
    expect(c.observed).toBe(1);
    expect(c.sum).toBe(30);
  });

  it('skipped runs (paused, lock held, no runner) are counted and observed alike', async () => {
    const paused = setup({ paused: true });
    expect(await runDisruptionJob(paused.deps, job('j1'))).toBe('skipped');
    const locked: DisruptionRunner = {
      run: () => Promise.resolve({ outcome: 'busy' }),
      restorePending: () => Promise.resolve(0),
    };
    const busy = setup({ runner: locked });
    expect(await runDisruptionJob(busy.deps, job('j2'))).toBe('skipped');
    const none = setup({});
    expect(await runDisruptionJob(none.deps, job('j3'))).toBe('skipped');
    for (const { metrics } of [paused, busy, none]) {
      const c = await counts(metrics);
      expect(c.outcomes).toEqual({ skipped: 1 });
      expect(c.observed).toBe(1);
    }
  });

  it('a runner that throws counts as one failure with its duration; a re-delivered job is not counted again', async () => {
    // The runner owns de-duplication: the second delivery of j1 is answered already-done.
    const taken = new Set<string>();
    const runner: DisruptionRunner = {
      run: (_s, j) => {
        if (taken.has(j.id)) return Promise.resolve({ outcome: 'already-done' });
        taken.add(j.id);
        return Promise.reject(new Error('boom'));
      },
      restorePending: () => Promise.resolve(0),
    };
    const { deps, metrics } = setup({ runner, stepMs: 5000 });
    expect(await runDisruptionJob(deps, job('j1'))).toBe('failure');
    expect(await runDisruptionJob(deps, job('j1'))).toBe('duplicate');
    const c = await counts(metrics);
    expect(c.outcomes).toEqual({ failure: 1 });
    expect(c.observed).toBe(1);
  });
});
