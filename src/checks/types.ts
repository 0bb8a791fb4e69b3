// The check engine's vocabulary: what a query returned, and the remembered state of a
// check and of each of its instances (one per series, like Prometheus alerting rules).
// Plain data, JSON-serialisable, so the daemon can keep it in Redis between ticks.

export type CheckStateName = 'ok' | 'pending' | 'failing' | 'unknown' | 'skipped';

/** Worst first: a check's state is the worst of its instances'. */
export const STATE_ORDER: readonly CheckStateName[] = ['failing', 'pending', 'unknown', 'ok', 'skipped'];

/** One series of an instant query (a scalar result is one sample with no labels). */
export interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** What the adapter hands the engine for one check on one tick. */
export type QueryOutcome =
  | { kind: 'data'; samples: Sample[] }
  /** The query failed (unreachable, timeout, HTTP error, bad data). */
  | { kind: 'error'; errorKind: string; message: string }
  /** The suite's guard said the suite is not running. */
  | { kind: 'skipped'; reason: string }
  /** Nothing can be judged (the guard's data source is missing): every instance unknown at once. */
  | { kind: 'unknown'; reason: string };

export interface InstanceState {
  /** Canonical label string, `{a="1",b="2"}`; `{}` for a scalar/no-label instance. */
  key: string;
  labels: Record<string, string>;
  state: CheckStateName;
  /** Last value seen; null when there was none (no data, error). NaN/±Inf kept as is. */
  value: number | null;
  /** When the condition started holding continuously (epoch ms), else null. */
  activeSince: number | null;
  /** When the instance turned failing (epoch ms), else null. */
  failingSince: number | null;
  /** Last time the condition held (for keepFiringFor). */
  lastTrueAt: number | null;
  /** Why the instance is unknown (no data, NaN, query errors), for humans. */
  reason?: string;
  summary?: string;
  description?: string;
}

export interface CheckRecord {
  state: CheckStateName;
  instances: Record<string, InstanceState>;
  consecutiveErrors: number;
  lastError?: string;
  /** The failed query's error kind (unreachable, timeout, ...), beside lastError. */
  lastErrorKind?: string;
  /** Why the check is skipped or unknown, for humans. */
  reason?: string;
  /** Series past the instance cap that this check does not track (instance-cap.ts). */
  omittedInstances?: number;
  lastEvalAt: number;
}

/** An instance changed state; the notifier and logs act on these. */
export interface Transition {
  key: string;
  labels: Record<string, string>;
  from: CheckStateName;
  to: CheckStateName;
  value: number | null;
  at: number;
  summary?: string;
  description?: string;
}

export interface InstantQueryOptions {
  /** Evaluation time, epoch ms; default: now. */
  time?: number;
  signal?: AbortSignal;
}

/**
 * What the engine needs from a metrics provider: instant queries. Declared here, in the
 * core, so the core depends on no adapter; src/adapters/prometheus/ implements it.
 */
export interface MetricsProvider {
  /** Runs an instant query; resolves to samples or rejects with an error carrying a `kind`. */
  query(expr: string, options?: InstantQueryOptions): Promise<Sample[]>;
  close(): Promise<void>;
}
