// The own-metrics registry as a scraper sees it: names, types and labels from DESIGN.md,
// promtool's linter satisfied, and series of removed suites gone.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { createMetrics, DISRUPTION_SLOTS, promOutcome, thresholdLines, type Metrics } from '../../../src/telemetry/metrics.js';
import type { Condition } from '../../../src/checks/model.js';

const PROMTOOL = '/usr/bin/promtool';

/** Exercises every metric once so each has at least one series to render. */
function populate(m: Metrics): void {
  m.setCheckState('http10', '5xx-rate', 'critical', 'failing');
  m.setCheckValue('http10', '5xx-rate', 0.25);
  m.setCheckState('mesh', 'pilot-xds-rejects', 'warning', 'unknown');
  m.setCheckValue('mesh', 'pilot-xds-rejects', null);
  m.recordEvaluation('http10', '5xx-rate', 'failing');
  m.tickDuration.observe({ suite: 'http10' }, 0.12);
  m.tickLag.observe({ suite: 'http10' }, 0.003);
  m.recordDisruption('http10', 'success', 42);
  m.markDisruptionWindow('http10', 'success', 1_700_000_000_000, 1_700_000_042_000);
  m.zeroDisruptionSeries('http10');
  m.setCheckThreshold('http10', '5xx-rate', { op: '>', value: 0, text: '> 0' });
  m.restoresPending.set(0);
  m.prometheusRequestDuration.observe({ outcome: 'success' }, 0.02);
  m.kubeRequests.inc({ verb: 'patch', resource: 'deployments', code: '200' });
  m.recordNotification('slack', 'success');
  m.queueJobs.set({ queue: 'ticks', state: 'waiting' }, 3);
  m.redisUp.set(1);
}

/** Parses `# TYPE name type` lines and the label names seen on each family's samples. */
function families(text: string): Map<string, { type: string; labels: Set<string> }> {
  const out = new Map<string, { type: string; labels: Set<string> }>();
  for (const line of text.split('\n')) {
    const t = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (t) out.set(t[1]!, { type: t[2]!, labels: new Set() });
  }
  for (const line of text.split('\n')) {
    const s = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? /.exec(line);
    if (!s) continue;
    const base = s[1]!.replace(/_(bucket|sum|count)$/, '');
    const fam = out.get(s[1]!) ?? out.get(base);
    if (!fam) continue;
    for (const m of (s[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)) {
      if (m[1] !== 'le') fam.labels.add(m[1]!);
    }
  }
  return out;
}

const EXPECTED: Array<[string, string, string[]]> = [
  ['check_state', 'gauge', ['suite', 'check', 'severity', 'state']],
  ['check_failing', 'gauge', ['suite', 'check', 'severity']],
  ['check_value', 'gauge', ['suite', 'check']],
  ['check_evaluations_total', 'counter', ['suite', 'check', 'result']],
  ['tick_duration_seconds', 'histogram', ['suite']],
  ['tick_lag_seconds', 'histogram', ['suite']],
  ['disruptions_total', 'counter', ['suite', 'outcome']],
  ['disruption_duration_seconds', 'histogram', ['suite']],
  ['restores_pending', 'gauge', []],
  ['prometheus_request_duration_seconds', 'histogram', ['outcome']],
  ['kube_requests_total', 'counter', ['verb', 'resource', 'code']],
  ['notifications_total', 'counter', ['sink', 'outcome']],
  ['queue_jobs', 'gauge', ['queue', 'state']],
  ['redis_up', 'gauge', []],
  ['build_info', 'gauge', ['version']],
  // issue 13 (additive)
  ['recovery_seconds', 'histogram', ['suite']],
  ['disruption_not_recovered_total', 'counter', ['suite']],
  ['disruption_in_progress', 'gauge', ['suite']],
  ['check_threshold', 'gauge', ['suite', 'check', 'bound']],
  ['disruption_last_start_timestamp_seconds', 'gauge', ['suite', 'outcome', 'slot']],
  ['disruption_last_end_timestamp_seconds', 'gauge', ['suite', 'outcome', 'slot']],
];

describe('createMetrics', () => {
  it('exposes every DESIGN.md metric with its type and labels', async () => {
    const m = createMetrics(new Registry(), '1.2.3');
    populate(m);
    const fams = families(await m.registry.metrics());
    for (const [name, type, labels] of EXPECTED) {
      const fam = fams.get(`mesh_soak_${name}`);
      expect(fam, name).toBeDefined();
      expect(fam!.type, name).toBe(type);
      expect([...fam!.labels].sort(), name).toEqual([...labels].sort());
    }
    // prom-client's default process metrics are there too.
    expect(fams.has('process_cpu_user_seconds_total')).toBe(true);
    expect(fams.has('nodejs_eventloop_lag_seconds')).toBe(true);
  });

  it.runIf(existsSync(PROMTOOL))('passes promtool check metrics without a single remark', async () => {
    const m = createMetrics(new Registry(), '1.2.3');
    populate(m);
    const res = spawnSync(PROMTOOL, ['check', 'metrics'], { input: await m.registry.metrics(), encoding: 'utf8' });
    expect(res.stdout + res.stderr).toBe('');
    expect(res.status).toBe(0);
  });

  it('reports build_info = 1 with the version', async () => {
    const m = createMetrics(undefined, '9.9.9');
    expect(await m.registry.metrics()).toContain('mesh_soak_build_info{version="9.9.9"} 1');
  });

  it('sets exactly one of the five state series to 1 and mirrors check_failing', async () => {
    const m = createMetrics(new Registry(), 'x');
    m.setCheckState('s', 'c', 'critical', 'pending');
    m.setCheckState('s', 'c', 'critical', 'failing');
    const text = await m.registry.metrics();
    const lines = text.split('\n').filter((l) => l.startsWith('mesh_soak_check_state{'));
    expect(lines).toHaveLength(5);
    expect(lines.filter((l) => l.endsWith(' 1'))).toEqual([
      'mesh_soak_check_state{suite="s",check="c",severity="critical",state="failing"} 1',
    ]);
    expect(text).toContain('mesh_soak_check_failing{suite="s",check="c",severity="critical"} 1');
    m.setCheckState('s', 'c', 'critical', 'ok');
    expect(await m.registry.metrics()).toContain('mesh_soak_check_failing{suite="s",check="c",severity="critical"} 0');
  });

  it('drops the old severity series when a check changes severity', async () => {
    const m = createMetrics(new Registry(), 'x');
    m.setCheckState('s', 'c', 'warning', 'ok');
    m.setCheckState('s', 'c', 'critical', 'ok');
    const text = await m.registry.metrics();
    expect(text).not.toContain('severity="warning"');
    expect(text).toContain('severity="critical"');
  });

  it('exports a missing value as NaN', async () => {
    const m = createMetrics(new Registry(), 'x');
    m.setCheckValue('s', 'c', null);
    // prom-client writes "Nan"; Prometheus parses floats case-insensitively.
    expect(await m.registry.metrics()).toMatch(/^mesh_soak_check_value\{suite="s",check="c"\} nan$/im);
  });

  it('forgets every series of a removed suite and keeps the others', async () => {
    const m = createMetrics(new Registry(), 'x');
    populate(m);
    m.setCheckState('other', 'c', 'info', 'ok');
    m.forgetSuite('http10');
    const text = await m.registry.metrics();
    expect(text).not.toContain('suite="http10"');
    expect(text).toContain('suite="other"');
    expect(text).toContain('suite="mesh"');
  });

  it('exports check_value again after a forgotten check comes back with the value it had, NaN included', async () => {
    const m = createMetrics(new Registry(), 'x');
    m.setCheckValue('s', 'c', 1);
    m.setCheckValue('s', 'n', null);
    m.forgetCheck('s', 'c');
    m.forgetCheck('s', 'n');
    m.setCheckValue('s', 'c', 1);
    m.setCheckValue('s', 'n', null);
    const text = await m.registry.metrics();
    expect(text).toMatch(/^mesh_soak_check_value\{suite="s",check="c"\} 1$/m);
    expect(text).toMatch(/^mesh_soak_check_value\{suite="s",check="n"\} nan$/im);
  });

  it('forgets one check without touching its siblings', async () => {
    const m = createMetrics(new Registry(), 'x');
    m.setCheckState('s', 'gone', 'info', 'ok');
    m.setCheckValue('s', 'gone', 1);
    m.recordEvaluation('s', 'gone', 'ok');
    m.setCheckState('s', 'kept', 'info', 'ok');
    m.forgetCheck('s', 'gone');
    const text = await m.registry.metrics();
    expect(text).not.toContain('check="gone"');
    expect(text).toContain('check="kept"');
  });
});

describe('promOutcome', () => {
  it("labels Prometheus requests by 'success' or the error kind, and nothing else", () => {
    for (const kind of ['success', 'unreachable', 'timeout', 'http', 'bad_data', 'execution']) expect(promOutcome(kind)).toBe(kind);
    expect(promOutcome('something-new')).toBe('error');
    expect(promOutcome('')).toBe('error');
  });

  it('renders each kind as its own outcome series, which MeshSoakPrometheusUnreachable names', async () => {
    const m = createMetrics(new Registry(), 'test');
    m.prometheusRequestDuration.observe({ outcome: promOutcome('unreachable') }, 0.01);
    m.prometheusRequestDuration.observe({ outcome: promOutcome('bad_data') }, 0.01);
    const text = await m.registry.metrics();
    expect(text).toContain('mesh_soak_prometheus_request_duration_seconds_count{outcome="unreachable"} 1');
    expect(text).toContain('mesh_soak_prometheus_request_duration_seconds_count{outcome="bad_data"} 1');
  });
});

describe('suite_checked', () => {
  it('keeps one series per suite, 1 only when checked, and forgets it with the suite', async () => {
    const m = createMetrics(new Registry(), '1.2.3');
    m.setSuiteCoverage('http10', 'not_running');
    m.setCheckState('http10', 'sanity', 'warning', 'skipped');
    let text = await m.registry.metrics();
    expect(text).toContain('mesh_soak_suite_checked{suite="http10",reason="not_running"} 0');
    m.setSuiteCoverage('http10', 'checked');
    text = await m.registry.metrics();
    expect(text).toContain('mesh_soak_suite_checked{suite="http10",reason="checked"} 1');
    expect(text).not.toContain('reason="not_running"');
    m.forgetSuite('http10');
    expect(await m.registry.metrics()).not.toContain('mesh_soak_suite_checked{');
  });
});

describe('check_threshold', () => {
  it.each<[string, Condition, Array<{ bound: string; value: number }>]>([
    ['> N fails above N', { op: '>', value: 0.5, text: '> 0.5' }, [{ bound: 'upper', value: 0.5 }]],
    ['>= N fails at and above N', { op: '>=', value: 3, text: '>= 3' }, [{ bound: 'upper', value: 3 }]],
    ['< N fails below N', { op: '<', value: 0.5, text: '< 0.5' }, [{ bound: 'lower', value: 0.5 }]],
    ['<= N fails at and below N', { op: '<=', value: 0, text: '<= 0' }, [{ bound: 'lower', value: 0 }]],
    ['== N fails at N', { op: '==', value: 1, text: '== 1' }, [{ bound: 'equal', value: 1 }]],
    ['!= N fails away from N', { op: '!=', value: 1, text: '!= 1' }, [{ bound: 'equal', value: 1 }]],
    ['outside A..B draws both bounds', { op: 'outside', low: 1, high: 5, text: 'outside 1..5' }, [{ bound: 'lower', value: 1 }, { bound: 'upper', value: 5 }]],
  ])('%s', (_what, c, lines) => {
    expect(thresholdLines(c)).toEqual(lines);
  });

  it('replaces the lines of a changed condition and is forgotten with its check', async () => {
    const m = createMetrics(new Registry(), 'x');
    m.setCheckThreshold('s', 'c', { op: 'outside', low: 1, high: 5, text: 'outside 1..5' });
    m.setCheckThreshold('s', 'c', { op: '>', value: 2, text: '> 2' });
    let text = await m.registry.metrics();
    expect(text.split('\n').filter((l) => l.startsWith('mesh_soak_check_threshold{'))).toEqual(['mesh_soak_check_threshold{suite="s",check="c",bound="upper"} 2']);
    m.forgetCheck('s', 'c');
    text = await m.registry.metrics();
    expect(text).not.toContain('mesh_soak_check_threshold{');
  });
});

describe('disruption bands and zeroed series', () => {
  it('puts consecutive disruptions of a suite in turning slots, in seconds', async () => {
    const m = createMetrics(new Registry(), 'x');
    for (let i = 0; i <= DISRUPTION_SLOTS; i++) m.markDisruptionWindow('s', 'success', (100 + i) * 1000, (110 + i) * 1000);
    const text = await m.registry.metrics();
    const starts = text.split('\n').filter((l) => l.startsWith('mesh_soak_disruption_last_start_timestamp_seconds{'));
    // The fifth disruption took slot 0 again; slots 1..3 hold the 2nd..4th.
    expect(starts).toEqual([
      'mesh_soak_disruption_last_start_timestamp_seconds{suite="s",outcome="success",slot="0"} 104',
      'mesh_soak_disruption_last_start_timestamp_seconds{suite="s",outcome="success",slot="1"} 101',
      'mesh_soak_disruption_last_start_timestamp_seconds{suite="s",outcome="success",slot="2"} 102',
      'mesh_soak_disruption_last_start_timestamp_seconds{suite="s",outcome="success",slot="3"} 103',
    ]);
    expect(text).toContain('mesh_soak_disruption_last_end_timestamp_seconds{suite="s",outcome="success",slot="0"} 114');
    m.forgetSuite('s');
    expect(await m.registry.metrics()).not.toContain('suite="s"');
  });

  it('creates the disruption series of a suite at zero, so a first recovery is an increase', async () => {
    const m = createMetrics(new Registry(), 'x');
    m.zeroDisruptionSeries('s');
    const text = await m.registry.metrics();
    expect(text).toContain('mesh_soak_recovery_seconds_count{suite="s"} 0');
    expect(text).toContain('mesh_soak_disruption_not_recovered_total{suite="s"} 0');
    expect(text).toContain('mesh_soak_disruptions_total{suite="s",outcome="success"} 0');
    expect(text).toContain('mesh_soak_disruptions_total{suite="s",outcome="failure"} 0');
    expect(text).toContain('mesh_soak_disruption_in_progress{suite="s"} 0');
  });
});
