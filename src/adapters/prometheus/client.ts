// The Prometheus HTTP API client: instant queries over one keep-alive undici Pool, with a
// local concurrency bound, a per-request timeout and every failure mapped to a
// PrometheusError kind. Auth headers are sent on every request and never appear in
// errors or logs. What Prometheus sends is bounded: the body is read as a stream and
// abandoned (the request aborted) the moment it passes maxBodyBytes — an endless answer is
// cut at the limit, not read until the timeout — and an answer with more than maxSeries
// series is refused before it is parsed. Both fail as kind 'too_large'.
//
// src/adapters/ holds one folder per external system (prometheus/, kube/, redis/, notify/,
// bullmq/), each implementing a port. May import: checks/, config/ (model types), shared/,
// and for kube/cluster-ops.ts the disruption/ port it implements.

import { Pool } from 'undici';
import type { Sample } from '../../checks/types.js';
import { UserError, messageOf } from '../../shared/errors.js';
import { PrometheusError, type OverLimit } from './errors.js';
import { Semaphore } from './semaphore.js';
import type { InstantQueryOptions, MetricsProvider, PromErrorKind } from './types.js';

export interface PrometheusClientOptions {
  /** Base URL, e.g. `http://prometheus:9090` or `https://host/prom` (the path prefix is kept). */
  url: string;
  /** Per-request limit, from the moment a slot is held until the body is read. */
  timeoutMs: number;
  /** Sent on every request (e.g. Authorization). Never logged. */
  headers?: Record<string, string>;
  /** Requests in flight at once (and pool connections); more queue locally. Default 16. */
  concurrency?: number;
  /** Called once per query with 'success' or the error kind, and the seconds it took. */
  onRequest?: (outcome: string, seconds: number) => void;
  /** Largest body read, bytes; default 16 MiB. */
  maxBodyBytes?: number;
  /** Most series one answer may hold; default 10 000. */
  maxSeries?: number;
  /** Called once per answer refused for its size, with the limit it passed. */
  onOverLimit?: (limit: OverLimit) => void;
}

export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;
export const DEFAULT_MAX_SERIES = 10_000;

/** Prometheus' JSON envelope, as far as we read it. */
interface ApiEnvelope {
  status?: unknown;
  data?: unknown;
  errorType?: unknown;
  error?: unknown;
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);
/** A kept-alive socket the server closed meanwhile: safe to retry a read-only query once. */
const STALE_SOCKET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

export class PrometheusClient implements MetricsProvider {
  private readonly pool: Pool;
  private readonly prefix: string;
  /** For messages: origin and prefix, never credentials. */
  private readonly where: string;
  private readonly headers: Record<string, string>;
  private readonly semaphore: Semaphore;
  private readonly timeoutMs: number;
  private readonly onRequest: ((outcome: string, seconds: number) => void) | undefined;
  private readonly onOverLimit: ((limit: OverLimit) => void) | undefined;
  private readonly maxBodyBytes: number;
  private readonly maxSeries: number;
  private closing: Promise<void> | undefined;

  constructor(options: PrometheusClientOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      // The URL is not echoed: it may carry credentials.
      throw new UserError('prometheus.url: not a valid URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new UserError(`prometheus.url: must be http:// or https://, got ${url.protocol}`);
    }
    const concurrency = options.concurrency ?? 16;
    this.timeoutMs = options.timeoutMs;
    this.prefix = url.pathname.replace(/\/+$/, '');
    this.where = `${url.origin}${this.prefix}`;
    this.headers = { ...(options.headers ?? {}) };
    // Credentials in the URL become a header, so they never travel into messages.
    if (url.username || url.password) {
      const user = decodeURIComponent(url.username);
      const pass = decodeURIComponent(url.password);
      if (!Object.keys(this.headers).some((h) => h.toLowerCase() === 'authorization')) {
        this.headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
      }
    }
    this.semaphore = new Semaphore(concurrency);
    this.onRequest = options.onRequest;
    this.onOverLimit = options.onOverLimit;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.maxSeries = options.maxSeries ?? DEFAULT_MAX_SERIES;
    this.pool = new Pool(url.origin, {
      connections: concurrency,
      pipelining: 1,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      connectTimeout: options.timeoutMs,
      // Ticks are seconds apart; keep sockets long enough to be reused by the next one.
      keepAliveTimeout: 60_000,
      keepAliveMaxTimeout: 600_000,
    });
  }

  async query(expr: string, options: InstantQueryOptions = {}): Promise<Sample[]> {
    // The duration reported is the request's own, from the moment it holds a slot: time
    // spent queued behind the concurrency bound is mesh-soak's, not Prometheus'.
    let started = performance.now();
    try {
      const samples = await this.semaphore
        .run(() => {
          started = performance.now();
          return this.queryOnce(expr, options, true);
        }, options.signal)
        .catch((err: unknown) => {
          // Aborted while still queued: the caller gave up before the request was sent.
          if (options.signal?.aborted && !(err instanceof PrometheusError)) {
            throw new PrometheusError('timeout', `query to ${this.where} aborted by the caller`, { cause: err });
          }
          throw err;
        });
      this.onRequest?.('success', (performance.now() - started) / 1000);
      return samples;
    } catch (err) {
      const error = err instanceof PrometheusError ? err : new PrometheusError('bad_data', describe(err), { cause: err });
      this.onRequest?.(error.kind, (performance.now() - started) / 1000);
      if (error.limit) this.onOverLimit?.(error.limit);
      throw error;
    }
  }

  /** True when GET /-/ready answers 2xx within the timeout. */
  async ready(): Promise<boolean> {
    try {
      const res = await this.pool.request({
        method: 'GET',
        path: `${this.prefix}/-/ready`,
        headers: this.headers,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await res.body.dump();
      return res.statusCode >= 200 && res.statusCode < 300;
    } catch {
      return false;
    }
  }

  /** Waits for requests in flight (each bounded by the timeout), then closes the pool. Idempotent. */
  async close(): Promise<void> {
    this.closing ??= this.pool.close();
    await this.closing;
  }

  private async queryOnce(expr: string, options: InstantQueryOptions, mayRetry: boolean): Promise<Sample[]> {
    // One controller per request, wired by hand rather than AbortSignal.timeout/any: the
    // timer is cleared as soon as the answer is in, and a long-lived caller signal (the
    // daemon's shutdown signal, passed to every query) keeps no reference to old requests.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error(`timeout after ${this.timeoutMs} ms`));
    }, this.timeoutMs);
    const onCallerAbort = (): void => controller.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', onCallerAbort, { once: true });
    const signal = controller.signal;
    if (options.signal?.aborted) controller.abort(options.signal.reason);
    const form = new URLSearchParams({ query: expr });
    if (options.time !== undefined) form.set('time', (options.time / 1000).toFixed(3));
    let status: number;
    let text: string;
    try {
      signal.throwIfAborted();
      const res = await this.pool.request({
        method: 'POST',
        path: `${this.prefix}/api/v1/query`,
        headers: {
          ...this.headers,
          accept: 'application/json',
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: form.toString(),
        signal,
      });
      status = res.statusCode;
      text = await readBounded(res.body, this.maxBodyBytes, () => controller.abort(new Error('response too large')), this.where);
    } catch (err) {
      if (err instanceof PrometheusError) throw err;
      if (timedOut) {
        throw new PrometheusError('timeout', `no answer from ${this.where} within ${this.timeoutMs} ms`, { cause: err });
      }
      if (options.signal?.aborted) {
        throw new PrometheusError('timeout', `query to ${this.where} aborted by the caller`, { cause: err });
      }
      const code = errorCode(err);
      if (mayRetry && code !== undefined && STALE_SOCKET_CODES.has(code)) {
        return this.queryOnce(expr, options, false);
      }
      if (code !== undefined && TIMEOUT_CODES.has(code)) {
        throw new PrometheusError('timeout', `no answer from ${this.where} within ${this.timeoutMs} ms (${code})`, {
          cause: err,
        });
      }
      // Refused, reset, DNS, closed pool: Prometheus could not be talked to.
      throw new PrometheusError('unreachable', `cannot reach ${this.where}: ${code ?? describe(err)}`, { cause: err });
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onCallerAbort);
    }
    return parseResponse(status, text, this.maxSeries);
  }
}

/** The body as text, or a 'too_large' error as soon as it passes maxBytes (then `abandon` aborts the request). */
async function readBounded(body: AsyncIterable<Buffer>, maxBytes: number, abandon: () => void, where: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > maxBytes) {
      abandon();
      throw new PrometheusError('too_large', `the answer from ${where} passed ${maxBytes} bytes and was abandoned (prometheus.maxBodyBytes)`, { limit: 'body_bytes' });
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

/** Series in a vector answer, counted without parsing it: each carries one "metric" key. */
function countSeries(text: string): number {
  let n = 0;
  for (let i = text.indexOf('"metric"'); i !== -1; i = text.indexOf('"metric"', i + 8)) n++;
  return n;
}

/** Turns an HTTP status and body into samples, or throws the matching PrometheusError. */
export function parseResponse(status: number, text: string, maxSeries = DEFAULT_MAX_SERIES): Sample[] {
  const series = status >= 200 && status < 300 ? countSeries(text) : 0;
  if (series > maxSeries) {
    throw new PrometheusError('too_large', `the query returned about ${series} series, more than ${maxSeries} (prometheus.maxSeries)`, { status, limit: 'series' });
  }
  let body: ApiEnvelope | undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as ApiEnvelope;
  } catch {
    body = undefined;
  }
  if (status < 200 || status >= 300) {
    const errorType = typeof body?.errorType === 'string' ? body.errorType : undefined;
    // Prometheus' own error message is kept; any other body (a proxy's page, which may echo
    // request headers and so credentials) is never repeated, only its size.
    const detail =
      typeof body?.error === 'string' ? `${errorType ?? 'error'}: ${snippet(body.error)}` : text === '' ? '(empty body)' : `(a body of ${Buffer.byteLength(text)} bytes that is not a Prometheus error; not shown)`;
    // Prometheus says 422 for an execution error and 503 for a query timeout or cancel.
    const kind: PromErrorKind =
      (status === 422 || status === 503) && (errorType === 'execution' || errorType === 'timeout' || errorType === 'canceled')
        ? 'execution'
        : 'http';
    throw new PrometheusError(kind, `HTTP ${status}: ${detail}`, { status });
  }
  if (body === undefined) {
    throw new PrometheusError('bad_data', `response is not a Prometheus JSON object (${Buffer.byteLength(text)} bytes; not shown)`, { status });
  }
  if (body.status !== 'success') {
    const detail = typeof body.error === 'string' ? body.error : 'no error message';
    const errorType = typeof body.errorType === 'string' ? body.errorType : 'error';
    throw new PrometheusError('execution', `${errorType}: ${detail}`, { status });
  }
  const data = body.data as { resultType?: unknown; result?: unknown } | undefined;
  if (data === null || typeof data !== 'object') throw new PrometheusError('bad_data', 'response has no data object', { status });
  switch (data.resultType) {
    case 'vector':
      return parseVector(data.result);
    case 'scalar':
      return [{ labels: {}, value: parseValuePair(data.result) }];
    default:
      throw new PrometheusError(
        'bad_data',
        `query returned a ${String(data.resultType)}; a check needs an instant vector or a scalar`,
        { status },
      );
  }
}

function parseVector(result: unknown): Sample[] {
  if (!Array.isArray(result)) throw new PrometheusError('bad_data', 'vector result is not an array');
  return result.map((item: unknown) => {
    if (item === null || typeof item !== 'object') throw new PrometheusError('bad_data', 'vector element is not an object');
    const { metric, value } = item as { metric?: unknown; value?: unknown };
    return { labels: parseLabels(metric), value: parseValuePair(value) };
  });
}

function parseLabels(metric: unknown): Record<string, string> {
  if (metric === undefined) return {};
  if (metric === null || typeof metric !== 'object' || Array.isArray(metric)) {
    throw new PrometheusError('bad_data', 'series labels are not an object');
  }
  // JSON.parse's own fresh object, read by nobody else: checked in place rather than copied.
  const labels = metric as Record<string, unknown>;
  for (const k in labels) if (typeof labels[k] !== 'string') throw new PrometheusError('bad_data', `label ${k} is not a string`);
  return labels as Record<string, string>;
}

/** `[ts, "1.5"]` → 1.5; Prometheus spells the specials "NaN", "+Inf", "-Inf". */
function parseValuePair(pair: unknown): number {
  if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[1] !== 'string') {
    throw new PrometheusError('bad_data', `malformed sample value: ${snippet(JSON.stringify(pair) ?? '')}`);
  }
  const s = pair[1];
  switch (s) {
    case 'NaN':
      return NaN;
    case '+Inf':
    case 'Inf':
      return Infinity;
    case '-Inf':
      return -Infinity;
  }
  const n = Number(s);
  if (s.trim() === '' || Number.isNaN(n)) throw new PrometheusError('bad_data', `sample value "${snippet(s)}" is not a number`);
  return n;
}

function errorCode(err: unknown): string | undefined {
  // undici surfaces socket errors directly, sometimes wrapped (cause) or aggregated
  // (happy eyeballs over several addresses); look a few levels deep, no further.
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current !== null && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const errors = (current as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.length > 0) {
      current = errors[0];
      continue;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function describe(err: unknown): string {
  return messageOf(err);
}

function snippet(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 200 ? `${oneLine.slice(0, 200)}…` : oneLine;
}
