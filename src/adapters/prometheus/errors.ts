// Prometheus failures as a Fault whose kind is also the `outcome` label of
// mesh_soak_prometheus_request_duration_seconds. Messages never contain request headers.

import { Fault } from '../../shared/errors.js';
import type { PromErrorKind } from './types.js';

/** The bound an answer passed: its body size or its series count. */
export type OverLimit = 'body_bytes' | 'series';

export class PrometheusError extends Fault {
  declare readonly kind: PromErrorKind;
  /** HTTP status when Prometheus answered, else undefined. */
  readonly status?: number;
  /** For 'too_large': which limit the answer passed. */
  readonly limit?: OverLimit;

  constructor(kind: PromErrorKind, message: string, options?: { cause?: unknown; status?: number; limit?: OverLimit }) {
    super(kind, message, options);
    this.name = 'PrometheusError';
    if (options?.status !== undefined) this.status = options.status;
    if (options?.limit !== undefined) this.limit = options.limit;
  }
}
