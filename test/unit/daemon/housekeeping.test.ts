// Housekeeping against a Redis that answers PING but then never answers: the run ends by
// itself (so the next one is not skipped forever) and says why.
import { Registry } from 'prom-client';
import { pino } from 'pino';
import type { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { housekeep } from '../../../src/daemon/housekeeping.js';
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
});
