// The daemon's start-up and shutdown edges with Redis unreachable: stop() resolves and never
// rejects, `scheduled` settles on stop, an already-aborted signal stops it, and a port in use
// is a listen Fault that leaves the provider and notifier closed.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon, type Notifier } from '../../../src/app/index.js';
import { Fault } from '../../../src/shared/errors.js';
import type { MetricsProvider } from '../../../src/adapters/prometheus/types.js';
import { freePort } from '../../../simulator/local/index.js';
import { check, config, quietLogger, suite, uniquePrefix } from './fixtures.js';
import { scaledMs } from '../../../simulator/local/wait-for.js';

let redisUrl = '';
const started: Daemon[] = [];

function fakes() {
  const closed = { provider: 0, notifier: 0 };
  const provider: MetricsProvider = {
    query: async () => [],
    close: async () => void closed.provider++,
  };
  const notifier: Notifier = {
    enqueue: () => undefined,
    close: async () => void closed.notifier++,
  };
  return { closed, provider, notifier };
}

const cfg = () => config({ prometheusUrl: 'http://127.0.0.1:9', redisUrl, suites: [suite('web', [check('c', 'up', '> 0')])] });

beforeAll(async () => {
  // Nothing listens there: Redis is "down" for the whole file.
  redisUrl = `redis://127.0.0.1:${await freePort()}`;
});
afterAll(async () => {
  await Promise.allSettled(started.map((d) => d.stop()));
});

describe('daemon lifecycle with Redis unreachable', () => {
  it('stop() resolves, and `scheduled` (never installed) settles once stopped', async () => {
    const { provider, closed } = fakes();
    const daemon = await startDaemon(cfg(), { logger: quietLogger, provider, prefix: uniquePrefix(), port: 0, host: '127.0.0.1', retryMs: 50, shutdownTimeoutMs: 500 });
    started.push(daemon);
    expect((await fetch(`http://127.0.0.1:${daemon.port}/readyz`)).status).toBe(503);
    await expect(daemon.stop()).resolves.toBeUndefined();
    await expect(daemon.scheduled).resolves.toBeUndefined();
    expect(closed.provider).toBe(1);
    await expect(fetch(`http://127.0.0.1:${daemon.port}/healthz`)).rejects.toThrow();
  }, scaledMs(30_000));

  it('an already-aborted signal stops the daemon as soon as it has started', async () => {
    const { provider } = fakes();
    const abort = new AbortController();
    abort.abort();
    const daemon = await startDaemon(cfg(), { logger: quietLogger, provider, prefix: uniquePrefix(), port: 0, host: '127.0.0.1', signal: abort.signal, shutdownTimeoutMs: 500 });
    started.push(daemon);
    await daemon.stop(); // the stop already under way
    await expect(fetch(`http://127.0.0.1:${daemon.port}/healthz`)).rejects.toThrow();
    await expect(daemon.scheduled).resolves.toBeUndefined();
  }, scaledMs(30_000));
});

describe('daemon start on a port in use', () => {
  let blocker: Server;
  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
  });
  afterAll(async () => new Promise<void>((resolve) => blocker.close(() => resolve())));

  it('rejects with a listen Fault and closes the provider and notifier it was given', async () => {
    const { provider, notifier, closed } = fakes();
    const port = (blocker.address() as AddressInfo).port;
    const err: unknown = await startDaemon(cfg(), { logger: quietLogger, provider, notifier, prefix: uniquePrefix(), port, host: '127.0.0.1' }).then(
      (d) => {
        started.push(d);
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Fault);
    expect((err as Fault).message).toBe(`port ${port}: address in use`);
    expect(closed).toEqual({ provider: 1, notifier: 1 });
  }, scaledMs(30_000));
});
