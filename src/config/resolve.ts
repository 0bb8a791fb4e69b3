// From validated schema output to the resolved model types: durations to milliseconds,
// conditions parsed, message templates in canonical form.

import { parseCondition } from '../checks/condition.js';
import { parseDuration } from '../checks/duration.js';
import type { CheckSpec, Condition, Schedule } from './model.js';
import { canonicalMessageTemplate } from './message-template.js';
import { describeLogs } from '../checks/logs.js';
import type { LogsQuery } from '../checks/model.js';
import type { CheckInput, ScheduleInput } from './schema.js';

/** Milliseconds of a duration the schema already accepted. */
export function ms(text: string): number {
  const r = parseDuration(text);
  if (typeof r !== 'number') throw new Error(`internal: unvalidated duration ${text}`);
  return r;
}

function condition(text: string): Condition {
  const c = parseCondition(text);
  if ('error' in c) throw new Error(`internal: unvalidated condition ${text}`);
  return c;
}

export function toSchedule(s: ScheduleInput | undefined): Schedule | undefined {
  if (!s) return undefined;
  if (s.every !== undefined) return { every: ms(s.every) };
  if (s.cron !== undefined) return { cron: s.cron };
  return undefined;
}

export function toCheckSpec(c: CheckInput): CheckSpec {
  const logs = c.logs && toLogsQuery(c.logs);
  const spec: CheckSpec = {
    name: c.name,
    query: c.query ?? (logs ? describeLogs(logs) : ''),
    ...(logs ? { logs } : {}),
    fail: condition(c.fail),
    forMs: ms(c.for),
    keepFiringForMs: ms(c.keepFiringFor),
    noData: c.noData,
    nan: c.nan,
    errorLimit: c.errorLimit,
    severity: c.severity,
    labels: { ...c.labels },
  };
  if (c.summary !== undefined) spec.summary = canonicalMessageTemplate(c.summary);
  if (c.description !== undefined) spec.description = canonicalMessageTemplate(c.description);
  if (c.phases) spec.phases = toPhases(c.phases);
  return spec;
}

function toLogsQuery(l: NonNullable<CheckInput['logs']>): LogsQuery {
  return {
    namespace: l.namespace,
    ...(l.selector !== undefined ? { selector: l.selector } : {}),
    ...(l.containers !== undefined ? { containers: l.containers } : {}),
    pattern: l.pattern,
    windowMs: ms(l.window),
    intervalMs: ms(l.interval),
    maxBytesPerContainer: l.maxBytesPerContainer,
    maxPods: l.maxPods,
  };
}

function toPhases(p: NonNullable<CheckInput['phases']>): NonNullable<CheckSpec['phases']> {
  return {
    ...(p.steady ? { steady: { fail: condition(p.steady.fail) } } : {}),
    ...(p.during ? { during: { fail: condition(p.during.fail) } } : {}),
    ...(p.after ? { after: { graceMs: ms(p.after.grace), fail: condition(p.after.fail) } } : {}),
  };
}
