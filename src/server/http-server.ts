// The daemon's one HTTP port (node:http): /metrics, /healthz, /readyz, /api/v1/status, the
// token-protected suite actions, and the status page at `/`. The
// server only routes; what the answers say comes from the ServerBackend the daemon passes in.
//
// May import: shared/, telemetry/ (types); never the daemon (it is handed a ServerBackend).

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { Fault } from '../shared/errors.js';
import { checkAdminToken } from './admin-auth.js';
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
}

export interface HttpServerOptions {
  port: number;
  host?: string;
  backend: ServerBackend;
  logger: Logger;
  /** Read per request so a test or an operator can change it without a restart. */
  adminToken: () => string | undefined;
}

export interface RunningServer {
  readonly port: number;
  close(): Promise<void>;
}

const ACTION_PATH = /^\/api\/v1\/suites\/([^/]+)\/(pause|resume|trigger)$/;


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

export async function startHttpServer(options: HttpServerOptions): Promise<RunningServer> {
  const { backend, logger } = options;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const action = ACTION_PATH.exec(path);
    if (action) {
      if (method !== 'POST') return send(res, 405, { error: 'use POST' });
      const verdict = checkAdminToken(options.adminToken(), req.headers.authorization);
      if (verdict === 'disabled') return send(res, 403, { error: 'admin endpoints disabled: MESH_SOAK_ADMIN_TOKEN is not set' });
      if (verdict === 'unauthorized') return send(res, 401, { error: 'missing or wrong bearer token' });
      const suite = decodePathPart(action[1]!);
      if (suite === undefined) return send(res, 400, { error: 'malformed percent-encoding in the suite name' });
      const what = action[2] as SuiteAction;
      const answer = await backend.suiteAction(suite, what);
      if (answer.result === 'not-found') return send(res, 404, { error: `unknown suite ${suite}` });
      if (answer.result === 'conflict') return send(res, 409, { error: answer.message ?? 'not possible' });
      logger.info({ suite, action: what }, 'admin action');
      return send(res, what === 'trigger' ? 202 : 200, { suite, action: what, ok: true });
    }
    if (method !== 'GET' && method !== 'HEAD') return send(res, 405, { error: 'method not allowed' });
    switch (path) {
      case '/metrics': {
        const m = await backend.metrics();
        return send(res, 200, m.body, m.contentType);
      }
      case '/healthz':
        return send(res, 200, { status: 'alive' });
      case '/readyz': {
        const r = await backend.readiness();
        return send(res, r.ready ? 200 : 503, { ready: r.ready, reasons: r.reasons });
      }
      case '/api/v1/status':
        return send(res, 200, await backend.status());
      case '/':
        return send(res, 200, STATUS_PAGE_HTML, 'text/html; charset=utf-8');
      default:
        return send(res, 404, { error: 'not found' });
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      logger.error({ err, method: req.method, path: pathOf(req) }, 'http handler failed');
      if (!res.headersSent) send(res, 500, { error: 'internal error' });
      else res.end();
    });
  });
  // Probes must not hang on a stuck client.
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;

  const host = options.host ?? '0.0.0.0';
  await new Promise<void>((resolve, reject) => {
    const onError = (err: unknown) => reject(listenFault(err, options.port, host));
    server.once('error', onError);
    server.listen(options.port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
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
