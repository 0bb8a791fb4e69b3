// PromQL syntax checking with Prometheus' own Lezer grammar, so a typo in a query is
// refused at load time instead of turning the check `unknown` on every tick in production.
// Lezer gives up on very long operator chains and very deep nesting (see
// promql-long-expression.ts); an error found in such an expression is re-checked part by
// part, so long valid queries (many expressions batched with `or`) are accepted and a real
// mistake is still reported at its own column.

import { parser } from '@prometheus-io/lezer-promql';
import { longExpressionError } from './promql-long-expression.js';

/** Long enough that Lezer's limits may have produced the error node, not the text. */
const LONG = 1000;

function errorOffset(expr: string): number | null {
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
  return at;
}

/** Null when `expr` parses; otherwise a message naming the 1-based column inside `expr`. */
export function promqlSyntaxError(expr: string): string | null {
  if (expr.trim() === '') return 'empty PromQL expression';
  let at = errorOffset(expr);
  if (at !== null && expr.length > LONG) at = longExpressionError(expr, errorOffset);
  if (at === null) return null;
  const pos: number = at;
  if (pos >= expr.trimEnd().length) return `PromQL syntax error: unexpected end of expression at column ${pos + 1}`;
  const near = expr.slice(pos, pos + 12);
  return `PromQL syntax error at column ${pos + 1} near "${near}"`;
}
