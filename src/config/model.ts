// The resolved configuration: what the rest of mesh-soak reads once loading and
// validation (load-config.ts) are done. Durations are milliseconds, conditions
// and schedules are parsed, `${VAR}` is substituted. Nothing here does I/O.

import type { CheckSpec } from '../checks/model.js';
import type { BenchmarkSpec } from '../benchmark/model.js';

export type { CheckSpec, Condition, NanPolicy, NoDataPolicy, Severity } from '../checks/model.js';

export type Schedule = { every: number } | { cron: string };

/**
 * The step vocabulary. `namespace` defaults to the suite's. `scale` records the original
 * replica count in the restore journal and is undone when the disruption ends (or, after
 * a crash, by the next tick). String values may contain `{{now}}` (epoch seconds) and
 * `{{choice.NAME}}` (a `choose` step's pick; a step naming a pick of several values runs once
 * per value), which the step runner substitutes when the step runs; every other template is
 * rendered at load.
 */
export type Step =
  | { rolloutRestart: { deployment: string; namespace?: string } }
  | { waitRollout: { deployment: string; namespace?: string; timeoutMs: number } }
  | { scale: { deployment: string; namespace?: string; replicas: number } }
  /** `selector`: only the deployments whose labels match (absent: every deployment). */
  | { setEnv: { namespace?: string; selector?: string; env: Record<string, string> } }
  | { deletePods: { selector: string; namespace?: string; keep: number } }
  | { sleep: { durationMs: number } }
  /** Picks `countMin..countMax` of `from` (seeded; journaled per job); later steps use `{{choice.NAME}}`. */
  | { choose: { name: string; from: string[]; countMin: number; countMax: number; seed?: number } }
  /** A file in the suite folder, rendered like its manifests; every object journaled as it was. */
  | { applyManifest: { file: string } }
  | { deleteManifest: { file: string } }
  /** null removes a label; `restartDeployments` restarts the namespace's deployments after the change and after its restore. */
  | { labelNamespace: { namespace?: string; labels: Record<string, string | null>; restartDeployments: boolean } };

export interface Disruption {
  schedule: Schedule;
  steps: Step[];
}

/** A suite as loaded from suites/<name>/suite.yaml, merged with its entry in the config. */
export interface Suite {
  name: string;
  description: string;
  /** Folder the suite was loaded from (for manifests and error messages). */
  dir: string;
  namespace: string;
  params: Record<string, string | number | boolean>;
  /** File names relative to dir, in apply order. */
  manifests: string[];
  disruption?: Disruption;
  /** Rendered guard PromQL; false or empty result marks the checks skipped. */
  guard?: string;
  /** `absent(m) and …` over the guard's metrics: when true an empty guard means unknown, not skipped. */
  guardSource?: string;
  checks: CheckSpec[];
  /** A benchmark suite's matrix, schedule and regression policy (docs/operator.md). */
  benchmark?: BenchmarkSpec & { schedule?: Schedule };
  /** Check interval for this suite (suite entry's `tick` or the global one). */
  tickMs: number;
  /** Shared resources its disruption holds, what to do when one is held, and the missed-run deadline. */
  exclusive?: { locks: string[]; waitMs: number; missedRunDeadlineMs?: number };
  enabled: boolean;
  /** The config entry's `clusters:` (names from Config.clusters); absent: every cluster. */
  clusters?: string[];
  /**
   * Set on a suite *instance* only (config/instances.ts): the cluster it runs on. Its `name` is
   * then the instance id `cluster/suite`.
   */
  cluster?: string;
}

/** One target of a config with `clusters:`: its Kubernetes API and its Prometheus. */
export interface ClusterTarget {
  name: string;
  kubernetes: { kubeconfig?: string; context?: string };
  prometheus: Config['prometheus'];
}

export interface WebhookSpec {
  name: string;
  url: string;
  format: 'json' | 'slack';
  headers: Record<string, string>;
}

/** How to reach Redis. tls paths are absolute once loaded. */
export interface RedisConfig {
  url: string;
  /** ACL user; its password comes from the environment variable passwordEnv. */
  username?: string;
  /** Name of the environment variable holding the password (the value never enters the Config). */
  passwordEnv?: string;
  tls?: { caFile: string; certFile?: string; keyFile?: string };
  sentinels?: Array<{ host: string; port: number }>;
  sentinelName?: string;
  /** Name of the environment variable holding the Sentinels' own password. */
  sentinelPasswordEnv?: string;
  /** Redis Cluster seed nodes: keys go under the hash-tagged prefix ({mesh-soak}). */
  cluster?: { nodes: Array<{ host: string; port: number }> };
}

export interface Config {
  /** The file the config came from (for messages). */
  file: string;
  prometheus: {
    url: string;
    timeoutMs: number;
    headers: Record<string, string>;
    concurrency: number;
    /** Largest response body read, bytes; absent: the client's default (16 MiB). */
    maxBodyBytes?: number;
    /** Most series one query may return; absent: the client's default (10 000). */
    maxSeries?: number;
    /** Instances one check tracks (the rest are counted); absent: 1000. */
    maxInstancesPerCheck?: number;
    /** Present: checks are read from recorded results (adapters/prometheus/recording-rules.ts). */
    recordingRules?: { maxAgeMs?: number };
  };
  redis: RedisConfig;
  kubernetes: { kubeconfig?: string };
  /**
   * Present only when the file has `clusters:` (then `prometheus` and `kubernetes` above are
   * the first cluster's, for code that knows one target). Absent: one implicit cluster
   * "default" from the top-level sections (config/instances.ts).
   */
  clusters?: ClusterTarget[];
  tickMs: number;
  http: { port: number; /** /api/v1/status needs the admin token too. */ requireTokenForStatus?: boolean };
  /** Grafana as users open it (links from the report and the status page). */
  grafana?: { url: string };
  /** The run ledger's bounds and the recovery judgement (absent in hand-built configs: the defaults). */
  ledger?: { maxEntries: number; maxAgeMs: number; recoveryBoundMs: number; settleMs: number };
  notify: {
    alertmanager?: { url: string; resendMs: number };
    webhooks: WebhookSpec[];
  };
  suites: Suite[];
  /** Mesh-wide checks, reported as suite "mesh" on the global tick. */
  checks: CheckSpec[];
}

/** The pseudo-suite name under which mesh-wide checks are reported. */
export const MESH_SUITE = 'mesh';
