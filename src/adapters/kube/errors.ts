// The one error type for failed Kubernetes API calls. `kind` says what went wrong in a
// metric-friendly word; for HTTP failures the status code and the API's own Status
// message/reason are kept, because "deployments.apps "x" not found" is what a user needs.

import { Fault } from '../../shared/errors.js';

export type KubeErrorKind = 'unreachable' | 'timeout' | 'http';

export interface KubeErrorDetails {
  status?: number;
  /** The Status object's `reason`, e.g. NotFound, Conflict, TooManyRequests. */
  reason?: string;
  /** The reasons of the Status object's `details.causes`, e.g. NamespaceTerminating. */
  causes?: string[];
  /** Retry-After in ms, when the server sent one. */
  retryAfterMs?: number;
  cause?: unknown;
}

export class KubeError extends Fault {
  declare readonly kind: KubeErrorKind;
  readonly status: number | undefined;
  readonly reason: string | undefined;
  readonly causes: string[];
  readonly retryAfterMs: number | undefined;

  constructor(kind: KubeErrorKind, message: string, details: KubeErrorDetails = {}) {
    super(kind, message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'KubeError';
    this.status = details.status;
    this.reason = details.reason;
    this.causes = details.causes ?? [];
    this.retryAfterMs = details.retryAfterMs;
  }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof KubeError && err.kind === 'http' && err.status === 404;
}

/** 403 from creating in a namespace that is being deleted (the API's NamespaceTerminating cause). */
export function isNamespaceTerminating(err: unknown): boolean {
  return err instanceof KubeError && err.status === 403 && err.causes.includes('NamespaceTerminating');
}

/** A deployment's rollout the controller gave up on (kubectl: "exceeded its progress deadline"). */
export class RolloutFailed extends Fault {
  /** The Progressing condition's reason, e.g. ProgressDeadlineExceeded. */
  readonly reason: string;
  constructor(message: string, reason: string) {
    super('rollout_failed', message);
    this.name = 'RolloutFailed';
    this.reason = reason;
  }
}

/** A step's label selector matched nothing where something must be acted on. */
export class NothingSelected extends Fault {
  constructor(message: string) {
    super('nothing_selected', message);
    this.name = 'NothingSelected';
  }
}
