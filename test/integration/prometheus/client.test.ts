// PrometheusClient against a real Prometheus (scalar, vector, specials, errors) and
// against loopback servers that misbehave (timeouts, garbage, headers, concurrency).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrometheusClient } from '../../../src/adapters/prometheus/client.js';
import { PrometheusError } from '../../../src/adapters/prometheus/errors.js';
import {
  startPrometheus,
  startSyntheticTarget,
  waitFor,
  type RunningPrometheus,
  type SyntheticTarget,
} from '../../harness/index.js';
import { SCALAR_OK, startLoopbackServer, type LoopbackServer } from './loopback-server.js';

async function queryError(client: PrometheusClient, expr: string): Promise<PrometheusError> {
  try {
    await client.query(expr);
  } catch (err) {
    if (err instanceof PrometheusError) return err;
    throw err;
  }
  throw new Error(`query ${expr} unexpectedly succeeded`);
}

describe('PrometheusClient against a real Prometheus', () => {
  let prom: RunningPrometheus;
  let target: SyntheticTarget;
  let client: PrometheusClient;
  const outcomes: string[] = [];

  beforeAll(async () => {
    target = await startSyntheticTarget();
    target.set('soak_test_gauge', { ns: 'a', svc: 'one' }, 1.5);
    target.set('soak_test_gauge', { ns: 'b', svc: 'two' }, 4);
    prom = await startPrometheus({ scrapeTargets: [target.hostPort], scrapeIntervalS: 1 });
    client = new PrometheusClient({ url: prom.url, timeoutMs: 5000, onRequest: (o) => outcomes.push(o) });
    await waitFor(async () => (await client.query('soak_test_gauge')).length === 2, {
      timeoutMs: 60_000,
      intervalMs: 250,
      what: 'Prometheus to scrape the synthetic target',
    });
  });

  afterAll(async () => {
    await client?.close();
    await prom?.stop();
    await target?.stop();
  });

  it('reports ready', async () => {
    expect(await client.ready()).toBe(true);
  });

  it('returns a scalar as one sample without labels', async () => {
    expect(await client.query('scalar(vector(42))')).toEqual([{ labels: {}, value: 42 }]);
    expect(await client.query('1 + 1')).toEqual([{ labels: {}, value: 2 }]);
  });

  it('returns a vector with labels per series', async () => {
    const samples = await client.query('soak_test_gauge');
    const byNs = Object.fromEntries(samples.map((s) => [s.labels.ns, s]));
    expect(byNs.a?.value).toBe(1.5);
    expect(byNs.b?.value).toBe(4);
    expect(byNs.a?.labels).toMatchObject({ __name__: 'soak_test_gauge', ns: 'a', svc: 'one', job: 'synthetic' });
    expect(await client.query('sum(soak_test_gauge)')).toEqual([{ labels: {}, value: 5.5 }]);
  });

  it('returns an empty vector as no samples', async () => {
    expect(await client.query('soak_test_gauge{ns="nope"}')).toEqual([]);
  });

  it('turns NaN, +Inf and -Inf into numbers', async () => {
    expect((await client.query('0/0'))[0]?.value).toBeNaN();
    expect((await client.query('1/0'))[0]?.value).toBe(Infinity);
    expect((await client.query('-1/0'))[0]?.value).toBe(-Infinity);
    expect((await client.query('vector(0)/0'))[0]?.value).toBeNaN();
  });

  it('evaluates at the requested time', async () => {
    const at = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
    expect(await client.query('time()', { time: at })).toEqual([{ labels: {}, value: at / 1000 }]);
  });

  it('sends long queries (POST, no URL limit)', async () => {
    const long = Array.from({ length: 2000 }, (_, i) => `vector(${i})`).join(' + ');
    expect(await client.query(`sum(${long})`)).toEqual([{ labels: {}, value: (1999 * 2000) / 2 }]);
  });

  it("gives kind 'http' with Prometheus' message for a PromQL parse error", async () => {
    const err = await queryError(client, 'sum(rate(foo[1m])');
    expect(err.kind).toBe('http');
    expect(err.status).toBe(400);
    expect(err.message).toMatch(/^HTTP 400: bad_data: .*parse error/);
  });

  it("gives kind 'bad_data' for a range vector (matrix) result", async () => {
    const err = await queryError(client, 'up[1m]');
    expect(err.kind).toBe('bad_data');
    expect(err.message).toContain('matrix');
  });

  it("gives kind 'bad_data' for a string result", async () => {
    expect((await queryError(client, '"hello"')).kind).toBe('bad_data');
  });

  it('reports every outcome to onRequest', () => {
    expect(outcomes).toContain('success');
    expect(outcomes).toContain('http');
    expect(outcomes).toContain('bad_data');
  });

  it("gives kind 'unreachable' once Prometheus is stopped", async () => {
    const other = await startPrometheus({});
    const c = new PrometheusClient({ url: other.url, timeoutMs: 5000 });
    try {
      expect(await c.query('1')).toEqual([{ labels: {}, value: 1 }]);
      await other.stop();
      const err = await queryError(c, '1');
      expect(err.kind).toBe('unreachable');
      expect(await c.ready()).toBe(false);
    } finally {
      await c.close();
      await other.stop();
    }
  });
});

describe('PrometheusClient against misbehaving servers', () => {
  const servers: LoopbackServer[] = [];
  const clients: PrometheusClient[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(servers.map((s) => s.stop()));
  });
  async function serve(handler: Parameters<typeof startLoopbackServer>[0]): Promise<LoopbackServer> {
    const s = await startLoopbackServer(handler);
    servers.push(s);
    return s;
  }
  function clientFor(url: string, extra: Partial<ConstructorParameters<typeof PrometheusClient>[0]> = {}): PrometheusClient {
    const c = new PrometheusClient({ url, timeoutMs: 2000, ...extra });
    clients.push(c);
    return c;
  }

  it("gives kind 'timeout' when the server never answers", async () => {
    const silent = await serve(() => {
      /* never answers */
    });
    const outcomes: string[] = [];
    const c = clientFor(silent.url, { timeoutMs: 300, onRequest: (o) => outcomes.push(o) });
    const err = await queryError(c, 'up');
    expect(err.kind).toBe('timeout');
    expect(err.message).toContain('300 ms');
    expect(outcomes).toEqual(['timeout']);
  });

  it("gives kind 'timeout' when the caller's signal aborts", async () => {
    const silent = await serve(() => {
      /* never answers */
    });
    const c = clientFor(silent.url, { timeoutMs: 60_000 });
    const controller = new AbortController();
    const pending = c.query('up', { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ kind: 'timeout' });
  });

  it("gives kind 'timeout' to a query aborted while queued behind the concurrency bound", async () => {
    const silent = await serve(() => {
      /* never answers */
    });
    const c = clientFor(silent.url, { timeoutMs: 60_000, concurrency: 1 });
    const holder = new AbortController();
    const first = c.query('up', { signal: holder.signal }).catch((err: unknown) => err);
    const controller = new AbortController();
    const queued = c.query('up', { signal: controller.signal });
    controller.abort();
    await expect(queued).rejects.toMatchObject({ kind: 'timeout', message: expect.stringContaining('aborted by the caller') });
    holder.abort();
    expect(await first).toMatchObject({ kind: 'timeout' });
  });

  it('retries once when a connection is reset (a kept-alive socket the server dropped)', async () => {
    let requests = 0;
    const flaky = await serve((req, res) => {
      requests++;
      if (requests === 1) req.socket.destroy();
      else res.end(SCALAR_OK);
    });
    expect(await clientFor(flaky.url).query('up')).toEqual([{ labels: {}, value: 1 }]);
    expect(requests).toBe(2);
  });

  it("gives kind 'unreachable' when every connection is reset, after one retry", async () => {
    let requests = 0;
    const hostile = await serve((req) => {
      requests++;
      req.socket.destroy();
    });
    expect((await queryError(clientFor(hostile.url), 'up')).kind).toBe('unreachable');
    expect(requests).toBe(2);
  });

  it("gives kind 'bad_data' for a body that is not JSON", async () => {
    const html = await serve((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>'));
    const err = await queryError(clientFor(html.url), 'up');
    expect(err.kind).toBe('bad_data');
    // A proxy's page may echo request headers (credentials): never repeated.
    expect(err.message).not.toContain('login');
    expect(err.message).toBe('response is not a Prometheus JSON object (18 bytes; not shown)');
  });

  it("gives kind 'bad_data' for a malformed sample value", async () => {
    const bad = await serve((_req, res) =>
      res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1, 'abc'] }] } })),
    );
    expect((await queryError(clientFor(bad.url), 'up')).kind).toBe('bad_data');
  });

  it("gives kind 'execution' for Prometheus' query timeout (503) and execution error (422)", async () => {
    const busy = await serve((req, res) => {
      const [status, errorType] = req.url?.startsWith('/t/') ? [503, 'timeout'] : [422, 'execution'];
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'error', errorType, error: 'query timed out in expression evaluation' }));
    });
    const e1 = await queryError(clientFor(`${busy.url}/t`), 'up');
    expect(e1.kind).toBe('execution');
    expect(e1.message).toBe('HTTP 503: timeout: query timed out in expression evaluation');
    expect((await queryError(clientFor(busy.url), 'up')).kind).toBe('execution');
  });

  it("gives kind 'http' for a 502 from a proxy, without repeating the proxy's body", async () => {
    const proxy = await serve((_req, res) => res.writeHead(502).end('Bad Gateway; your Authorization: Bearer s3cret'));
    const err = await queryError(clientFor(proxy.url), 'up');
    expect(err.kind).toBe('http');
    expect(err.message).toBe('HTTP 502: (a body of 46 bytes that is not a Prometheus error; not shown)');
    expect(err.message).not.toContain('s3cret');
  });

  it('sends the configured headers and the path prefix, POSTs the form, never leaks the token', async () => {
    const seen: Array<{ method?: string; url?: string; auth?: string; tenant?: string; body: string }> = [];
    const echo = await serve((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({
          method: req.method,
          url: req.url,
          auth: req.headers.authorization,
          tenant: req.headers['x-scope-orgid'] as string | undefined,
          body,
        });
        if (body.includes('fail')) res.writeHead(401).end('unauthorized');
        else res.end(SCALAR_OK);
      });
    });
    const c = clientFor(`${echo.url}/prom/`, { headers: { Authorization: 'Bearer s3cret-token', 'X-Scope-OrgID': 'team-a' } });
    await c.query('up == 1', { time: 1_700_000_000_123 });
    expect(seen[0]).toEqual({
      method: 'POST',
      url: '/prom/api/v1/query',
      auth: 'Bearer s3cret-token',
      tenant: 'team-a',
      body: 'query=up+%3D%3D+1&time=1700000000.123',
    });
    const err = await queryError(c, 'fail');
    expect(err.kind).toBe('http');
    expect(err.message).not.toContain('s3cret');
    expect(JSON.stringify(err)).not.toContain('s3cret');
  });

  it('turns credentials in the URL into basic auth, not into messages', async () => {
    const seen: Array<string | undefined> = [];
    const echo = await serve((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(500).end('boom');
    });
    const c = clientFor(echo.url.replace('http://', 'http://user:pa55@'));
    const err = await queryError(c, 'up');
    expect(seen[0]).toBe(`Basic ${Buffer.from('user:pa55').toString('base64')}`);
    expect(err.message).not.toContain('pa55');
  });

  it('keeps at most `concurrency` requests in flight and answers every query', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    let total = 0;
    const counting = await serve((req, res) => {
      inFlight++;
      total++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      req.resume();
      // Hold each request briefly so the client really has to queue.
      setTimeout(() => {
        inFlight--;
        res.end(SCALAR_OK);
      }, 20);
    });
    const c = clientFor(counting.url, { concurrency: 3 });
    const results = await Promise.all(Array.from({ length: 30 }, () => c.query('1')));
    expect(results).toHaveLength(30);
    expect(total).toBe(30);
    expect(maxInFlight).toBe(3);
  });
});
