// Disruption impact end to end over real Redis: the daemon's tick (runTick with the real check
// engine, CheckStore and RunLedger) and disruption job (runDisruptionJob with a runner the
// test drives through the DisruptionRunner port) on one manual clock. A disruption that
// breaks the suite's 5xx check is tied to it (during, after), its recovery time is measured
// and exported; a scheduled disruption of a suite already failing is skipped with its reason;
// alerts raised meanwhile carry the disruption; a phase-aware check tolerates during and
// after its grace judges by its steady condition.
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parseCondition } from '../../../src/checks/condition.js';
import { evaluateGroup, type CheckGroup } from '../../../src/checks/evaluate-group.js';
import type { AlertEvent } from '../../../src/checks/alert-event.js';
import type { CheckSpec, Suite } from '../../../src/config/model.js';
import { CheckStore } from '../../../src/adapters/redis/check-store.js';
import { History } from '../../../src/adapters/redis/history.js';
import { RunLedger } from '../../../src/adapters/redis/ledger.js';
import { stateKeys } from '../../../src/adapters/redis/keys.js';
import { PauseFlags } from '../../../src/adapters/redis/pause-flags.js';
import { runTick, type TickDeps } from '../../../src/daemon/tick.js';
import { runDisruptionJob, type DisruptionDeps } from '../../../src/disruption/job.js';
import type { DisruptionRunner } from '../../../src/disruption/types.js';
import { createMetrics, type Metrics } from '../../../src/telemetry/metrics.js';
import { useRedis } from '../../contract/redis-fixture.js';
import { tableProvider } from '../../fakes/table-provider.js';

const SEC = 1000;
const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);

function cond(text: string) {
  const c = parseCondition(text);
  if ('error' in c) throw new Error(c.error);
  return c;
}

function spec(name: string, fail: string, extra: Partial<CheckSpec> = {}): CheckSpec {
  return { name, query: `q_${name}`, fail: cond(fail), forMs: 0, keepFiringForMs: 0, noData: 'unknown', errorLimit: 3, severity: 'critical', labels: {}, ...extra };
}

const shared = useRedis();

interface World {
  clock: { now: number };
  values: Record<string, number>;
  tick(suite?: string): Promise<void>;
  tickDeps: TickDeps;
  jobDeps: DisruptionDeps;
  metrics: Metrics;
  ledger: RunLedger;
  alerts: AlertEvent[];
}

function world(prefix: string, checks: CheckSpec[], meshChecks: CheckSpec[] = []): World {
  const keys = stateKeys(prefix);
  const redis = shared.client();
  const clock = { now: T0 };
  const now = (): number => clock.now;
  const values: Record<string, number> = {};
  const provider = {
    query: (expr: string) => {
      const { provider: p } = tableProvider(Object.fromEntries(Object.entries(values).map(([k, v]) => [k, [{ labels: {}, value: v }]])));
      return p.query(expr);
    },
    close: () => Promise.resolve(),
  };
  const metrics = createMetrics(new Registry(), 'test');
  const logger = pino({ level: 'silent' });
  const ledger = new RunLedger(redis, keys, { now });
  const store = new CheckStore(redis, keys);
  const history = new History(redis, keys);
  const pause = new PauseFlags(redis, keys, { now });
  const groups = new Map<string, CheckGroup>([['web', { suite: 'web', checks }]]);
  if (meshChecks.length > 0) groups.set('mesh', { suite: 'mesh', checks: meshChecks });
  const alerts: AlertEvent[] = [];
  const tickDeps: TickDeps = {
    groups, store, history, pause, provider, evaluate: evaluateGroup, metrics, logger,
    alerts: { enqueue: (events) => void alerts.push(...events) },
    prometheusUrl: 'http://127.0.0.1:9', worker: 'w', now,
    impact: { ledger, metrics, logger, groups, meshSuite: 'mesh', recoveryBoundMs: 300 * SEC, settleMs: 20 * SEC },
  };
  const suite = { name: 'web', namespace: 'web', checks } as unknown as Suite;
  const jobDeps: DisruptionDeps = {
    suites: new Map([['web', suite]]), history, pause, metrics, logger, now, store, ledger,
    probePrometheus: () => Promise.resolve(undefined),
    mesh: { suite: 'mesh', checks: meshChecks.map((c) => c.name) },
  };
  let seq = 0;
  const tick = async (s = 'web'): Promise<void> => {
    await runTick(tickDeps, { id: `t${++seq}`, suite: s, scheduledAt: clock.now });
  };
  return { clock, values, tick, tickDeps, jobDeps, metrics, ledger, alerts };
}

/** A runner whose disruption lasts until the test says so; its steps are reported. */
function heldRunner(w: World): { runner: DisruptionRunner; finish(): void; started: Promise<void> } {
  let finish: () => void = () => undefined;
  let markStarted: () => void = () => undefined;
  const started = new Promise<void>((r) => (markStarted = r));
  const done = new Promise<void>((r) => (finish = r));
  const runner: DisruptionRunner = {
    run: async (_suite, job) => {
      const at = w.clock.now;
      await job.onStarted?.(at);
      markStarted();
      await done;
      return { outcome: 'success', steps: [{ what: 'step 1/1 (rolloutRestart web/httpbin)', outcome: 'success', startedAt: at, endedAt: w.clock.now }] };
    },
    restorePending: () => Promise.resolve(0),
  };
  return { runner, finish: () => finish(), started };
}

async function value(m: Metrics, get: () => Promise<{ values: Array<{ labels: Record<string, unknown>; value: number; metricName?: string }> }>, match: (l: Record<string, unknown>, name?: string) => boolean): Promise<number | undefined> {
  return (await get()).values.find((v) => match(v.labels, v.metricName))?.value;
}

/** Ticks every 10 s from the clock's time until `untilSec` after T0, with `set` applied before each. */
async function tickUntil(w: World, untilSec: number, set: (sec: number) => void = () => undefined, suites = ['web']): Promise<void> {
  while (w.clock.now < T0 + untilSec * SEC) {
    w.clock.now += 10 * SEC;
    set((w.clock.now - T0) / SEC);
    for (const s of suites) await w.tick(s);
  }
}

describe('disruption impact over real Redis', () => {
  it('ties failures to the disruption, measures recovery, and exports both', async () => {
    const w = world(`impact-${process.pid}-1`, [spec('5xx', '> 0'), spec('p99', '> 1')], [spec('xds', '> 0')]);
    Object.assign(w.values, { q_5xx: 0, q_p99: 0.5, q_xds: 0 });
    await tickUntil(w, 30, undefined, ['web', 'mesh']);
    const held = heldRunner(w);
    const job = runDisruptionJob({ ...w.jobDeps, runner: held.runner }, { id: 'd1', suite: 'web', scheduledAt: w.clock.now, manual: false });
    await held.started;
    const inProgress = () => value(w.metrics, () => w.metrics.disruptionInProgress.get(), (l) => l.suite === 'web');
    expect(await inProgress()).toBe(1);
    // during: 5xx fails from +50 s, the mesh-wide xds check too
    await tickUntil(w, 60, (s) => Object.assign(w.values, { q_5xx: s >= 50 ? 3 : 0, q_xds: s >= 50 ? 1 : 0 }), ['web', 'mesh']);
    held.finish();
    expect(await job).toBe('success');
    expect(await inProgress()).toBe(0);
    // after the end (+60 s): p99 breaks at +70 s; everything ok again from +90 s
    await tickUntil(w, 150, (s) => Object.assign(w.values, { q_5xx: s >= 80 ? 0 : 3, q_p99: s >= 70 && s < 90 ? 2 : 0.5, q_xds: 0 }), ['web', 'mesh']);

    const entries = await w.ledger.range('web', T0, w.clock.now, 1000);
    const disruption = entries.find((e) => e.kind === 'disruption');
    expect(disruption).toMatchObject({ id: 'd1', outcome: 'success', startedAt: T0 + 30 * SEC, at: T0 + 60 * SEC, steps: [{ what: 'step 1/1 (rolloutRestart web/httpbin)' }] });
    const impact = entries.find((e) => e.kind === 'impact');
    expect(impact).toMatchObject({ id: 'd1', recovery: { status: 'recovered', seconds: 30 } });
    const phases = Object.fromEntries((impact?.kind === 'impact' ? impact.checks : []).map((c) => [`${c.suite}/${c.check}`, c.phases]));
    expect(phases).toEqual({ 'web/5xx': ['during'], 'web/p99': ['after'], 'mesh/xds': ['during'] });
    expect((await w.ledger.open('web')).windows).toEqual([]);

    expect(await value(w.metrics, () => w.metrics.recoverySeconds.get(), (l, n) => l.suite === 'web' && n === 'mesh_soak_recovery_seconds_sum')).toBe(30);
    const impactCount = (check: string, phase: string) => value(w.metrics, () => w.metrics.disruptionImpact.get(), (l) => l.suite === 'web' && l.check === check && l.phase === phase);
    expect(await impactCount('5xx', 'during')).toBe(1);
    expect(await impactCount('p99', 'after')).toBe(1);
    expect(await impactCount('mesh/xds', 'during')).toBe(1);
    // the alerts raised meanwhile (web's, during and after the disruption) carry it
    const firing = w.alerts.filter((a) => a.status === 'firing' && a.suite === 'web');
    expect(firing.map((a) => a.check).sort()).toEqual(['5xx', 'p99']);
    for (const a of firing) expect(a.disruption).toMatch(/^d1 \(/);
  });

  it('skips a scheduled disruption of a suite already failing, with the reason recorded and counted', async () => {
    const w = world(`impact-${process.pid}-2`, [spec('5xx', '> 0')]);
    w.values.q_5xx = 4;
    await tickUntil(w, 20);
    const held = heldRunner(w);
    expect(await runDisruptionJob({ ...w.jobDeps, runner: held.runner }, { id: 'd2', suite: 'web', scheduledAt: w.clock.now, manual: false })).toBe('skipped');
    const entries = await w.ledger.range('web', T0, w.clock.now, 100);
    expect(entries.filter((e) => e.kind === 'disruption')).toMatchObject([{ id: 'd2', outcome: 'skipped', skip: 'suite-failing', reason: 'suite already failing: 5xx', steps: [] }]);
    expect(await value(w.metrics, () => w.metrics.disruptionSkips.get(), (l) => l.suite === 'web' && l.reason === 'suite-failing')).toBe(1);
    // Prometheus unreachable: skipped too, whatever the checks say
    w.values.q_5xx = 0;
    await tickUntil(w, 30);
    const down = { ...w.jobDeps, runner: held.runner, probePrometheus: () => Promise.resolve('connect ECONNREFUSED 127.0.0.1:9') };
    expect(await runDisruptionJob(down, { id: 'd3', suite: 'web', scheduledAt: w.clock.now, manual: false })).toBe('skipped');
    expect(await value(w.metrics, () => w.metrics.disruptionSkips.get(), (l) => l.reason === 'prometheus-unreachable')).toBe(1);
    // no check evaluated yet in a fresh suite: unknown, skipped
    const fresh = world(`impact-${process.pid}-3`, [spec('5xx', '> 0')]);
    expect(await runDisruptionJob({ ...fresh.jobDeps, runner: held.runner }, { id: 'd4', suite: 'web', scheduledAt: T0, manual: false })).toBe('skipped');
    expect(await value(fresh.metrics, () => fresh.metrics.disruptionSkips.get(), (l) => l.reason === 'suite-unknown')).toBe(1);
  });

  it('a phase-aware check tolerates during the disruption and within its after grace, then judges by its steady fail', async () => {
    const tolerant = spec('5xx', '> 0', { phases: { during: { fail: cond('> 10') }, after: { graceMs: 30 * SEC, fail: cond('> 5') } } });
    const w = world(`impact-${process.pid}-4`, [tolerant]);
    w.values.q_5xx = 0;
    await tickUntil(w, 20);
    const held = heldRunner(w);
    const job = runDisruptionJob({ ...w.jobDeps, runner: held.runner }, { id: 'd5', suite: 'web', scheduledAt: w.clock.now, manual: false });
    await held.started;
    w.values.q_5xx = 8; // above steady and after, below during
    await tickUntil(w, 50);
    const stateNow = async () => (await w.tickDeps.store.load('web'))['5xx']?.state;
    expect(await stateNow()).toBe('ok');
    held.finish();
    await job;
    w.values.q_5xx = 3; // within after's grace (30 s from +50 s): tolerated up to 5
    await tickUntil(w, 70);
    expect(await stateNow()).toBe('ok');
    await tickUntil(w, 90); // grace over: steady `> 0` judges 3 as failing
    expect(await stateNow()).toBe('failing');
  });

  it('records the Istio version seen, one span per version, read at most once per interval', async () => {
    const w = world(`impact-${process.pid}-5`, [spec('5xx', '> 0')]);
    w.values.q_5xx = 0;
    let reads = 0;
    let tag = '1.27.3';
    const impact = w.tickDeps.impact;
    if (!impact) throw new Error('the world keeps a ledger');
    impact.versionEveryMs = 20 * SEC;
    impact.istioVersion = async () => {
      reads++;
      const { versionFromBuild } = await import('../../../src/daemon/impact-tracker.js');
      return versionFromBuild([{ labels: { tag }, value: 1 }, { labels: { tag: 'old' }, value: 0 }]);
    };
    await tickUntil(w, 60);
    tag = '1.28.0';
    await tickUntil(w, 120);
    // recordIstioVersion runs beside the tick: wait (bounded) for the last write
    const deadline = Date.now() + 10_000;
    let spans = await w.ledger.versions(0, T0 + 200 * SEC);
    while (spans.length < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      spans = await w.ledger.versions(0, T0 + 200 * SEC);
    }
    expect(spans.map((v) => v.version)).toEqual(['1.27.3', '1.28.0']);
    expect(spans[0]?.firstSeen).toBe(T0 + 10 * SEC);
    expect(reads).toBe(6); // 12 ticks, one read per 20 s
  });
});
