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

/** Where a `logs` check reads (checks/logs.ts); times in ms, bounds per read. */
export interface LogsQuery {
  namespace: string;
  /** Label selector of the pods; absent: every pod of the namespace. */
  selector?: string;
  /** Container names; absent: every container. */
  containers?: string[];
  /** Regular expression, matched case-insensitively per line. */
  pattern: string;
  windowMs: number;
  /** Logs are read at most this often; ticks in between reuse the last counts. */
  intervalMs: number;
  /** Bytes read per container (the API's limitBytes); a container past it is labelled truncated="true". */
  maxBytesPerContainer: number;
  /** More matching pods than this: the read fails (unknown), never a partial count. */
  maxPods: number;
}

/** Other `fail` conditions by suite phase (phases.ts); `after` holds for `graceMs` after a disruption's end. */
export interface CheckPhases {
  steady?: { fail: Condition };
  during?: { fail: Condition };
  after?: { graceMs: number; fail: Condition };
}

export interface CheckSpec {
  /** Unique within its suite. */
  name: string;
  /** PromQL, templates ({{namespace}}, {{params.x}}) already rendered; for a `logs` check, its description. */
  query: string;
  /** Set on a `logs` check: its samples come from pod logs, not Prometheus. */
  logs?: LogsQuery;
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

