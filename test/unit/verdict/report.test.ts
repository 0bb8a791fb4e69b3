import { describe, expect, it } from 'vitest';
import { buildReport, quantile, type ReportEntry, type ReportInput } from '../../../src/verdict/report.js';
import { parseRange } from '../../../src/verdict/collect.js';
import { renderReport, REPORT_FORMATS } from '../../../src/verdict/formats.js';

const SEC = 1000;
const T0 = Date.UTC(2026, 11, 1, 10, 0, 0);

function state(check: string, from: string, to: string, atSec: number, suite = 'gs'): ReportEntry {
  return { kind: 'state', suite, check, from: from as never, to: to as never, value: 1, at: T0 + atSec * SEC };
}

function disruption(id: string, startSec: number, endSec: number, outcome: 'success' | 'failure' | 'skipped' = 'success', reason?: string): ReportEntry {
  return { kind: 'disruption', id, suite: 'gs', startedAt: T0 + startSec * SEC, at: T0 + endSec * SEC, outcome, ...(reason ? { reason } : {}), steps: [{ what: 'step 1/1 (rolloutRestart gs/httpbin)', outcome: 'success', startedAt: T0 + startSec * SEC, endedAt: T0 + endSec * SEC }] };
}

function impact(id: string, atSec: number, seconds: number): ReportEntry {
  return { kind: 'impact', id, suite: 'gs', at: T0 + atSec * SEC, checks: [{ suite: 'gs', check: '5xx', phases: ['during', 'after'] }, { suite: 'gs', check: 'p99', phases: [] }], recovery: { status: 'recovered', seconds, at: T0 + atSec * SEC } };
}

function input(entries: ReportEntry[], over: Partial<ReportInput> = {}): ReportInput {
  return {
    from: T0,
    to: T0 + 3600 * SEC,
    generatedAt: T0 + 3600 * SEC,
    suites: [{ name: 'gs', checks: ['5xx', 'p99'] }, { name: 'quiet', checks: ['up'] }],
    entries: new Map([['gs', entries]]),
    current: { 'gs/5xx': 'ok', 'gs/p99': 'ok', 'quiet/up': 'ok' },
    versions: [{ version: '1.28.1', source: 'istio_build', firstSeen: T0, lastSeen: T0 + 3600 * SEC }],
    links: { prometheus: 'http://prom:9090', grafana: 'http://grafana:3000/d/mesh-soak-overview', status: '/' },
    ...over,
  };
}

const soak = [
  disruption('d1', 60, 90),
  state('5xx', 'ok', 'failing', 80),
  state('5xx', 'failing', 'ok', 110),
  impact('d1', 140, 20),
  disruption('d2', 600, 630),
  impact('d2', 700, 40),
  disruption('d3', 1200, 1200, 'skipped', 'suite already failing: 5xx'),
  state('p99', 'ok', 'failing', 1190),
  state('p99', 'failing', 'ok', 1250),
];

describe('buildReport', () => {
  it('gives each suite its verdict, time failing and disruption stats with recovery quantiles', () => {
    const r = buildReport(input(soak));
    expect(r.verdict).toBe('fail');
    const gs = r.suites.find((s) => s.suite === 'gs');
    expect(gs).toMatchObject({ verdict: 'fail', failingMs: 60 * SEC, why: 'failing 60s' });
    expect(gs?.checks).toEqual([
      { check: '5xx', failingMs: 30 * SEC, failures: 1, state: 'ok' },
      { check: 'p99', failingMs: 60 * SEC, failures: 1, state: 'ok' },
    ]);
    expect(gs?.disruptions).toEqual({ run: 2, failed: 0, skipped: 1, notRecovered: 0, recovery: { p50: 20, p95: 40, max: 40 } });
    expect(r.suites.find((s) => s.suite === 'quiet')).toMatchObject({ verdict: 'pass', why: 'no check failed' });
  });

  it('ties each failure to the disruption in progress (or not yet recovered) when it began', () => {
    const r = buildReport(input(soak));
    expect(r.failures).toEqual([
      { suite: 'gs', check: '5xx', from: T0 + 80 * SEC, to: T0 + 110 * SEC, disruption: 'gs/d1' },
      { suite: 'gs', check: 'p99', from: T0 + 1190 * SEC, to: T0 + 1250 * SEC },
    ]);
    expect(r.disruptions.map((d) => [d.id, d.outcome, d.impact?.checks])).toEqual([
      ['d1', 'success', [{ check: '5xx', phases: ['during', 'after'] }]],
      ['d2', 'success', [{ check: '5xx', phases: ['during', 'after'] }]],
      ['d3', 'skipped', undefined],
    ]);
  });

  it('a check failing at the start of the range counts from the start; one still failing until the end', () => {
    const r = buildReport(input([state('5xx', 'failing', 'ok', 100), state('p99', 'ok', 'failing', 3000)]));
    expect(r.failures.map((f) => [f.check, f.from, f.to])).toEqual([
      ['5xx', T0, T0 + 100 * SEC],
      ['p99', T0 + 3000 * SEC, null],
    ]);
    expect(r.suites[0]?.checks[1]?.failingMs).toBe(600 * SEC);
  });

  it('a suite whose checks were never judged is not-judged, not a pass', () => {
    const r = buildReport(input([], { current: { 'gs/5xx': 'unknown', 'gs/p99': 'skipped', 'quiet/up': 'unknown' } }));
    expect(r.verdict).toBe('not-judged');
    expect(r.suites[0]).toMatchObject({ verdict: 'not-judged', why: 'no check was judged (unknown or skipped throughout)' });
  });

  it('a disruption not recovered fails its suite even when no span is recorded', () => {
    const notRecovered: ReportEntry = { kind: 'impact', id: 'd1', suite: 'gs', at: T0 + 700 * SEC, checks: [], recovery: { status: 'not-recovered', boundSeconds: 600, notOk: ['gs/5xx'] } };
    const r = buildReport(input([disruption('d1', 60, 90), notRecovered]));
    expect(r.suites[0]).toMatchObject({ verdict: 'fail', why: '1 disruption(s) not recovered' });
  });
});

describe('buildReport: evidence and the disruption in progress', () => {
  const evidence = { events: [{ at: '2026-12-01T10:01:20Z', type: 'Warning', reason: 'Killing', object: 'Pod/httpbin-1', message: 'Stopping container <httpbin>' }], pods: [{ name: 'httpbin-2', phase: 'Running', ready: '0/1', restarts: 2, reason: 'httpbin: CrashLoopBackOff' }], namespaces: ['gs-ns'] };
  const captured: ReportEntry = { kind: 'evidence', suite: 'gs', check: '5xx', at: T0 + 80 * SEC, evidence };

  it('attaches the evidence captured when a span began to that span only', () => {
    const r = buildReport(input([...soak, captured, state('5xx', 'ok', 'failing', 2000), state('5xx', 'failing', 'ok', 2010)]));
    const spans = r.failures.filter((f) => f.check === '5xx');
    expect(spans.map((f) => f.evidence)).toEqual([evidence, undefined]);
  });

  it('shows evidence in every format: md and html tables, JSON on the span, JUnit system-out (escaped)', () => {
    const r = buildReport(input([...soak, captured]));
    const md = renderReport(r, 'md');
    expect(md).toContain('## Evidence');
    expect(md).toContain('### gs/5xx at 2026-12-01T10:01:20Z');
    expect(md).toContain('| httpbin-2 | Running | 0/1 | 2 | httpbin: CrashLoopBackOff |');
    expect(md).toContain('| 2026-12-01T10:01:20Z | Warning | Killing | Pod/httpbin-1 | Stopping container <httpbin> |');
    const html = renderReport(r, 'html');
    expect(html).toContain('<h2>Evidence</h2>');
    expect(html).toContain('Stopping container &lt;httpbin&gt;');
    expect(JSON.parse(renderReport(r, 'json')).failures[0].evidence).toEqual(evidence);
    const junit = renderReport(r, 'junit');
    expect(junit).toMatch(/<testcase classname="gs" name="5xx"[^>]*><failure [^>]*\/><system-out>evidence when it started failing at 2026-12-01T10:01:20Z:\nnamespaces: gs-ns\npod httpbin-2: Running, ready 0\/1, restarts 2, httpbin: CrashLoopBackOff\nevent [^<]*Stopping container &lt;httpbin&gt;<\/system-out><\/testcase>/);
  });

  it('a failure is tied to its own suite\'s disruption before another suite\'s that began a moment later', () => {
    const other: ReportEntry = { kind: 'disruption', id: 'o1', suite: 'quiet', startedAt: T0 + 61 * SEC, at: T0 + 120 * SEC, outcome: 'success', steps: [] };
    const r = buildReport(input([...soak], { entries: new Map([['gs', soak], ['quiet', [other]]]) }));
    expect(r.failures[0]).toMatchObject({ check: '5xx', disruption: 'gs/d1' });
    // Without a disruption of its own, the other suite's in progress is named.
    const alone = buildReport(input([state('5xx', 'ok', 'failing', 80)], { entries: new Map([['gs', [state('5xx', 'ok', 'failing', 80)]], ['quiet', [other]]]) }));
    expect(alone.failures[0]).toMatchObject({ check: '5xx', disruption: 'quiet/o1' });
  });
});

describe('buildReport: a disruption whose impact is still being judged', () => {
  it('is the one in progress for its suite\'s failures after its end, and its impact reads judging, not none', () => {
    const entries = [disruption('d9', 100, 104), state('5xx', 'ok', 'failing', 110)];
    const r = buildReport(input(entries, { entries: new Map([['gs', entries], ['quiet', [{ kind: 'disruption', id: 'o1', suite: 'quiet', startedAt: T0 + 101 * SEC, at: T0 + 200 * SEC, outcome: 'success', steps: [] }]]]) }));
    expect(r.failures[0]).toMatchObject({ check: '5xx', disruption: 'gs/d9' });
    expect(renderReport(r, 'md')).toMatch(/\| gs \| d9 \| success \| judging \| judging \|/);
  });
});

describe('quantile', () => {
  it('nearest rank', () => {
    expect(quantile([], 0.5)).toBeNull();
    expect(quantile([5], 0.95)).toBe(5);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5)).toBe(5);
    expect(quantile([10, 1, 2, 3, 4, 5, 6, 7, 8, 9], 0.95)).toBe(10);
  });
});

describe('renderReport', () => {
  const r = buildReport(input(soak));
  it('markdown names the verdict, every disruption with impact and recovery, and the versions', () => {
    const md = renderReport(r, 'md');
    expect(md).toContain('# mesh-soak report: FAIL');
    expect(md).toContain('| gs | fail | 60s |');
    expect(md).toMatch(/\| 2026-12-01T10:01:00Z \| gs \| d1 \| success \| 5xx: during\+after \| recovered in 20s \|/);
    expect(md).toContain('| skipped: suite already failing: 5xx |');
    expect(md).toContain('- 1.28.1 (istio_build)');
    expect(md).toContain('[Grafana](http://grafana:3000/d/mesh-soak-overview)');
  });

  it('JUnit: one testsuite per suite, failing checks as failures, skipped disruptions as skipped', () => {
    const xml = renderReport(r, 'junit');
    expect(xml).toContain('<testsuite name="gs" tests="5" failures="2" skipped="1"');
    expect(xml).toContain('<testcase classname="gs.disruptions" name="d3" time="0"><skipped message="suite already failing: 5xx"/></testcase>');
    expect(xml).toContain('<testsuite name="quiet" tests="1" failures="0" skipped="0"');
  });

  it('JSON round-trips the report', () => {
    expect(JSON.parse(renderReport(r, 'json'))).toEqual(JSON.parse(JSON.stringify(r)));
  });

  it('HTML escapes what the ledger says and draws disruption bands and failure bars', () => {
    const hostile = buildReport(input([disruption('<script>x</script>', 60, 90, 'failure', '<b>boom</b>')]));
    const html = renderReport(hostile, 'html');
    expect(html).not.toContain('<script>x');
    expect(html).toContain('&lt;b&gt;boom&lt;/b&gt;');
    const normal = renderReport(r, 'html');
    expect(normal.match(/fill="#bbdefb"/g)).toHaveLength(2);
    expect(normal.match(/fill="#c62828"/g)).toHaveLength(2);
  });

  it('every format renders', () => {
    for (const f of REPORT_FORMATS) expect(renderReport(r, f).length).toBeGreaterThan(100);
  });
});

describe('parseRange', () => {
  const now = T0;
  const table: Array<[Parameters<typeof parseRange>[0], unknown]> = [
    [{}, { ok: true, from: now - 24 * 3600 * SEC, to: now }],
    [{ since: '10m' }, { ok: true, from: now - 600 * SEC, to: now }],
    [{ from: '2026-12-01T09:00:00Z' }, { ok: true, from: T0 - 3600 * SEC, to: now }],
    [{ from: String(T0 / 1000 - 60), to: String(T0 / 1000) }, { ok: true, from: T0 - 60 * SEC, to: T0 }],
    [{ since: 'soon' }, { ok: false, problem: expect.stringMatching(/^--since: /) }],
    [{ since: '40d' }, { ok: false, problem: '--since: "40d" must be more than 0s and at most 31 days' }],
    [{ since: '1h', from: '2026-12-01T09:00:00Z' }, { ok: false, problem: '--since cannot go with --from/--to' }],
    [{ from: 'yesterday' }, { ok: false, problem: expect.stringMatching(/^--from: "yesterday" is not a time/) }],
    [{ from: '2026-12-01T10:00:00Z', to: '2026-12-01T09:00:00Z' }, { ok: false, problem: '--to must be after --from' }],
  ];
  for (const [args, want] of table) {
    it(JSON.stringify(args), () => {
      expect(parseRange(args, now)).toEqual(want);
    });
  }
});

describe('report links with config clusters', () => {
  it("links each cluster's Prometheus, in Markdown and HTML; the JSON keeps prometheus and adds prometheusByCluster", () => {
    const prometheusByCluster = [{ cluster: 'east', url: 'http://prom-east:9090' }, { cluster: 'west', url: 'http://prom-west:9090' }];
    const r = buildReport(input(soak, { links: { prometheus: 'http://prom-east:9090', prometheusByCluster, status: '/' } }));
    expect(renderReport(r, 'md')).toContain('[status page](/) · [Prometheus (east)](http://prom-east:9090) · [Prometheus (west)](http://prom-west:9090)');
    expect(renderReport(r, 'html')).toContain('<a href="http://prom-east:9090">Prometheus (east)</a> · <a href="http://prom-west:9090">Prometheus (west)</a>');
    expect(JSON.parse(renderReport(r, 'json')).links).toEqual({ prometheus: 'http://prom-east:9090', prometheusByCluster, status: '/' });
  });

  it('keeps the one Prometheus link without clusters', () => {
    expect(renderReport(buildReport(input(soak)), 'md')).toContain('[status page](/) · [Grafana](http://grafana:3000/d/mesh-soak-overview) · [Prometheus](http://prom:9090)');
  });
});
