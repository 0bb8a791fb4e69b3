// Test helper: PromQL syntax errors as found by Prometheus' own lezer grammar, so suites,
// rules and dashboards are checked against the same parser the config loader uses.
import { parser } from '@prometheus-io/lezer-promql';

/** Positions and snippets of every error node; empty when the expression parses. */
export function promqlErrors(expr: string): string[] {
  const errors: string[] = [];
  if (expr.trim() === '') return ['empty expression'];
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.type.isError) {
        errors.push(`at ${node.from}: "${expr.slice(Math.max(0, node.from - 10), node.to + 10)}"`);
      }
    },
  });
  return errors;
}
