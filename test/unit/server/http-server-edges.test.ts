// Input and environment edges of the HTTP server: malformed escapes, a failing handler's log
// line, and a port that is already taken.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Fault } from '../../../src/shared/errors.js';
import { startHttpServer, type RunningServer } from '../../../src/server/http-server.js';
import { createLogger } from '../../../src/telemetry/logger.js';

const lines: Array<Record<string, unknown>> = [];
const logger = createLogger({ level: 'info', pretty: false, destination: { write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>) } });
let server: RunningServer;
let base = '';

beforeAll(async () => {
  server = await startHttpServer({
    port: 0,
    host: '127.0.0.1',
    logger,
    adminToken: () => 'tok',
    backend: {
      metrics: async () => ({ contentType: 'text/plain', body: '' }),
      readiness: async () => ({ ready: true, reasons: [] }),
      status: async () => {
        throw new Error('backend exploded');
      },
      suiteAction: async () => ({ result: 'ok' }),
    },
  });
  base = `http://127.0.0.1:${server.port}`;
});
afterAll(async () => server.close());

describe('http server edges', () => {
  it('answers 400, not 500, to a malformed percent escape in a suite name, and logs no error', async () => {
    const before = lines.length;
    const res = await fetch(`${base}/api/v1/suites/%E0%A4%A/pause`, { method: 'POST', headers: { authorization: 'Bearer tok' } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/percent-encoding/);
    expect(lines.slice(before).filter((l) => l.level === 50)).toEqual([]);
  });

  it('logs the path of a failed request, without its query', async () => {
    const res = await fetch(`${base}/api/v1/status?token=s3cret`);
    expect(res.status).toBe(500);
    const line = lines.find((l) => l.msg === 'http handler failed');
    expect(line?.path).toBe('/api/v1/status');
    expect(line?.method).toBe('GET');
    expect(JSON.stringify(line)).not.toContain('s3cret');
  });

  it('reports a port in use as a one-line listen Fault', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const { port } = blocker.address() as AddressInfo;
    try {
      const err: unknown = await startHttpServer({
        port,
        host: '127.0.0.1',
        logger,
        adminToken: () => undefined,
        backend: {
          metrics: async () => ({ contentType: 'text/plain', body: '' }),
          readiness: async () => ({ ready: true, reasons: [] }),
          status: async () => ({}),
          suiteAction: async () => ({ result: 'ok' }),
        },
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(Fault);
      expect((err as Fault).kind).toBe('listen');
      expect((err as Fault).message).toBe(`port ${port}: address in use`);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});
