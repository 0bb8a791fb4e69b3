// The MetricsProvider contract run against every implementation, on one real Prometheus:
// the HTTP client, the batching provider over it, the recorded-results provider with no rules
// loaded (metrics-provider-recorded.test.ts runs it with rules), and the table fake the engine's unit
// tests use (fed with what this Prometheus answered to the contract's queries, so the
// contract checks the fake hands answers and errors through as the port says).

import { afterAll, beforeAll } from 'vitest';
import { BatchingProvider } from '../../src/adapters/prometheus/batching-provider.js';
import { PrometheusClient } from '../../src/adapters/prometheus/client.js';
import { RecordedProvider } from '../../src/adapters/prometheus/recorded-provider.js';
import type { Sample } from '../../src/checks/types.js';
import { tableProvider } from '../fakes/table-provider.js';
import { CONTRACT_QUERIES, metricsProviderContract, startMetricsWorld, type MetricsWorld, type ProviderEndpoint } from './metrics-provider.contract.js';

let world: MetricsWorld | undefined;
beforeAll(async () => {
  world = await startMetricsWorld();
});
afterAll(async () => {
  await world?.stop();
});
const theWorld = (): MetricsWorld => {
  if (!world) throw new Error('the metrics world did not start');
  return world;
};

metricsProviderContract('PrometheusClient', ({ url, timeoutMs }) => new PrometheusClient({ url, timeoutMs }), {
  capabilities: { talksToPrometheus: true, honoursTime: true, honoursSignal: true },
}, theWorld);

metricsProviderContract(
  'BatchingProvider over PrometheusClient',
  // A small batch so the concurrent case spans several batches.
  ({ url, timeoutMs }) => new BatchingProvider(new PrometheusClient({ url, timeoutMs }), { maxBatch: 4 }),
  {
    capabilities: { talksToPrometheus: true, honoursTime: true, honoursSignal: true },
  },
  theWorld,
);

metricsProviderContract(
  'RecordedProvider with no recording rules loaded (every expression asked directly)',
  ({ url, timeoutMs }) => {
    const client = new PrometheusClient({ url, timeoutMs });
    return new RecordedProvider(client, new BatchingProvider(client, { maxBatch: 4 }), { maxAgeMs: 60_000 });
  },
  { capabilities: { talksToPrometheus: true, honoursTime: true, honoursSignal: true } },
  theWorld,
);

/** Asks a real Prometheus every contract query once and keeps the answer or the error. */
async function recordTable({ url, timeoutMs }: ProviderEndpoint): Promise<Record<string, Sample[] | Error>> {
  const client = new PrometheusClient({ url, timeoutMs });
  try {
    const table: Record<string, Sample[] | Error> = {};
    for (const expr of CONTRACT_QUERIES) {
      table[expr] = await client.query(expr).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
    }
    return table;
  } finally {
    await client.close();
  }
}

metricsProviderContract('tableProvider (test fake)', async (endpoint) => tableProvider(await recordTable(endpoint)).provider, {
  // It answers from its table: it never sends a request, ignores time and signal.
  capabilities: { talksToPrometheus: false, honoursTime: false, honoursSignal: false },
}, theWorld);
