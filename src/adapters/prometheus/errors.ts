// Prometheus failures as a Fault whose kind is also the `outcome` label of
// mesh_soak_prometheus_request_duration_seconds. Messages never contain request headers.

import { Fault } from '../../shared/errors.js';
import type { PromErrorKind } from './types.js';

export class PrometheusError extends Fault {
  declare readonly kind: PromErrorKind;
  /** HTTP status when Prometheus answered, else undefined. */
  readonly status?: number;

  constructor(kind: PromErrorKind, message: string, options?: { cause?: unknown; status?: number }) {
    super(kind, message, options);
    this.name = 'PrometheusError';
    if (options?.status !== undefined) this.status = options.status;
  }
}
