// Redis killed (SIGKILL) for OUTAGE_MS in the middle of a soak, then restarted on the same
// port with its append-only file: `mesh-soak run` (a child process, 1 s tick, a disruption
// every 5 s) stays up, says "redis unreachable" on /readyz during the outage and is ready
// again after, ticks resume by themselves, no tick slot runs twice, a failing check keeps
// failing with its original failingSince, and no disruption job disrupts twice.

import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { waitFor } from '../harness/index.js';
import type { KubeContext } from '../../src/adapters/kube/index.js';
import { getJson, logLines, startCliDaemon, type CliDaemon } from './fault-helpers/cli-daemon.js';
import { startFaultEnv, type FaultEnv } from './fault-helpers/fault-env.js';
import { disruptionWrites, duplicateRestarts } from './fault-helpers/kube-writes.js';
import { deployFixture, namespaceOf, ORIGINAL_REPLICAS, replicasOf } from './fault-helpers/soak-fixture.js';
import { disruptionRecords, duplicateSlots, pendingRestores, slotGaps, tickEntries } from './fault-helpers/soak-state.js';
import { scaledMs } from '../../simulator/local/wait-for.js';

/** How long Redis stays dead; the issue asks for 30 s. */
const OUTAGE_MS = Number(process.env.MESH_SOAK_FAULT_REDIS_OUTAGE_MS ?? 30_000);
const TICK_MS = 1000;

let env: FaultEnv | undefined;
let kube: KubeContext;
let daemon: CliDaemon | undefined;

beforeAll(async () => {
  env = await startFaultEnv({
    name: 'redis',
    redis: { appendonly: true },
    prometheus: true,
    kubeApi: { rolloutStepMs: 50 },
    client: { maxRetriesPerRequest: 1 },
  });
  env.client.on('error', () => undefined);
  const config = await env.writeFixture({
    tick: '1s',
    suites: [
      {
        name: 'web',
        schedule: '{ every: 5s }',
        checks: ['{ name: always-ok, query: "vector(0)", fail: "> 0" }'],
      },
    ],
    // Mesh-wide, not in web: a suite already failing is never disrupted (the go/no-go gate),
    // and this test needs both a failing check and disruptions of web.
    meshChecks: ['{ name: always-failing, query: "vector(1)", fail: "> 0" }'],
  });
  ({ kube } = await deployFixture(config, env.api.kubeconfigPath));
  daemon = await startCliDaemon({ cli: env.cli, config, logFile: join(env.dir, 'daemon.log') });
}, scaledMs(600_000));

afterAll(() => env?.stop());

interface Status {
  suites: Array<{ name: string; checks: Array<{ name: string; state: string; instances: Array<{ failingSince: number | null }> }> }>;
}

async function failingSince(base: string): Promise<number | null | undefined> {
  const { body } = await getJson<Status>(`${base}/api/v1/status`);
  const c = body.suites.find((s) => s.name === 'mesh')?.checks.find((x) => x.name === 'always-failing');
  return c?.state === 'failing' ? c.instances[0]?.failingSince : undefined;
}

it(`survives Redis dead for ${OUTAGE_MS / 1000} s: stays up, not ready, then resumes with no slot or disruption twice`, async () => {
  const d = daemon!;
  await waitFor(async () => (await getJson(`${d.base}/readyz`)).status === 200, { timeoutMs: 90_000, what: 'ready' });
  await waitFor(async () => (await failingSince(d.base)) != null, { timeoutMs: 90_000, what: 'always-failing failing' });
  await waitFor(async () => (await disruptionRecords(env!.client, 'web')).some((x) => x.outcome === 'success'), {
    timeoutMs: 90_000,
    what: 'a first successful disruption',
  });
  const since = await failingSince(d.base);

  // Kill at a random point of the disruption cycle (the 5 s schedule vs. the 1 s tick).
  await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 5000)));
  await env!.redis.kill9();
  const killedAt = Date.now();
  let notReadyAt: number | undefined;
  const readyzWrong: string[] = [];
  // Poll the probes once a tick for the whole outage: bounded by OUTAGE_MS / 1 s.
  for (let i = 0; i < Math.ceil(OUTAGE_MS / 1000) && Date.now() - killedAt < OUTAGE_MS; i++) {
    expect(d.alive(), 'daemon process alive during the outage').toBe(true);
    expect((await getJson(`${d.base}/healthz`)).status).toBe(200);
    const r = await getJson<{ reasons: string[] }>(`${d.base}/readyz`);
    // Once the daemon has noticed, it must keep saying so until Redis is back (when it
    // notices is load-dependent and only reported).
    if (r.status === 503 && r.body.reasons.some((x) => x.includes('redis'))) notReadyAt ??= Date.now();
    else if (notReadyAt !== undefined) readyzWrong.push(`${r.status} ${JSON.stringify(r.body)}`);
    await new Promise((res) => setTimeout(res, Math.min(1000, Math.max(0, OUTAGE_MS - (Date.now() - killedAt)))));
  }
  expect(notReadyAt, '/readyz said 503 "redis unreachable" during the outage').toBeDefined();
  expect(readyzWrong, '/readyz stayed 503 with redis in the reason').toEqual([]);

  await env!.redis.restart();
  const restartedAt = Date.now();
  const outageMs = restartedAt - killedAt;
  await waitFor(async () => (await getJson(`${d.base}/readyz`)).status === 200, { timeoutMs: 90_000, what: 'ready again' });
  const readyAfterMs = Date.now() - restartedAt;
  await waitFor(async () => (await tickEntries(env!.client, 'web')).some((t) => t.startedAt > restartedAt), {
    timeoutMs: 90_000,
    what: 'a tick after Redis came back',
  });
  const firstTickAfter = (await tickEntries(env!.client, 'web')).find((t) => t.startedAt > restartedAt)!;
  // A disruption after the outage, then everything restored (the runner's lock, 15 s, may
  // have to expire first when the outage cut a disruption short).
  await waitFor(async () => (await disruptionRecords(env!.client, 'web')).some((x) => x.outcome === 'success' && x.startedAt > restartedAt), {
    timeoutMs: 90_000,
    what: 'a successful disruption after the outage',
  });
  await waitFor(async () => (await pendingRestores(env!.client)).length === 0 && (await replicasOf(kube, 'web')).pilot === ORIGINAL_REPLICAS, {
    timeoutMs: 90_000,
    what: 'restore journal empty and pilot back',
  });

  expect(d.alive(), 'daemon process up the whole time').toBe(true);
  expect(await failingSince(d.base), 'failing check still failing, since the same moment').toBe(since);

  await waitFor(async () => (await tickEntries(env!.client, 'web')).filter((t) => t.startedAt > restartedAt).length >= 5, {
    timeoutMs: 90_000,
    what: '5 ticks after Redis came back',
  });
  const ticks = await tickEntries(env!.client, 'web');
  expect(duplicateSlots(ticks), 'tick slots that ran twice').toEqual([]);
  // After the first resumed tick the schedule is back to one slot per tick; whether a loaded
  // machine lets a slot slip past is timing, so skipped slots are reported, not asserted.
  const resumed = ticks.filter((t) => t.scheduledAt > firstTickAfter.scheduledAt);
  const resumedGaps = slotGaps(resumed, TICK_MS).length;
  const outageGap = slotGaps(ticks, TICK_MS).map(([a, b]) => b - a);
  expect(new Set(ticks.map((t) => t.jobId)).size).toBe(ticks.length);
  const before = ticks.filter((t) => t.startedAt < killedAt).length;

  const lines = logLines(d.logFile);
  const started = lines.filter((l) => l.msg === 'disruption started').map((l) => String(l.jobId));
  expect(new Set(started).size, 'each disruption job started once').toBe(started.length);
  const records = await disruptionRecords(env!.client, 'web');
  expect(new Set(records.map((x) => x.jobId)).size, 'one outcome per disruption job').toBe(records.length);
  const writes = disruptionWrites(env!.api.requests, namespaceOf('web'));
  expect(duplicateRestarts(writes), 'restart stamps sent twice').toEqual([]);
  expect(writes.scaleDowns).toBeLessThanOrEqual(started.length);
  expect(writes.restarts.size).toBeLessThanOrEqual(started.length);

  console.log(
    `[faults-redis] outage ${outageMs} ms; /readyz 503 after ${notReadyAt! - killedAt} ms; ready ${readyAfterMs} ms after restart; ` +
      `first tick ${firstTickAfter.startedAt - restartedAt} ms after restart (slot lag ${firstTickAfter.startedAt - firstTickAfter.scheduledAt} ms); ` +
      `ticks ${before} before / ${ticks.length} total, 0 duplicate slots, slot gaps ${outageGap.join(',')} ms (${resumedGaps} after resuming); disruptions started ${started.length}, ` +
      `outcomes ${records.map((x) => x.outcome).join(',')}; scale-downs ${writes.scaleDowns}, restores ${writes.restores}`,
  );
}, scaledMs(600_000));
