// Fortio's result JSON (fhttp.HTTPRunnerResults, as `fortio load -json` and the REST API
// write it), read through a zod schema. Only the fields mesh-soak computes from are
// checked; every other field is kept as it came (loose objects), so a result parsed and
// written back is the same JSON. Units are Fortio's: durations in the histograms are
// seconds, ActualDuration and HTTPReqTimeOut are nanoseconds, Sizes are bytes.
// parse never throws: a malformed result is a `invalid` answer with the field and reason.

import { z } from 'zod';

const bucket = z.looseObject({
  Start: z.number(),
  End: z.number(),
  Percent: z.number(),
  Count: z.number(),
});

const percentile = z.looseObject({ Percentile: z.number(), Value: z.number() });

export const histogramSchema = z.looseObject({
  Count: z.number(),
  Min: z.number(),
  Max: z.number(),
  Sum: z.number(),
  Avg: z.number(),
  StdDev: z.number(),
  Data: z.array(bucket).nullable(),
  Percentiles: z.array(percentile).optional(),
});

export type FortioHistogram = z.output<typeof histogramSchema>;

export const fortioResultSchema = z.looseObject({
  RunType: z.string(),
  Labels: z.string(),
  StartTime: z.string(),
  /** A number as a string ("40", "12.5"), or "max" (no pacing). */
  RequestedQPS: z.string(),
  RequestedDuration: z.string().optional(),
  ActualQPS: z.number(),
  /** Nanoseconds. */
  ActualDuration: z.number(),
  NumThreads: z.number(),
  Version: z.string().optional(),
  DurationHistogram: histogramSchema,
  ErrorsDurationHistogram: histogramSchema.nullable().optional(),
  /** Status code → count; keys are strings ("200", "-1" for socket errors). */
  RetCodes: z.record(z.string(), z.number()).nullable().optional(),
  Sizes: histogramSchema.nullable().optional(),
  HeaderSizes: histogramSchema.nullable().optional(),
  URL: z.string().optional(),
  NumConnections: z.number().optional(),
  RunID: z.number().optional(),
  SocketCount: z.number().optional(),
});

export type FortioResult = z.output<typeof fortioResultSchema>;

export type FortioParse = { kind: 'ok'; value: FortioResult } | { kind: 'invalid'; reason: string };

/** Reads one Fortio result from its JSON text. */
export function parseFortioResult(text: string): FortioParse {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { kind: 'invalid', reason: `not JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  return validateFortioResult(raw);
}

/** Checks an already-decoded value (e.g. from a JSON body). */
export function validateFortioResult(raw: unknown): FortioParse {
  const result = fortioResultSchema.safeParse(raw);
  if (result.success) return { kind: 'ok', value: result.data };
  const [first, ...rest] = result.error.issues;
  const where = first && first.path.length > 0 ? first.path.map(String).join('.') : 'result';
  const more = rest.length > 0 ? ` (and ${rest.length} more)` : '';
  return { kind: 'invalid', reason: `${where}: ${first?.message ?? 'does not match a Fortio result'}${more}` };
}
