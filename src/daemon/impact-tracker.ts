// The tick's part in soak verdicts: after a suite's checks are evaluated, it writes each
// check's state change to the run ledger and re-judges the suite's open disruptions
// (verdict/impact.ts, pure) from the ledger's state changes; an impact that turns final is
// recorded in the ledger, counted (disruption_impact_total, recovery_seconds,
// disruption_not_recovered_total) and logged. Before evaluation it tells the tick which
// disruption is in progress or just ended, for phase-aware checks and alert annotations.
//
// May import: checks/, verdict/, adapters/redis/, telemetry/.

import { instanceId, splitInstanceId } from '../checks/suite-instance.js';
import type { Logger } from 'pino';
import type { CheckGroup } from '../checks/evaluate-group.js';
import type { CheckRecord } from '../checks/types.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { LedgerEntry, OpenDisruptions, RunLedger } from '../adapters/redis/ledger.js';
import { computeImpact, isFinal, type DisruptionWindow, type Impact, type StateChange } from '../verdict/impact.js';

export const DEFAULT_RECOVERY_BOUND_MS = 10 * 60_000;
export const DEFAULT_SETTLE_MS = 30_000;
/** State changes read per open disruption: far more than a bounded disruption produces. */
const MAX_CHANGES = 5000;

export interface ImpactTracker {
  ledger: RunLedger;
  metrics: Metrics;
  logger: Logger;
  groups: Map<string, CheckGroup>;
  /** The name of the mesh-wide group (its checks are judged in every suite's impact). */
  meshSuite: string;
  recoveryBoundMs: number;
  settleMs: number;
  /** The Istio version the mesh runs (istio_build), read at most every `versionEveryMs`; absent: not recorded. */
  istioVersion?: () => Promise<{ version: string; source: string } | undefined>;
  versionEveryMs?: number;
  /** When the version was last read (kept by the tracker). */
  versionReadAt?: number;
}

/** The Istio version from istio_build's tag (the most common one across the control plane's pods). */
export function versionFromBuild(samples: Array<{ labels: Record<string, string>; value: number }>): { version: string; source: string } | undefined {
  const best = [...samples].filter((s) => s.labels.tag).sort((a, b) => b.value - a.value)[0];
  return best?.labels.tag ? { version: best.labels.tag, source: 'istio_build' } : undefined;
}

export const ISTIO_BUILD_QUERY = 'count by (tag) (istio_build{component="pilot"})';

/** Records the Istio version seen, at most once per versionEveryMs across this replica's ticks. */
export async function recordIstioVersion(t: ImpactTracker, at: number): Promise<void> {
  if (!t.istioVersion || (t.versionReadAt !== undefined && at - t.versionReadAt < (t.versionEveryMs ?? 30_000))) return;
  t.versionReadAt = at;
  try {
    const seen = await t.istioVersion();
    if (seen) await t.ledger.recordVersion(seen.version, seen.source, at);
  } catch (err) {
    t.logger.debug({ err: err instanceof Error ? err.message : String(err) }, 'istio version not read');
  }
}

/** Each check's own state change between two ticks' records. */
export function checkChanges(suite: string, prev: Record<string, CheckRecord>, next: Record<string, CheckRecord>, at: number): StateChange[] {
  const out: StateChange[] = [];
  for (const [check, record] of Object.entries(next)) {
    const from = prev[check]?.state;
    if (from === record.state || (from === undefined && record.state === 'ok')) continue;
    const value = Object.values(record.instances)[0]?.value ?? null;
    out.push({ suite, check, from: from ?? 'unknown', to: record.state, value, at });
  }
  return out;
}

/** Writes the tick's state changes and judges the open disruptions; never throws into the tick. */
export async function afterTick(
  t: ImpactTracker,
  suite: string,
  open: OpenDisruptions,
  changes: StateChange[],
  evaluatedAt: number,
): Promise<Impact[]> {
  try {
    await t.ledger.append(suite, changes.map((c): LedgerEntry => ({ kind: 'state', ...c })));
    const closed: Impact[] = [];
    for (const w of open.windows) {
      const impact = await judge(t, w, evaluatedAt);
      if (impact && isFinal(impact)) {
        await close(t, impact, evaluatedAt);
        closed.push(impact);
      }
    }
    return closed;
  } catch (err) {
    t.logger.warn({ suite, err: err instanceof Error ? err.message : String(err) }, 'run ledger not updated');
    return [];
  }
}

async function judge(t: ImpactTracker, w: DisruptionWindow, evaluatedAt: number): Promise<Impact | undefined> {
  const group = t.groups.get(w.suite);
  if (!group) return undefined;
  // The mesh-wide checks of the suite instance's own cluster (`east/mesh` with config clusters:).
  const meshSuite = instanceId({ ...splitInstanceId(w.suite), suite: t.meshSuite });
  const mesh = t.groups.get(meshSuite);
  const changesOf = async (suite: string): Promise<StateChange[]> =>
    (await t.ledger.range(suite, w.startedAt, evaluatedAt, MAX_CHANGES)).flatMap((e) => (e.kind === 'state' ? [e] : []));
  const changes = [...(await changesOf(w.suite)), ...(mesh ? await changesOf(meshSuite) : [])];
  return computeImpact({
    disruption: w,
    suiteChecks: group.checks.map((c) => ({ suite: w.suite, check: c.name })),
    meshChecks: (mesh?.checks ?? []).map((c) => ({ suite: meshSuite, check: c.name })),
    changes,
    evaluatedAt,
    recoveryBoundMs: t.recoveryBoundMs,
    settleMs: t.settleMs,
  });
}

async function close(t: ImpactTracker, impact: Impact, at: number): Promise<void> {
  const { suite, recovery } = impact;
  await t.ledger.closeDisruption(suite, impact.disruptionId, { kind: 'impact', id: impact.disruptionId, suite, at, checks: impact.checks, recovery });
  // The suite's own checks by name; mesh-wide ones as mesh/NAME, so the two never mix.
  const label = (c: { suite: string; check: string }): string => (c.suite === suite ? c.check : `${c.suite}/${c.check}`);
  for (const c of impact.checks) for (const phase of c.phases) t.metrics.disruptionImpact.inc({ suite, check: label(c), phase });
  if (recovery.status === 'recovered') t.metrics.recoverySeconds.observe({ suite }, recovery.seconds);
  if (recovery.status === 'not-recovered') t.metrics.notRecovered.inc({ suite });
  const failed = impact.checks.filter((c) => c.phases.length > 0).map((c) => `${c.suite}/${c.check}:${c.phases.join('+')}`);
  t.logger.info({ suite, disruption: impact.disruptionId, recovery, failed }, 'disruption impact');
}

/** The disruption in progress (or ended less than `withinMs` ago), for phases and alert annotations. */
export function currentDisruption(open: OpenDisruptions, now: number, withinMs: number): { window: DisruptionWindow; running: boolean } | undefined {
  const last = open.last;
  if (!last) return undefined;
  if (last.endedAt === null) return { window: last, running: true };
  return now - last.endedAt < withinMs ? { window: last, running: false } : undefined;
}
