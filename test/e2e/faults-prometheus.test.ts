// Prometheus stopped under a running `mesh-soak run` (child process, 1 s tick): checks go
// `unknown` once their errorLimit is reached and never turn `ok` while it is down, failed
// queries show on /metrics as prometheus_request_duration_seconds_count{outcome!="success"},
// and the shipped alert MeshSoakPrometheusUnreachable (deploy/rules/mesh-soak.rules.yaml)
// fires on the daemon's real /metrics, evaluated by a second Prometheus that scrapes it.
// The rule has `for: 5m`, so `pending` is what proves its expression within a test; after
// five more minutes the same alert turns firing.

import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startPrometheus, waitFor, type RunningPrometheus } from '../harness/index.js';
import { History } from '../../src/adapters/redis/history.js';
import { stateKeys } from '../../src/adapters/redis/keys.js';
import { getJson, startCliDaemon, type CliDaemon } from './fault-helpers/cli-daemon.js';
import { startFaultEnv, type FaultEnv } from './fault-helpers/fault-env.js';
import { scrape, sumOf } from './fault-helpers/metrics-text.js';
import { PREFIX } from './fault-helpers/soak-state.js';
import { deployFixture } from './fault-helpers/soak-fixture.js';
import { scaledMs } from '../../simulator/local/wait-for.js';

const RULES = resolve(import.meta.dirname, '../../deploy/rules/mesh-soak.rules.yaml');
const ALERT = 'MeshSoakPrometheusUnreachable';
const TICK_MS = 1000;
const ERROR_LIMIT = 3;

let env: FaultEnv | undefined;
let watcher: RunningPrometheus | undefined;
let daemon: CliDaemon | undefined;

beforeAll(async () => {
  env = await startFaultEnv({ name: 'prom', prometheus: true });
  const config = await env.writeFixture({
    tick: '1s',
    prometheusTimeout: '1s',
    suites: [
      {
        name: 'web',
        schedule: '{ cron: "0 0 1 1 *" }',
        checks: [
          `{ name: ok-default-limit, query: "vector(0)", fail: "> 0", errorLimit: ${ERROR_LIMIT} }`,
          '{ name: ok-limit-1, query: "vector(0)", fail: "> 0", errorLimit: 1 }',
          `{ name: failing, query: "vector(1)", fail: "> 0", errorLimit: ${ERROR_LIMIT} }`,
        ],
      },
    ],
  });
  // Deployed: a suite whose objects are absent is 'not deployed' and none of its checks run.
  await deployFixture(config, env.api.kubeconfigPath);
  daemon = await startCliDaemon({ cli: env.cli, config, logFile: join(env.dir, 'daemon.log') });
  watcher = await startPrometheus({ ruleFiles: [RULES], scrapeJobs: { 'mesh-soak': [`127.0.0.1:${daemon.port}`] } });
}, scaledMs(600_000));

afterAll(async () => {
  await env?.stop();
  await watcher?.stop();
});

interface Check {
  name: string;
  state: string;
  lastError?: string;
  lastEvalAt: number | null;
}

async function checks(base: string): Promise<Check[]> {
  const { body } = await getJson<{ suites: Array<{ name: string; checks: Check[] }> }>(`${base}/api/v1/status`);
  return body.suites.find((s) => s.name === 'web')?.checks ?? [];
}

interface Alert {
  labels: Record<string, string>;
  state: string;
}

it('turns checks unknown and never ok while Prometheus is down, and MeshSoakPrometheusUnreachable goes pending', async () => {
  const d = daemon!;
  await waitFor(
    async () => {
      const cs = await checks(d.base);
      return cs.length === 3 && cs.every((c) => c.state === (c.name === 'failing' ? 'failing' : 'ok'));
    },
    { timeoutMs: 60_000, what: 'two ok checks and one failing' },
  );
  const errorsBefore = sumOf(await scrape(d.base), 'mesh_soak_prometheus_request_duration_seconds_count', { outcome: '!success' });

  await env!.prom!.stop();
  const stoppedAt = Date.now();
  const firstUnknown = new Map<string, number>();
  const violations: string[] = [];
  // One status read per tick until every check is unknown and the alert is pending: bounded.
  let alertAt: number | undefined;
  let alertState = '';
  for (let i = 0; i < 90 && (alertAt === undefined || firstUnknown.size < 3); i++) {
    for (const c of await checks(d.base)) {
      const erroredTick = c.lastError !== undefined && (c.lastEvalAt ?? 0) > stoppedAt;
      if (!erroredTick) continue;
      if (c.state === 'unknown' && !firstUnknown.has(c.name)) firstUnknown.set(c.name, Date.now() - stoppedAt);
      if (c.state === 'ok' && (firstUnknown.has(c.name) || c.name === 'ok-limit-1')) violations.push(`${c.name} ok after unknown`);
      if (c.name === 'failing' && c.state === 'ok') violations.push('failing turned ok');
    }
    if (alertAt === undefined) {
      const { body } = await getJson<{ data: { alerts: Alert[] } }>(`${watcher!.url}/api/v1/alerts`);
      const a = body.data.alerts.find((x) => x.labels.alertname === ALERT);
      if (a && (a.state === 'pending' || a.state === 'firing')) {
        alertAt = Date.now() - stoppedAt;
        alertState = a.state;
        expect(a.labels.outcome).not.toBe('success');
      }
    }
    await new Promise((r) => setTimeout(r, TICK_MS));
  }
  expect(violations).toEqual([]);
  expect([...firstUnknown.keys()].sort()).toEqual(['failing', 'ok-default-limit', 'ok-limit-1']);
  expect(alertAt, `${ALERT} pending or firing on the watcher Prometheus`).toBeDefined();

  // No state change into ok was recorded after the stop (the history stream is the audit).
  const events = (await new History(env!.client, stateKeys(PREFIX)).recent('web', 1000)).map((e) => e.event);
  const intoOk = events.filter((e) => e.kind === 'state' && e.to === 'ok' && e.at > stoppedAt);
  expect(intoOk).toEqual([]);
  const final = await checks(d.base);
  expect(final.map((c) => c.state)).toEqual(['unknown', 'unknown', 'unknown']);
  const errorsAfter = sumOf(await scrape(d.base), 'mesh_soak_prometheus_request_duration_seconds_count', { outcome: '!success' });
  expect(errorsAfter).toBeGreaterThan(errorsBefore);
  expect(d.alive()).toBe(true);

  console.log(
    `[faults-prometheus] unknown after (ms since stop): ${[...firstUnknown].map(([k, v]) => `${k}=${v}`).join(' ')}; ` +
      `${ALERT} ${alertState} after ${alertAt} ms; failed queries on /metrics ${errorsBefore} -> ${errorsAfter}`,
  );
}, scaledMs(600_000));
