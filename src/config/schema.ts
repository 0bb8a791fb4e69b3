// The zod 4 schemas of the config file and of suite.yaml: field names, types, defaults
// and per-field validation (durations, cron, PromQL, conditions, templates). Cross-field
// rules (exactly one of every/cron, unique check names) live in cross-checks.ts because
// zod skips refinements of a collection whose items already failed, and every problem
// must be reported at once. The same schemas produce the editors' JSON Schema.

import cron from 'node-cron';
import { z } from 'zod';
import { parseCondition } from '../checks/condition.js';
import { parseDuration } from '../checks/duration.js';
import { messageTemplateError } from './message-template.js';
import { promqlSyntaxError } from './promql-syntax.js';
import { labelSelectorProblem } from './label-selector.js';

export const DURATION_PATTERN = '^(0|([0-9]+y)?([0-9]+w)?([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?([0-9]+ms)?)$';
export const NAME_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The sink name of notify.alertmanager (src/adapters/notify/sinks.ts ALERTMANAGER_SINK). */
const RESERVED_SINK = 'alertmanager';

type Ctx = { addIssue: (issue: { code: 'custom'; message: string }) => void };

const notUndefined = (message: string) => (iss: { input: unknown }) => (iss.input === undefined ? undefined : message);

/**
 * A duration; with `atLeast` (e.g. '1s'), shorter ones are refused: a zero tick or
 * schedule would run back to back.
 */
export function duration(what?: { name: string; atLeast: string }) {
  const minMs = what ? parseDuration(what.atLeast) : 0;
  return z
    .string({ error: notUndefined('expected a duration such as 500ms, 30s, 5m or 1h') })
    .superRefine((s: string, ctx: Ctx) => {
      const r = parseDuration(s);
      if (typeof r !== 'number') ctx.addIssue({ code: 'custom', message: r.error });
      else if (what && typeof minMs === 'number' && r < minMs) {
        ctx.addIssue({ code: 'custom', message: `${what.name} must be at least ${what.atLeast}, got "${s}"` });
      }
    })
    .meta({ pattern: DURATION_PATTERN, description: 'Prometheus-style duration: 500ms, 30s, 5m, 1h30m' });
}

function cronExpression() {
  return z
    .string({ error: notUndefined('expected a cron expression such as "*/5 * * * *"') })
    .superRefine((s: string, ctx: Ctx) => {
      const r = cron.validateDetailed(s);
      if (!r.valid) {
        const why = r.errors.map((e) => e.message).join('; ');
        ctx.addIssue({ code: 'custom', message: `"${s}" is not a valid cron expression: ${why}` });
      }
    })
    .meta({ description: 'cron expression, 5 fields (or 6 with seconds)' });
}

export function promql() {
  return z
    .string({ error: notUndefined('expected a PromQL expression') })
    .superRefine((s: string, ctx: Ctx) => {
      const e = promqlSyntaxError(s);
      if (e) ctx.addIssue({ code: 'custom', message: e });
    });
}

function httpUrl() {
  return z.string({ error: notUndefined('expected a URL') }).superRefine((s: string, ctx: Ctx) => {
    // The value may hold a secret from the environment: never echo it.
    if (!isUrl(s, ['http:', 'https:'])) ctx.addIssue({ code: 'custom', message: 'not a valid http:// or https:// URL' });
  });
}

function redisUrl() {
  return z.string({ error: notUndefined('expected a URL') }).superRefine((s: string, ctx: Ctx) => {
    if (!isUrl(s, ['redis:', 'rediss:'])) ctx.addIssue({ code: 'custom', message: 'not a valid redis:// or rediss:// URL' });
  });
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The name of an environment variable (never its value: secrets stay out of the file). */
function envName() {
  return z.string().regex(ENV_NAME, { message: 'expected the name of an environment variable, such as REDIS_PASSWORD' });
}

const hostPort = z.strictObject({ host: z.string().min(1), port: z.int().min(1).max(65535) });

/**
 * How to reach Redis: the URL (host, port, database; credentials only as ${VAR}), an ACL
 * username, the password's environment variable, TLS with a CA file (paths relative to the
 * config file; rediss:// turns TLS on too), Sentinel (the sentinels to ask and the master's
 * name) or Redis Cluster (seed nodes; keys then go under the hash-tagged prefix {mesh-soak}).
 */
function redisSection() {
  return z
    .strictObject({
      url: redisUrl().default('redis://127.0.0.1:6379'),
      username: z.string().min(1).optional().meta({ description: 'ACL user (ACL SETUSER); the password comes from passwordEnv' }),
      passwordEnv: envName().optional().meta({ description: 'environment variable holding the Redis password' }),
      tls: z
        .strictObject({ caFile: z.string().min(1), certFile: z.string().min(1).optional(), keyFile: z.string().min(1).optional() })
        .superRefine((t, ctx) => {
          if ((t.certFile === undefined) !== (t.keyFile === undefined)) ctx.addIssue({ code: 'custom', message: 'certFile and keyFile go together: give both or neither' });
        })
        .optional(),
      sentinels: z.array(hostPort).min(1).optional(),
      sentinelName: z.string().min(1).optional(),
      sentinelPasswordEnv: envName().optional().meta({ description: 'environment variable holding the Sentinels\' own password' }),
      cluster: z.strictObject({ nodes: z.array(hostPort).min(1) }).optional().meta({ description: 'Redis Cluster seed nodes' }),
    })
    .superRefine((r, ctx) => {
      if (r.sentinels && !r.sentinelName) ctx.addIssue({ code: 'custom', path: ['sentinelName'], message: "sentinels need sentinelName: the master's name" });
      if (r.sentinelName && !r.sentinels) ctx.addIssue({ code: 'custom', path: ['sentinels'], message: 'sentinelName needs sentinels: [{ host, port }]' });
      if (r.sentinelPasswordEnv && !r.sentinels) ctx.addIssue({ code: 'custom', path: ['sentinelPasswordEnv'], message: 'sentinelPasswordEnv needs sentinels' });
      if (r.cluster && r.sentinels) ctx.addIssue({ code: 'custom', path: ['cluster'], message: 'give either cluster or sentinels, not both' });
      if (r.cluster && urlDatabase(r.url) > 0) ctx.addIssue({ code: 'custom', path: ['url'], message: 'Redis Cluster has only database 0: drop the /N from the URL' });
    })
    .default({ url: 'redis://127.0.0.1:6379' });
}

function urlDatabase(url: string): number {
  try {
    return Number(new URL(url).pathname.replace(/^\//, '') || 0);
  } catch {
    return 0;
  }
}

function isUrl(s: string, protocols: string[]): boolean {
  try {
    const u = new URL(s);
    return protocols.includes(u.protocol) && u.host !== '';
  } catch {
    return false;
  }
}

function messageTemplate() {
  return z.string().superRefine((s: string, ctx: Ctx) => {
    const e = messageTemplateError(s);
    if (e) ctx.addIssue({ code: 'custom', message: e });
  });
}

/**
 * A mapping whose keys the user names (labels, headers, env, params). zod drops a
 * `__proto__` key from a record without a word (as a plain object key it would set the
 * prototype), so it is refused here, before the record sees it.
 */
function noProtoKey<S extends z.ZodType>(record: S) {
  return z.preprocess((v, ctx) => {
    if (typeof v === 'object' && v !== null && Object.hasOwn(v, '__proto__')) {
      ctx.addIssue({ code: 'custom', path: ['__proto__'], input: v, message: "'__proto__' cannot be used as a name here" });
    }
    return v;
  }, record);
}

export function userKeyedMap<V extends z.ZodType>(value: V) {
  return noProtoKey(z.record(z.string(), value));
}

const stringMap = () => userKeyedMap(z.string());

// RFC 9110 token: what undici accepts as a header name.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Control characters other than tab: CR/LF would let a value inject headers, and undici
// refuses them only at request time, turning every check unknown. The value may be a
// secret (a token from the environment): the message never echoes it.
// eslint-disable-next-line no-control-regex
const HEADER_VALUE_BAD = /[\x00-\x08\x0a-\x1f\x7f]/;

function headerMap() {
  return noProtoKey(
    z.record(
      z.string().regex(HEADER_NAME, { message: 'not a valid HTTP header name' }),
      z.string().refine((v) => !HEADER_VALUE_BAD.test(v), { message: 'header values cannot contain control characters' }),
    ),
  );
}

export const scheduleSchema = z
  .strictObject({
    every: duration({ name: 'every', atLeast: '1s' }).optional(),
    cron: cronExpression().optional(),
  })
  .meta({ description: 'exactly one of every or cron' });

export const paramValue = z.union([z.string(), z.number(), z.boolean()]);
export const paramsSchema = z.record(z.string(), paramValue);

/** A `logs` check's source (checks/logs.ts): pod log lines matching `pattern` over `window`. */
const logsSchema = z.strictObject({
  namespace: z.string().regex(DNS_LABEL, { message: 'not a valid Kubernetes namespace name' }),
  selector: z.string().min(1).optional(),
  containers: z.array(z.string().min(1)).min(1).optional(),
  pattern: z
    .string()
    .min(1)
    .max(1000)
    .refine(
      (p) => {
        try {
          new RegExp(p, 'i');
          return true;
        } catch {
          return false;
        }
      },
      { message: 'not a valid regular expression' },
    ),
  window: duration({ name: 'window', atLeast: '1s' }).default('1h'),
  interval: duration({ name: 'interval', atLeast: '1s' }).default('5m'),
  maxBytesPerContainer: z.int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024).meta({ description: 'bytes read per container (limitBytes)' }),
  maxPods: z.int().min(1).max(1000).default(50),
});

function conditionText() {
  return z.string({ error: notUndefined('expected a condition such as "> 0" or "outside 1..10" (quoted)') }).superRefine((s: string, ctx: Ctx) => {
    const c = parseCondition(s);
    if ('error' in c) ctx.addIssue({ code: 'custom', message: c.error });
  });
}

/** Other conditions while the suite is disrupted (`during`) and for `grace` after (`after`). */
const phasesSchema = z
  .strictObject({
    steady: z.strictObject({ fail: conditionText() }).optional(),
    during: z.strictObject({ fail: conditionText() }).optional(),
    after: z.strictObject({ grace: duration({ name: 'grace', atLeast: '1s' }), fail: conditionText() }).optional(),
  })
  .meta({ description: 'fail conditions by phase: steady (replaces fail), during a disruption, after one for `grace`' });

export const checkSchema = z.strictObject({
  name: z
    .string()
    .regex(NAME_PATTERN, { message: 'a check name is lower-case letters, digits, "-" and "_", starting with a letter or digit' }),
  query: promql().optional(),
  logs: logsSchema.optional().meta({ description: 'a logs check: counts matching pod log lines instead of a PromQL query' }),
  fail: conditionText(),
  for: duration().default('0s'),
  keepFiringFor: duration().default('0s'),
  noData: z.enum(['ok', 'unknown', 'fail']).default('unknown'),
  nan: z.enum(['ok', 'unknown', 'fail']).default('unknown').meta({ description: 'what a NaN value (0/0) means: ok, unknown (default) or fail' }),
  errorLimit: z.int().min(1).default(3),
  severity: z.enum(['info', 'warning', 'critical']).default('warning'),
  summary: messageTemplate().optional(),
  description: messageTemplate().optional(),
  labels: stringMap().default({}),
  phases: phasesSchema.optional(),
}).superRefine((c, ctx) => {
  // Neither: the message a missing required field gets (a `logs` check is the exception, not the rule).
  if (c.query === undefined && c.logs === undefined) ctx.addIssue({ code: 'custom', path: ['query'], message: "missing required field 'query'" });
  if (c.query !== undefined && c.logs !== undefined) ctx.addIssue({ code: 'custom', path: ['logs'], message: 'a check has either query (PromQL) or logs, not both' });
});

export const suiteEntrySchema = z.strictObject({
  use: z.string().min(1),
  enabled: z.boolean().default(true),
  schedule: scheduleSchema.optional(),
  params: paramsSchema.default({}),
  tick: duration({ name: 'tick', atLeast: '1s' }).optional(),
  locks: z
    .array(z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, { message: 'a lock is a resource name such as istio-system (lower-case letters, digits, "-" and ".")' }))
    .max(16)
    .optional()
    .meta({ description: 'shared resources a disruption of this suite holds; suites sharing one never disrupt at the same time' }),
  overlap: z
    .union([z.literal('skip'), z.strictObject({ wait: duration({ name: 'wait', atLeast: '1s' }) })])
    .optional()
    .meta({ description: 'when a lock is held: skip (default), or { wait: 5m } at most' }),
  missedRunDeadline: duration({ name: 'missedRunDeadline', atLeast: '1s' })
    .optional()
    .meta({ description: 'a scheduled disruption that cannot start within this of its slot is skipped, not run late' }),
  clusters: z
    .array(z.string().min(1))
    .min(1)
    .optional()
    .meta({ description: 'the clusters (names from clusters:) this suite runs on; absent: every cluster' }),
});

/** One Prometheus to check against: the top-level section, or a cluster's (clusters[].prometheus). */
function prometheusSection() {
  return z.strictObject({
      url: httpUrl(),
      timeout: duration().default('10s'),
      headers: headerMap().default({}),
      concurrency: z.int().min(1).default(16),
      // Bounds on what one answer may hold: past either, the check is unknown with the reason
      // and the response is abandoned as soon as the limit is reached (never buffered whole).
      maxBodyBytes: z.int().min(1024).default(16 * 1024 * 1024).meta({ description: 'Largest response body read from Prometheus, in bytes (default 16 MiB)' }),
      maxSeries: z.int().min(1).default(10_000).meta({ description: 'Most series one query may return (default 10000)' }),
      maxInstancesPerCheck: z.int().min(1).default(1000).meta({ description: 'Instances one check tracks; series past it are counted, not stored (default 1000)' }),
      recordingRules: z
        .strictObject({
          maxAge: duration({ name: 'maxAge', atLeast: '1s' })
            .optional()
            .meta({ description: 'a recorded result older than this is not used (its check is queried directly); default twice the longest tick plus 30s' }),
        })
        .optional()
        .meta({ description: "read the checks' results from the recording rules `mesh-soak rules` prints, loaded into this Prometheus; absent: every check is queried" }),
  });
}

/** clusters[]: one target (issue 15): its Kubernetes API and its Prometheus (docs/design-many-clusters.md). */
const clusterSchema = z.strictObject({
  name: z.string().regex(NAME_PATTERN, { message: 'a cluster name is lower-case letters, digits, "-" and "_", starting with a letter or digit' }),
  kubernetes: z
    .strictObject({
      kubeconfig: z.string().nullable().optional(),
      context: z.string().min(1).optional().meta({ description: "the kubeconfig's context to use (absent: its current context)" }),
    })
    .default({}),
  prometheus: prometheusSection(),
});

export const configSchema = z
  .strictObject({
    // Required unless clusters: is given (load-config.ts checkClusters says so, located).
    prometheus: prometheusSection().optional(),
    clusters: z
      .array(clusterSchema)
      .min(1)
      .optional()
      .meta({ description: 'several target clusters, each with its Kubernetes API and Prometheus; absent: one cluster from the top-level kubernetes and prometheus' }),
    redis: redisSection(),
    kubernetes: z.strictObject({ kubeconfig: z.string().nullable().optional() }).optional(),
    tick: duration({ name: 'tick', atLeast: '1s' }).default('30s'),
    http: z
      .strictObject({
        port: z.int().min(1).max(65535).default(9464),
        requireTokenForStatus: z.boolean().default(false).meta({ description: '/api/v1/status needs the admin bearer token (MESH_SOAK_ADMIN_TOKEN)' }),
      })
      .default({ port: 9464, requireTokenForStatus: false }),
    grafana: z
      .strictObject({ url: httpUrl() })
      .optional()
      .meta({ description: 'Grafana as users open it: the report and the status page link to its dashboards' }),
    ledger: z
      .strictObject({
        maxEntries: z.int().min(100).max(1_000_000).default(20_000).meta({ description: 'run-ledger entries kept per suite (default 20000)' }),
        maxAge: duration({ name: 'maxAge', atLeast: '1m' }).default('7d').meta({ description: 'run-ledger entries older than this are dropped (default 7d)' }),
        recoveryBound: duration({ name: 'recoveryBound', atLeast: '10s' }).default('10m').meta({ description: 'after a disruption, how long until a suite still not ok counts as not recovered (default 10m)' }),
        settle: duration().default('30s').meta({ description: 'how long every check must stay ok for a recovery to count (default 30s)' }),
      })
      .default({ maxEntries: 20_000, maxAge: '7d', recoveryBound: '10m', settle: '30s' }),
    notify: z
      .strictObject({
        alertmanager: z.strictObject({ url: httpUrl(), resend: duration().default('1m') }).optional(),
        webhooks: z
          .array(
            z.strictObject({
              // The name labels notifications_total{sink}: the built-in sink's name is taken.
              name: z
                .string()
                .min(1)
                .superRefine((n: string, ctx: Ctx) => {
                  if (n === RESERVED_SINK) ctx.addIssue({ code: 'custom', message: `'${RESERVED_SINK}' is reserved for notify.alertmanager; choose another webhook name` });
                }),
              url: httpUrl(),
              format: z.enum(['json', 'slack']).default('json'),
              headers: headerMap().default({}),
            }),
          )
          .superRefine((hooks, ctx) => {
            // Two webhooks of one name would share one metric series and one log name.
            const first = new Map<string, number>();
            hooks.forEach((h, i) => {
              const seen = first.get(h.name);
              if (seen === undefined) first.set(h.name, i);
              else ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate webhook name '${h.name}' (first used by notify.webhooks.${seen})` });
            });
          })
          .default([]),
      })
      .default({ webhooks: [] }),
    suites: z.array(suiteEntrySchema).default([]),
    checks: z.array(checkSchema).default([]),
  })
  .meta({ title: 'mesh-soak configuration' });

export type ConfigInput = z.output<typeof configSchema>;
export type CheckInput = z.output<typeof checkSchema>;
export type SuiteEntryInput = z.output<typeof suiteEntrySchema>;
export type ScheduleInput = z.output<typeof scheduleSchema>;

const BENCH_MODE_NAMES = ['both', 'serversidecar', 'clientsidecar', 'baseline', 'ingress'] as const;
const positiveInts = () => z.array(z.int().min(1)).min(1);
const percent = z.number().min(0).max(10_000).meta({ description: 'percent increase over the baseline' });

/** A suite's `benchmark:` section (src/benchmark/model.ts BenchmarkSpec; docs/operator.md). */
export const benchmarkSchema = z.strictObject({
  schedule: scheduleSchema.optional(),
  fortio: z.strictObject({ url: httpUrl(), via: z.enum(['direct', 'apiserver']).default('direct') }),
  modes: z.array(z.enum(BENCH_MODE_NAMES)).min(1).default(['both', 'baseline']),
  connections: positiveInts(),
  qps: z.array(z.union([z.number().positive(), z.literal('max')])).min(1),
  payloadBytes: z.array(z.int().min(0)).min(1).default([1024]),
  duration: duration({ name: 'duration', atLeast: '1s' }).default('240s'),
  warmup: duration().default('62s'),
  cooldown: duration().default('30s'),
  step: duration({ name: 'step', atLeast: '1s' }).default('15s'),
  targets: z.partialRecord(z.enum(BENCH_MODE_NAMES), httpUrl()).default({}),
  istioVersion: z.string().min(1).default('unknown'),
  regression: z
    .strictObject({
      baseline: z.union([z.strictObject({ pinned: z.string().min(1) }), z.strictObject({ lastN: z.int().min(1).max(100) })]).default({ lastN: 5 }),
      p99: percent.default(10),
      cpu: percent.default(15),
      mem: percent.optional(),
    })
    .default({ baseline: { lastN: 5 }, p99: 10, cpu: 15 }),
  keepRuns: z.int().min(1).max(10_000).default(200),
});

export const suiteFileSchema = z.strictObject({
  name: z.string().regex(NAME_PATTERN, { message: 'a suite name is lower-case letters, digits, "-" and "_"' }),
  description: z.string().default(''),
  namespace: z.string().regex(DNS_LABEL, { message: 'not a valid Kubernetes namespace name' }),
  params: userKeyedMap(paramValue).default({}),
  manifests: z.array(z.string().min(1)).default([]),
  disruption: z
    .strictObject({
      schedule: scheduleSchema.optional(),
      // Each step is checked against its own schema (stepSchemas), for precise messages.
      steps: z.array(z.unknown()).min(1),
    })
    .optional(),
  guard: promql().optional(),
  checks: z.array(checkSchema).default([]),
  benchmark: benchmarkSchema.optional(),
});

export type SuiteFileInput = z.output<typeof suiteFileSchema>;

const target = { deployment: z.string().min(1), namespace: z.string().min(1).optional() };

/** A placeholder filled when the step runs (`{{choice.NAME}}` of a choose step). */
const RUNTIME_PLACEHOLDER = /\{\{\s*choice\.[A-Za-z0-9_]+\s*\}\}/g;

/**
 * A label selector the API server accepts (label-selector.ts); `''` selects everything. A
 * `{{choice.NAME}}` placeholder stands for a label value here: its values are checked
 * where they are listed, the selector's shape here.
 */
function labelSelector() {
  return z.string().superRefine((s: string, ctx: Ctx) => {
    const problem = labelSelectorProblem(s.replace(RUNTIME_PLACEHOLDER, 'x'));
    if (problem) ctx.addIssue({ code: 'custom', message: `not a valid label selector: ${problem}` });
  });
}
const envValue = z.union([z.string(), z.number(), z.boolean()]);

/** A file inside the suite folder: relative, no `..`. */
const suiteFile = () =>
  z
    .string()
    .min(1)
    .refine((f) => !f.startsWith('/') && !f.split(/[\\/]/).includes('..'), { message: 'a file in the suite folder (relative, without "..")' });

const COUNT_RANGE = /^\d{1,3}\.\.\d{1,3}$/;

export const stepSchemas = {
  rolloutRestart: z.strictObject({ ...target }),
  waitRollout: z.strictObject({ ...target, timeout: duration().default('5m') }),
  scale: z.strictObject({ ...target, replicas: z.int().min(0) }),
  setEnv: z.strictObject({ namespace: z.string().min(1).optional(), selector: labelSelector().optional(), env: userKeyedMap(envValue) }),
  deletePods: z.strictObject({
    selector: labelSelector().min(1),
    namespace: z.string().min(1).optional(),
    keep: z.int().min(0).default(0),
  }),
  sleep: z.strictObject({ duration: duration() }),
  // Step kinds of the chaos and canary suites (docs/suites.md).
  choose: z
    .strictObject({
      name: z.string().regex(/^[a-z][A-Za-z0-9_]*$/, { message: 'a choice name is a letter followed by letters, digits and "_" (used as {{choice.NAME}})' }),
      from: z.array(z.string().min(1)).min(1),
      count: z.union([z.int().min(1), z.string().regex(COUNT_RANGE, { message: 'a count is a number or a range "A..B"' })]).default(1),
      seed: z.int().min(0).max(2 ** 32 - 1).optional(),
    })
    .superRefine((v, ctx) => {
      const [min, max] = countRange(v.count);
      if (min > max || min < 1) ctx.addIssue({ code: 'custom', path: ['count'], message: `the range ${String(v.count)} is empty` });
      else if (max > v.from.length) ctx.addIssue({ code: 'custom', path: ['count'], message: `cannot choose ${max} of ${v.from.length} values` });
      if (new Set(v.from).size !== v.from.length) ctx.addIssue({ code: 'custom', path: ['from'], message: 'the values to choose from repeat' });
    }),
  applyManifest: z.strictObject({ file: suiteFile() }),
  deleteManifest: z.strictObject({ file: suiteFile() }),
  labelNamespace: z.strictObject({
    namespace: z.string().min(1).optional(),
    labels: userKeyedMap(z.union([z.string(), z.null()])).refine((m) => Object.keys(m).length > 0, { message: 'name at least one label' }),
    restartDeployments: z.boolean().default(false),
  }),
} as const;

/** `count: 2` or `count: "1..3"` of a choose step, as [min, max]. */
export function countRange(count: number | string): [number, number] {
  if (typeof count === 'number') return [count, count];
  const [a, b] = count.split('..').map(Number);
  return [a ?? 0, b ?? 0];
}

export type StepKind = keyof typeof stepSchemas;
export const STEP_KINDS = Object.keys(stepSchemas) as StepKind[];
