// Two clusters in one config (issue 15), each with its own Prometheus scraping its own mesh (a
// synthetic target), suites a and b bound to both, two daemon replicas on one Redis. Every
// suite instance (cluster/suite) is ticked once per slot whichever replica takes it; a fault on
// one cluster fails only that cluster's instances; metrics, status and alerts carry the cluster.

import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startPrometheus, startRedis, startSyntheticTarget, waitFor } from '../../harness/index.js';
import type { RunningPrometheus, RunningRedis, SyntheticTarget } from '../../harness/index.js';
import { startDaemon, type Daemon } from '../../../src/app/index.js';
import { History } from '../../../src/adapters/redis/history.js';
import { stateKeys } from '../../../src/adapters/redis/keys.js';
import type { AlertEvent } from '../../../src/checks/alert-event.js';
import type { Config } from '../../../src/config/model.js';
import { check, checkState, config, quietLogger, suite, uniquePrefix } from './fixtures.js';

const CLUSTERS = ['east', 'west'] as const;
const INSTANCES = ['east/a', 'east/b', 'east/mesh', 'west/a', 'west/b', 'west/mesh'];
let redis: RunningRedis | undefined;
const proms: RunningPrometheus[] = [];
const targets: SyntheticTarget[] = [];
const daemons: Daemon[] = [];
const alerts: AlertEvent[] = [];
let client: Redis | undefined;
const prefix = uniquePrefix();

beforeAll(async () => {
  redis = await startRedis();
  for (const _ of CLUSTERS) {
    const target = await startSyntheticTarget();
    target.set('soak_value', {}, 1);
    targets.push(target);
    proms.push(await startPrometheus({ scrapeTargets: [target.hostPort] }));
  }
  const v = [check('v', 'sum(soak_value)', '> 5')];
  const base = config({ prometheusUrl: proms[0]!.url, redisUrl: redis.url, suites: [suite('a', v), suite('b', v)], checks: [check('mesh-v', 'sum(soak_value)', '> 5')] });
  const cfg: Config = {
    ...base,
    clusters: CLUSTERS.map((name, i) => ({ name, kubernetes: {}, prometheus: { ...base.prometheus, url: proms[i]!.url } })),
  };
  for (let i = 0; i < 2; i++) {
    const notifier = { enqueue: (events: AlertEvent[]) => void alerts.push(...events) };
    daemons.push(await startDaemon(cfg, { logger: quietLogger, prefix, port: 0, host: '127.0.0.1', notifier }));
  }
  await Promise.all(daemons.map((d) => d.scheduled));
  client = new Redis(redis.url);
});

afterAll(async () => {
  await Promise.allSettled(daemons.map((d) => d.stop()));
  client?.disconnect();
  for (const p of proms) await p.stop();
  await redis?.stop();
  for (const t of targets) await t.stop();
});

it('two replicas share the 2×3 suite instances: one evaluation per instance and slot', async () => {
  const history = new History(client!, stateKeys(prefix));
  await waitFor(
    async () => {
      for (const s of INSTANCES) if ((await history.recentTicks(s, 100)).length < 6) return false;
      return true;
    },
    { timeoutMs: 120_000, intervalMs: 500, what: '6 ticks of every suite instance' },
  );
  const workers = new Set<string>();
  for (const s of INSTANCES) {
    const ticks = (await history.recentTicks(s, 1000)).map((t) => t.event);
    const slots = ticks.map((t) => t.scheduledAt);
    expect(new Set(slots).size, `${s}: one evaluation per slot`).toBe(slots.length);
    for (const t of ticks) workers.add(t.worker);
  }
  // The instances' redis keys are the instance ids (keys.ts under the one prefix; check records in format 2).
  expect(await client!.exists(`${prefix}:checks2:west/a`, `${prefix}:checks2:east/mesh`)).toBe(2);
  expect(workers.size, 'both replicas took ticks').toBe(2);
});

it("a fault on one cluster fails only that cluster's instances; metrics, status and alerts say which", async () => {
  const base = `http://127.0.0.1:${daemons[0]!.port}`;
  targets[1]!.set('soak_value', {}, 10);
  await waitFor(async () => (await checkState(base, 'west/a', 'v'))?.state === 'failing' && (await checkState(base, 'west/mesh', 'mesh-v'))?.state === 'failing', {
    timeoutMs: 90_000,
    intervalMs: 500,
    what: "west's instances failing",
  });
  expect((await checkState(base, 'east/a', 'v'))?.state).toBe('ok');
  expect((await checkState(base, 'east/mesh', 'mesh-v'))?.state).toBe('ok');
  const status = (await (await fetch(`${base}/api/v1/status`)).json()) as { suites: Array<{ name: string; cluster?: string }> };
  expect(status.suites.map((s) => [s.name, s.cluster])).toEqual(INSTANCES.map((i) => [i, i.split('/')[0]]));
  const metrics = await (await fetch(`${base}/metrics`)).text();
  expect(metrics).toContain('mesh_soak_check_failing{suite="a",check="v",severity="critical",cluster="west"} 1');
  expect(metrics).toContain('mesh_soak_check_failing{suite="a",check="v",severity="critical",cluster="east"} 0');
  expect(metrics).not.toMatch(/mesh_soak_check_failing\{suite="(east|west)\//);
  await waitFor(() => alerts.some((a) => a.status === 'firing' && a.suite === 'a' && a.cluster === 'west'), { timeoutMs: 30_000, what: 'the firing alert of west/a' });
  const firing = alerts.filter((a) => a.status === 'firing');
  expect(firing.every((a) => a.cluster === 'west' && a.labels['cluster'] === 'west'), JSON.stringify(firing.map((a) => [a.suite, a.cluster]))).toBe(true);
  expect(firing.map((a) => a.suite)).toContain('mesh');
});
