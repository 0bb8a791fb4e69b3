// Watch, as the API server streams it: `?watch=true` on a list answers with one JSON event per
// line (ADDED/MODIFIED/DELETED, the object as of that resourceVersion), starting after the
// given resourceVersion (replayed from a bounded event log; older than the log: an ERROR
// event with 410 Gone "too old resource version"), or with every current object as ADDED
// when none is given. Ends after timeoutSeconds (bounded) or when the server stops.

import type { ServerResponse } from 'node:http';
import { clone, type JsonObject } from './json.js';
import type { ResourceType } from './resources.js';
import { metaOf, type FakeStore } from './store.js';
import { statusBody } from './status.js';

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';
interface Event {
  rv: number;
  t: ResourceType;
  type: EventType;
  obj: JsonObject;
}

export interface WatchSpec {
  type: ResourceType;
  /** Namespace, or undefined for all. */
  ns: string | undefined;
  match: (obj: JsonObject) => boolean;
  /** Start after this resourceVersion; undefined: send the current objects first. */
  sinceRv: number | undefined;
  present: (obj: JsonObject) => JsonObject;
  timeoutMs: number;
  /** sendInitialEvents=true (kubectl's WatchList): current objects, then a BOOKMARK marking their end. */
  initialEvents: boolean;
  /** apiVersion and kind for the BOOKMARK's object. */
  apiVersion: string;
  kind: string;
}

const LOG_MAX = 10_000;
const MAX_WATCH_MS = 30 * 60_000;

export class WatchHub {
  private readonly log: Event[] = [];
  private readonly live = new Set<(e: Event) => void>();
  private readonly open = new Set<ServerResponse>();

  constructor(private readonly store: FakeStore) {
    store.onChange((t, obj, event) => {
      const e: Event = { rv: Number(metaOf(obj).resourceVersion ?? 0), t, type: event === 'added' ? 'ADDED' : event === 'deleted' ? 'DELETED' : 'MODIFIED', obj: clone(obj) };
      this.log.push(e);
      if (this.log.length > LOG_MAX) this.log.splice(0, this.log.length - LOG_MAX);
      for (const l of this.live) l(e);
    });
  }

  serve(res: ServerResponse, spec: WatchSpec): void {
    const wanted = (e: Event): boolean =>
      e.t.group === spec.type.group && e.t.resource === spec.type.resource && (spec.ns === undefined || !spec.type.namespaced || metaOf(e.obj).namespace === spec.ns) && spec.match(e.obj);
    const write = (type: string, obj: JsonObject): void => {
      if (!res.destroyed) res.write(`${JSON.stringify({ type, object: obj })}\n`);
    };
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    this.open.add(res);
    if (spec.initialEvents || spec.sinceRv === undefined) {
      for (const o of this.store.list(spec.type, spec.ns)) if (spec.match(o)) write('ADDED', spec.present(o));
      if (spec.initialEvents) {
        const metadata = { resourceVersion: String(this.store.resourceVersion), annotations: { 'k8s.io/initial-events-end': 'true' } };
        write('BOOKMARK', { apiVersion: spec.apiVersion, kind: spec.kind, metadata });
      }
    } else {
      const oldest = this.log[0]?.rv ?? this.store.resourceVersion;
      if (spec.sinceRv + 1 < oldest) {
        write('ERROR', statusBody(410, 'Expired', `too old resource version: ${spec.sinceRv} (${oldest - 1})`));
        this.end(res);
        return;
      }
      for (const e of this.log) if (e.rv > spec.sinceRv && wanted(e)) write(e.type, spec.present(e.obj));
    }
    const listener = (e: Event): void => {
      if (wanted(e)) write(e.type, spec.present(e.obj));
    };
    this.live.add(listener);
    const timer = setTimeout(() => this.end(res), Math.min(spec.timeoutMs, MAX_WATCH_MS));
    res.on('close', () => {
      clearTimeout(timer);
      this.live.delete(listener);
      this.open.delete(res);
    });
  }

  private end(res: ServerResponse): void {
    this.open.delete(res);
    if (!res.destroyed) res.end();
  }

  /** Ends every open watch (server stop). */
  closeAll(): void {
    for (const r of [...this.open]) this.end(r);
    this.live.clear();
  }
}
