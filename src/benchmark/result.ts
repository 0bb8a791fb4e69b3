// From one Fortio result to the row istio/tools' fortio.py wrote: the same fields, the
// same units (latencies in µs, duration in s), the same integer conversions (Python's
// int() truncates, round() rounds half to even). Pure; nothing is lost from the parsed
// result, which callers keep beside the row if they need the rest.

import type { FortioHistogram, FortioResult } from './fortio-json.js';
import type { LatencyRow } from './model.js';

/** What fortio.py wrote for RequestedQPS "max". */
export const MAX_QPS_VALUE = 99999999;

export const PERCENTILES = [
  { percentile: 50, column: 'p50' },
  { percentile: 75, column: 'p75' },
  { percentile: 90, column: 'p90' },
  { percentile: 99, column: 'p99' },
  { percentile: 99.9, column: 'p999' },
] as const;

/** Python's round() on floats: half to even. */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** Seconds → integer microseconds, truncated like int(v * 10**6). */
export function secondsToMicros(seconds: number): number {
  return Math.trunc(seconds * 10 ** 6);
}

function percentileMicros(h: FortioHistogram, p: number): number | null {
  const found = h.Percentiles?.find((x) => x.Percentile === p);
  return found === undefined ? null : secondsToMicros(found.Value);
}

/** The requested qps as fortio.py wrote it; NaN for a string that is not a number. */
export function requestedQps(text: string): number {
  if (text === 'max') return MAX_QPS_VALUE;
  return roundHalfEven(Number.parseFloat(text));
}

/** errorPercent and Payload, for HTTP runs that carry Sizes; null otherwise. */
export function httpErrors(r: FortioResult): { errorPercent: number | null; payload: number | null } {
  if (r.RunType !== 'HTTP' || !r.Sizes) return { errorPercent: null, payload: null };
  const total = r.Sizes.Count;
  const ok = r.RetCodes?.['200'] ?? 0;
  return {
    errorPercent: total > 0 ? (100 * (total - ok)) / total : null,
    payload: Math.trunc(r.Sizes.Avg),
  };
}

export function latencyRow(r: FortioResult): LatencyRow {
  const h = r.DurationHistogram;
  const { errorPercent, payload } = httpErrors(r);
  return {
    Labels: r.Labels,
    StartTime: r.StartTime,
    RequestedQPS: requestedQps(r.RequestedQPS),
    ActualQPS: roundHalfEven(r.ActualQPS),
    NumThreads: r.NumThreads,
    RunType: r.RunType,
    ActualDuration: Math.trunc(r.ActualDuration / 10 ** 9),
    min: secondsToMicros(h.Min),
    max: secondsToMicros(h.Max),
    avg: secondsToMicros(h.Avg),
    p50: percentileMicros(h, 50),
    p75: percentileMicros(h, 75),
    p90: percentileMicros(h, 90),
    p99: percentileMicros(h, 99),
    p999: percentileMicros(h, 99.9),
    errorPercent,
    Payload: payload,
  };
}
