// Two replicas and a real Alertmanager: replica A fires an alert, then dies. Replica B never
// ticked the failing state itself (its queries hang), yet it keeps the alert alive in
// Alertmanager by re-sending what the shared state says is failing. Without that, the
// alert would expire (endsAt = 3 re-send intervals) while the check is still failing.

import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Sample } from '../../../src/checks/types.js';
import { startDaemon, type Daemon } from '../../../src/app/index.js';
import type { MetricsProvider } from '../../../src/adapters/prometheus/types.js';
import { startAlertmanager, startRedis, waitFor, type RunningAlertmanager, type RunningRedis } from '../../harness/index.js';
import { check, config, quietLogger, suite, uniquePrefix } from './fixtures.js';
import { scaledMs } from '../../../simulator/local/wait-for.js';

class FixedProvider implements MetricsProvider {
  private readonly hang: boolean;
  private waiters: Array<() => void> = [];
  constructor(hang: boolean) {
    this.hang = hang;
  }
  query(): Promise<Sample[]> {
    if (!this.hang) return Promise.resolve([{ labels: { pod: 'p1' }, value: 9 }]);
    return new Promise((resolve) => this.waiters.push(() => resolve([{ labels: { pod: 'p1' }, value: 9 }])));
  }
  close(): Promise<void> {
    for (const w of this.waiters.splice(0)) w();
    return Promise.resolve();
  }
}

interface AmAlert {
  labels: Record<string, string>;
  endsAt: string;
  status: { state: string };
}

let redis: RunningRedis | undefined;
let am: RunningAlertmanager | undefined;
const daemons: Daemon[] = [];

beforeAll(async () => {
  redis = await startRedis();
  am = await startAlertmanager({
    configYaml: 'route:\n  receiver: none\n  group_wait: 0s\n  group_interval: 1s\nreceivers:\n  - name: none\n',
  });
}, scaledMs(600_000));

afterAll(async () => {
  await Promise.allSettled(daemons.map((d) => d.stop()));
  await am?.stop();
  await redis?.stop();
});

async function activeAlerts(): Promise<AmAlert[]> {
  const res = await fetch(`${am!.url}/api/v2/alerts?active=true`);
  return ((await res.json()) as AmAlert[]).filter((a) => a.labels.check === 'errors');
}

it('keeps an alert alive in Alertmanager after the replica that fired it dies', async () => {
  const cfg = config({ prometheusUrl: 'http://127.0.0.1:9', redisUrl: redis!.url, suites: [suite('web', [check('errors', 'sum(errors)', '> 5')])] });
  cfg.notify = { alertmanager: { url: am!.url, resendMs: 1000 }, webhooks: [] };
  const opts = { logger: quietLogger, prefix: uniquePrefix(), port: 0, host: '127.0.0.1', shutdownTimeoutMs: 1000 };

  const a = await startDaemon(cfg, { ...opts, provider: new FixedProvider(false) });
  daemons.push(a);
  await waitFor(async () => (await activeAlerts()).length === 1, { timeoutMs: 60_000, intervalMs: 200, what: 'A fires the alert' });
  const fired = (await activeAlerts())[0]!;
  expect(fired.labels).toMatchObject({ alertname: 'MeshSoakCheck', suite: 'web', check: 'errors', pod: 'p1', severity: 'critical' });

  // B's own ticks never finish, so B never sees a transition and never fires anything itself.
  const b = await startDaemon(cfg, { ...opts, provider: new FixedProvider(true) });
  daemons.push(b);
  await b.scheduled;
  await a.stop();
  const stoppedAt = Date.now();

  // A's last send expires 3 s after it; B's re-sends from Redis must carry the alert past that.
  await new Promise((r) => setTimeout(r, 6000));
  const alive = await activeAlerts();
  expect(alive).toHaveLength(1);
  expect(Date.parse(alive[0]!.endsAt)).toBeGreaterThan(stoppedAt + 3000);
  expect(alive[0]!.labels).toEqual(fired.labels);
}, scaledMs(600_000));
