// The data-source query of a suite's guard: built from the metric names the guard reads,
// `absent(a) and absent(b)`, true (a series) only when none of them exist in Prometheus.
// The check engine asks it when the guard returns nothing, so a guard over a missing
// exporter (kube-state-metrics, Istio telemetry) makes the suite unknown instead of
// skipped (src/checks/guard.ts).

import { parser } from '@prometheus-io/lezer-promql';

/** The metric names of the guard's selectors (`name{...}`), sorted, each once. */
export function guardMetricNames(expr: string): string[] {
  const names = new Set<string>();
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.name === 'Identifier' && node.node.parent?.type.name === 'VectorSelector') {
        names.add(expr.slice(node.from, node.to));
      }
      return undefined;
    },
  });
  return [...names].sort();
}

/** Undefined when the guard names no metric (then an empty guard means "not running"). */
export function guardSourceQuery(guard: string): string | undefined {
  const names = guardMetricNames(guard);
  if (names.length === 0) return undefined;
  return names.map((n) => `absent(${n})`).join(' and ');
}
