// A real loopback HTTP receiver for notifier tests: records every request and answers with
// a scripted status sequence, or holds requests until released (a slow receiver).
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Statuses for the next requests, in order; after that, `fallbackStatus`. */
  script: number[];
  fallbackStatus: number;
  /** While set, requests wait until release() is called. */
  hold: boolean;
  release(): void;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const held: Array<() => void> = [];
  // Assigned below; close() only runs after the server exists.
  const box: { server?: Server } = {};
  const r: Receiver = {
    url: '',
    received: [],
    script: [],
    fallbackStatus: 200,
    hold: false,
    release() {
      r.hold = false;
      for (const go of held.splice(0)) go();
    },
    close: () =>
      new Promise<void>((resolve) => {
        r.release();
        box.server?.closeAllConnections();
        if (box.server) box.server.close(() => resolve());
        else resolve();
      }),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        // Keep the raw text.
      }
      r.received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      const answer = (): void => {
        res.statusCode = r.script.shift() ?? r.fallbackStatus;
        res.end(res.statusCode >= 400 ? 'nope' : 'ok');
      };
      if (r.hold) held.push(answer);
      else answer();
    });
  });
  box.server = server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return r;
}
