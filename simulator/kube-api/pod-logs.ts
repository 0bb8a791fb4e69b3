// The pods/{name}/log subresource of the fake API server, as the real one answers it: plain
// text, `container` required when the pod has several, `sinceSeconds` and `limitBytes`
// honoured, 404 for a missing pod, 400 for a container it does not have. Lines come from a
// per-store book tests (and the demo) write to — podLogsOf(api.store).append(...) — each
// with its time; a container nobody wrote to logs nothing.

import type { ServerResponse } from 'node:http';
import { isObject, type JsonObject } from './json.js';
import { ApiStatusError } from './status.js';
import type { FakeStore } from './store.js';

interface Line {
  at: number;
  text: string;
}

export class PodLogBook {
  private readonly lines = new Map<string, Line[]>();
  constructor(private readonly now: () => number = Date.now) {}

  /** Adds lines to one container's log, stamped now (or `at`). */
  append(ns: string, pod: string, container: string, lines: string[], at = this.now()): void {
    const key = `${ns}/${pod}/${container}`;
    const have = this.lines.get(key) ?? [];
    have.push(...lines.map((text) => ({ at, text })));
    this.lines.set(key, have);
  }

  /** The log as the API returns it: lines since `sinceMs`, cut at `limitBytes`. */
  text(ns: string, pod: string, container: string, sinceMs: number, limitBytes: number | undefined): string {
    const body = (this.lines.get(`${ns}/${pod}/${container}`) ?? [])
      .filter((l) => l.at >= sinceMs)
      .map((l) => `${l.text}\n`)
      .join('');
    if (limitBytes === undefined) return body;
    return Buffer.from(body).subarray(0, limitBytes).toString('utf8');
  }
}

const books = new WeakMap<FakeStore, PodLogBook>();

/** The log book of one fake API server's store. */
export function podLogsOf(store: FakeStore): PodLogBook {
  let book = books.get(store);
  if (!book) {
    book = new PodLogBook();
    books.set(store, book);
  }
  return book;
}

const LOG_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/;

/** Answers GET pods/{name}/log and returns true; any other request is left to the caller. */
export function servePodLog(method: string, url: URL, store: FakeStore, res: ServerResponse): boolean {
  const m = LOG_PATH.exec(url.pathname);
  if (!m || method !== 'GET') return false;
  const [ns, name] = [decodeURIComponent(m[1] ?? ''), decodeURIComponent(m[2] ?? '')];
  const pod = store.get(store.type('', 'pods'), ns, name);
  if (!pod) throw new ApiStatusError(404, 'NotFound', `pods "${name}" not found`);
  const spec = isObject(pod['spec']) ? pod['spec'] : {};
  const containers = (Array.isArray(spec['containers']) ? spec['containers'] : []).map((c) => String((c as JsonObject)['name']));
  const container = url.searchParams.get('container') ?? (containers.length === 1 ? containers[0] : undefined);
  if (container === undefined) throw new ApiStatusError(400, 'BadRequest', `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`);
  if (!containers.includes(container)) throw new ApiStatusError(400, 'BadRequest', `container ${container} is not valid for pod ${name}`);
  const since = Number(url.searchParams.get('sinceSeconds') ?? 'NaN');
  const limit = Number(url.searchParams.get('limitBytes') ?? 'NaN');
  const sinceMs = Number.isFinite(since) ? Date.now() - since * 1000 : 0;
  const text = podLogsOf(store).text(ns, name, container, sinceMs, Number.isFinite(limit) ? limit : undefined);
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  res.end(text);
  return true;
}
