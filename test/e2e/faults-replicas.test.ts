// 2 and 3 replicas of `mesh-soak run` (child processes, same config) on one Redis, one of
// them SIGKILLed mid-run: the survivors keep ticking, every tick slot runs exactly once
// (gaps allowed only around the kill, and measured), and disruptions of the suite never
// overlap in time and never run twice (by job id in the logs, by restart stamp at the API).

import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { waitFor } from '../harness/index.js';
import { logLines, startCliDaemon, type CliDaemon } from './fault-helpers/cli-daemon.js';
import { startFaultEnv, type FaultEnv } from './fault-helpers/fault-env.js';
import { disruptionWrites, duplicateRestarts, storedReplicas } from './fault-helpers/kube-writes.js';
import { deployFixture, namespaceOf, ORIGINAL_REPLICAS } from './fault-helpers/soak-fixture.js';
import { duplicateSlots, pendingRestores, slotGaps, tickEntries } from './fault-helpers/soak-state.js';
import { seededRandom, seedFrom } from './fault-helpers/seeded-random.js';
import { scaledMs } from '../../simulator/local/wait-for.js';

const TICK_MS = 1000;
const SEED = seedFrom('MESH_SOAK_FAULT_SEED');
const BEFORE_KILL_MS = 7000;
/** Longer than the runner's 15 s disruption lock, so the survivors' repair is seen. */
const AFTER_KILL_MS = 18_000;

let env: FaultEnv | undefined;
let config = '';

beforeAll(async () => {
  env = await startFaultEnv({ name: 'replicas', kubeApi: { rolloutStepMs: 50 } });
  config = await env.writeFixture({
    tick: '1s',
    suites: [{ name: 'web', schedule: '{ every: 3s }' }],
    meshChecks: ['{ name: heartbeat, query: "vector(0)", fail: "> 0", noData: ok }'],
  });
  await deployFixture(config, env.api.kubeconfigPath);
}, scaledMs(600_000));

afterAll(() => env?.stop());

interface Span {
  jobId: string;
  from: number;
  to: number;
  replica: number;
}

for (const replicas of [2, 3]) {
  it(`${replicas} replicas, one SIGKILLed: every slot once, disruptions never overlapping or repeated`, async () => {
    const random = seededRandom(SEED + replicas);
    await env!.client.flushall();
    env!.api.requests.length = 0;
    const daemons: CliDaemon[] = [];
    for (let i = 0; i < replicas; i++) {
      daemons.push(await startCliDaemon({ cli: env!.cli, config, logFile: join(env!.dir, `r${replicas}-${i}.log`) }));
    }
    const startedAt = Date.now();
    await new Promise((r) => setTimeout(r, BEFORE_KILL_MS + Math.floor(random() * 2000)));
    // The hard case: kill the replica that is in the middle of a disruption (bounded wait
    // for one; a random replica otherwise).
    const running = (): number =>
      daemons.findIndex((d) => {
        const lines = logLines(d.logFile);
        return lines.some((l) => l.msg === 'disruption started' && !lines.some((e) => e.msg === 'disruption' && e.jobId === l.jobId));
      });
    await waitFor(() => running() >= 0, { timeoutMs: 30_000, intervalMs: 20, what: 'a disruption in progress' }).catch(() => undefined);
    const busy = running();
    const victim = busy >= 0 ? busy : Math.floor(random() * replicas);
    await new Promise((r) => setTimeout(r, Math.floor(random() * 300)));
    await daemons[victim]!.kill9();
    const killedAt = Date.now();
    // The survivors repair a cut disruption once its 15 s runner lock expires. They also go
    // on disrupting (pilot is legitimately down during their own runs), so "whole" is
    // looked for at any moment after the kill, and again after their graceful stop.
    const whole = async () =>
      (await pendingRestores(env!.client)).length === 0 && storedReplicas(env!.api.store, namespaceOf('web'), 'pilot') === ORIGINAL_REPLICAS;
    let restoredAt: number | undefined;
    for (let i = 0; i < AFTER_KILL_MS / 250; i++) {
      if (restoredAt === undefined && (await whole())) restoredAt = Date.now();
      await new Promise((r) => setTimeout(r, 250));
    }
    const survivors = daemons.filter((_, i) => i !== victim);
    for (const suite of ['web', 'mesh']) {
      let seen = 0;
      await waitFor(async () => (seen = (await tickEntries(env!.client, suite)).filter((t) => t.startedAt > killedAt).length) >= 3, {
        timeoutMs: 60_000,
        intervalMs: 250,
        what: `${suite}: 3 ticks by the survivors after the kill`,
        seen: () => seen,
      });
    }
    for (const d of survivors) expect(d.alive(), 'survivor still running').toBe(true);
    const codes = await Promise.all(survivors.map((d) => d.terminate()));
    expect(codes).toEqual(survivors.map(() => 0));
    const stoppedAt = Date.now();
    expect(await whole(), 'pilot back and the journal empty after the survivors stopped gracefully').toBe(true);

    // Ticks: every slot at most once, and the survivors carried on after the kill.
    const report: string[] = [];
    for (const suite of ['web', 'mesh']) {
      const ticks = await tickEntries(env!.client, suite);
      expect(duplicateSlots(ticks), `${suite}: slots run twice`).toEqual([]);
      expect(new Set(ticks.map((t) => t.jobId)).size).toBe(ticks.length);
      const afterKill = ticks.filter((t) => t.startedAt > killedAt);
      // The survivors carried on (how many slots fit in the window is machine speed).
      expect(afterKill.length, `${suite}: ticks after the kill`).toBeGreaterThanOrEqual(3);
      // Gaps are measured and reported: one straddling the kill is the dead replica's slot;
      // others mean a loaded machine let a slot slip, which is timing, not a duplicate.
      const gaps = slotGaps(ticks, TICK_MS);
      const workers = new Set(afterKill.map((t) => t.worker.split(':')[1]));
      report.push(`${suite}: ${ticks.length} ticks, gaps ${gaps.map(([a, b]) => b - a - TICK_MS).join(',') || 'none'} ms, ${workers.size} replicas ticking after the kill`);
    }

    // Disruptions: one run per job id, no two at once, by the spans in the replicas' logs:
    // from the runner's 'disruption lock taken' to its 'disruption lock releasing' (the
    // exclusive section; the job's own log lines fall outside the lock).
    const spans: Span[] = [];
    daemons.forEach((d, replica) => {
      const lines = logLines(d.logFile);
      for (const s of lines.filter((l) => l.msg === 'disruption lock taken')) {
        const end = lines.find((l) => l.msg === 'disruption lock releasing' && l.jobId === s.jobId);
        const to = end ? Number(end.time) : replica === victim ? killedAt : stoppedAt;
        spans.push({ jobId: String(s.jobId), from: Number(s.time), to, replica });
      }
    });
    spans.sort((a, b) => a.from - b.from);
    expect(new Set(spans.map((s) => s.jobId)).size, 'disruption jobs started twice').toBe(spans.length);
    for (let i = 1; i < spans.length; i++) {
      expect(spans[i]!.from, `disruption ${spans[i]!.jobId} overlaps ${spans[i - 1]!.jobId}`).toBeGreaterThanOrEqual(spans[i - 1]!.to);
    }
    const writes = disruptionWrites(env!.api.requests, namespaceOf('web'));
    expect(duplicateRestarts(writes), 'restart stamps sent twice').toEqual([]);
    expect(writes.scaleDowns).toBeLessThanOrEqual(spans.length);
    const skipped = daemons.flatMap((d) => logLines(d.logFile)).filter((l) => l.msg === 'disruption' && l.outcome === 'skipped').length;
    const killedMid = spans.some((s) => s.replica === victim && s.to === killedAt);
    const afterKillSpans = spans.filter((s) => s.from > killedAt);

    // Whatever the dead replica left half-done, the survivors repaired.
    expect(restoredAt, 'pilot back and the journal empty at some moment after the kill, before the survivors stopped').toBeDefined();
    console.log(
      `[faults-replicas] ${replicas} replicas, seed ${SEED}, replica ${victim} killed ${killedAt - startedAt} ms in: ${report.join('; ')}; ` +
        `disruptions ${spans.length} (${afterKillSpans.length} after the kill, ${killedMid ? 'one cut by the kill' : 'none cut by the kill'}), ${skipped} skipped (lock held), 0 overlapping, 0 repeated; whole again ${restoredAt! - killedAt} ms after the kill`,
    );
  }, scaledMs(300_000));
}
