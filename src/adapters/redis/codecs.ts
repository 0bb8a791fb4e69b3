// Every record mesh-soak reads back from Redis, one codec each: `encode` writes the JSON a
// store keeps, `parse` reads it back through a zod schema and answers `ok` or `corrupt`
// (with a reason for humans). parse never throws: a damaged or foreign record is skipped
// and reported as unreadable by the store, and never fails a tick.
// May import checks/ (the record types it stores) and shared/; nothing else of src/.

import { z } from 'zod';
import type { CheckRecord, CheckStateName, InstanceState } from '../../checks/types.js';
import { messageOf } from '../../shared/errors.js';
import { BENCH_MODES, type BenchRun } from '../../benchmark/model.js';
import type { BaselineSample } from '../../benchmark/compare.js';
import type { JournalEntry as JournalEntryOfBench } from '../../benchmark/run-benchmark.js';
import type { DisruptionWindow, Impact, ImpactPhase, Recovery } from '../../verdict/impact.js';
import type { Evidence } from '../../verdict/evidence.js';

export type Parsed<T> = { kind: 'ok'; value: T } | { kind: 'corrupt'; reason: string };

export interface Codec<T> {
  encode(value: T): string;
  parse(text: string): Parsed<T>;
}

/** A record a store could not read: left where it is, skipped, and reported. */
export interface UnreadableRecord {
  /** The Redis key of the hash or stream. */
  key: string;
  /** The hash field, or the stream entry id. */
  field: string;
  reason: string;
}

export type ReportUnreadable = (record: UnreadableRecord) => void;

/** Reports each unreadable record as one warning with the record's key, field and reason. */
export function warnUnreadable(logger: { warn(obj: object, msg: string): void }): ReportUnreadable {
  return (record) => logger.warn({ key: record.key, field: record.field, reason: record.reason }, 'unreadable redis record; skipped');
}

type JsonReplacer = (this: unknown, key: string, value: unknown) => unknown;
type JsonReviver = (this: unknown, key: string, value: unknown) => unknown;

/**
 * Replacer and reviver are only needed when a value needs them (`needsReplacer`; a text with
 * `reviveMarker`): a callback per key costs more than the check, and almost no record needs it.
 */
interface JsonHooks {
  replacer?: JsonReplacer;
  needsReplacer?: (value: unknown) => boolean;
  reviver?: JsonReviver;
  reviveMarker?: string;
}

/** A codec for JSON text read through `schema` (stores outside this file build theirs with it too). */
export function jsonCodec<T>(schema: z.ZodType<T>, json: JsonHooks = {}): Codec<T> {
  const { replacer, needsReplacer, reviver, reviveMarker } = json;
  return {
    encode: (value) => (replacer && (!needsReplacer || needsReplacer(value)) ? JSON.stringify(value, replacer) : JSON.stringify(value)),
    parse: (text) => {
      try {
        const revive = reviver && (reviveMarker === undefined || text.includes(reviveMarker));
        const result = schema.safeParse(revive ? JSON.parse(text, reviver) : JSON.parse(text));
        return result.success ? { kind: 'ok', value: result.data } : { kind: 'corrupt', reason: issuesText(result.error) };
      } catch (err) {
        return { kind: 'corrupt', reason: `not JSON: ${messageOf(err)}` };
      }
    },
  };
}

/** The first problem, where it is, and how many more there are. */
function issuesText(error: z.ZodError): string {
  const [first, ...rest] = error.issues;
  if (!first) return 'does not match the record schema';
  const where = first.path.length > 0 ? first.path.map(String).join('.') : 'record';
  return `${where}: ${first.message}${rest.length > 0 ? ` (and ${rest.length} more)` : ''}`;
}

// ---- check records (one hash per suite, one field per check) ----

// JSON has no NaN/Infinity; Prometheus does. Written as { $num: "NaN" } and turned back on read.
function jsonNumbers(this: unknown, _key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return { $num: String(value) };
  return value;
}

/** Whether any number inside is NaN or ±Infinity (which JSON would turn into null); `labels` hold only strings. */
function hasNonFinite(value: unknown): boolean {
  if (typeof value === 'number') return !Number.isFinite(value);
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some(hasNonFinite);
  for (const k in value) if (k !== 'labels' && hasNonFinite((value as Record<string, unknown>)[k])) return true;
  return false;
}

function reviveNumbers(this: unknown, _key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && '$num' in value) {
    const text = (value as { $num: unknown }).$num;
    if (typeof text === 'string') return Number(text);
  }
  return value;
}

/** NaN and ±Infinity kept through JSON, the hooks used only by values that have them. */
const NUMBER_HOOKS: JsonHooks = { replacer: jsonNumbers, needsReplacer: hasNonFinite, reviver: reviveNumbers, reviveMarker: '"$num"' };

const CHECK_STATES = ['ok', 'pending', 'failing', 'unknown', 'skipped'] as const satisfies readonly CheckStateName[];
const checkState = z.enum(CHECK_STATES);
/** Any number, NaN and ±Infinity included (a sample's value). */
const sampleValue = z.custom<number>((v) => typeof v === 'number', { message: 'expected a number' });
const epochMsOrNull = z.number().nullable();

const instanceObject = z.object({
  key: z.string(),
  labels: z.record(z.string(), z.string()),
  state: checkState,
  value: sampleValue.nullable(),
  activeSince: epochMsOrNull,
  failingSince: epochMsOrNull,
  lastTrueAt: epochMsOrNull,
  reason: z.string().optional(),
  summary: z.string().optional(),
  description: z.string().optional(),
});
const instanceSchema: z.ZodType<InstanceState> = instanceObject;

const recordFields = {
  state: checkState,
  consecutiveErrors: z.number().int().nonnegative(),
  lastError: z.string().optional(),
  lastErrorKind: z.string().optional(),
  reason: z.string().optional(),
  omittedInstances: z.number().int().nonnegative().optional(),
};

const checkRecordSchema: z.ZodType<CheckRecord> = z.object({
  ...recordFields,
  instances: z.record(z.string(), instanceSchema),
  lastEvalAt: z.number(),
});

export const checkRecordCodec: Codec<CheckRecord> = jsonCodec(checkRecordSchema, NUMBER_HOOKS);

/**
 * A check record's text that this process wrote or has already read through the schema,
 * decoded again without the schema (JSON only: a fresh copy the caller may change).
 */
export function decodeKnownCheckRecord(text: string): CheckRecord {
  return (text.includes(NUMBER_HOOKS.reviveMarker ?? '') ? JSON.parse(text, reviveNumbers) : JSON.parse(text)) as CheckRecord;
}

// ---- check records, format 2 (check-store.ts): what changes every tick kept apart ----

/** A format-2 field: a record without what every tick changes (instance values, and lastEvalAt when it is the tick's). */
export type StoredInstance = Omit<InstanceState, 'value'> & { value?: number | null };
export type StoredCheckRecord = Omit<CheckRecord, 'instances' | 'lastEvalAt'> & {
  instances: Record<string, StoredInstance>;
  lastEvalAt?: number;
};

/** The `$tick` field of a format-2 hash: the tick's time and every check's instance values. */
export interface CheckTick {
  /** lastEvalAt of every record that does not carry its own. */
  at: number;
  /** Per check, its instances' values in the order of the record's instances. */
  values: Record<string, Array<number | null>>;
  /** Until when (epoch ms) format 1 is written beside format 2, for replicas of older versions. */
  compatUntil?: number;
}

/** The field of a format-2 hash that holds the CheckTick; never a check's name (config names have no `$`). */
export const TICK_FIELD = '$tick';

const storedCheckRecordSchema: z.ZodType<StoredCheckRecord> = z.object({
  ...recordFields,
  instances: z.record(z.string(), instanceObject.extend({ value: sampleValue.nullable().optional() })),
  lastEvalAt: z.number().optional(),
});

const checkTickSchema: z.ZodType<CheckTick> = z.object({
  at: z.number(),
  values: z.record(z.string(), z.array(sampleValue.nullable())),
  compatUntil: z.number().optional(),
});

export const storedCheckRecordCodec: Codec<StoredCheckRecord> = jsonCodec(storedCheckRecordSchema, NUMBER_HOOKS);
export const checkTickCodec: Codec<CheckTick> = jsonCodec(checkTickSchema, NUMBER_HOOKS);

/** A format-2 text this process wrote or has read through the schema, decoded without it (a fresh copy). */
export function decodeKnown<T extends StoredCheckRecord | CheckTick>(text: string): T {
  return (text.includes(NUMBER_HOOKS.reviveMarker ?? '') ? JSON.parse(text, reviveNumbers) : JSON.parse(text)) as T;
}

/** A record split for format 2: the field's text, and the values that go to `$tick`. */
export function encodeStoredCheckRecord(record: CheckRecord, at: number): { text: string; values: Array<number | null> } {
  const values: Array<number | null> = [];
  const instances: Record<string, StoredInstance> = {};
  for (const key in record.instances) {
    const { value, ...rest } = record.instances[key] as InstanceState;
    instances[key] = rest;
    values.push(value);
  }
  const { lastEvalAt, instances: _full, ...rest } = record;
  const stored: StoredCheckRecord = lastEvalAt === at ? { ...rest, instances } : { ...rest, instances, lastEvalAt };
  // Without the values, every number left is a time or a count (finite: the schema takes no other), so no NaN/±Inf hook.
  return { text: JSON.stringify(stored), values };
}

/**
 * The whole record from its format-2 field and the `$tick` (mutates `stored`): an instance
 * keeps a value of its own (a record written by hand), else takes the tick's. A string says
 * why it cannot be completed.
 */
export function completeCheckRecord(stored: StoredCheckRecord, tick: CheckTick | undefined, check: string): CheckRecord | string {
  const lastEvalAt = stored.lastEvalAt ?? tick?.at;
  if (lastEvalAt === undefined) return `no lastEvalAt and no readable ${TICK_FIELD} field`;
  stored.lastEvalAt = lastEvalAt;
  const values = tick?.values[check];
  let i = 0;
  for (const key in stored.instances) {
    const inst = stored.instances[key] as StoredInstance;
    if (inst.value === undefined) {
      const value = values?.[i];
      if (value === undefined) return `instance ${key}: no value in the record nor in ${TICK_FIELD}`;
      inst.value = value;
    }
    i++;
  }
  return stored as CheckRecord;
}

// ---- history streams (state changes and disruptions; tick runs) ----

export type HistoryEvent =
  | {
      kind: 'state';
      check: string;
      instance: string;
      from: string;
      to: string;
      value: number | null;
      at: number;
    }
  | {
      kind: 'disruption';
      jobId: string;
      outcome: 'success' | 'failure' | 'skipped';
      message?: string;
      startedAt: number;
      durationMs: number;
    };

export interface TickEntry {
  jobId: string;
  scheduledAt: number;
  startedAt: number;
  durationMs: number;
  /** Replica that ran it (hostname:pid), to tell replicas apart in the log. */
  worker: string;
}

/** Outcomes a disruption event may carry; a new outcome must be added here to be readable. */
export const DISRUPTION_OUTCOMES = ['success', 'failure', 'skipped'] as const;

const historyEventSchema: z.ZodType<HistoryEvent> = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('state'),
    check: z.string(),
    instance: z.string(),
    from: z.string(),
    to: z.string(),
    value: sampleValue.nullable(),
    at: z.number(),
  }),
  z.object({
    kind: z.literal('disruption'),
    jobId: z.string(),
    outcome: z.enum(DISRUPTION_OUTCOMES),
    message: z.string().optional(),
    startedAt: z.number(),
    durationMs: z.number(),
  }),
]);

const tickEntrySchema: z.ZodType<TickEntry> = z.object({
  jobId: z.string(),
  scheduledAt: z.number(),
  startedAt: z.number(),
  durationMs: z.number(),
  worker: z.string(),
});

// A state change on NaN or ±Inf keeps its value (plain JSON would turn it into null).
export const historyEventCodec: Codec<HistoryEvent> = jsonCodec(historyEventSchema, NUMBER_HOOKS);
export const tickEntryCodec: Codec<TickEntry> = jsonCodec(tickEntrySchema);

// ---- restore journal (one hash per suite, one field per changed object) ----

export interface ScaleIntent {
  kind: 'scale';
  namespace: string;
  deployment: string;
  /** Replicas before the disruption touched the deployment: what the restore sets back. */
  original: number;
  suite: string;
  jobId: string;
  /** Epoch ms when the intent was recorded. */
  at: number;
}

/** A `choose` step's pick: kept so the same job repeats the same choice (nothing to undo). */
export interface ChoiceRecord {
  kind: 'choice';
  /** The job and the choice's name: `<jobId>/<name>`. */
  key: string;
  name: string;
  seed: number;
  values: string[];
  suite: string;
  jobId: string;
  at: number;
}

/** An object an applyManifest/deleteManifest step changed: `original` null means it did not exist. */
export interface ObjectIntent {
  kind: 'object';
  /** `apiVersion/kind/namespace/name` ('' namespace for cluster-scoped objects). */
  key: string;
  ref: { apiVersion: string; kind: string; name: string; namespace?: string };
  original: Record<string, unknown> | null;
  suite: string;
  jobId: string;
  at: number;
}

/** A labelNamespace step's labels before it ran (null: absent); restore sets them back. */
export interface NamespaceLabelsIntent {
  kind: 'namespaceLabels';
  /** `namespace/label,label`. */
  key: string;
  namespace: string;
  original: Record<string, string | null>;
  /** Restart every deployment of the namespace after restoring the labels (sidecars re-injected). */
  restartDeployments: boolean;
  suite: string;
  jobId: string;
  at: number;
}

export type JournalEntry = ScaleIntent | ChoiceRecord | ObjectIntent | NamespaceLabelsIntent;

const journalMeta = { suite: z.string(), jobId: z.string(), at: z.number() };

const journalEntrySchema: z.ZodType<JournalEntry> = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('scale'),
    namespace: z.string(),
    deployment: z.string(),
    original: z.number().int().nonnegative(),
    ...journalMeta,
  }),
  z.object({ kind: z.literal('choice'), key: z.string(), name: z.string(), seed: z.number().int(), values: z.array(z.string()), ...journalMeta }),
  z.object({
    kind: z.literal('object'),
    key: z.string(),
    ref: z.object({ apiVersion: z.string(), kind: z.string(), name: z.string(), namespace: z.string().optional() }),
    original: z.record(z.string(), z.unknown()).nullable(),
    ...journalMeta,
  }),
  z.object({
    kind: z.literal('namespaceLabels'),
    key: z.string(),
    namespace: z.string(),
    original: z.record(z.string(), z.string().nullable()),
    restartDeployments: z.boolean(),
    ...journalMeta,
  }),
]);

export const journalEntryCodec: Codec<JournalEntry> = jsonCodec(journalEntrySchema);

// ---- benchmark runs (one string per run) and the journal of runs in progress ----

const nullableNumber = z.number().nullable();
const latencyRowSchema = z.object({
  Labels: z.string(), StartTime: z.string(), RequestedQPS: z.number(), ActualQPS: z.number(), NumThreads: z.number(), RunType: z.string(),
  ActualDuration: z.number(), min: z.number(), max: z.number(), avg: z.number(),
  p50: nullableNumber, p75: nullableNumber, p90: nullableNumber, p99: nullableNumber, p999: nullableNumber,
  errorPercent: nullableNumber, Payload: nullableNumber,
});
const benchResultSchema = z.object({
  runId: z.string(),
  suite: z.string(),
  istioVersion: z.string(),
  point: z.object({ mode: z.enum(BENCH_MODES), connections: z.number(), qps: z.union([z.number(), z.literal('max')]), payloadBytes: z.number() }),
  startedAt: z.number(),
  endedAt: z.number(),
  latency: latencyRowSchema,
  resources: z.array(z.object({ component: z.string(), cpuMilliAvg: nullableNumber, cpuMilliMax: nullableNumber, memMiAvg: nullableNumber, memMiMax: nullableNumber })),
  meshLatencyMs: z.object({ p50: nullableNumber, p90: nullableNumber, p99: nullableNumber }),
});
const benchRunSchema: z.ZodType<BenchRun> = z.object({
  id: z.string(),
  suite: z.string(),
  istioVersion: z.string(),
  state: z.enum(['running', 'done', 'stopped', 'failed']),
  startedAt: z.number(),
  finishedAt: z.number().nullable(),
  reason: z.string().optional(),
  results: z.array(benchResultSchema),
});

export const benchRunCodec: Codec<BenchRun> = jsonCodec(benchRunSchema);

/** A benchmark run in progress (benchmark/run-benchmark.ts defines it). */
export type BenchJournalEntry = JournalEntryOfBench;

const benchJournalSchema: z.ZodType<BenchJournalEntry> = z.object({
  runId: z.string(),
  suite: z.string(),
  fortioUrl: z.string(),
  fortioRunId: z.number().int().nullable(),
  owner: z.string(),
  startedAt: z.number(),
});

export const benchJournalCodec: Codec<BenchJournalEntry> = jsonCodec(benchJournalSchema);

/** A finished run's baseline samples: what comparing needs, a fraction of the whole run. */
export interface BenchSummary {
  runId: string;
  state: BenchRun['state'];
  samples: BaselineSample[];
}

const numberMap = z.record(z.string(), z.number());
const runStates = z.enum(['running', 'done', 'stopped', 'failed']);
/** The first format: every sample spelled out (component names repeated in each); still read. */
const benchSummaryV1: z.ZodType<BenchSummary> = z.object({
  runId: z.string(),
  state: runStates,
  samples: z.array(z.object({ runId: z.string(), istioVersion: z.string(), startedAt: z.number(), key: z.string(), p99: z.number().nullable(), cpu: numberMap, mem: numberMap })),
});
/** Arrays checked in one pass (a summary holds thousands of numbers; per-element schemas cost more than the JSON parse). */
const arrayOf = <T>(ok: (x: unknown) => boolean, what: string) => z.custom<T[]>((v) => Array.isArray(v) && v.every(ok), `expected an array of ${what}`);
const isFinite = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x);
const finiteNumbers = arrayOf<number>(isFinite, 'numbers');
const numbersOrNull = arrayOf<number | null>((x) => x === null || isFinite(x), 'numbers or null');
const strings = arrayOf<string>((x) => typeof x === 'string', 'strings');

/**
 * The compact format written now: column-wise, the run's id and version once, component
 * names once, and per column one value per point (`keys[i]` is point i; `cpu[c][i]` the CPU
 * of component c at point i, null: not measured). A quarter of the size of v1 and parsed
 * at about the cost of JSON.parse, which is what makes comparing against 100 stored runs
 * cheap (bench/benchmark-analysis.ts).
 */
const benchSummaryV2 = z
  .object({
    v: z.literal(2),
    runId: z.string(),
    state: runStates,
    istioVersion: z.string(),
    components: strings,
    keys: strings,
    startedAt: finiteNumbers,
    p99: numbersOrNull,
    cpu: z.array(numbersOrNull),
    mem: z.array(numbersOrNull),
  })
  .refine((c) => {
    const n = c.keys.length;
    const column = (xs: unknown[]) => xs.length === n;
    return column(c.startedAt) && column(c.p99) && [c.cpu, c.mem].every((per) => per.length === c.components.length && per.every(column));
  }, 'columns of different lengths');

function encodeSummary(s: BenchSummary): string {
  const components = [...new Set(s.samples.flatMap((x) => [...Object.keys(x.cpu), ...Object.keys(x.mem)]))];
  const column = (of: (x: BenchSummary['samples'][number]) => Record<string, number>) => components.map((c) => s.samples.map((x) => of(x)[c] ?? null));
  return JSON.stringify({
    v: 2, runId: s.runId, state: s.state, istioVersion: s.samples[0]?.istioVersion ?? '', components,
    keys: s.samples.map((x) => x.key), startedAt: s.samples.map((x) => x.startedAt), p99: s.samples.map((x) => x.p99), cpu: column((x) => x.cpu), mem: column((x) => x.mem),
  });
}

function expandSummary(c: z.output<typeof benchSummaryV2>): BenchSummary {
  const at = (columns: Array<Array<number | null>>, i: number): Record<string, number> => {
    const out: Record<string, number> = {};
    c.components.forEach((name, k) => {
      const v = columns[k]?.[i];
      if (v !== null && v !== undefined) out[name] = v;
    });
    return out;
  };
  const samples = c.keys.map((key, i) => ({ runId: c.runId, istioVersion: c.istioVersion, startedAt: c.startedAt[i] as number, key, p99: c.p99[i] ?? null, cpu: at(c.cpu, i), mem: at(c.mem, i) }));
  return { runId: c.runId, state: c.state, samples };
}

const benchSummaryV1Codec = jsonCodec(benchSummaryV1);
const benchSummaryV2Codec = jsonCodec(benchSummaryV2);

export const benchSummaryCodec: Codec<BenchSummary> = {
  encode: encodeSummary,
  parse(text) {
    // A v1 record has no "v"; anything else goes through the v2 schema and says what is wrong.
    if (!text.includes('"v":')) return benchSummaryV1Codec.parse(text);
    const parsed = benchSummaryV2Codec.parse(text);
    return parsed.kind === 'ok' ? { kind: 'ok', value: expandSummary(parsed.value) } : parsed;
  },
};

// ---- the run ledger (a sorted set per suite, by time) and its open disruption windows ----

/** One step of a disruption as it ran. */
export interface LedgerStep {
  what: string;
  outcome: 'success' | 'failure';
  startedAt: number;
  endedAt: number;
}

/** Kubernetes evidence captured when a check started failing (verdict/evidence.ts bounds it). */
export type { Evidence };

export type LedgerEntry =
  | { kind: 'state'; suite: string; check: string; from: CheckStateName; to: CheckStateName; value: number | null; at: number }
  | {
      kind: 'disruption';
      id: string;
      suite: string;
      startedAt: number;
      at: number;
      outcome: 'success' | 'failure' | 'skipped';
      /** Why it failed or was skipped. */
      reason?: string;
      /** Bounded key of the skip reason, as counted in disruption_skips_total. */
      skip?: string;
      steps: LedgerStep[];
    }
  | { kind: 'impact'; id: string; suite: string; at: number; checks: Impact['checks']; recovery: Recovery }
  | { kind: 'evidence'; suite: string; check: string; at: number; evidence: Evidence };

/** One span of an Istio version: first and last tick that saw it. */
export interface VersionSpan {
  version: string;
  source: string;
  firstSeen: number;
  lastSeen: number;
}

const phaseSchema: z.ZodType<ImpactPhase> = z.enum(['before', 'during', 'after']);
const recoverySchema: z.ZodType<Recovery> = z.discriminatedUnion('status', [
  z.object({ status: z.literal('pending') }),
  z.object({ status: z.literal('recovered'), seconds: z.number(), at: z.number() }),
  z.object({ status: z.literal('not-recovered'), boundSeconds: z.number(), notOk: z.array(z.string()) }),
  z.object({ status: z.literal('no-checks') }),
]);
const stepSchema = z.object({ what: z.string(), outcome: z.enum(['success', 'failure']), startedAt: z.number(), endedAt: z.number() });
const evidenceSchema: z.ZodType<Evidence> = z.object({
  events: z.array(z.object({ at: z.string(), type: z.string(), reason: z.string(), object: z.string(), message: z.string() })),
  pods: z.array(z.object({ name: z.string(), phase: z.string(), ready: z.string(), restarts: z.number(), reason: z.string().optional() })),
  note: z.string().optional(),
  namespaces: z.array(z.string()).optional(),
});

const ledgerEntrySchema: z.ZodType<LedgerEntry> = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('state'), suite: z.string(), check: z.string(), from: checkState, to: checkState, value: sampleValue.nullable(), at: z.number() }),
  z.object({
    kind: z.literal('disruption'),
    id: z.string(),
    suite: z.string(),
    startedAt: z.number(),
    at: z.number(),
    outcome: z.enum(DISRUPTION_OUTCOMES),
    reason: z.string().optional(),
    skip: z.string().optional(),
    steps: z.array(stepSchema),
  }),
  z.object({
    kind: z.literal('impact'),
    id: z.string(),
    suite: z.string(),
    at: z.number(),
    checks: z.array(z.object({ suite: z.string(), check: z.string(), phases: z.array(phaseSchema) })),
    recovery: recoverySchema,
  }),
  z.object({ kind: z.literal('evidence'), suite: z.string(), check: z.string(), at: z.number(), evidence: evidenceSchema }),
]);

// The number hooks only for an entry that needs them (a NaN/Infinity value): a reviver called
// for every key tripled the cost of reading a day of ledger for the report.
export const ledgerEntryCodec: Codec<LedgerEntry> = jsonCodec(ledgerEntrySchema, NUMBER_HOOKS);

/**
 * Ledger entries from one JSON array text (a range read in one piece: ledger.ts joins the rows
 * in Redis), each checked by the entry schema; undefined when the text is not a JSON array
 * (a row that is not JSON spoils the whole: the caller reads row by row then).
 */
export function parseLedgerArray(text: string): Array<Parsed<LedgerEntry>> | undefined {
  let values: unknown;
  try {
    values = text.includes('"$num"') ? JSON.parse(text, reviveNumbers) : JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(values)) return undefined;
  return values.map((v): Parsed<LedgerEntry> => {
    const result = ledgerEntrySchema.safeParse(v);
    return result.success ? { kind: 'ok', value: result.data } : { kind: 'corrupt', reason: issuesText(result.error) };
  });
}

const windowSchema: z.ZodType<DisruptionWindow> = z.object({
  id: z.string(),
  suite: z.string(),
  startedAt: z.number(),
  endedAt: z.number().nullable(),
  before: z.record(z.string(), checkState),
});

export const disruptionWindowCodec: Codec<DisruptionWindow> = jsonCodec(windowSchema);

const versionSpanSchema: z.ZodType<VersionSpan> = z.object({ version: z.string(), source: z.string(), firstSeen: z.number(), lastSeen: z.number() });

export const versionSpanCodec: Codec<VersionSpan> = jsonCodec(versionSpanSchema);
