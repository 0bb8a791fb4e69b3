// The one interface the check engine's callers need from a metrics provider. Kept small
// so another provider (or a test double for pure code) can stand behind it.

import type { Sample } from '../checks/types.js';

export type PromErrorKind = 'unreachable' | 'timeout' | 'http' | 'bad_data' | 'execution';

export interface InstantQueryOptions {
  /** Evaluation time, epoch ms; default: now. */
  time?: number;
  signal?: AbortSignal;
}

export interface MetricsProvider {
  /** Runs an instant query; resolves to samples or rejects with a PrometheusError. */
  query(expr: string, options?: InstantQueryOptions): Promise<Sample[]>;
  close(): Promise<void>;
}
