// Two daemons on one Redis, as two replicas: a check turns failing, then recovers on a tick
// that only replica A runs (B's worker is stuck). B's own gauges still say failing — the
// stale state that kept MeshSoakCheckFailing firing — and after refreshCheckGauges (what the
// /metrics handler runs before rendering) both replicas' /metrics report the recovery.

import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Sample } from '../../../src/checks/types.js';
import { startDaemon, type Daemon } from '../../../src/app/index.js';
import type { MetricsProvider } from '../../../src/adapters/prometheus/types.js';
import type { CheckGroup } from '../../../src/checks/evaluate-group.js';
import { CheckStore } from '../../../src/adapters/redis/check-store.js';
import { refreshCheckGauges } from '../../../src/daemon/check-gauges.js';
import { stateKeys } from '../../../src/adapters/redis/keys.js';
import type { Metrics } from '../../../src/telemetry/metrics.js';
import { startRedis, waitFor, type RunningRedis } from '../../harness/index.js';
import { check, config, quietLogger, suite, uniquePrefix } from './fixtures.js';
import { scaledMs } from '../../../simulator/local/wait-for.js';

/** The value every replica's query sees; the test moves it from failing to ok. */
let value = 9;

/** A replica's metrics provider; `stall()` makes its queries hang until `release()`. */
class ReplicaProvider implements MetricsProvider {
  queries = 0;
  private stalled = false;
  private waiters: Array<() => void> = [];
  query(): Promise<Sample[]> {
    this.queries += 1;
    if (!this.stalled) return Promise.resolve([{ labels: {}, value }]);
    return new Promise((resolve) => this.waiters.push(() => resolve([{ labels: {}, value }])));
  }
  stall(): void {
    this.stalled = true;
  }
  release(): void {
    this.stalled = false;
    for (const w of this.waiters.splice(0)) w();
  }
  close(): Promise<void> {
    this.release();
    return Promise.resolve();
  }
}

let redis: RunningRedis | undefined;
let client: Redis | undefined;
const daemons: Daemon[] = [];
const providerA = new ReplicaProvider();
const providerB = new ReplicaProvider();
const prefix = uniquePrefix();
const checkV = check('v', 'sum(soak_value)', '> 5');
const groups = new Map<string, CheckGroup>([['a', { suite: 'a', checks: [checkV] }]]);

beforeAll(async () => {
  redis = await startRedis();
  client = new Redis(redis.url);
});

afterAll(async () => {
  providerB.release();
  await Promise.allSettled(daemons.map((d) => d.stop()));
  client?.disconnect();
  await redis?.stop();
});

async function failingGauge(m: Metrics): Promise<number | undefined> {
  return (await m.checkFailing.get()).values.find((v) => v.labels.suite === 'a' && v.labels.check === 'v')?.value;
}

async function scrapeFailing(d: Daemon): Promise<string | undefined> {
  const text = await (await fetch(`http://127.0.0.1:${d.port}/metrics`)).text();
  return text.split('\n').find((l) => l.startsWith('mesh_soak_check_failing{suite="a",check="v"'));
}

it("both replicas' /metrics agree on check_failing after a recovery only one of them ticked", async () => {
  const cfg = config({ prometheusUrl: 'http://127.0.0.1:9', redisUrl: redis!.url, suites: [suite('a', [checkV])] });
  const opts = { logger: quietLogger, prefix, port: 0, host: '127.0.0.1', shutdownTimeoutMs: 2000 };
  // B first and alone, so it is certain to tick the failing state itself.
  const b = await startDaemon(cfg, { ...opts, provider: providerB });
  daemons.push(b);
  await b.scheduled;
  await waitFor(async () => (await failingGauge(b.metrics)) === 1, { timeoutMs: 60_000, intervalMs: 200, what: 'B ticks the failing state' });
  // B's worker gets stuck; from now on only A's ticks reach Redis.
  providerB.stall();
  const a = await startDaemon(cfg, { ...opts, provider: providerA });
  daemons.push(a);
  await a.scheduled;
  await waitFor(async () => (await failingGauge(a.metrics)) === 1, { timeoutMs: 60_000, intervalMs: 200, what: 'A ticks the failing state' });

  const store = new CheckStore(client!, stateKeys(prefix));
  value = 1;
  await waitFor(async () => (await store.load('a')).v?.state === 'ok', { timeoutMs: 60_000, intervalMs: 200, what: 'recovery stored' });
  await waitFor(async () => (await failingGauge(a.metrics)) === 0, { timeoutMs: 60_000, intervalMs: 200, what: 'A reports the recovery' });
  // What B's own ticks last told it: the stale state the alert used to read.
  expect(await failingGauge(b.metrics)).toBe(1);

  for (const d of [a, b]) await refreshCheckGauges({ store, groups, metrics: d.metrics });
  const [fromA, fromB] = [await scrapeFailing(a), await scrapeFailing(b)];
  expect(fromA).toBe('mesh_soak_check_failing{suite="a",check="v",severity="critical"} 0');
  expect(fromB).toBe(fromA);
  console.log(`queries: replica A ${providerA.queries}, replica B ${providerB.queries} (B stalled after the failing state)`);
}, scaledMs(600_000));
