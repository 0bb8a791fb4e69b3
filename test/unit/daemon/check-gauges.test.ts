// Check gauges refreshed from the shared records: a replica that did not run the last tick
// still reports its outcome, checks and suites that left the config disappear from /metrics,
// and a Redis error leaves the gauges as they were.
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parseCondition } from '../../../src/checks/condition.js';
import type { CheckRecord, CheckStateName } from '../../../src/checks/types.js';
import type { CheckSpec } from '../../../src/config/model.js';
import type { CheckGroup } from '../../../src/checks/evaluate-group.js';
import { refreshCheckGauges } from '../../../src/daemon/check-gauges.js';
import { createMetrics, type Metrics } from '../../../src/telemetry/metrics.js';

function spec(name: string, severity: CheckSpec['severity'] = 'critical'): CheckSpec {
  const cond = parseCondition('> 0');
  if ('error' in cond) throw new Error(cond.error);
  return { name, query: 'x', fail: cond, forMs: 0, keepFiringForMs: 0, noData: 'unknown', errorLimit: 3, severity, labels: {} };
}

function record(state: CheckStateName, value: number | null): CheckRecord {
  return {
    state,
    consecutiveErrors: 0,
    lastEvalAt: 0,
    instances: {
      '{}': { key: '{}', labels: {}, state, value, activeSince: null, failingSince: null, lastTrueAt: null },
    },
  };
}

function storeOf(data: Record<string, Record<string, CheckRecord>>): { load: (suite: string) => Promise<Record<string, CheckRecord>> } {
  return { load: (suite) => Promise.resolve(data[suite] ?? {}) };
}

async function scrape(m: Metrics): Promise<string> {
  return m.registry.metrics();
}

describe('refreshCheckGauges', () => {
  it("reports the stored state although this replica's own last tick said otherwise", async () => {
    const metrics = createMetrics(new Registry(), 'test');
    // This replica's last tick saw the check failing; the other replica has since seen it recover.
    metrics.setCheckState('http10', '5xx', 'critical', 'failing');
    metrics.setCheckValue('http10', '5xx', 3);
    const groups = new Map<string, CheckGroup>([['http10', { suite: 'http10', checks: [spec('5xx')] }]]);
    await refreshCheckGauges({ store: storeOf({ http10: { '5xx': record('ok', 0) } }), groups, metrics });
    const text = await scrape(metrics);
    expect(text).toContain('mesh_soak_check_failing{suite="http10",check="5xx",severity="critical"} 0');
    expect(text).toContain('mesh_soak_check_state{suite="http10",check="5xx",severity="critical",state="ok"} 1');
    expect(text).toContain('mesh_soak_check_state{suite="http10",check="5xx",severity="critical",state="failing"} 0');
    expect(text).toContain('mesh_soak_check_value{suite="http10",check="5xx"} 0');
  });

  it('sets gauges for checks this replica never ticked, with the configured severity', async () => {
    const metrics = createMetrics(new Registry(), 'test');
    const groups = new Map<string, CheckGroup>([
      ['a', { suite: 'a', checks: [spec('c', 'warning'), spec('never-ran')] }],
      ['mesh', { suite: 'mesh', checks: [spec('xds')] }],
    ]);
    const store = storeOf({ a: { c: record('failing', 7) }, mesh: { xds: record('unknown', null) } });
    await refreshCheckGauges({ store, groups, metrics });
    const text = await scrape(metrics);
    expect(text).toContain('mesh_soak_check_failing{suite="a",check="c",severity="warning"} 1');
    expect(text).toContain('mesh_soak_check_value{suite="a",check="c"} 7');
    expect(text).toContain('mesh_soak_check_state{suite="mesh",check="xds",severity="critical",state="unknown"} 1');
    // prom-client writes NaN as `Nan`; Prometheus parses either spelling.
    expect(text).toMatch(/^mesh_soak_check_value\{suite="mesh",check="xds"\} nan$/im);
    expect(text).not.toContain('check="never-ran"');
  });

  it('forgets checks and suites that are no longer configured', async () => {
    const metrics = createMetrics(new Registry(), 'test');
    metrics.setCheckState('a', 'kept', 'critical', 'ok');
    metrics.setCheckState('a', 'removed', 'critical', 'failing');
    metrics.recordEvaluation('a', 'removed', 'failing');
    metrics.setCheckState('gone', 'c', 'critical', 'failing');
    metrics.setCheckValue('gone', 'c', 1);
    metrics.tickDuration.observe({ suite: 'gone' }, 0.1);
    const groups = new Map<string, CheckGroup>([['a', { suite: 'a', checks: [spec('kept')] }]]);
    await refreshCheckGauges({ store: storeOf({ a: { kept: record('ok', 0) } }), groups, metrics });
    const text = await scrape(metrics);
    expect(text).toContain('check="kept"');
    expect(text).not.toContain('check="removed"');
    expect(text).not.toContain('suite="gone"');
    expect(metrics.knownChecks()).toEqual([{ suite: 'a', check: 'kept' }]);
  });

  it('leaves the gauges as they were when Redis fails', async () => {
    const metrics = createMetrics(new Registry(), 'test');
    metrics.setCheckState('a', 'c', 'critical', 'failing');
    const before = await scrape(metrics);
    const groups = new Map<string, CheckGroup>([
      ['a', { suite: 'a', checks: [spec('c')] }],
      ['b', { suite: 'b', checks: [spec('d')] }],
    ]);
    const store = {
      load: (suite: string) => (suite === 'b' ? Promise.reject(new Error('connection lost')) : Promise.resolve({ c: record('ok', 0) })),
    };
    await expect(refreshCheckGauges({ store, groups, metrics })).rejects.toThrow('connection lost');
    const after = await scrape(metrics);
    const failing = (t: string): string | undefined => t.split('\n').find((l) => l.startsWith('mesh_soak_check_failing{'));
    expect(failing(after)).toBe(failing(before));
    expect(failing(after)).toContain('} 1');
  });
});
