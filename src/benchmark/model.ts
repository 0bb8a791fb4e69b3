// The benchmark vocabulary: what a benchmark suite asks for (BenchmarkSpec: a matrix of
// connections × qps × payload size × mode, and how long each point runs), one point of
// that matrix, and what a run of it produced (BenchResult, BenchRun). Plain data, JSON-
// serialisable, so runs can be kept in Redis and compared later. Imports nothing.

/** How the client reaches the server, as in istio/tools perf/benchmark's runner. */
export const BENCH_MODES = ['both', 'serversidecar', 'clientsidecar', 'baseline', 'ingress'] as const;
export type BenchMode = (typeof BENCH_MODES)[number];

/** A requested rate: requests per second, or "max" (no pacing). */
export type Qps = number | 'max';

export interface MatrixPoint {
  mode: BenchMode;
  connections: number;
  qps: Qps;
  payloadBytes: number;
}

export interface RegressionThresholds {
  /** Percent increase of p99 latency over the baseline that counts as a regression. */
  p99Percent: number;
  /** Percent increase of any component's average CPU over the baseline. */
  cpuPercent: number;
  /** Percent increase of any component's average memory; absent: not checked. */
  memPercent?: number;
}

export type BaselinePolicy =
  /** Compare with one stored run, by id. */
  | { kind: 'pinned'; runId: string }
  /** The median of the last N results of the same matrix point under another Istio version. */
  | { kind: 'median'; lastN: number };

export interface BenchmarkSpec {
  connections: number[];
  qps: Qps[];
  payloadBytes: number[];
  modes: BenchMode[];
  durationMs: number;
  /** Cut from the start of each point's window before reading resources (default 62 s). */
  warmupMs: number;
  /** Cut from the end of the window (default 30 s). */
  cooldownMs: number;
  /** Prometheus query_range step. */
  stepMs: number;
  /** Where the runner reaches each mode's server, by mode; ingress needs a gateway URL. */
  targets: Partial<Record<BenchMode, string>>;
  /** The Fortio REST API of the client pod (its service URL, `http://fortioclient.NS:8080`). */
  fortioUrl: string;
  /** `apiserver`: reach fortioUrl's service through the Kubernetes API server's service proxy; default direct. */
  fortioVia?: 'direct' | 'apiserver';
  /** What labels results: a fixed string, or read at run time by the caller. */
  istioVersion: string;
  regression: { baseline: BaselinePolicy; thresholds: RegressionThresholds };
  /** Stored runs kept per suite (oldest dropped). */
  keepRuns: number;
}

/** Latency and request stats of one point, computed as fortio.py did (times in µs). */
export interface LatencyRow {
  Labels: string;
  StartTime: string;
  /** int(round(RequestedQPS)); "max" is 99999999. */
  RequestedQPS: number;
  ActualQPS: number;
  NumThreads: number;
  RunType: string;
  /** Seconds, truncated. */
  ActualDuration: number;
  /** Microseconds, truncated, like fortio.py's columns. */
  min: number;
  max: number;
  avg: number;
  p50: number | null;
  p75: number | null;
  p90: number | null;
  p99: number | null;
  p999: number | null;
  /** 100 × (Sizes.Count − RetCodes["200"]) ÷ Sizes.Count; null when there is no HTTP size data. */
  errorPercent: number | null;
  /** int(Sizes.Avg) bytes; null without sizes. */
  Payload: number | null;
}

/** CPU in millicores and memory in MiB of one component over the measured window. */
export interface ComponentUsage {
  component: string;
  cpuMilliAvg: number | null;
  cpuMilliMax: number | null;
  memMiAvg: number | null;
  memMiMax: number | null;
}

export interface BenchResult {
  runId: string;
  suite: string;
  istioVersion: string;
  point: MatrixPoint;
  /** Epoch ms of the point's load window. */
  startedAt: number;
  endedAt: number;
  latency: LatencyRow;
  resources: ComponentUsage[];
  /** istio_request_duration_milliseconds percentiles over the same window (ms). */
  meshLatencyMs: { p50: number | null; p90: number | null; p99: number | null };
}

export type RunState = 'running' | 'done' | 'stopped' | 'failed';

export interface BenchRun {
  id: string;
  suite: string;
  istioVersion: string;
  state: RunState;
  startedAt: number;
  finishedAt: number | null;
  /** Why a run is stopped or failed. */
  reason?: string;
  results: BenchResult[];
}

/** Identifies a matrix point across runs: same mode, connections, qps and payload. */
export function pointKey(p: MatrixPoint): string {
  return `${p.mode}/c${p.connections}/q${String(p.qps)}/s${p.payloadBytes}`;
}

/** Every point of the matrix, modes outermost (all of one mode run together, as runner.py did). */
export function expandMatrix(spec: Pick<BenchmarkSpec, 'modes' | 'connections' | 'qps' | 'payloadBytes'>): MatrixPoint[] {
  const points: MatrixPoint[] = [];
  for (const mode of spec.modes) {
    for (const connections of spec.connections) {
      for (const qps of spec.qps) {
        for (const payloadBytes of spec.payloadBytes) points.push({ mode, connections, qps, payloadBytes });
      }
    }
  }
  return points;
}
