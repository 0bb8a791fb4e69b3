// The check vocabulary of the pure core: what a check is (CheckSpec), how it fails
// (Condition), how loud it is (Severity) and what an empty answer (NoDataPolicy) or a NaN
// (NanPolicy) means.
// config/ builds these from YAML; everything else reads them. Imports nothing.

export type Severity = 'info' | 'warning' | 'critical';
export type NoDataPolicy = 'ok' | 'unknown' | 'fail';
/** What a NaN value means (0/0: a ratio while traffic pauses); default `unknown`. */
export type NanPolicy = 'ok' | 'unknown' | 'fail';

/** `> N`, `>= N`, `< N`, `<= N`, `== N`, `!= N`, `outside A..B`, as written by the user. */
export type Condition =
  | { op: '>' | '>=' | '<' | '<=' | '==' | '!='; value: number; text: string }
  | { op: 'outside'; low: number; high: number; text: string };

/** Other `fail` conditions by suite phase (phases.ts); `after` holds for `graceMs` after a disruption's end. */
export interface CheckPhases {
  steady?: { fail: Condition };
  during?: { fail: Condition };
  after?: { graceMs: number; fail: Condition };
}

export interface CheckSpec {
  /** Unique within its suite. */
  name: string;
  /** PromQL, templates ({{namespace}}, {{params.x}}) already rendered. */
  query: string;
  fail: Condition;
  forMs: number;
  keepFiringForMs: number;
  noData: NoDataPolicy;
  /** Absent means `unknown`: a NaN says nothing, so it never passes unless the user says so. */
  nan?: NanPolicy;
  errorLimit: number;
  severity: Severity;
  /** Templates with {{value}} and {{labels.NAME}}; rendered per instance. */
  summary?: string;
  description?: string;
  /** Extra labels attached to every instance and alert. */
  labels: Record<string, string>;
  /** Other `fail` conditions while the suite is disrupted and shortly after (phases.ts). */
  phases?: CheckPhases;
}

