// What Fortio answers an async run: 1.35 and later {"message": "started", "RunID", "ResultID",
// …}, read; before that only {"started": N}, refused with the reason (no result id, no
// status API) rather than a bare "no RunID".

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FortioClient } from '../../../src/adapters/fortio/client.js';

let server: Server | undefined;

async function answering(body: unknown): Promise<string> {
  server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body)));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

const load = { url: 'http://s:8080/echo', qps: 10, connections: 1, durationMs: 1000, labels: 'x_both' };

describe('FortioClient.start', () => {
  it('reads the run id and result id of Fortio 1.35 and later', async () => {
    const url = await answering({ message: 'started', RunID: 7, Count: 1, ResultID: '2026-12-01-101010_7', ResultURL: 'http://x/fortio/data/2026-12-01-101010_7.json' });
    expect(await new FortioClient({ baseUrl: url }).start(load)).toEqual({ runId: 7, resultId: '2026-12-01-101010_7' });
  });

  it('refuses the bare {"started": N} of older Fortio, saying why', async () => {
    const url = await answering({ started: 3 });
    await expect(new FortioClient({ baseUrl: url }).start(load)).rejects.toThrow('fortio run: this Fortio answers {"started": N} (before 1.35): no result id and no status API; use Fortio 1.35 or later (suites/benchmark ships 1.69.0)');
  });
});
