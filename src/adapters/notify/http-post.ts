// The one HTTP call every sink makes: POST a JSON body with undici, bounded by a timeout, and
// turn every way it can go wrong into a NotifyFault. Messages never contain the URL or headers:
// for webhooks the URL is the secret. JsonPostNotifier is a whole sink made of it and a pure
// render function (events → body); Slack, webhook and Alertmanager are each one of those.
import { request, type Dispatcher } from 'undici';
import type { Clock } from '../../shared/time.js';
import { NotifyFault } from './notify-fault.js';
import type { AlertEvent, SinkNotifier } from './notifier.js';

export interface PostOptions {
  headers?: Record<string, string>;
  timeoutMs?: number;
  dispatcher?: Dispatcher;
}

const DEFAULT_TIMEOUT_MS = 5_000;
const MAX_ERROR_BODY = 200;

/** Splits `user:pass@` out of a URL into a Basic Authorization header (undici will not). */
function withoutUserinfo(url: string): { url: string; auth?: string } {
  const u = new URL(url);
  if (!u.username && !u.password) return { url };
  const auth = `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`;
  u.username = '';
  u.password = '';
  return { url: u.toString(), auth };
}

export async function postJson(url: string, body: unknown, opts: PostOptions = {}): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let target: { url: string; auth?: string };
  try {
    target = withoutUserinfo(url);
  } catch (cause) {
    throw new NotifyFault('bad_url', 'the sink URL does not parse', { retryable: false, cause });
  }
  const headers: Record<string, string> = { 'content-type': 'application/json', ...opts.headers };
  if (target.auth && !Object.keys(headers).some((h) => h.toLowerCase() === 'authorization')) {
    headers.authorization = target.auth;
  }
  let res: Dispatcher.ResponseData;
  try {
    res = await request(target.url, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
      ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}),
    });
  } catch (cause) {
    const code = (cause as { code?: unknown }).code;
    const timeout = (cause as { name?: unknown }).name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT';
    throw new NotifyFault(timeout ? 'timeout' : 'network', timeout ? `no answer within ${timeoutMs} ms` : `request failed: ${typeof code === 'string' ? code : 'network error'}`, {
      retryable: true,
      cause,
    });
  }
  let text = '';
  try {
    text = await res.body.text();
  } catch {
    // The status is what matters; a body cut short is not worth a retry on its own.
  }
  if (res.statusCode >= 200 && res.statusCode < 300) return;
  const retryable = res.statusCode >= 500 || res.statusCode === 429 || res.statusCode === 408;
  throw new NotifyFault('http_status', `HTTP ${res.statusCode}: ${text.slice(0, MAX_ERROR_BODY)}`, {
    retryable,
    status: res.statusCode,
  });
}

/** A sink's request body for one batch; `nowMs` for sinks whose body carries times. */
export type Render<Body> = (events: AlertEvent[], nowMs: number) => Body;

export interface JsonPostOptions extends PostOptions {
  url: string;
  /** The time handed to render; default Date.now. */
  now?: Clock;
}

/** A sink that renders each batch and POSTs it as JSON to one URL; an empty batch sends nothing. */
export class JsonPostNotifier<Body> implements SinkNotifier {
  constructor(
    private readonly render: Render<Body>,
    private readonly opts: JsonPostOptions,
  ) {}

  async notify(events: AlertEvent[]): Promise<void> {
    if (events.length === 0) return;
    const nowMs = (this.opts.now ?? Date.now)();
    await postJson(this.opts.url, this.render(events, nowMs), {
      headers: this.opts.headers,
      timeoutMs: this.opts.timeoutMs,
      dispatcher: this.opts.dispatcher,
    });
  }
}
