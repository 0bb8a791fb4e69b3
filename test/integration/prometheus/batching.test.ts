// The batching provider must be invisible in results: every check gets exactly what its
// own query would have returned, or its own error, against a real Prometheus.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus, startSyntheticTarget, waitFor, type RunningPrometheus, type SyntheticTarget } from '../../harness/index.js';
import { PrometheusClient } from '../../../src/adapters/prometheus/client.js';
import { BatchingProvider } from '../../../src/adapters/prometheus/batching-provider.js';
import type { Sample } from '../../../src/checks/types.js';
import { scaledMs } from '../../../simulator/local/wait-for.js';

let target: SyntheticTarget;
let prom: RunningPrometheus;
let client: PrometheusClient;

beforeAll(async () => {
  target = await startSyntheticTarget();
  for (let i = 0; i < 6; i++) target.set('demo_requests', { ns: `ns${i % 3}`, pod: `p${i}` }, i);
  target.set('demo_other', { ns: 'ns0', pod: 'p0' }, 7);
  prom = await startPrometheus({ scrapeTargets: [target.hostPort] });
  client = new PrometheusClient({ url: prom.url, timeoutMs: 5000 });
  await waitFor(async () => (await client.query('count(demo_requests)')).length > 0, { timeoutMs: 90_000, intervalMs: 250, what: 'first scrape' });
}, scaledMs(600_000));

afterAll(async () => {
  await client?.close();
  await prom?.stop();
  await target?.stop();
});

const QUERIES = [
  'sum(demo_requests)',
  'sum by (ns) (demo_requests)',
  'demo_requests > 2',
  'demo_requests > 100', // empty
  'max(demo_requests) / 2',
  'scalar(sum(demo_requests))', // a scalar: cannot be batched
  '{__name__=~"demo_.*", pod="p0"}', // two series differing only by name
  'demo_other + on() group_left demo_requests', // runtime error: many series on the "one" side
];

function normalise(samples: Sample[]): string[] {
  return samples.map((s) => `${JSON.stringify(Object.entries(s.labels).sort())}=${s.value}`).sort();
}

async function settle(p: Promise<Sample[]>): Promise<string[] | string> {
  return p.then(normalise, (err: { kind?: string; message: string }) => `error ${err.kind}: ${err.message.replace(/ at char.*$/, '')}`);
}

describe('BatchingProvider', () => {
  it('returns for each query what its own request returns, in a few requests', async () => {
    // Freeze the data: both runs must see the same scrape.
    const expected = await Promise.all(QUERIES.map((q) => settle(client.query(q))));
    const batching = new BatchingProvider(client, { maxBatch: 4 });
    const got = await Promise.all(QUERIES.map((q) => settle(batching.query(q))));
    expect(got).toEqual(expected);
    expect(expected[3]).toEqual([]);
    expect(expected[7]).toMatch(/^error /);
    // 7 batchable queries in batches of 4 and 3, the scalar on its own; the second batch
    // fails on the bad query and is retried one by one: 1 + 1 + (1 + 3) = 6 requests.
    expect(batching.requests).toBe(6);
  });

  it('answers 500 checks in ten requests', async () => {
    const batching = new BatchingProvider(client, { maxBatch: 50 });
    const queries = Array.from({ length: 500 }, (_, i) => `sum(demo_requests{ns="ns${i % 3}"}) * ${i}`);
    const results = await Promise.all(queries.map((q) => batching.query(q)));
    expect(batching.requests).toBe(10);
    // ns0 holds p0 and p3: 0 + 3 = 3
    expect(results[3]?.[0]?.value).toBe(3 * 3);
    expect(results[3]?.[0]?.labels).toEqual({});
  });

  it('fails every query of a batch with the connection fault when Prometheus is unreachable', async () => {
    const dead = new PrometheusClient({ url: 'http://127.0.0.1:9', timeoutMs: 1000 });
    const batching = new BatchingProvider(dead);
    const outcomes = await Promise.allSettled(['sum(a)', 'sum(b)', 'sum(c)'].map((q) => batching.query(q)));
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(outcomes.map((o) => (o.status === 'rejected' ? (o.reason as { kind: string }).kind : ''))).toEqual(['unreachable', 'unreachable', 'unreachable']);
    expect(batching.requests).toBe(1);
    await dead.close();
  });
});
