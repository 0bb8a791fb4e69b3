// The check vocabulary of the pure core: what a check is (CheckSpec), how it fails
// (Condition), how loud it is (Severity) and what an empty answer means (NoDataPolicy).
// config/ builds these from YAML; everything else reads them. Imports nothing.

export type Severity = 'info' | 'warning' | 'critical';
export type NoDataPolicy = 'ok' | 'unknown' | 'fail';

/** `> N`, `>= N`, `< N`, `<= N`, `== N`, `!= N`, `outside A..B`, as written by the user. */
export type Condition =
  | { op: '>' | '>=' | '<' | '<=' | '==' | '!='; value: number; text: string }
  | { op: 'outside'; low: number; high: number; text: string };

export interface CheckSpec {
  /** Unique within its suite. */
  name: string;
  /** PromQL, templates ({{namespace}}, {{params.x}}) already rendered. */
  query: string;
  fail: Condition;
  forMs: number;
  keepFiringForMs: number;
  noData: NoDataPolicy;
  errorLimit: number;
  severity: Severity;
  /** Templates with {{value}} and {{labels.NAME}}; rendered per instance. */
  summary?: string;
  description?: string;
  /** Extra labels attached to every instance and alert. */
  labels: Record<string, string>;
}

