// The MetricsProvider contract for RecordedProvider with the recording rules loaded: a real
// Prometheus evaluates the rules `recordingRuleGroups` writes for the contract's queries, and
// the provider must answer every case exactly as a direct query does. Beside the contract,
// what only this provider does: answers come from the recorded series (one lookup, nothing
// asked directly), and a missing, failed or stale recorded result is asked directly.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchingProvider } from '../../src/adapters/prometheus/batching-provider.js';
import { PrometheusClient } from '../../src/adapters/prometheus/client.js';
import { RecordedProvider, type DirectReason } from '../../src/adapters/prometheus/recorded-provider.js';
import { MARKER_LABEL, RECORDED_METRIC, recordingRuleGroups } from '../../src/adapters/prometheus/recording-rules.js';
import type { MetricsProvider, Sample } from '../../src/checks/types.js';
import { waitFor } from '../harness/index.js';
import { CONTRACT_QUERIES, Q, metricsProviderContract, startMetricsWorld, type MetricsWorld } from './metrics-provider.contract.js';

let world: MetricsWorld | undefined;
let dir: string | undefined;
/** Recorded: every contract query Prometheus can load (a parse error would refuse the whole file). */
const RECORDED = CONTRACT_QUERIES.filter((q) => q !== Q.parseError);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mesh-soak-recorded-'));
  const groups = recordingRuleGroups(RECORDED.map((expr) => ({ expr, intervalMs: 1000 })));
  const file = join(dir, 'recorded.yml');
  // The rules are loaded once the target is scraped: the execution-error rule then never
  // succeeds (before the scrape it would, and its marker would linger while it fails).
  await writeFile(file, 'groups: []\n');
  world = await startMetricsWorld({ ruleFiles: [file] });
  await writeFile(file, dump({ groups }, { lineWidth: -1 }));
  await world.reloadPrometheus();
  const client = new PrometheusClient({ url: world.prometheusUrl, timeoutMs: 5000 });
  // Every rule but the one whose expression fails at run time leaves its marker.
  const markers = groups[0]!.rules.length - 1;
  try {
    await waitFor(async () => (await client.query(`count(${RECORDED_METRIC}{${MARKER_LABEL}="1"})`))[0]?.value === markers, {
      timeoutMs: 30_000,
      intervalMs: 250,
      what: `Prometheus to evaluate the ${markers} recording rules with a marker`,
    });
  } finally {
    await client.close();
  }
}, 60_000);
afterAll(async () => {
  await world?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});
const theWorld = (): MetricsWorld => {
  if (!world) throw new Error('the metrics world did not start');
  return world;
};

/** A client that counts the requests it sends. */
function countingClient(url: string, options: { maxSeries?: number } = {}): MetricsProvider & { sent: string[] } {
  const client = new PrometheusClient({ url, timeoutMs: 5000, ...options });
  const sent: string[] = [];
  return { sent, query: (e, o) => (sent.push(e), client.query(e, o)), close: () => client.close() };
}

metricsProviderContract(
  'RecordedProvider with the recording rules loaded',
  ({ url, timeoutMs }) => {
    const client = new PrometheusClient({ url, timeoutMs });
    return new RecordedProvider(client, new BatchingProvider(client, { maxBatch: 4 }), { maxAgeMs: 60_000 });
  },
  { capabilities: { talksToPrometheus: true, honoursTime: true, honoursSignal: true } },
  theWorld,
);

describe('RecordedProvider reads what Prometheus recorded', () => {
  const made: MetricsProvider[] = [];
  afterAll(async () => {
    await Promise.allSettled(made.map((p) => p.close()));
  });
  function provider(o: { now?: () => number; maxSeries?: number } = {}) {
    const client = countingClient(theWorld().prometheusUrl, o.maxSeries !== undefined ? { maxSeries: o.maxSeries } : {});
    const direct = countingClient(theWorld().prometheusUrl);
    const reasons: DirectReason[] = [];
    const p = new RecordedProvider(client, direct, { maxAgeMs: 60_000, onDirect: (r) => reasons.push(r), ...(o.now ? { now: o.now } : {}) });
    made.push(p, client);
    return { p, client, direct, reasons };
  }
  const sorted = (s: Sample[]) => [...s].sort((a, b) => JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels)));

  it('answers the recorded expressions of one turn with one lookup, with the labels a direct query gives', async () => {
    const { p, client, direct, reasons } = provider();
    const exprs = [Q.vector, Q.aggregate, Q.empty, Q.specials];
    const plain = new PrometheusClient({ url: theWorld().prometheusUrl, timeoutMs: 5000 });
    made.push(plain);
    const [answers, truth] = await Promise.all([Promise.all(exprs.map((e) => p.query(e))), Promise.all(exprs.map((e) => plain.query(e)))]);
    expect(client.sent).toHaveLength(1);
    expect(client.sent[0]).toMatch(/^mesh_soak:recorded\{mesh_soak_expr=~"[0-9a-f]{16}(\|[0-9a-f]{16}){3}"\}$/);
    expect(direct.sent).toEqual([]);
    expect(reasons).toEqual([]);
    expect(answers.map((a) => sorted(a).map((s) => [s.labels, String(s.value)]))).toEqual(truth.map((a) => sorted(a).map((s) => [s.labels, String(s.value)])));
    expect(answers[0]?.[0]?.labels.__name__).toBe('contract_gauge');
  });

  it('asks directly what no rule records, and what a rule failed to evaluate, each with the reason', async () => {
    const { p, direct, reasons } = provider();
    const unrecorded = 'sum(contract_gauge) * 2';
    const [sum, failed] = await Promise.allSettled([p.query(unrecorded), p.query(Q.executionError)]);
    expect(sum).toEqual({ status: 'fulfilled', value: [{ labels: {}, value: 11 }] });
    expect(failed.status === 'rejected' && (failed.reason as { kind?: string }).kind).toBe('execution');
    expect([...direct.sent].sort()).toEqual([Q.executionError, unrecorded].sort());
    expect(reasons).toEqual(['missing', 'missing']);
  });

  it('asks directly when the recorded result is older than maxAge', async () => {
    const { p, direct, reasons } = provider({ now: () => Date.now() + 10 * 60_000 });
    expect(sorted(await p.query(Q.aggregate))).toEqual([
      { labels: { ns: 'a' }, value: 1.5 },
      { labels: { ns: 'b' }, value: 4 },
    ]);
    expect(direct.sent).toEqual([Q.aggregate]);
    expect(reasons).toEqual(['stale']);
  });

  it('splits a lookup whose answer passes maxSeries, and still reads every answer from the recorded series', async () => {
    // Each of the two expressions records 2 series and a marker: 6 together, 3 alone.
    const { p, client, direct, reasons } = provider({ maxSeries: 3 });
    const [vector, aggregate] = await Promise.all([p.query(Q.vector), p.query(Q.aggregate)]);
    expect(vector).toHaveLength(2);
    expect(aggregate).toHaveLength(2);
    expect(client.sent).toHaveLength(3);
    expect(direct.sent).toEqual([]);
    expect(reasons).toEqual([]);
  });
});
