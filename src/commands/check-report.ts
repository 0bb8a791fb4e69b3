// Rendering one-shot check results for people (a table), programs (JSON) and CI (JUnit XML).
// Rows are sorted worst first so a failing check is the first thing a reader sees.

import type { CheckRecord, CheckStateName } from '../checks/types.js';
import { STATE_ORDER } from '../checks/types.js';
import { formatValue } from '../checks/format-value.js';
import type { CheckSpec } from '../config/model.js';

export interface ReportRow {
  suite: string;
  check: string;
  severity: string;
  /** `{a="1"}` style, `{}` when the check returned a scalar or nothing. */
  instance: string;
  labels: Record<string, string>;
  value: number | null;
  condition: string;
  state: CheckStateName;
  /** Why a check is unknown or skipped; empty otherwise. */
  reason: string;
  query: string;
}

export function rowsFor(suite: string, spec: CheckSpec, record: CheckRecord): ReportRow[] {
  const base = { suite, check: spec.name, severity: spec.severity, condition: spec.fail.text, query: spec.query };
  const instances = Object.values(record.instances);
  if (instances.length === 0) {
    return [{ ...base, instance: '', labels: {}, value: null, state: record.state, reason: record.reason ?? '' }];
  }
  return instances.map((i) => ({
    ...base,
    instance: i.key === '{}' ? '' : i.key,
    labels: i.labels,
    value: i.value,
    state: i.state,
    reason: i.state === 'unknown' || i.state === 'skipped' ? (record.reason ?? '') : '',
  }));
}

export function sortRows(rows: ReportRow[]): ReportRow[] {
  const rank = (s: CheckStateName) => STATE_ORDER.indexOf(s);
  return [...rows].sort(
    (a, b) =>
      rank(a.state) - rank(b.state) ||
      a.suite.localeCompare(b.suite) ||
      a.check.localeCompare(b.check) ||
      a.instance.localeCompare(b.instance),
  );
}

/** The table's value column: the core's human formatting, with `-` for no value. */
export function formatCell(v: number | null): string {
  return v === null ? '-' : formatValue(v);
}

export function formatTable(rows: ReportRow[]): string {
  const header = ['SUITE', 'CHECK', 'INSTANCE', 'VALUE', 'FAIL IF', 'STATE'];
  const body = rows.map((r) => [
    r.suite,
    r.check,
    r.instance,
    formatCell(r.value),
    r.condition,
    r.reason ? `${r.state} (${r.reason})` : r.state,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] as string).length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  return [line(header), ...body.map(line)].join('\n') + '\n';
}

export function summaryLine(rows: ReportRow[]): string {
  const counts = new Map<CheckStateName, number>();
  for (const r of rows) counts.set(r.state, (counts.get(r.state) ?? 0) + 1);
  const parts = STATE_ORDER.filter((s) => counts.has(s)).map((s) => `${counts.get(s)} ${s}`);
  return `${rows.length} instances: ${parts.join(', ') || 'none'}\n`;
}

/** JSON numbers cannot hold NaN/Inf; those values are written as strings, as Prometheus does. */
function jsonValue(v: number | null): number | string | null {
  if (v === null || Number.isFinite(v)) return v;
  return formatCell(v);
}

export function toJson(rows: ReportRow[], exitCode: number): string {
  return (
    JSON.stringify(
      {
        status: STATUS_BY_EXIT[exitCode] ?? 'unknown',
        results: rows.map((r) => ({ ...r, value: jsonValue(r.value) })),
      },
      null,
      2,
    ) + '\n'
  );
}

function xml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

/** One <testsuite> per suite, one <testcase> per check instance; unknown is an <error>. */
export function toJUnit(rows: ReportRow[]): string {
  const bySuite = new Map<string, ReportRow[]>();
  for (const r of rows) bySuite.set(r.suite, [...(bySuite.get(r.suite) ?? []), r]);
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', '<testsuites name="mesh-soak">'];
  for (const [suite, list] of bySuite) {
    const n = (s: CheckStateName) => list.filter((r) => r.state === s).length;
    out.push(
      `  <testsuite name="${xml(suite)}" tests="${list.length}" failures="${n('failing') + n('pending')}" errors="${n('unknown')}" skipped="${n('skipped')}">`,
    );
    for (const r of list) {
      const name = xml(r.instance ? `${r.check} ${r.instance}` : r.check);
      const detail = xml(`value ${formatCell(r.value)}, fails if ${r.condition}; query: ${r.query}`);
      out.push(`    <testcase classname="${xml(suite)}" name="${name}">`);
      if (r.state === 'failing' || r.state === 'pending') out.push(`      <failure message="${detail}"/>`);
      if (r.state === 'unknown') out.push(`      <error message="${xml(r.reason || 'unknown')}"/>`);
      if (r.state === 'skipped') out.push(`      <skipped message="${xml(r.reason || 'skipped')}"/>`);
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}

/** Exit codes of `mesh-soak check`; 2 (invalid input) comes from the CLI's UserError. */
export const EXIT = { ok: 0, failing: 1, unknown: 3, notChecked: 4 } as const;

const STATUS_BY_EXIT: Record<number, string> = { 0: 'ok', 1: 'failing', 3: 'unknown', 4: 'not-checked' };

/**
 * 1 any failing (or pending), else 3 any unknown, else 4 any skipped ("nothing was
 * checked": a suite's guard said it is not running, and a skipped suite is no pass), else
 * 0. `allowSkipped` (--allow-skipped) counts skipped as ok; it never relaxes unknown.
 */
export function exitCodeFor(rows: ReportRow[], options: { allowSkipped?: boolean } = {}): number {
  if (rows.some((r) => r.state === 'failing' || r.state === 'pending')) return EXIT.failing;
  if (rows.some((r) => r.state === 'unknown')) return EXIT.unknown;
  if (!options.allowSkipped && rows.some((r) => r.state === 'skipped')) return EXIT.notChecked;
  return EXIT.ok;
}
