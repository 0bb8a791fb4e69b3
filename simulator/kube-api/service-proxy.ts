// The API server's service proxy in the fake Kubernetes API: `ANY /api/v1/namespaces/NS/
// services/[SCHEME:]NAME[:PORT]/proxy[/PATH]` forwarded, method, query, body and content type
// included, to the loopback server registered for that service and port (the simulated
// Fortio client pod), and its answer passed back as it is. A service with nothing registered
// answers 503 "no endpoints available", as a real API server does for a service without
// ready endpoints. Authentication is the fake server's own (checked before this runs).

import { request } from 'node:http';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { statusBody } from './status.js';

const PROXY_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/services\/([^/]+)\/proxy(\/.*)?$/;

export interface ServiceProxy {
  /** Sends NS/NAME:PORT (a number or port name) to `targetUrl` (http://127.0.0.1:N). */
  register(namespace: string, name: string, port: string | number, targetUrl: string): void;
  unregister(namespace: string, name: string, port: string | number): void;
  /** Proxied requests, `NS/NAME:PORT PATH`, for tests. */
  readonly calls: string[];
  /** Answers a service-proxy request; false when the path is not one (the caller routes it). */
  handle(method: string, url: URL, body: string, headers: IncomingHttpHeaders, res: ServerResponse): Promise<boolean>;
}

function parseService(segment: string): { name: string; port: string } {
  // [scheme:]name[:port]; the scheme is http or https.
  const parts = decodeURIComponent(segment).split(':');
  if (parts[0] === 'http' || parts[0] === 'https') parts.shift();
  return { name: parts[0] ?? '', port: parts[1] ?? '' };
}

function reply(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function createServiceProxy(): ServiceProxy {
  const backends = new Map<string, string>();
  const calls: string[] = [];
  const key = (ns: string, name: string, port: string | number): string => `${ns}/${name}:${String(port)}`;
  return {
    calls,
    register: (ns, name, port, targetUrl) => void backends.set(key(ns, name, port), targetUrl),
    unregister: (ns, name, port) => void backends.delete(key(ns, name, port)),
    async handle(method, url, body, headers, res) {
      const m = PROXY_PATH.exec(url.pathname);
      if (!m) return false;
      const ns = decodeURIComponent(m[1] as string);
      const { name, port } = parseService(m[2] as string);
      const path = `${m[3] ?? '/'}${url.search}`;
      calls.push(`${key(ns, name, port)} ${path}`);
      const target = backends.get(key(ns, name, port));
      if (!target) {
        reply(res, 503, statusBody(503, 'ServiceUnavailable', `no endpoints available for service "${name}"`));
        return true;
      }
      await forward(new URL(path, target), method, body, headers, res);
      return true;
    },
  };
}

function forward(to: URL, method: string, body: string, headers: IncomingHttpHeaders, res: ServerResponse): Promise<void> {
  return new Promise<void>((resolve) => {
    const out = request(to, { method, headers: { ...(headers['content-type'] ? { 'content-type': headers['content-type'] } : {}), accept: headers.accept ?? '*/*' }, timeout: 30_000 }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, { 'content-type': answer.headers['content-type'] ?? 'application/octet-stream' });
      answer.pipe(res);
      answer.on('end', resolve);
      answer.on('error', () => resolve());
    });
    out.on('timeout', () => out.destroy(new Error('backend timed out')));
    out.on('error', (err) => {
      if (!res.headersSent) reply(res, 503, statusBody(503, 'ServiceUnavailable', `error trying to reach service: ${err.message}`));
      else res.destroy();
      resolve();
    });
    out.end(body);
  });
}
