// The tick's added cost of keeping the checks' last values for the status page's sparklines
// (src/adapters/redis/value-ring.ts): runTick with and without the value ring, alternating,
// over a real Redis (the local starter), for suites of 5, 25 and 500 checks. The ring adds an
// RPUSH and an LTRIM to the MULTI the tick already sends, and one JSON snapshot per tick.
//
// Run: npx tsc -p tsconfig.json && node dist/bench/value-ring.js
// Env: BENCH_TICK_PAIRS (default 300).

import { Redis } from 'ioredis';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { loadavg } from 'node:os';
import { startRedis } from '../simulator/local/redis.js';
import { stateKeys } from '../src/adapters/redis/keys.js';
import { CheckStore } from '../src/adapters/redis/check-store.js';
import { History } from '../src/adapters/redis/history.js';
import { PauseFlags } from '../src/adapters/redis/pause-flags.js';
import { ValueRing } from '../src/adapters/redis/value-ring.js';
import { parseCondition } from '../src/checks/condition.js';
import { evaluateGroup, type CheckGroup } from '../src/checks/evaluate-group.js';
import type { CheckSpec } from '../src/config/model.js';
import { runTick, type TickDeps } from '../src/daemon/tick.js';
import { createMetrics } from '../src/telemetry/metrics.js';
import { envNumber, lifecycle } from './lib/lifecycle.js';
import { quantile } from './lib/stats.js';

const PAIRS = envNumber('BENCH_TICK_PAIRS', 300);
const WARMUP = 20;
const life = lifecycle('value-ring', 15 * 60_000);

function deps(redis: Redis, prefix: string, checks: number, withRing: boolean): TickDeps {
  const keys = stateKeys(prefix);
  const fail = parseCondition('> 100');
  if ('error' in fail) throw new Error(fail.error);
  const specs: CheckSpec[] = Array.from({ length: checks }, (_, i) => ({
    name: `check-${i}`, query: `q_${i}`, fail, forMs: 0, keepFiringForMs: 0, noData: 'unknown', errorLimit: 3, severity: 'warning', labels: {},
  }));
  let n = 0;
  const provider = { query: () => Promise.resolve([{ labels: {}, value: (n++ % 97) / 7 }]), close: () => Promise.resolve() };
  return {
    groups: new Map<string, CheckGroup>([['s', { suite: 's', checks: specs }]]),
    store: new CheckStore(redis, keys), history: new History(redis, keys), pause: new PauseFlags(redis, keys), provider, evaluate: evaluateGroup,
    metrics: createMetrics(new Registry(), 'bench'), logger: pino({ level: 'silent' }), prometheusUrl: 'http://127.0.0.1:9', worker: 'bench',
    ...(withRing ? { values: new ValueRing(redis, keys) } : {}),
  };
}

async function measure(redis: Redis, checks: number): Promise<void> {
  const plain = deps(redis, `bench-ring-plain-${checks}`, checks, false);
  const ring = deps(redis, `bench-ring-with-${checks}`, checks, true);
  const times = { plain: [] as number[], ring: [] as number[] };
  for (let i = 0; i < PAIRS + WARMUP; i++) {
    for (const [name, d] of [['plain', plain], ['ring', ring]] as const) {
      const t0 = performance.now();
      await runTick(d, { id: `t${i}`, suite: 's', scheduledAt: Date.now() });
      if (i >= WARMUP) times[name].push(performance.now() - t0);
    }
  }
  const med = (v: number[]): number => quantile(v, 0.5);
  const added = med(times.ring) - med(times.plain);
  console.log(JSON.stringify({
    bench: 'value-ring-tick-cost', checks, pairs: PAIRS,
    plainMedianMs: +med(times.plain).toFixed(3), ringMedianMs: +med(times.ring).toFixed(3),
    plainP95Ms: +quantile(times.plain, 0.95).toFixed(3), ringP95Ms: +quantile(times.ring, 0.95).toFixed(3),
    addedMedianMs: +added.toFixed(3), addedPercentOfMedian: +((added / med(times.plain)) * 100).toFixed(1),
    ringBytes: await redis.memory('USAGE', stateKeys(`bench-ring-with-${checks}`).checkValues('s')),
    load1: +(loadavg()[0] ?? 0).toFixed(1),
  }));
}

void life.run(async () => {
  const server = life.own(await startRedis(), (r) => r.stop());
  const redis = life.own(new Redis(server.url, { maxRetriesPerRequest: 1 }), (r) => r.disconnect());
  for (const checks of [5, 25, 500]) await measure(redis, checks);
});
