// The PromQL syntax check caches error offsets by an expression's literal shape (string
// literal contents masked, length kept). The shape must never change the verdict: for every
// expression here the offset equals Lezer's own on the original text, and messages quote the
// original text, not the mask.
import { parser } from '@prometheus-io/lezer-promql';
import { describe, expect, it } from 'vitest';
import { literalShape, promqlSyntaxError } from '../../../src/config/promql-syntax.js';

function lezerOffset(expr: string): number | null {
  let at: number | null = null;
  parser.parse(expr).iterate({
    enter(node) {
      if (at !== null) return false;
      if (node.type.isError) at = node.from;
      return at === null ? undefined : false;
    },
  });
  return at;
}

const CORPUS = [
  'sum(rate(istio_requests_total{destination_service_namespace="ns-a", response_code=~"5.."}[1m]))',
  'sum(rate(istio_requests_total{destination_service_namespace="ns-b", response_code=~"5.."}[1m])',
  'up{job="a\\"b"} == 1',
  "up{job='it''s'}",
  'up{job=`raw "quoted" \\ text`}',
  'up{job="unterminated}',
  'up{job="line\nbreak"}',
  'up{job="esc\\\nbreak"}',
  '{"utf8.metric", job="x"}',
  'up # a "comment" with quotes\n + 1',
  'sum by (job) (up{job="x"}) > ',
  'rate(x{a="1"}[5m]) / on(a) group_left rate(y{a="2"}[5m',
  '"just a string"',
  'up{job="a"} and',
];

describe('PromQL literal shape', () => {
  it('keeps the length and every token boundary, masks only literal contents', () => {
    expect(literalShape('up{job="ns-1", x=\'b\\\'c\'}')).toBe('up{job="aaaa", x=\'a\\aa\'}');
    expect(literalShape('x # "not a literal"\n{a="b"}')).toBe('x # "not a literal"\n{a="a"}');
    for (const e of CORPUS) expect(literalShape(e)).toHaveLength(e.length);
  });

  it('gives the verdict Lezer gives on the original text, for every expression', () => {
    for (const e of CORPUS) {
      const at = lezerOffset(e);
      const message = promqlSyntaxError(e);
      if (at === null) expect(message, e).toBeNull();
      else expect(message, e).toMatch(new RegExp(`column ${at + 1}\\b`));
    }
  });

  it('expressions of one shape share the parse, each message quoting its own text', () => {
    const a = promqlSyntaxError('sum(up{namespace="team-a"}) +');
    const b = promqlSyntaxError('sum(up{namespace="team-b"}) +');
    expect(a).toBe(b);
    const c = promqlSyntaxError('up{namespace="team-a"} } x');
    const d = promqlSyntaxError('up{namespace="team-b"} } y');
    expect(c).toContain('near "} x"');
    expect(d).toContain('near "} y"');
  });
});
