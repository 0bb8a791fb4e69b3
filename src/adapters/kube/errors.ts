// The one error type for failed Kubernetes API calls. `kind` says what went wrong in a
// metric-friendly word; for HTTP failures the status code and the API's own Status
// message/reason are kept, because "deployments.apps "x" not found" is what a user needs.

import { Fault } from '../../shared/errors.js';

export type KubeErrorKind = 'unreachable' | 'timeout' | 'http';

export interface KubeErrorDetails {
  status?: number;
  /** The Status object's `reason`, e.g. NotFound, Conflict, TooManyRequests. */
  reason?: string;
  /** Retry-After in ms, when the server sent one. */
  retryAfterMs?: number;
  cause?: unknown;
}

export class KubeError extends Fault {
  declare readonly kind: KubeErrorKind;
  readonly status: number | undefined;
  readonly reason: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(kind: KubeErrorKind, message: string, details: KubeErrorDetails = {}) {
    super(kind, message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'KubeError';
    this.status = details.status;
    this.reason = details.reason;
    this.retryAfterMs = details.retryAfterMs;
  }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof KubeError && err.kind === 'http' && err.status === 404;
}
