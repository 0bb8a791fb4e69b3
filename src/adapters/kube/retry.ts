// Retrying Kubernetes API calls: 429 (after Retry-After), 409 and 5xx, timeouts and
// connection errors are retried with exponential backoff and full jitter; other 4xx are
// the caller's mistake and fail at once. Attempts and total time are both bounded, so a
// broken API server costs a step at most `totalMs` (plus one request timeout).

import { ApiException } from '@kubernetes/client-node';
import { sleep, type Clock, type Sleep } from '../../shared/time.js';
import { KubeError } from './errors.js';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** No new attempt starts after this much time since the first. */
  totalMs: number;
  /** Per request: a hung API server is abandoned after this long. */
  requestTimeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 5,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  totalMs: 60_000,
  requestTimeoutMs: 15_000,
};

interface StatusLike {
  message?: unknown;
  reason?: unknown;
  details?: { causes?: unknown };
}

/** The reasons of a Status body's details.causes (at most 20, strings only). */
function causeReasons(st: StatusLike | undefined): string[] {
  const causes = st?.details?.causes;
  if (!Array.isArray(causes)) return [];
  return causes
    .slice(0, 20)
    .map((c: unknown) => (typeof c === 'object' && c !== null ? (c as { reason?: unknown }).reason : undefined))
    .filter((r): r is string => typeof r === 'string');
}

function parseStatus(body: unknown): StatusLike | undefined {
  if (typeof body === 'string') {
    try {
      const v: unknown = JSON.parse(body);
      return typeof v === 'object' && v !== null ? (v as StatusLike) : undefined;
    } catch {
      return undefined;
    }
  }
  return typeof body === 'object' && body !== null ? (body as StatusLike) : undefined;
}

/** Retry-After in seconds, or as an HTTP date (how long from `nowMs` until then). */
export function retryAfterMs(headers: Record<string, string> | undefined, nowMs: number): number | undefined {
  const v = headers?.['retry-after'] ?? headers?.['Retry-After'];
  if (v === undefined) return undefined;
  const secs = Number(v);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/**
 * Any failure of a client-node call as a KubeError; unknown errors (bugs) pass through.
 * `now` dates a Retry-After given as an HTTP date.
 */
export function toKubeError(err: unknown, what: string, now: Clock = Date.now): unknown {
  if (err instanceof KubeError) return err;
  if (err instanceof ApiException) {
    const code = typeof err.code === 'number' ? err.code : 0;
    const st = parseStatus(err.body);
    const apiMessage = typeof st?.message === 'string' ? st.message : `HTTP ${code}`;
    const headers = err.headers as Record<string, string> | undefined;
    return new KubeError('http', `${what}: ${code} ${apiMessage}`, {
      status: code,
      reason: typeof st?.reason === 'string' ? st.reason : undefined,
      causes: causeReasons(st),
      retryAfterMs: retryAfterMs(headers, now()),
      cause: err,
    });
  }
  if (err instanceof Error && err.message.startsWith('Unrecognized API version and kind')) {
    // client-node checked discovery: the cluster has no such kind (a CRD not installed).
    return new KubeError('http', `${what}: ${err.message}`, { status: 404, reason: 'NotFound', cause: err });
  }
  return err;
}

export function isRetryable(err: unknown): err is KubeError {
  if (!(err instanceof KubeError)) return false;
  if (err.kind !== 'http') return true;
  const s = err.status ?? 0;
  return s === 429 || s === 409 || s >= 500;
}

export interface RetryOptions {
  signal?: AbortSignal;
  /** Waits between attempts; default: a real timer. */
  sleep?: Sleep;
  /** Measures the time budget (`totalMs`) and dates Retry-After; default: Date.now. */
  now?: Clock;
  random?: () => number;
}

/** Delay before attempt `n + 1` (n >= 1): full jitter over an exponential ceiling. */
export function backoffMs(policy: RetryPolicy, n: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (n - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * Runs `fn` until it succeeds, fails with a non-retryable error, or the policy's attempts
 * or time run out; the last KubeError is thrown, its message saying how many attempts.
 */
export async function withRetry<T>(policy: RetryPolicy, what: string, fn: () => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const now = opts.now ?? Date.now;
  const started = now();
  const wait = opts.sleep ?? sleep;
  const attempts = Math.max(1, policy.attempts);
  let waited = 0;
  for (let n = 1; ; n++) {
    opts.signal?.throwIfAborted();
    let err: unknown;
    try {
      return await fn();
    } catch (e) {
      err = toKubeError(e, what, now);
    }
    if (!isRetryable(err)) throw err;
    const delay = err.retryAfterMs ?? backoffMs(policy, n, opts.random);
    // Time spent counts at least the delays already waited (an injected sleep may not take real time).
    const spent = Math.max(now() - started, waited);
    const outOfTime = spent + delay >= policy.totalMs;
    if (n >= attempts || outOfTime) {
      throw new KubeError(err.kind, `${err.message} (gave up after ${n} attempt${n === 1 ? '' : 's'})`, {
        status: err.status,
        reason: err.reason,
        causes: err.causes,
        cause: err,
      });
    }
    await wait(delay, opts.signal);
    waited += delay;
  }
}
