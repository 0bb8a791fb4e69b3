// PromQL syntax checking with Prometheus' own Lezer grammar, so a typo in a query is
// refused at load time instead of turning the check `unknown` on every tick in production.
// Lezer gives up on very long operator chains and very deep nesting (see
// promql-long-expression.ts); an error found in such an expression is re-checked part by
// part, so long valid queries (many expressions batched with `or`) are accepted and a real
// mistake is still reported at its own column.
//
// A config of many suites repeats a few query shapes that differ only inside string
// literals (namespaces, service names). Whether an expression parses does not depend on what
// a literal holds — the grammar's string token only cares about quotes, backslash escapes and
// line breaks — so the error offset is cached by the expression with every other character
// inside a literal replaced by one letter (same length, so offsets stay true), and 5,000
// checks made from a few templates cost a few parses. Messages quote the original text.

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

/** `expr` with each string literal's plain characters replaced by "a": same length, same tokens. */
export function literalShape(expr: string): string {
  let out = '';
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    if (c === '#') {
      const end = expr.indexOf('\n', i);
      const stop = end < 0 ? expr.length : end;
      out += expr.slice(i, stop);
      i = stop;
    } else if (c === '"' || c === "'" || c === '`') {
      const [text, next] = literal(expr, i, c);
      out += text;
      i = next;
    } else {
      out += c;
      i += 1;
    }
  }
  return out;
}

/** The literal opening at `start`, its content masked; and where scanning continues. */
function literal(expr: string, start: number, quote: string): [string, number] {
  let out = quote;
  let i = start + 1;
  while (i < expr.length) {
    const c = expr[i]!;
    if (c === quote) return [out + c, i + 1];
    if (c === '\n' && quote !== '`') return [out, i];
    if (c === '\\' && quote !== '`' && i + 1 < expr.length) {
      // The escaped character is kept when it is a line break (the token rule differs there).
      out += expr[i + 1] === '\n' ? '\\\n' : '\\a';
      i += 2;
      continue;
    }
    out += c === '\n' ? c : 'a';
    i += 1;
  }
  return [out, i];
}

/** Error offsets by literal shape; bounded, cleared when full (an offset is cheap to recompute). */
const offsets = new Map<string, number | null>();
const MAX_SHAPES = 20_000;

function cachedErrorAt(expr: string): number | null {
  const shape = literalShape(expr);
  const known = offsets.get(shape);
  if (known !== undefined) return known;
  let at = errorOffset(shape);
  if (at !== null && shape.length > LONG) at = longExpressionError(shape, errorOffset);
  if (offsets.size >= MAX_SHAPES) offsets.clear();
  offsets.set(shape, at);
  return at;
}

/** Null when `expr` parses; otherwise a message naming the 1-based column inside `expr`. */
export function promqlSyntaxError(expr: string): string | null {
  if (expr.trim() === '') return 'empty PromQL expression';
  const at = cachedErrorAt(expr);
  if (at === null) return null;
  const pos: number = at;
  if (pos >= expr.trimEnd().length) return `PromQL syntax error: unexpected end of expression at column ${pos + 1}`;
  const near = expr.slice(pos, pos + 12);
  return `PromQL syntax error at column ${pos + 1} near "${near}"`;
}
