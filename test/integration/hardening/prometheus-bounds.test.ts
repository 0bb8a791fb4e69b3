// A hostile "Prometheus" on loopback: what it sends is bounded. A huge body and an endless
// one are abandoned at prometheus.maxBodyBytes (the server sees its connection closed; the
// error is too_large, not a timeout), 100 000 series are refused past maxSeries and the
// check is unknown at once with the reason, a backend that drops the batch label never makes
// a check read "no data", and a batch that times out is split so the fast queries answer.
// The test process' RSS stays under 300 MB throughout.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { PrometheusClient } from '../../../src/adapters/prometheus/client.js';
import { BatchingProvider } from '../../../src/adapters/prometheus/batching-provider.js';
import { PrometheusError } from '../../../src/adapters/prometheus/errors.js';
import { evaluateGroup } from '../../../src/checks/evaluate-group.js';
import { startLoopbackServer, type LoopbackServer } from '../prometheus/loopback-server.js';
import { check, config } from '../daemon/fixtures.js';
import { Registry } from 'prom-client';
import { buildProvider } from '../../../src/app/index.js';
import { createMetrics } from '../../../src/telemetry/metrics.js';

const MB = 1024 * 1024;
const RSS_LIMIT = 300 * MB;
let server: LoopbackServer | undefined;
let client: PrometheusClient | undefined;
afterEach(async () => {
  await client?.close();
  client = undefined;
  await server?.stop();
  server = undefined;
});

async function formQuery(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const c of req) body += String(c);
  return new URLSearchParams(body).get('query') ?? '';
}

const vector = (series: Array<Record<string, string>>, value = '1'): string =>
  JSON.stringify({ status: 'success', data: { resultType: 'vector', result: series.map((metric) => ({ metric, value: [1, value] })) } });

/** Writes `chunk` until the client goes away or `maxBytes` were sent; resolves the bytes sent. */
function flood(res: ServerResponse, chunk: Buffer, maxBytes: number): Promise<number> {
  return new Promise((resolve) => {
    let sent = 0;
    let done = false;
    const finish = (): void => {
      if (!done) resolve(sent);
      done = true;
    };
    res.on('close', finish);
    const pump = (): void => {
      while (!done && sent < maxBytes) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      if (sent >= maxBytes) res.end(finish);
    };
    pump();
  });
}

describe('response size', () => {
  for (const [name, total] of [
    ['a 200 MB body', 200 * MB],
    ['an endless body', Number.MAX_SAFE_INTEGER],
  ] as const) {
    it(`abandons ${name} at maxBodyBytes`, async () => {
      let served: Promise<number> | undefined;
      const chunk = Buffer.alloc(64 * 1024, ' ');
      server = await startLoopbackServer((req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"status":"success","data":{"resultType":"vector","result":[');
        served = flood(res, chunk, total);
      });
      // A long timeout: the cut must come from the size limit, not the clock.
      client = new PrometheusClient({ url: server.url, timeoutMs: 120_000, maxBodyBytes: 4 * MB });
      const err = await client.query('up').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PrometheusError);
      expect((err as PrometheusError).kind).toBe('too_large');
      expect((err as Error).message).toMatch(/prometheus\.maxBodyBytes/);
      // The server's writes stop: the client closed the connection.
      const sent = await served!;
      expect(sent).toBeLessThan(total);
      expect(process.memoryUsage().rss).toBeLessThan(RSS_LIMIT);
    });
  }
});

describe('series count', () => {
  it('refuses 100 000 series past maxSeries and turns the check unknown at once, with the reason', async () => {
    const series = Array.from({ length: 100_000 }, (_, i) => ({ __name__: 'x', pod: `pod-${i}` }));
    const body = vector(series);
    server = await startLoopbackServer((req, res) => {
      void formQuery(req).then(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(body);
      });
    });
    client = new PrometheusClient({ url: server.url, timeoutMs: 60_000, maxSeries: 10_000 });
    const spec = check('many', 'x', '> 0');
    const r = await evaluateGroup({ checks: [spec] }, client, {}, 1_700_000_000_000);
    const record = r.records.many!;
    expect(record.state).toBe('unknown');
    const reasons = Object.values(record.instances).map((i) => i.reason);
    expect(reasons.join(' ')).toMatch(/prometheus\.maxSeries/);
    expect(Object.keys(record.instances).length).toBeLessThanOrEqual(1);
    expect(process.memoryUsage().rss).toBeLessThan(RSS_LIMIT);
  });
});

describe('batching', () => {
  it('a backend that drops the batch label never makes a check read "no data"', async () => {
    // Answers every query, batched or not, with one series without any labels.
    server = await startLoopbackServer((req, res) => {
      void formQuery(req).then(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(vector([{}], '7'));
      });
    });
    client = new PrometheusClient({ url: server.url, timeoutMs: 10_000 });
    const provider = new BatchingProvider(client);
    const got = await Promise.all(['sum(a)', 'sum(b)', 'sum(c)'].map((q) => provider.query(q)));
    expect(got).toEqual([[{ labels: {}, value: 7 }], [{ labels: {}, value: 7 }], [{ labels: {}, value: 7 }]]);
    expect(provider.labelsLost).toBe(1);
  });

  it('a batch that times out is split: the fast queries answer, only the slow one times out', async () => {
    server = await startLoopbackServer((req, res) => {
      void formQuery(req).then((q) => {
        if (q.includes('slow_metric')) return; // never answers
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(vector([{}], '1'));
      });
    });
    client = new PrometheusClient({ url: server.url, timeoutMs: 1000 });
    const provider = new BatchingProvider(client);
    const got = await Promise.allSettled(['sum(a)', 'sum(slow_metric)', 'sum(c)'].map((q) => provider.query(q)));
    expect(got.map((g) => g.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(((got[1] as PromiseRejectedResult).reason as PrometheusError).kind).toBe('timeout');
  });
});

describe('the over-limit counter', () => {
  it('counts each refused answer by the limit it passed, on the daemon\'s own provider', async () => {
    const many = vector(Array.from({ length: 50 }, (_, i) => ({ pod: `p${i}` })));
    server = await startLoopbackServer((req, res) => {
      void formQuery(req).then((q) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(q.includes('big') ? `${many}${' '.repeat(8192)}` : many);
      });
    });
    const cfg = config({ prometheusUrl: server.url, redisUrl: 'redis://127.0.0.1:1', suites: [] });
    const registry = new Registry();
    const metrics = createMetrics(registry, 'test');
    const provider = buildProvider({ ...cfg, prometheus: { ...cfg.prometheus, maxSeries: 10, maxBodyBytes: 8000 } }, metrics);
    try {
      // One after the other: each its own request, not one batch.
      for (const q of ['sum(big_x)', 'many_y']) {
        const err = await provider.query(q).then(() => undefined, (e: unknown) => e);
        expect((err as PrometheusError).kind, q).toBe('too_large');
      }
      const counted = await registry.getSingleMetric('mesh_soak_prometheus_responses_over_limit_total')!.get();
      const byLimit = Object.fromEntries(counted.values.map((v) => [String(v.labels.limit), v.value]));
      expect(byLimit).toEqual({ body_bytes: 1, series: 1 });
    } finally {
      await provider.close();
    }
  });
});
