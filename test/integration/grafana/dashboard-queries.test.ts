// The Grafana emulation the panels test relies on: if it substituted variables differently
// from Grafana, the panels test would prove nothing about what users see.

import { describe, expect, it } from 'vitest';
import { annotationEvents, annotationQueries, defaultValue, panelQueries, parseLabelValues, substitute, variableOptions } from './dashboard-queries.js';

describe('substitute', () => {
  it('replaces every Grafana variable syntax and the interval built-ins', () => {
    expect(substitute('rate(x{suite="$suite",i=~"${instance}",c="${check:raw}",n="[[ns]]"}[$__rate_interval])', {
      suite: 'web',
      instance: '.*',
      check: 'errors',
      ns: 'istio-stability-http10',
    })).toBe('rate(x{suite="web",i=~".*",c="errors",n="istio-stability-http10"}[1m])');
    expect(substitute('increase(x[$__range]) / $__range_s', {})).toBe('increase(x[5m]) / 300');
  });

  it('refuses a variable the dashboard does not define, naming it', () => {
    expect(() => substitute('x{a="$nope"}', {})).toThrow(/\$nope/);
  });

  it('leaves a regex end anchor alone', () => {
    expect(substitute('x{a=~"foo$"}', {})).toBe('x{a=~"foo$"}');
  });
});

describe('variables', () => {
  it('parses both label_values forms', () => {
    expect(parseLabelValues('label_values(mesh_soak_check_value{suite="web"}, check)')).toEqual({ label: 'check', match: 'mesh_soak_check_value{suite="web"}' });
    expect(parseLabelValues('label_values(suite)')).toEqual({ label: 'suite' });
    expect(() => parseLabelValues('query_result(up)')).toThrow(/unsupported/);
  });

  it('filters options by the /regex/ and sorts them', () => {
    const v = { name: 'namespace', type: 'query', regex: '/istio-stability-.*|istio-system/', sort: 1 };
    expect(variableOptions(v, ['kube-system', 'istio-stability-web', 'istio-system', 'istio-stability-api'])).toEqual([
      'istio-stability-api',
      'istio-stability-web',
      'istio-system',
    ]);
  });

  it('opens on All, then the saved value if still offered, then the first option', () => {
    expect(defaultValue({ name: 'i', type: 'query', includeAll: true, allValue: '.*' }, ['a'])).toBe('.*');
    expect(defaultValue({ name: 'i', type: 'query', includeAll: true, allValue: null }, ['a.b', 'c'])).toBe('(a\\.b|c)');
    expect(defaultValue({ name: 'n', type: 'query', current: { value: 'b' } }, ['a', 'b'])).toBe('b');
    expect(defaultValue({ name: 'n', type: 'query', current: { value: 'gone' } }, ['a', 'b'])).toBe('a');
  });
});

describe('query extraction', () => {
  it('finds targets in rows, repeated panels and annotations', () => {
    const d = {
      title: 'D',
      panels: [
        { title: 'top', targets: [{ refId: 'A', expr: 'up' }, { refId: 'B' }] },
        { title: 'row', type: 'row', panels: [{ title: 'inner', repeat: 'check', targets: [{ refId: 'A', expr: 'x' }] }] },
        { title: 'text', type: 'text' },
      ],
      annotations: { list: [{ name: 'builtin' }, { name: 'Disruptions', expr: 'changes(y[1m]) > 0', step: '60s' }] },
    };
    expect(panelQueries(d)).toEqual([
      { name: 'D / top', targets: [{ refId: 'A', expr: 'up' }] },
      { name: 'D / inner', targets: [{ refId: 'A', expr: 'x' }], repeat: 'check' },
    ]);
    expect(annotationQueries(d)).toEqual([
      { name: 'D / annotation Disruptions', expr: 'changes(y[1m]) > 0', step: '60s', annotation: { name: 'Disruptions', expr: 'changes(y[1m]) > 0', step: '60s' } },
    ]);
  });
});

describe('annotation events, as Grafana draws them', () => {
  const a = { titleFormat: 'disruption of {{suite}}: {{outcome}}', textFormat: '{{missing}}x', tagKeys: 'suite,outcome' };
  const m = { suite: 'web', outcome: 'success', instance: 'i' };
  const cases: Array<[string, boolean, Array<[number, string]>, number, Array<[number, number]>]> = [
    // [what, useValueForTime, points (s, value), step ms, expected [time, timeEnd] in ms]
    ['values > 0 within a step make one band', false, [[10, '1'], [15, '1'], [20, '1']], 5000, [[10_000, 20_000]]],
    ['a gap longer than the step splits it', false, [[10, '1'], [15, '0'], [20, '0'], [25, '1']], 5000, [[10_000, 10_000], [25_000, 25_000]]],
    ['zero and negative values draw nothing', false, [[10, '0'], [15, '-1']], 5000, []],
    ['values as times: a sweep from start to end is one band', true, [[100, '40000'], [105, '40000'], [110, '45000'], [115, '47500'], [120, '47500']], 5000, [[40_000, 47_500]]],
    ['values as times: a jump past the step starts another band', true, [[100, '40000'], [105, '45000'], [110, '90000'], [115, '93000']], 5000, [[40_000, 45_000], [90_000, 93_000]]],
    ['values as times are floored to whole ms', true, [[100, '40000.9']], 5000, [[40_000, 40_000]]],
  ];
  it.each(cases)('%s', (_what, useValueForTime, values, stepMs, expected) => {
    const events = annotationEvents({ ...a, useValueForTime }, [{ metric: m, values }], stepMs);
    expect(events.map((e) => [e.time, e.timeEnd])).toEqual(expected);
    for (const e of events) {
      expect(e.title).toBe('disruption of web: success');
      expect(e.text).toBe('x');
      expect(e.tags).toEqual(['web', 'success']);
    }
  });
});
