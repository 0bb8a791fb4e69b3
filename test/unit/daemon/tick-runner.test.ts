// What a tick reports on /metrics: evaluation counts by result (errors included), and the
// check's state and value gauges, with the real check engine behind it and in-memory state.
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { memoryStore } from '../../fakes/memory-check-store.js';
import { describe, expect, it } from 'vitest';
import { parseCondition } from '../../../src/checks/condition.js';
import { evaluateGroup } from '../../../src/checks/evaluate-group.js';
import type { CheckRecord } from '../../../src/checks/types.js';
import type { CheckSpec } from '../../../src/config/model.js';
import { PrometheusError } from '../../../src/adapters/prometheus/errors.js';
import type { MetricsProvider } from '../../../src/adapters/prometheus/types.js';
import { evaluationResult, runTick, type TickDeps } from '../../../src/daemon/tick.js';
import type { CheckGroup } from '../../../src/checks/evaluate-group.js';
import type { History } from '../../../src/adapters/redis/history.js';
import type { PauseFlags } from '../../../src/adapters/redis/pause-flags.js';
import { createMetrics, type Metrics } from '../../../src/telemetry/metrics.js';
import { tableProvider } from '../../fakes/table-provider.js';

function spec(name: string, fail: string, extra: Partial<CheckSpec> = {}): CheckSpec {
  const cond = parseCondition(fail);
  if ('error' in cond) throw new Error(cond.error);
  return { name, query: `q_${name}`, fail: cond, forMs: 0, keepFiringForMs: 0, noData: 'unknown', errorLimit: 3, severity: 'critical', labels: {}, ...extra };
}

/** A provider whose answers the test changes between ticks; `null` makes the query fail. */
class ScriptedProvider implements MetricsProvider {
  values = new Map<string, number | null>();
  query(expr: string): Promise<{ labels: Record<string, string>; value: number }[]> {
    const v = this.values.get(expr);
    if (v === null) return Promise.reject(new PrometheusError('unreachable', 'connection refused'));
    return Promise.resolve(v === undefined ? [] : [{ labels: {}, value: v }]);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}


function setup(checks: CheckSpec[]): { deps: TickDeps; provider: ScriptedProvider; metrics: Metrics } {
  const provider = new ScriptedProvider();
  const metrics = createMetrics(new Registry(), 'test');
  const groups = new Map<string, CheckGroup>([['s', { suite: 's', checks }]]);
  const history = { append: () => Promise.resolve(), recordTick: () => Promise.resolve(), recordTickWith: () => Promise.resolve() } as unknown as History;
  const pause = { isPaused: () => Promise.resolve(false) } as unknown as PauseFlags;
  let clock = 1_000_000;
  const deps: TickDeps = {
    groups,
    store: memoryStore(),
    history,
    pause,
    provider,
    evaluate: evaluateGroup,
    metrics,
    logger: pino({ level: 'silent' }),
    prometheusUrl: 'http://127.0.0.1:9090',
    worker: 'w',
    now: () => (clock += 1000),
  };
  return { deps, provider, metrics };
}

async function counter(m: Metrics, labels: { suite: string; check: string; result: string }): Promise<number> {
  const got = await m.checkEvaluations.get();
  const hit = got.values.find((v) => v.labels.suite === labels.suite && v.labels.check === labels.check && v.labels.result === labels.result);
  return hit?.value ?? 0;
}

describe('runTick', () => {
  it('sends the queries of a suite whose checks ran on its previous tick before its records are back, each once', async () => {
    const { deps, provider } = setup([spec('c', '> 5')]);
    provider.values.set('q_c', 9);
    const events: string[] = [];
    const query = provider.query.bind(provider);
    provider.query = (expr) => {
      events.push(`query ${expr}`);
      return query(expr);
    };
    const load = deps.store.load.bind(deps.store);
    deps.store.load = async (suite) => {
      events.push('load');
      await new Promise((r) => setImmediate(r));
      events.push('loaded');
      return load(suite);
    };
    await runTick(deps, { id: '1', suite: 's', scheduledAt: 0 });
    // A first tick in the process waits for the records (nothing says the suite runs).
    expect(events).toEqual(['load', 'loaded', 'query q_c']);
    events.length = 0;
    provider.values.set('q_c', 1);
    const second = await runTick(deps, { id: '2', suite: 's', scheduledAt: 0 });
    expect(events).toEqual(['query q_c', 'load', 'loaded']);
    expect(second).toMatchObject({ ran: true, states: { ok: 1 } });
  });

  it('prefetches nothing after a tick that failed before its guard answered (Redis down): no queries sent for nothing', async () => {
    const { deps, provider } = setup([spec('c', '> 5')]);
    provider.values.set('q_c', 9);
    const sent: string[] = [];
    const query = provider.query.bind(provider);
    provider.query = (expr) => (sent.push(expr), query(expr));
    await runTick(deps, { id: '1', suite: 's', scheduledAt: 0 });
    expect(sent).toEqual(['q_c']);
    const load = deps.store.load.bind(deps.store);
    deps.store.load = () => Promise.reject(new Error('redis down'));
    // This tick's queries were sent at its start (the suite ran last time), then the load failed.
    await expect(runTick(deps, { id: '2', suite: 's', scheduledAt: 0 })).rejects.toThrow('redis down');
    await expect(runTick(deps, { id: '3', suite: 's', scheduledAt: 0 })).rejects.toThrow('redis down');
    expect(sent).toEqual(['q_c', 'q_c']);
    deps.store.load = load;
    await runTick(deps, { id: '4', suite: 's', scheduledAt: 0 });
    expect(sent).toEqual(['q_c', 'q_c', 'q_c']);
  });

  it('counts a tick whose query failed as result="error", even while the state stays under errorLimit', async () => {
    const { deps, provider, metrics } = setup([spec('c', '> 5')]);
    provider.values.set('q_c', 1);
    await runTick(deps, { id: 't1', suite: 's', scheduledAt: 0 });
    provider.values.set('q_c', null);
    await runTick(deps, { id: 't2', suite: 's', scheduledAt: 0 });
    await runTick(deps, { id: 't3', suite: 's', scheduledAt: 0 });
    expect(await counter(metrics, { suite: 's', check: 'c', result: 'ok' })).toBe(1);
    expect(await counter(metrics, { suite: 's', check: 'c', result: 'error' })).toBe(2);
    // The error's answer returns: an ordinary ok evaluation again.
    provider.values.set('q_c', 1);
    await runTick(deps, { id: 't4', suite: 's', scheduledAt: 0 });
    expect(await counter(metrics, { suite: 's', check: 'c', result: 'ok' })).toBe(2);
    expect(await counter(metrics, { suite: 's', check: 'c', result: 'error' })).toBe(2);
  });

  it('counts errors past errorLimit as errors too, while the check reports unknown', async () => {
    const { deps, provider, metrics } = setup([spec('c', '> 5', { errorLimit: 1 })]);
    provider.values.set('q_c', null);
    await runTick(deps, { id: 't1', suite: 's', scheduledAt: 0 });
    await runTick(deps, { id: 't2', suite: 's', scheduledAt: 0 });
    expect(await counter(metrics, { suite: 's', check: 'c', result: 'error' })).toBe(2);
    expect(await counter(metrics, { suite: 's', check: 'c', result: 'unknown' })).toBe(0);
    const state = await metrics.checkState.get();
    expect(state.values.find((v) => v.labels.state === 'unknown')?.value).toBe(1);
  });

  it('sets check_failing and check_value from the tick it ran', async () => {
    const { deps, provider, metrics } = setup([spec('c', '> 5')]);
    provider.values.set('q_c', 9);
    await runTick(deps, { id: 't1', suite: 's', scheduledAt: 0 });
    expect((await metrics.checkFailing.get()).values[0]?.value).toBe(1);
    expect((await metrics.checkValue.get()).values[0]?.value).toBe(9);
    expect(await counter(metrics, { suite: 's', check: 'c', result: 'failing' })).toBe(1);
  });

  it('logs where the tick went: read, evaluate, save and report laps that add up to durationMs', async () => {
    const { deps, provider } = setup([spec('c', '> 5')]);
    provider.values.set('q_c', 9);
    const lines: Array<Record<string, unknown>> = [];
    deps.logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>) });
    await runTick(deps, { id: 't1', suite: 's', scheduledAt: 0 });
    const tick = lines.find((l) => l.msg === 'tick');
    const phases = tick?.phasesMs as Record<string, number>;
    expect(Object.keys(phases)).toEqual(['read', 'evaluate', 'save', 'report']);
    // The test's clock moves 1 s per reading: each lap is a whole number of those.
    expect(Object.values(phases).reduce((a, b) => a + b, 0)).toBe(tick?.durationMs);
    expect(Object.values(phases).every((ms) => ms > 0 && ms % 1000 === 0)).toBe(true);
  });

  it("ticks a suite instance against its own cluster: that cluster's Prometheus and instance cap", async () => {
    const { deps } = setup([spec('c', '> 5')]);
    const three = [1, 2, 3].map((i) => ({ labels: { pod: `p${i}` }, value: i }));
    const east = tableProvider({ q_c: three });
    const west = tableProvider({ q_c: three.map((x) => ({ ...x, value: x.value * 10 })) });
    const none = tableProvider({});
    const c = deps.groups.get('s')!.checks;
    const d: TickDeps = {
      ...deps,
      provider: none.provider,
      groups: new Map([['east/s', { suite: 'east/s', checks: c }], ['west/s', { suite: 'west/s', checks: c }]]),
      clusters: new Map([
        ['east', { provider: east.provider, prometheusUrl: 'http://east:9090' }],
        ['west', { provider: west.provider, prometheusUrl: 'http://west:9090', maxInstances: 1 }],
      ]),
    };
    await runTick(d, { id: 't1', suite: 'east/s', scheduledAt: 0 });
    await runTick(d, { id: 't2', suite: 'west/s', scheduledAt: 0 });
    expect([east.asked, west.asked, none.asked]).toEqual([['q_c'], ['q_c'], []]);
    const eastRec = (await d.store.load('east/s'))['c'];
    const westRec = (await d.store.load('west/s'))['c'];
    expect([Object.keys(eastRec?.instances ?? {}).length, eastRec?.omittedInstances ?? 0, eastRec?.state]).toEqual([3, 0, 'ok']);
    expect([Object.keys(westRec?.instances ?? {}).length, westRec?.omittedInstances, westRec?.state]).toEqual([1, 2, 'failing']);
  });
});

describe('evaluationResult', () => {
  const rec = (state: CheckRecord['state'], consecutiveErrors: number): CheckRecord => ({ state, instances: {}, consecutiveErrors, lastEvalAt: 0 });
  it('is the state when the query answered, error when the error count grew', () => {
    expect(evaluationResult(rec('ok', 0), rec('ok', 2))).toBe('ok');
    expect(evaluationResult(rec('failing', 1), undefined)).toBe('error');
    expect(evaluationResult(rec('unknown', 4), rec('unknown', 3))).toBe('error');
    expect(evaluationResult(rec('pending', 0), undefined)).toBe('pending');
  });

  it('a suite whose objects are absent is skipped as not deployed, without a query: suite_checked{reason="not_deployed"} 0', async () => {
    const { deps, provider, metrics } = setup([spec('c', '> 5')]);
    provider.values.set('q_c', 9);
    const asked: string[] = [];
    deps.deployment = (suite) => {
      asked.push(suite);
      return Promise.resolve({ deployed: false, reason: 'namespace ns-s does not exist' });
    };
    await runTick(deps, { id: 't1', suite: 's', scheduledAt: 0 });
    expect(asked).toEqual(['s']);
    const record = (await deps.store.load('s'))['c'];
    expect(record?.state).toBe('skipped');
    expect(record?.reason).toBe('not deployed: namespace ns-s does not exist');
    const gauge = await metrics.suiteChecked.get();
    expect(gauge.values.map((v) => [v.labels.reason, v.value])).toEqual([['not_deployed', 0]]);
    // Deployed again: judged (9 > 5 fails), and a probe error leaves it to the queries too.
    deps.deployment = () => Promise.resolve({ deployed: true });
    await runTick(deps, { id: 't2', suite: 's', scheduledAt: 0 });
    expect((await deps.store.load('s'))['c']?.state).toBe('failing');
    deps.deployment = () => Promise.resolve({ error: 'connection refused' });
    await runTick(deps, { id: 't3', suite: 's', scheduledAt: 0 });
    expect((await deps.store.load('s'))['c']?.state).toBe('failing');
    expect((await metrics.suiteChecked.get()).values.map((v) => v.labels.reason)).toEqual(['checked']);
  });
});
