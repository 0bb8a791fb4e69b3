// Housekeeping against a Redis that answers PING but then never answers: the run ends by
// itself (so the next one is not skipped forever) and says why.
import { Registry } from 'prom-client';
import { pino } from 'pino';
import type { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { housekeep, startHousekeeping } from '../../../src/daemon/housekeeping.js';
import type { History } from '../../../src/adapters/redis/history.js';
import { createMetrics } from '../../../src/telemetry/metrics.js';

describe('housekeep', () => {
  it('gives up on a stalled getJobCounts, logs it, and the next queue and run still work', async () => {
    const warnings: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (l: string) => void warnings.push(String((JSON.parse(l) as { err?: string }).err)) });
    const metrics = createMetrics(new Registry(), 'test');
    let stalled = true;
    const queue = {
      name: 'ticks',
      getJobCounts: () => (stalled ? new Promise<Record<string, number>>(() => undefined) : Promise.resolve({ waiting: 3 })),
    } as unknown as Queue;
    let trims = 0;
    const history = { trim: async () => void trims++ } as unknown as History;
    const deps = { queues: [queue], history, suites: ['web'], metrics, logger, ping: async () => true, callTimeoutMs: 50 };

    await housekeep(deps);
    expect(warnings).toEqual(['job counts of queue ticks: no answer within 50 ms']);

    stalled = false;
    await housekeep(deps);
    expect(await metrics.registry.getSingleMetricAsString('mesh_soak_queue_jobs')).toContain('queue="ticks",state="waiting"} 3');
    expect(trims).toBe(1);
  });

  it('stop() waits for the run in flight; a pass failing during the stop logs nothing', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (l: string) => void lines.push(l) });
    let failPass: () => void = () => undefined;
    let passStarted: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (passStarted = resolve));
    const slow = (): Promise<never> =>
      new Promise<never>((_, reject) => {
        failPass = () => reject(new Error('failed after the stop began'));
        passStarted();
      });
    const hk = startHousekeeping(
      {
        queues: [],
        history: { trim: async () => undefined } as unknown as History,
        suites: [],
        metrics: createMetrics(new Registry(), 'test'),
        logger,
        ping: async () => true,
        callTimeoutMs: 60_000,
        passes: [{ name: 'slow', run: slow }],
      },
      // Once a year (Jan 1st, 00:00:00): within the test only runNow() runs.
      '0 0 0 1 1 *',
    );
    hk.runNow();
    await started;
    let stopDone = false;
    const stopping = hk.stop().then(() => void (stopDone = true));
    await new Promise((r) => setImmediate(r));
    // The run is still in flight: stop() has not resolved.
    expect(stopDone).toBe(false);
    failPass();
    await stopping;
    expect(stopDone).toBe(true);
    expect(lines).toEqual([]);
  });
});
