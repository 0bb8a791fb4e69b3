// The daemon's one HTTP port (node:http): /metrics, /healthz, /readyz, /api/v1/status, the
// token-protected suite actions, and the status page at `/`. The server only routes; what the
// answers say comes from the ServerBackend the daemon passes in. Under abuse: /metrics and
// /api/v1/status come from a 1 s single-flight cache (response-cache.ts); an early 401, 403,
// 405 or 413 answers and closes the connection without reading the body; admin bodies are
// capped at 4 KiB; an unparsable request target or request line is a 400, never a log line.
//
// May import: shared/, telemetry/ (types); never the daemon (it is handed a ServerBackend).

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { Fault } from '../shared/errors.js';
import { checkAdminToken } from './admin-auth.js';
import { responseCache, type ResponseCache } from './response-cache.js';
import { STATUS_PAGE_HTML } from './status-page.js';

export type SuiteAction = 'pause' | 'resume' | 'trigger';

export interface Readiness {
  ready: boolean;
  reasons: string[];
}

export interface ServerBackend {
  metrics(): Promise<{ contentType: string; body: string }>;
  readiness(): Promise<Readiness>;
  status(): Promise<unknown>;
  /** `not-found`: no such suite; `conflict`: the action makes no sense for it (e.g. trigger without a disruption). */
  suiteAction(suite: string, action: SuiteAction): Promise<{ result: 'ok' | 'not-found' | 'conflict'; message?: string }>;
  /** The soak report for /report?since=24h&format=html (or from/to); absent: 404. */
  report?(query: URLSearchParams): Promise<{ status: number; contentType: string; body: string }>;
}

export interface HttpServerOptions {
  port: number;
  host?: string;
  backend: ServerBackend;
  logger: Logger;
  /** Read per request so a test or an operator can change it without a restart. */
  adminToken: () => string | undefined;
  /** /api/v1/status needs the admin bearer token too (config http.requireTokenForStatus). */
  requireTokenForStatus?: boolean;
  /** How long a /metrics or /api/v1/status answer is served again; default 1 s. */
  cacheMs?: number;
  /** Changes whenever what the daemon reports changed (a tick ended): cached answers are dropped. */
  stateVersion?: () => number;
}

export interface RunningServer {
  readonly port: number;
  close(): Promise<void>;
}

// `{suite}` or, with config clusters:, `{cluster}/{suite}` (the suite instance id).
const ACTION_PATH = /^\/api\/v1\/suites\/([^/]+(?:\/[^/]+)?)\/(pause|resume|trigger)$/;


/** undefined for a malformed `%` escape: the client's mistake (400), not ours (500). */
function decodePathPart(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

/** The request's path without the query, which may carry secrets (and `url` is redacted by the logger). */
function pathOf(req: IncomingMessage): string {
  const raw = req.url ?? '/';
  const q = raw.indexOf('?');
  return q < 0 ? raw : raw.slice(0, q);
}

/** A listen error as one line: a port in use is the environment's doing, not a bug. */
function listenFault(err: unknown, port: number, host: string): Error {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') return new Fault('listen', `port ${port}: address in use`, { cause: err });
  if (code === 'EACCES') return new Fault('listen', `port ${port}: permission denied`, { cause: err });
  if (code === 'EADDRNOTAVAIL') return new Fault('listen', `${host}:${port}: address not available`, { cause: err });
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new Fault('listen', `${host}: cannot resolve the listen address`, { cause: err });
  return err instanceof Error ? err : new Error(String(err));
}

function send(res: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(text);
}

/**
 * Answers and closes the connection without reading what the client still sends: after an
 * early 401/403/405/413 a flood of body bytes is never read.
 */
function refuse(req: IncomingMessage, res: ServerResponse, status: number, error: string): void {
  const socket = req.socket as typeof req.socket | null;
  res.setHeader('connection', 'close');
  res.once('finish', () => socket?.destroy());
  send(res, status, { error });
}

/** Reads at most maxBytes of the body; false when the client sent more (or says it will). */
async function bodyWithin(req: IncomingMessage, maxBytes: number): Promise<boolean> {
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) return false;
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) return false;
  }
  return true;
}

/** The request target as a URL, or undefined when it cannot be parsed (the client's mistake: 400). */
function targetOf(req: IncomingMessage): URL | undefined {
  try {
    return new URL(req.url ?? '/', 'http://localhost');
  } catch {
    return undefined;
  }
}

interface Routes {
  options: HttpServerOptions;
  metrics: ResponseCache<{ contentType: string; body: string }>;
  status: ResponseCache<unknown>;
}

/** Admin bodies are empty; anything past this is refused (413) and the connection closed. */
export const MAX_ADMIN_BODY_BYTES = 4096;

async function adminAction(r: Routes, req: IncomingMessage, res: ServerResponse, action: RegExpExecArray): Promise<void> {
  if (req.method !== 'POST') return refuse(req, res, 405, 'use POST');
  const verdict = checkAdminToken(r.options.adminToken(), req.headers.authorization);
  if (verdict === 'disabled') return refuse(req, res, 403, 'admin endpoints disabled: MESH_SOAK_ADMIN_TOKEN is not set');
  if (verdict === 'unauthorized') return refuse(req, res, 401, 'missing or wrong bearer token');
  if (!(await bodyWithin(req, MAX_ADMIN_BODY_BYTES))) return refuse(req, res, 413, `request body larger than ${MAX_ADMIN_BODY_BYTES} bytes`);
  const suite = decodePathPart(action[1]!);
  if (suite === undefined) return send(res, 400, { error: 'malformed percent-encoding in the suite name' });
  const what = action[2] as SuiteAction;
  const answer = await r.options.backend.suiteAction(suite, what);
  if (answer.result === 'not-found') return send(res, 404, { error: `unknown suite ${suite}` });
  if (answer.result === 'conflict') return send(res, 409, { error: answer.message ?? 'not possible' });
  r.status.invalidate();
  r.options.logger.info({ suite, action: what }, 'admin action');
  return send(res, what === 'trigger' ? 202 : 200, { suite, action: what, ok: true });
}

async function route(r: Routes, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = targetOf(req);
  if (!url) return refuse(req, res, 400, 'malformed request target');
  const action = ACTION_PATH.exec(url.pathname);
  if (action) return adminAction(r, req, res, action);
  if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(req, res, 405, 'method not allowed');
  switch (url.pathname) {
    case '/metrics': {
      const m = await r.metrics.get();
      return send(res, 200, m.body, m.contentType);
    }
    case '/healthz':
      return send(res, 200, { status: 'alive' });
    case '/readyz': {
      const ready = await r.options.backend.readiness();
      return send(res, ready.ready ? 200 : 503, { ready: ready.ready, reasons: ready.reasons });
    }
    case '/api/v1/status':
    case '/report': {
      if (r.options.requireTokenForStatus) {
        const verdict = checkAdminToken(r.options.adminToken(), req.headers.authorization);
        if (verdict !== 'allowed') return refuse(req, res, verdict === 'disabled' ? 403 : 401, 'the status API needs the bearer token (http.requireTokenForStatus)');
      }
      if (url.pathname === '/api/v1/status') return send(res, 200, await r.status.get());
      if (!r.options.backend.report) return send(res, 404, { error: 'not found' });
      const report = await r.options.backend.report(url.searchParams);
      return send(res, report.status, report.body, report.contentType);
    }
    case '/':
      return send(res, 200, STATUS_PAGE_HTML, 'text/html; charset=utf-8');
    default:
      return send(res, 404, { error: 'not found' });
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (err: unknown) => reject(listenFault(err, port, host));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

export async function startHttpServer(options: HttpServerOptions): Promise<RunningServer> {
  const { backend, logger } = options;
  const ttl = options.cacheMs ?? 1000;
  const v = options.stateVersion;
  const routes: Routes = { options, metrics: responseCache(() => backend.metrics(), ttl, Date.now, v), status: responseCache(() => backend.status(), ttl, Date.now, v) };
  const server: Server = createServer((req, res) => {
    route(routes, req, res).catch((err: unknown) => {
      logger.error({ err, method: req.method, path: pathOf(req) }, 'http handler failed');
      if (!res.headersSent) send(res, 500, { error: 'internal error' });
      else res.end();
    });
  });
  // Probes must not hang on a stuck client.
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 10_000;
  // A malformed request line or headers: answer 400 and close, without an error line per request.
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    socket.destroy();
  });
  const host = options.host ?? '0.0.0.0';
  await listen(server, options.port, host);
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
