// The body of /api/v1/status: every suite (the mesh-wide group as "mesh") with its
// schedules, paused flag, last tick and disruption, and each check's state, value,
// condition and instances — read from Redis, so any replica answers the same.

import { clusterLabel } from '../checks/suite-instance.js';
import { MESH_SUITE, type CheckSpec, type Config, type Schedule, type Suite } from '../config/model.js';
import type { CheckRecord } from '../checks/types.js';
import type { CheckStore } from '../adapters/redis/check-store.js';
import type { History } from '../adapters/redis/history.js';
import type { PauseFlags } from '../adapters/redis/pause-flags.js';
import { worstInstance } from '../checks/check-state.js';
import { groupCoverage, type Coverage } from '../checks/coverage.js';
import type { Clock } from '../shared/time.js';
import type { BenchRun } from '../benchmark/model.js';
import { regressionChecks } from '../benchmark/compare.js';
import { benchCheckGroup } from '../benchmark/bench-job.js';

/** The benchmark suites the daemon runs, and each one's newest stored run. */
export interface BenchmarkStatusSource {
  suites: ReadonlyMap<string, Suite>;
  lastRun(suite: string): Promise<BenchRun | undefined>;
}

/** A benchmark suite's schedule and last run; its regression checks are listed with its checks. */
export interface BenchmarkStatus {
  schedule: Schedule | null;
  lastRun: { id: string; state: string; istioVersion: string; startedAt: number; finishedAt: number | null; points: number; reason?: string } | null;
}
import type { LedgerEntry, RunLedger } from '../adapters/redis/ledger.js';
import { checkSeries, type ValueRing, type ValueSnapshot } from '../adapters/redis/value-ring.js';
import { sparklinePath, type Sparkline } from '../server/sparkline.js';

/** How far back and how many ledger entries the status page reads per suite. */
const RECENT_MS = 24 * 3600_000;
const RECENT_ENTRIES = 300;
const CHANGES_PER_CHECK = 5;
const DISRUPTIONS_SHOWN = 10;

export interface StatusSources {
  config: Config;
  store: Pick<CheckStore, 'load'>;
  history: Pick<History, 'recentTicks' | 'lastDisruption'>;
  pause: Pick<PauseFlags, 'all'>;
  /** The run ledger: recent state changes and disruptions; absent: not reported. */
  ledger?: Pick<RunLedger, 'range'>;
  /** The checks' last values (the sparklines); absent: none drawn. */
  values?: Pick<ValueRing, 'recent'>;
  /** Stamps the body's generatedAt; default Date.now. */
  now?: Clock;
  benchmarks?: BenchmarkStatusSource;
}

export interface CheckStatus {
  name: string;
  severity: string;
  query: string;
  condition: string;
  for: number;
  state: string;
  value: number | string | null;
  reason?: string;
  lastError?: string;
  lastEvalAt: number | null;
  /** Series past prometheus.maxInstancesPerCheck, counted but not tracked. */
  omittedInstances?: number;
  /** When the check's earliest failing instance turned failing; null when none fails. */
  failingSince: number | null;
  /** The last state changes (newest last), from the run ledger. */
  changes?: Array<{ from: string; to: string; at: number; value: number | string | null }>;
  /** The value over the last ticks (at most 60) as an SVG path; absent when none was finite. */
  sparkline?: Sparkline;
  instances: Array<{
    labels: Record<string, string>;
    state: string;
    value: number | string | null;
    activeSince: number | null;
    failingSince: number | null;
  }>;
}

export interface SuiteStatus {
  /** The suite instance id: `cluster/suite` with config clusters:, else the suite's name. */
  name: string;
  /** With config clusters: the instance's cluster (and `name` starts with it). */
  cluster?: string;
  description: string;
  enabled: boolean;
  paused: boolean;
  schedules: { tickMs: number; disruption: { every: number } | { cron: string } | null };
  lastTick: { jobId: string; scheduledAt: number; startedAt: number; durationMs: number; worker: string } | null;
  lastDisruption: { jobId: string; outcome: string; message?: string; startedAt: number; durationMs: number } | null;
  checks: CheckStatus[];
  /**
   * Whether the last tick judged anything. `checked: false` (every check skipped or unknown,
   * or none evaluated yet) is shown prominently: nothing was checked, so nothing passed.
   * Absent for disabled suites.
   */
  coverage?: Coverage;
  /** Benchmark suites only. */
  benchmark?: BenchmarkStatus;
  /** The suite's last disruptions (newest last) with their recovery, from the run ledger. */
  disruptions?: Array<{ id: string; outcome: string; reason?: string; startedAt: number; endedAt: number; recovery?: string }>;
}

/** With config clusters: one cluster's suite instances (by name, as listed in `suites`) and its summary. */
export interface ClusterStatus {
  name: string;
  /** The instance names (`cluster/suite`) of this cluster, in `suites` order. */
  suites: string[];
  /** Checks by state over the cluster's instances (states with none left out). */
  counts: Record<string, number>;
  /** Instances whose last tick judged nothing (coverage.checked false). */
  unchecked: number;
}

export interface StatusBody {
  generatedAt: number;
  suites: SuiteStatus[];
  /** With config clusters: the instances grouped by cluster, in config order (an addition; `suites` stays the full list). */
  clusters?: ClusterStatus[];
}

// JSON has no NaN or Infinity: say them as strings rather than lose them as null.
function jsonValue(v: number | null): number | string | null {
  if (v === null) return null;
  return Number.isFinite(v) ? v : String(v);
}

function earliest(times: Array<number | null>): number | null {
  const known = times.filter((t): t is number => t !== null);
  return known.length > 0 ? Math.min(...known) : null;
}

function checkStatus(spec: CheckSpec, record: CheckRecord | undefined): CheckStatus {
  return {
    name: spec.name,
    severity: spec.severity,
    query: spec.query,
    condition: spec.fail.text,
    for: spec.forMs,
    state: record?.state ?? 'unknown',
    value: jsonValue(record ? (worstInstance(record)?.value ?? null) : null),
    ...(record?.reason ? { reason: record.reason } : record ? {} : { reason: 'not evaluated yet' }),
    ...(record?.lastError ? { lastError: record.lastError } : {}),
    lastEvalAt: record?.lastEvalAt ?? null,
    ...(record?.omittedInstances ? { omittedInstances: record.omittedInstances } : {}),
    failingSince: earliest(Object.values(record?.instances ?? {}).map((i) => i.failingSince)),
    instances: Object.values(record?.instances ?? {}).map((i) => ({
      labels: i.labels,
      state: i.state,
      value: jsonValue(i.value),
      activeSince: i.activeSince,
      failingSince: i.failingSince,
    })),
  };
}

interface StatusGroup {
  name: string;
  description: string;
  enabled: boolean;
  tickMs: number;
  disruption: Schedule | null;
  checks: CheckSpec[];
}

/** Every suite, then the mesh-wide checks as the suite "mesh" when there are any. */
function statusGroups(config: Config): StatusGroup[] {
  const groups: StatusGroup[] = config.suites.map((s) => ({
    name: s.name,
    description: s.description,
    enabled: s.enabled,
    tickMs: s.tickMs,
    disruption: s.disruption?.schedule ?? null,
    checks: s.checks,
  }));
  if (config.checks.length > 0) {
    groups.push({
      name: MESH_SUITE,
      description: 'Mesh-wide checks',
      enabled: true,
      tickMs: config.tickMs,
      disruption: null,
      checks: config.checks,
    });
  }
  return groups;
}

/** The recent ledger entries of a suite; none when there is no ledger or it cannot be read. */
async function recentEntries(src: StatusSources, suite: string): Promise<LedgerEntry[]> {
  if (!src.ledger) return [];
  const now = (src.now ?? Date.now)();
  return src.ledger.range(suite, now - RECENT_MS, now, RECENT_ENTRIES).catch(() => []);
}

function recentDisruptions(entries: LedgerEntry[]): NonNullable<SuiteStatus['disruptions']> {
  const recovery = new Map<string, string>();
  for (const e of entries) {
    if (e.kind !== 'impact') continue;
    const r = e.recovery;
    recovery.set(e.id, r.status === 'recovered' ? `recovered in ${r.seconds}s` : r.status === 'not-recovered' ? `not recovered after ${r.boundSeconds}s` : r.status);
  }
  return entries
    .flatMap((e) => (e.kind === 'disruption' ? [{ id: e.id, outcome: e.outcome, ...(e.reason ? { reason: e.reason } : {}), startedAt: e.startedAt, endedAt: e.at, ...(recovery.has(e.id) ? { recovery: recovery.get(e.id) } : {}) }] : []))
    .slice(-DISRUPTIONS_SHOWN);
}

function withChanges(checks: CheckStatus[], entries: LedgerEntry[]): CheckStatus[] {
  return checks.map((c) => ({
    ...c,
    changes: entries.flatMap((e) => (e.kind === 'state' && e.check === c.name ? [{ from: e.from, to: e.to, at: e.at, value: jsonValue(e.value) }] : [])).slice(-CHANGES_PER_CHECK),
  }));
}

/** The suite's value snapshots; none when not kept, disabled, or unreadable (the page goes on). */
async function recentValues(src: StatusSources, g: StatusGroup): Promise<ValueSnapshot[]> {
  if (!src.values || !g.enabled) return [];
  return src.values.recent(g.name).catch(() => []);
}

function withSparkline(c: CheckStatus, snapshots: ValueSnapshot[]): CheckStatus {
  const line = snapshots.length > 0 ? sparklinePath(checkSeries(snapshots, c.name)) : undefined;
  return line ? { ...c, sparkline: line } : c;
}

async function suiteStatus(src: StatusSources, g: StatusGroup, paused: Set<string>): Promise<SuiteStatus> {
  const [records, ticks, lastDisruption, entries, snapshots] = await Promise.all([
    g.enabled ? src.store.load(g.name) : Promise.resolve({} as Record<string, CheckRecord>),
    src.history.recentTicks(g.name, 1),
    src.history.lastDisruption(g.name),
    recentEntries(src, g.name),
    recentValues(src, g),
  ]);
  const checks = g.enabled ? g.checks.map((c) => withSparkline(checkStatus(c, records[c.name]), snapshots)) : [];
  return {
    name: g.name,
    ...clusterLabel(g.name),
    description: g.description,
    enabled: g.enabled,
    paused: paused.has(g.name),
    schedules: { tickMs: g.tickMs, disruption: g.disruption },
    lastTick: ticks[0]?.event ?? null,
    lastDisruption: lastDisruption
      ? {
          jobId: lastDisruption.jobId,
          outcome: lastDisruption.outcome,
          ...(lastDisruption.message ? { message: lastDisruption.message } : {}),
          startedAt: lastDisruption.startedAt,
          durationMs: lastDisruption.durationMs,
        }
      : null,
    checks: src.ledger ? withChanges(checks, entries) : checks,
    ...(g.enabled ? { coverage: groupCoverage(g.checks.map((c) => records[c.name])) } : {}),
    ...(src.ledger ? { disruptions: recentDisruptions(entries) } : {}),
  };
}

/** The last run and the regression checks (appended to the suite's checks) of a benchmark suite. */
async function addBenchmark(src: StatusSources, status: SuiteStatus): Promise<SuiteStatus> {
  const suite = src.benchmarks?.suites.get(status.name);
  if (!src.benchmarks || !suite?.benchmark) return status;
  const [run, records] = await Promise.all([src.benchmarks.lastRun(suite.name), src.store.load(benchCheckGroup(suite.name))]);
  const lastRun = run
    ? { id: run.id, state: run.state, istioVersion: run.istioVersion, startedAt: run.startedAt, finishedAt: run.finishedAt, points: run.results.length, ...(run.reason ? { reason: run.reason } : {}) }
    : null;
  const regressions = regressionChecks(suite.benchmark.regression.thresholds).map((c) => checkStatus(c, records[c.name]));
  // A suite with no checks of its own is judged by its regression checks alone.
  const coverage = status.checks.length === 0 && status.coverage ? { coverage: groupCoverage(regressionChecks(suite.benchmark.regression.thresholds).map((c) => records[c.name])) } : {};
  return { ...status, ...coverage, checks: [...status.checks, ...regressions], benchmark: { schedule: suite.benchmark.schedule ?? null, lastRun } };
}

export async function buildStatus(src: StatusSources): Promise<StatusBody> {
  const paused = await src.pause.all();
  const suites = await Promise.all(statusGroups(src.config).map(async (g) => addBenchmark(src, await suiteStatus(src, g, paused))));
  const clusters = src.config.clusters ? { clusters: clusterGroups(src.config.clusters.map((c) => c.name), suites) } : {};
  return { generatedAt: (src.now ?? Date.now)(), suites, ...clusters };
}

/** Each cluster's instances and summary counts (the status page's per-cluster headings). */
export function clusterGroups(names: string[], suites: SuiteStatus[]): ClusterStatus[] {
  return names.map((name) => {
    const own = suites.filter((s) => s.cluster === name);
    const counts: Record<string, number> = {};
    for (const c of own.flatMap((s) => s.checks)) counts[c.state] = (counts[c.state] ?? 0) + 1;
    const unchecked = own.filter((s) => s.coverage && !s.coverage.checked).length;
    return { name, suites: own.map((s) => s.name), counts, unchecked };
  });
}
