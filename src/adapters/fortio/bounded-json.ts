// One HTTP exchange whose answer is JSON of bounded size: undici request with a timeout and
// the caller's signal, the body read up to `maxBytes` (a larger answer is refused, never
// buffered whole), and the status and decode failures turned into FortioError kinds.
// Shared by the Fortio client and the range-query reader.

import { request, type Dispatcher } from 'undici';

export type HttpJsonErrorKind = 'unreachable' | 'timeout' | 'http' | 'too-large' | 'bad-json' | 'aborted';

export class HttpJsonError extends Error {
  constructor(
    readonly kind: HttpJsonErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'HttpJsonError';
  }
}

export interface JsonRequest {
  method: 'GET' | 'POST';
  url: string;
  body?: string;
  contentType?: string;
  headers?: Record<string, string>;
  timeoutMs: number;
  maxBytes: number;
  signal?: AbortSignal;
  /** The connection pool to use (TLS to an API server); default undici's global one. */
  dispatcher?: Dispatcher;
  /** For messages: where the request went, without credentials. */
  what: string;
}

async function readBounded(body: AsyncIterable<Buffer | Uint8Array>, maxBytes: number, what: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > maxBytes) throw new HttpJsonError('too-large', `${what}: answer larger than ${maxBytes} bytes; refused`);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Sends the request and answers the decoded JSON of a 2xx, or throws an HttpJsonError. */
export async function requestJson(r: JsonRequest): Promise<{ status: number; json: unknown; text: string }> {
  const timeout = AbortSignal.timeout(r.timeoutMs);
  const signal = r.signal ? AbortSignal.any([r.signal, timeout]) : timeout;
  let status: number;
  let text: string;
  try {
    const res = await request(r.url, {
      method: r.method,
      headers: { accept: 'application/json', ...(r.contentType ? { 'content-type': r.contentType } : {}), ...r.headers },
      ...(r.body !== undefined ? { body: r.body } : {}),
      headersTimeout: r.timeoutMs,
      bodyTimeout: r.timeoutMs,
      signal,
      ...(r.dispatcher ? { dispatcher: r.dispatcher } : {}),
    });
    status = res.statusCode;
    try {
      text = await readBounded(res.body, r.maxBytes, r.what);
    } finally {
      if (!res.body.destroyed) res.body.destroy();
    }
  } catch (err) {
    if (err instanceof HttpJsonError) throw err;
    if (r.signal?.aborted) throw new HttpJsonError('aborted', `${r.what}: aborted`, { cause: err });
    if (timeout.aborted) throw new HttpJsonError('timeout', `${r.what}: no answer within ${r.timeoutMs} ms`, { cause: err });
    const code = (err as { code?: unknown }).code;
    throw new HttpJsonError('unreachable', `${r.what}: cannot reach (${typeof code === 'string' ? code : 'network error'})`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    if (status < 200 || status >= 300) throw new HttpJsonError('http', `${r.what}: HTTP ${status}: ${text.slice(0, 200)}`);
    throw new HttpJsonError('bad-json', `${r.what}: answer is not JSON`, { cause: err });
  }
  if (status < 200 || status >= 300) throw new HttpJsonError('http', `${r.what}: HTTP ${status}: ${text.slice(0, 200)}`);
  return { status, json, text };
}
