// PromQL syntax checking with Prometheus' own Lezer grammar, so a typo in a query is
// refused at load time instead of turning the check `unknown` on every tick in production.

import { parser } from '@prometheus-io/lezer-promql';

/** Null when `expr` parses; otherwise a message naming the 1-based column inside `expr`. */
export function promqlSyntaxError(expr: string): string | null {
  if (expr.trim() === '') return 'empty PromQL expression';
  const tree = parser.parse(expr);
  let at: number | null = null;
  tree.iterate({
    enter(node) {
      if (at !== null) return false;
      if (node.type.isError) {
        at = node.from;
        return false;
      }
      return undefined;
    },
  });
  if (at === null) return null;
  const pos: number = at;
  if (pos >= expr.trimEnd().length) return `PromQL syntax error: unexpected end of expression at column ${pos + 1}`;
  const near = expr.slice(pos, pos + 12);
  return `PromQL syntax error at column ${pos + 1} near "${near}"`;
}
