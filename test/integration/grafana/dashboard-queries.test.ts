// The Grafana emulation the panels test relies on: if it substituted variables differently
// from Grafana, the panels test would prove nothing about what users see.

import { describe, expect, it } from 'vitest';
import { annotationQueries, defaultValue, panelQueries, parseLabelValues, substitute, variableOptions } from './dashboard-queries.js';

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
    expect(annotationQueries(d)).toEqual([{ name: 'D / annotation Disruptions', expr: 'changes(y[1m]) > 0', step: '60s' }]);
  });
});
