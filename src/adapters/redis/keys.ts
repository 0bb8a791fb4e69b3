// Every Redis key mesh-soak writes, in one place, so replicas agree on names and a test can
// give each daemon family its own prefix on a shared Redis. The daemon's state, the
// disruption runner's lock, claims and restore journal all take their names from here, built
// from the one prefix the composition root (src/app/) chooses. BullMQ's queue keys are
// BullMQ's own, under the same prefix.
//
// May import: nothing (the stores in this folder import checks/, config/ and shared/).

export const DEFAULT_PREFIX = 'mesh-soak';

export interface StateKeys {
  readonly prefix: string;
  /** Check records in format 1 (one full JSON record per field); read for migration, written while old replicas run. */
  checks(suite: string): string;
  /** Check records in format 2 (check-store.ts): stable part per field, the tick's values in `$tick`. */
  checks2(suite: string): string;
  history(suite: string): string;
  ticks(suite: string): string;
  paused(): string;
  /** Held (with a TTL) while a tick of the suite runs, so no two replicas tick it at once. */
  tickRunning(suite: string): string;
  /** A random id written once per Redis data set: gone or changed means Redis lost its data. */
  dataEpoch(): string;
  /** One per disruption job id: the run that took it is the only one (see disruption/runner.ts). */
  disruptionClaim(jobId: string): string;
  /** The per-suite lock held for a whole disruption, steps and restore. */
  disruptionLock(suite: string): string;
  /** The set of suites that have restore-journal entries. */
  journalIndex(): string;
  /** The hash of one suite's restore-journal entries. */
  journal(suite: string): string;
  /** A benchmark suite's stored runs: a sorted set of run ids by start time. */
  benchRuns(suite: string): string;
  /** One stored benchmark run (JSON). */
  benchRun(runId: string): string;
  /** A suite's runs' baseline samples: a hash run id → summary JSON. */
  benchSummaries(suite: string): string;
  /** Benchmark runs in progress (hash run id → journal entry), recovered after a crash. */
  benchJournal(): string;
  /** A shared resource held exclusively (a namespace, the control plane), e.g. by a benchmark. */
  resourceLock(resource: string): string;
  /** A suite's run ledger (or `mesh`'s): a sorted set of entries by time, bounded by count and age. */
  ledger(suite: string): string;
  /** A suite's disruptions whose impact is still open (hash id → window), and the last one's window. */
  ledgerOpen(suite: string): string;
  /** The Istio versions seen, one entry per version span, bounded like a ledger. */
  ledgerVersions(): string;
  /** Set (with a TTL) when evidence was captured for a check: none again until it expires. */
  ledgerEvidence(suite: string, check: string): string;
  /** A suite's last check values: a list of per-tick snapshots, capped (value-ring.ts). */
  checkValues(suite: string): string;
  /** The replicas alive: a sorted set of worker ids by when each last said so (replicas.ts). */
  replicas(): string;
}

export function stateKeys(prefix: string = DEFAULT_PREFIX): StateKeys {
  return {
    prefix,
    checks: (suite) => `${prefix}:checks:${suite}`,
    checks2: (suite) => `${prefix}:checks2:${suite}`,
    history: (suite) => `${prefix}:history:${suite}`,
    ticks: (suite) => `${prefix}:ticks:${suite}`,
    paused: () => `${prefix}:paused`,
    tickRunning: (suite) => `${prefix}:tick-running:${suite}`,
    dataEpoch: () => `${prefix}:data-epoch`,
    disruptionClaim: (jobId) => `${prefix}:disruption-claim:${jobId}`,
    disruptionLock: (suite) => `${prefix}:disruption-lock:${suite}`,
    journalIndex: () => `${prefix}:restore-journal`,
    journal: (suite) => `${prefix}:restore-journal:${suite}`,
    benchRuns: (suite) => `${prefix}:bench-runs:${suite}`,
    benchRun: (runId) => `${prefix}:bench-run:${runId}`,
    benchSummaries: (suite) => `${prefix}:bench-summaries:${suite}`,
    benchJournal: () => `${prefix}:bench-journal`,
    resourceLock: (resource) => `${prefix}:resource-lock:${resource}`,
    ledger: (suite) => `${prefix}:ledger:${suite}`,
    ledgerOpen: (suite) => `${prefix}:ledger-open:${suite}`,
    ledgerVersions: () => `${prefix}:ledger-versions`,
    ledgerEvidence: (suite, check) => `${prefix}:ledger-evidence:${suite}:${check}`,
    checkValues: (suite) => `${prefix}:check-values:${suite}`,
    replicas: () => `${prefix}:replicas`,
  };
}
