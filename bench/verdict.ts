// Soak verdicts' bounds and costs (issue 13), over a real Redis (the local starter):
//  (a) the run ledger never grows past its bounds over 10,000 ticks, even when every tick
//      changes a check's state (the worst case);
//  (b) `report` over 24 h of a 20-suite soak at 10 s ticks (5 checks per suite, a disruption
//      every 10 min with its impact, a check flapping every minute) in under 2 s — read from
//      Redis, built and rendered in all four formats;
//  (c) the tick's added cost for impact tracking (ledger read of open disruptions, state
//      changes written) under 5 % of the tick: runTick with and without the tracker, alternating.
//
// Run: npx tsc -p tsconfig.json && node dist/bench/verdict.js
// Env: BENCH_TICKS (default 10000), BENCH_TICK_PAIRS (default 300), BENCH_ONLY=report (only (b);
// profile it with node --cpu-prof --cpu-prof-dir=DIR and summarise with bench/lib/cpu-profile.ts).

import { Redis } from 'ioredis';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { startRedis } from '../simulator/local/redis.js';
import { RunLedger, type LedgerEntry } from '../src/adapters/redis/ledger.js';
import { stateKeys } from '../src/adapters/redis/keys.js';
import { CheckStore } from '../src/adapters/redis/check-store.js';
import { History } from '../src/adapters/redis/history.js';
import { PauseFlags } from '../src/adapters/redis/pause-flags.js';
import { parseCondition } from '../src/checks/condition.js';
import { evaluateGroup, type CheckGroup } from '../src/checks/evaluate-group.js';
import type { CheckSpec } from '../src/config/model.js';
import { runTick, type TickDeps } from '../src/daemon/tick.js';
import { reportSourceOf } from '../src/daemon/report-source.js';
import { collectReport } from '../src/verdict/collect.js';
import { REPORT_FORMATS, renderReport } from '../src/verdict/formats.js';
import { createMetrics } from '../src/telemetry/metrics.js';
import { envNumber, lifecycle } from './lib/lifecycle.js';
import { quantile } from './lib/stats.js';

const TICKS = envNumber('BENCH_TICKS', 10_000);
const PAIRS = envNumber('BENCH_TICK_PAIRS', 300);
const DAY = 24 * 3600_000;
const life = lifecycle('verdict', 15 * 60_000);

function spec(name: string): CheckSpec {
  const fail = parseCondition('> 0');
  if ('error' in fail) throw new Error(fail.error);
  return { name, query: `q_${name}`, fail, forMs: 0, keepFiringForMs: 0, noData: 'unknown', errorLimit: 3, severity: 'warning', labels: {} };
}

async function ledgerBounds(redis: Redis): Promise<void> {
  const keys = stateKeys('bench-bounds');
  let now = Date.UTC(2026, 11, 1);
  const ledger = new RunLedger(redis, keys, { maxEntries: 2000, maxAgeMs: 6 * 3600_000, now: () => now });
  let maxCount = 0;
  for (let i = 0; i < TICKS; i++) {
    now += 10_000;
    await ledger.append('s', [{ kind: 'state', suite: 's', check: `c${i % 5}`, from: i % 2 ? 'failing' : 'ok', to: i % 2 ? 'ok' : 'failing', value: i, at: now }]);
    if (i % 100 === 0) maxCount = Math.max(maxCount, await ledger.count('s'));
  }
  const count = await ledger.count('s');
  const bytes = Number(await redis.call('MEMORY', 'USAGE', keys.ledger('s')));
  console.log(JSON.stringify({ bench: 'ledger-bounds', ticks: TICKS, maxEntries: 2000, maxCountSeen: Math.max(maxCount, count), finalCount: count, keyBytes: bytes, ok: count <= 2000 && maxCount <= 2000 }));
}

async function fillSoak(ledger: RunLedger, suites: string[], end: number): Promise<number> {
  let n = 0;
  for (const suite of suites) {
    const entries: LedgerEntry[] = [];
    for (let t = end - DAY; t < end; t += 60_000) {
      const minute = Math.round((t - (end - DAY)) / 60_000);
      entries.push({ kind: 'state', suite, check: 'flappy', from: minute % 2 ? 'failing' : 'ok', to: minute % 2 ? 'ok' : 'failing', value: 1, at: t });
      if (minute % 10 === 0) {
        const id = `${suite}-${minute}`;
        entries.push(
          { kind: 'disruption', id, suite, startedAt: t, at: t + 30_000, outcome: 'success', steps: [{ what: 'step 1/2 (rolloutRestart x)', outcome: 'success', startedAt: t, endedAt: t + 10_000 }, { what: 'step 2/2 (waitRollout x)', outcome: 'success', startedAt: t + 10_000, endedAt: t + 30_000 }] },
          { kind: 'state', suite, check: '5xx', from: 'ok', to: 'failing', value: 3, at: t + 20_000 },
          { kind: 'state', suite, check: '5xx', from: 'failing', to: 'ok', value: 0, at: t + 45_000 },
          { kind: 'impact', id, suite, at: t + 80_000, checks: [{ suite, check: '5xx', phases: ['during', 'after'] }], recovery: { status: 'recovered', seconds: 15, at: t + 45_000 } },
        );
      }
    }
    for (let i = 0; i < entries.length; i += 1000) await ledger.append(suite, entries.slice(i, i + 1000));
    n += entries.length;
  }
  return n;
}

async function reportSpeed(redis: Redis): Promise<void> {
  const keys = stateKeys('bench-report');
  const end = Date.now();
  const ledger = new RunLedger(redis, keys, { maxEntries: 100_000 });
  const suites = Array.from({ length: 20 }, (_, i) => `suite-${i}`);
  const entries = await fillSoak(ledger, suites, end);
  const source = reportSourceOf(ledger, new CheckStore(redis, keys));
  const scope = { suites: suites.map((name) => ({ name, checks: ['5xx', 'p99', 'flappy', 'cpu', 'mem'] })), links: {} };
  const runs: Record<string, number[]> = Object.fromEntries(REPORT_FORMATS.map((f) => [f, []]));
  // CPU time of this process too: on a shared, loaded machine wall time mostly measures the wait for a core.
  const cpu: Record<string, number[]> = Object.fromEntries(REPORT_FORMATS.map((f) => [f, []]));
  for (let rep = 0; rep < 5; rep++) {
    for (const f of REPORT_FORMATS) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const report = await collectReport(source, scope, { from: end - DAY, to: end }, end);
      renderReport(report, f);
      const c = process.cpuUsage(c0);
      runs[f]?.push(performance.now() - t0);
      cpu[f]?.push((c.user + c.system) / 1000);
    }
  }
  const medians = (of: Record<string, number[]>) => Object.fromEntries(Object.entries(of).map(([f, v]) => [f, Math.round(quantile(v, 0.5))]));
  const worst = Math.max(...Object.values(runs).flat());
  console.log(JSON.stringify({ bench: 'report-24h-20-suites', ledgerEntries: entries, medianMs: medians(runs), maxMs: Math.round(worst), cpuMedianMs: medians(cpu), ok: worst < 2000 }));
}

function tickDeps(redis: Redis, prefix: string, withImpact: boolean, flap: boolean): TickDeps {
  const keys = stateKeys(prefix);
  const checks = ['5xx', 'p99', 'cpu', 'mem', 'flappy'].map(spec);
  const groups = new Map<string, CheckGroup>([['s', { suite: 's', checks }]]);
  let i = 0;
  const provider = { query: (expr: string) => Promise.resolve([{ labels: {}, value: flap && expr === 'q_flappy' ? i++ % 2 : 0 }]), close: () => Promise.resolve() };
  const metrics = createMetrics(new Registry(), 'bench');
  const logger = pino({ level: 'silent' });
  const ledger = new RunLedger(redis, keys);
  return {
    groups, store: new CheckStore(redis, keys), history: new History(redis, keys), pause: new PauseFlags(redis, keys), provider, evaluate: evaluateGroup, metrics, logger,
    prometheusUrl: 'http://127.0.0.1:9', worker: 'bench',
    ...(withImpact ? { impact: { ledger, metrics, logger, groups, meshSuite: 'mesh', recoveryBoundMs: 600_000, settleMs: 30_000 } } : {}),
  };
}

async function tickCost(redis: Redis, flap: boolean): Promise<void> {
  const plain = tickDeps(redis, `bench-tick-plain-${flap}`, false, flap);
  const tracked = tickDeps(redis, `bench-tick-impact-${flap}`, true, flap);
  const times = { plain: [] as number[], impact: [] as number[] };
  for (let i = 0; i < PAIRS + 20; i++) {
    for (const [name, deps] of [['plain', plain], ['impact', tracked]] as const) {
      const t0 = performance.now();
      await runTick(deps, { id: `t${i}`, suite: 's', scheduledAt: Date.now() });
      if (i >= 20) times[name].push(performance.now() - t0);
    }
  }
  const med = (v: number[]) => quantile(v, 0.5);
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const added = (med(times.impact) - med(times.plain)) / med(times.plain);
  console.log(JSON.stringify({
    bench: 'tick-added-cost', pairs: PAIRS, checks: 5, case: flap ? 'worst: a check changes state every tick (a ledger write per tick)' : 'steady: no state change',
    plainMedianMs: +med(times.plain).toFixed(3), impactMedianMs: +med(times.impact).toFixed(3),
    plainMeanMs: +mean(times.plain).toFixed(3), impactMeanMs: +mean(times.impact).toFixed(3),
    addedPercentOfMedian: +(added * 100).toFixed(1), ok: added < 0.05,
  }));
}

void life.run(async () => {
  const server = life.own(await startRedis(), (r) => r.stop());
  const redis = life.own(new Redis(server.url, { maxRetriesPerRequest: 1 }), (r) => r.disconnect());
  console.log(JSON.stringify({ date: new Date().toISOString(), loadavg: (await import('node:os')).loadavg().map((x) => +x.toFixed(2)) }));
  const only = process.env.BENCH_ONLY;
  if (!only) await ledgerBounds(redis);
  await reportSpeed(redis);
  if (only) return;
  await tickCost(redis, false);
  await tickCost(redis, true);
});
