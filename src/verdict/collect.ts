// Gathers a report's input through a function-shaped port (the run ledger and the check
// records: adapters/redis/ledger.ts and check-store.ts, wired by src/app/) and builds it.
// Also parses the report's time range (`--since 24h` or `--from T --to T`), the same for the
// CLI and /report. Failures are data: a range problem is a message, never a throw.

import { parseDuration } from '../checks/duration.js';
import type { CheckStateName } from '../checks/types.js';
import { buildReport, type Report, type ReportEntry, type ReportInput } from './report.js';

/** Entries read per suite: a day of a flapping 20-check suite fits many times over. */
export const MAX_ENTRIES_PER_SUITE = 50_000;
/** The longest range a report covers. */
export const MAX_RANGE_MS = 31 * 24 * 3600_000;

export interface ReportSource {
  range(suite: string, from: number, to: number, limit: number): Promise<ReportEntry[]>;
  versions(from: number, to: number): Promise<ReportInput['versions']>;
  states(suite: string): Promise<Record<string, CheckStateName>>;
}

export interface ReportScope {
  suites: Array<{ name: string; checks: string[] }>;
  links: ReportInput['links'];
}

export async function collectReport(source: ReportSource, scope: ReportScope, range: { from: number; to: number }, now: number): Promise<Report> {
  const entries = new Map<string, ReportEntry[]>();
  const current: Record<string, CheckStateName> = {};
  await Promise.all(
    scope.suites.map(async (s) => {
      const [rows, states] = await Promise.all([source.range(s.name, range.from, range.to, MAX_ENTRIES_PER_SUITE), source.states(s.name)]);
      entries.set(s.name, rows);
      for (const [check, state] of Object.entries(states)) current[`${s.name}/${check}`] = state;
    }),
  );
  const versions = await source.versions(range.from, range.to);
  return buildReport({ ...range, generatedAt: now, suites: scope.suites, entries, current, versions, links: scope.links });
}

export type RangeResult = { ok: true; from: number; to: number } | { ok: false; problem: string };

/** `since` (a duration back from now) or `from`/`to` (ISO 8601 or epoch seconds; `to` defaults to now). */
export function parseRange(o: { since?: string; from?: string; to?: string }, now: number): RangeResult {
  if (o.since !== undefined && (o.from !== undefined || o.to !== undefined)) return { ok: false, problem: '--since cannot go with --from/--to' };
  if (o.since !== undefined || o.from === undefined) {
    const text = o.since ?? '24h';
    const d = parseDuration(text);
    if (typeof d !== 'number') return { ok: false, problem: `--since: ${d.error}` };
    if (d <= 0 || d > MAX_RANGE_MS) return { ok: false, problem: `--since: "${text}" must be more than 0s and at most 31 days` };
    return { ok: true, from: now - d, to: now };
  }
  const from = parseTime(o.from);
  const to = o.to === undefined ? now : parseTime(o.to);
  if (from === undefined) return { ok: false, problem: `--from: "${o.from}" is not a time (ISO 8601 such as 2026-12-01T10:00:00Z, or epoch seconds)` };
  if (to === undefined) return { ok: false, problem: `--to: "${o.to ?? ''}" is not a time (ISO 8601 such as 2026-12-01T10:00:00Z, or epoch seconds)` };
  if (to <= from) return { ok: false, problem: '--to must be after --from' };
  if (to - from > MAX_RANGE_MS) return { ok: false, problem: 'the range is longer than 31 days' };
  return { ok: true, from, to };
}

function parseTime(text: string): number | undefined {
  if (/^\d{9,11}(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  const t = Date.parse(text);
  return Number.isNaN(t) ? undefined : t;
}
