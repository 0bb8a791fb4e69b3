// The HTTP server under abuse, over real sockets on loopback: a body flood behind an early
// 401/413 is not read (the connection is closed long before the flood is sent), an
// unparsable request target is a 400 without an error log line, 500 concurrent /metrics and
// /api/v1/status requests cost a handful of computations (1 s single-flight cache), and the
// status API can require the token. Behaviour only, no timings; RSS stays under 300 MB.

import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer, type RunningServer, type ServerBackend } from '../../../src/server/http-server.js';
import { createLogger } from '../../../src/telemetry/logger.js';

const lines: Array<Record<string, unknown>> = [];
const logger = createLogger({ level: 'info', pretty: false, destination: { write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>) } });
const calls = { metrics: 0, status: 0 };
const running = { metrics: 0, status: 0, maxMetrics: 0, maxStatus: 0 };
const backend: ServerBackend = {
  metrics: async () => {
    calls.metrics++;
    running.maxMetrics = Math.max(running.maxMetrics, ++running.metrics);
    await new Promise((r) => setTimeout(r, 50));
    running.metrics--;
    return { contentType: 'text/plain', body: 'mesh_soak_up 1\n' };
  },
  readiness: async () => ({ ready: true, reasons: [] }),
  status: async () => {
    calls.status++;
    running.maxStatus = Math.max(running.maxStatus, ++running.status);
    await new Promise((r) => setTimeout(r, 50));
    running.status--;
    return { suites: [] };
  },
  suiteAction: async () => ({ result: 'ok' }),
};
let open: RunningServer | undefined;
let guarded: RunningServer | undefined;

beforeAll(async () => {
  open = await startHttpServer({ port: 0, host: '127.0.0.1', logger, adminToken: () => 'tok', backend });
  guarded = await startHttpServer({ port: 0, host: '127.0.0.1', logger, adminToken: () => 'tok', backend, requireTokenForStatus: true });
});
afterAll(async () => {
  await open?.close();
  await guarded?.close();
});

/** Sends `head`, then floods `total` body bytes until the server closes; resolves what came back and the bytes written. */
function flood(port: number, head: string, total: number): Promise<{ response: string; written: number }> {
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1');
    let response = '';
    let written = 0;
    let done = false;
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const finish = (): void => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve({ response, written });
    };
    socket.on('data', (d) => (response += d.toString()));
    socket.on('close', finish);
    socket.on('error', finish);
    socket.on('connect', () => {
      socket.write(head);
      const pump = (): void => {
        while (!done && written < total) {
          written += chunk.length;
          if (!socket.write(chunk)) return void socket.once('drain', pump);
        }
      };
      pump();
    });
  });
}

const TOTAL = 512 * 1024 * 1024;

describe('body floods', () => {
  it('a 512 MB body behind a missing token: 401 and the connection closed, the body not read', async () => {
    const head = `POST /api/v1/suites/web/pause HTTP/1.1\r\nhost: x\r\ncontent-length: ${TOTAL}\r\n\r\n`;
    const r = await flood(open!.port, head, TOTAL);
    expect(r.response).toMatch(/^HTTP\/1\.1 401/);
    expect(r.written).toBeLessThan(TOTAL);
    expect(process.memoryUsage().rss).toBeLessThan(300 * 1024 * 1024);
  });

  it('an admin body past 4 KiB with the token: 413 and closed', async () => {
    const head = `POST /api/v1/suites/web/pause HTTP/1.1\r\nhost: x\r\nauthorization: Bearer tok\r\ncontent-length: ${TOTAL}\r\n\r\n`;
    const r = await flood(open!.port, head, TOTAL);
    expect(r.response).toMatch(/^HTTP\/1\.1 413/);
    expect(r.written).toBeLessThan(TOTAL);
  });

  it('a chunked admin body past 4 KiB: 413', async () => {
    const res = await fetch(`http://127.0.0.1:${open!.port}/api/v1/suites/web/pause`, {
      method: 'POST',
      headers: { authorization: 'Bearer tok' },
      body: new ReadableStream({
        start(c) {
          for (let i = 0; i < 10; i++) c.enqueue(new Uint8Array(1024));
          c.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
  });
});

describe('malformed requests', () => {
  it('answers 400 to an unparsable request target, with no error log line', async () => {
    const before = lines.length;
    const r = await flood(open!.port, 'GET //[::1 HTTP/1.1\r\nhost: x\r\n\r\n', 0);
    expect(r.response).toMatch(/^HTTP\/1\.1 400/);
    const garbage = await flood(open!.port, 'NOT-HTTP\r\n\r\n', 0);
    expect(garbage.response).toMatch(/^HTTP\/1\.1 400/);
    expect(lines.slice(before).filter((l) => Number(l.level) >= 50)).toEqual([]);
  });
});

describe('load on /metrics and /api/v1/status', () => {
  it('500 concurrent requests each cost a few computations', async () => {
    const base = `http://127.0.0.1:${open!.port}`;
    const before = { ...calls };
    const results = await Promise.all(
      Array.from({ length: 500 }, (_, i) => fetch(`${base}${i % 2 ? '/metrics' : '/api/v1/status'}`).then(async (r) => ({ status: r.status, body: await r.text() }))),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(results.filter((r) => r.body.includes('mesh_soak_up 1'))).toHaveLength(250);
    // Single flight: never two computations at once; and each one serves many requests
    // (one per second of the burst at most: 250 requests each would need minutes to spread thin).
    expect(running.maxMetrics).toBe(1);
    expect(running.maxStatus).toBe(1);
    expect(calls.metrics - before.metrics).toBeLessThan(50);
    expect(calls.status - before.status).toBeLessThan(50);
    expect(process.memoryUsage().rss).toBeLessThan(300 * 1024 * 1024);
  });
});

describe('status API behind the token', () => {
  it('needs the bearer token when requireTokenForStatus is set', async () => {
    const base = `http://127.0.0.1:${guarded!.port}`;
    expect((await fetch(`${base}/api/v1/status`)).status).toBe(401);
    expect((await fetch(`${base}/api/v1/status`, { headers: { authorization: 'Bearer tok' } })).status).toBe(200);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});
