// The one-shot report: worst first, exit codes of DESIGN.md, JSON that survives NaN/Inf,
// JUnit that CI systems read.
import { describe, expect, it } from 'vitest';
import { exitCodeFor, formatTable, rowsFor, sortRows, toJson, toJUnit, type ReportRow } from '../../../src/commands/check-report.js';
import type { CheckSpec } from '../../../src/config/model.js';
import type { CheckRecord } from '../../../src/checks/types.js';

const spec: CheckSpec = {
  name: '5xx-rate',
  query: 'sum(rate(x[1m]))',
  fail: { op: '>', value: 0, text: '> 0' },
  forMs: 0,
  keepFiringForMs: 0,
  noData: 'unknown',
  errorLimit: 1,
  severity: 'critical',
  labels: {},
};

function row(state: ReportRow['state'], suite = 's', check = 'c', value: number | null = 1): ReportRow {
  return { suite, check, severity: 'warning', instance: '', labels: {}, value, condition: '> 0', state, reason: '', query: 'q' };
}

describe('check report', () => {
  it('makes one row per instance with its labels', () => {
    const record: CheckRecord = {
      state: 'failing',
      consecutiveErrors: 0,
      lastEvalAt: 0,
      instances: {
        '{pod="a"}': { key: '{pod="a"}', labels: { pod: 'a' }, state: 'failing', value: 2, activeSince: 0, failingSince: 0, lastTrueAt: 0 },
        '{pod="b"}': { key: '{pod="b"}', labels: { pod: 'b' }, state: 'ok', value: 0, activeSince: null, failingSince: null, lastTrueAt: null },
      },
    };
    const rows = rowsFor('gs', spec, record);
    expect(rows.map((r) => [r.instance, r.state, r.value])).toEqual([
      ['{pod="a"}', 'failing', 2],
      ['{pod="b"}', 'ok', 0],
    ]);
    expect(rows[0]?.condition).toBe('> 0');
  });

  it('puts failing first, then pending, unknown, ok, skipped', () => {
    const sorted = sortRows([row('ok', 'a'), row('skipped', 'a'), row('unknown', 'a'), row('failing', 'z'), row('pending', 'b')]);
    expect(sorted.map((r) => r.state)).toEqual(['failing', 'pending', 'unknown', 'ok', 'skipped']);
  });

  it('exits 1 on failing even when another is unknown, 3 on unknown, 4 on skipped, 0 on ok', () => {
    expect(exitCodeFor([row('ok'), row('unknown'), row('failing')])).toBe(1);
    expect(exitCodeFor([row('ok'), row('unknown'), row('skipped')])).toBe(3);
    expect(exitCodeFor([row('ok'), row('unknown')])).toBe(3);
    // A skipped suite was not checked: no pass.
    expect(exitCodeFor([row('ok'), row('skipped')])).toBe(4);
    expect(exitCodeFor([row('ok')])).toBe(0);
    expect(exitCodeFor([])).toBe(0);
  });

  it('--allow-skipped counts skipped as ok, never unknown', () => {
    expect(exitCodeFor([row('ok'), row('skipped')], { allowSkipped: true })).toBe(0);
    expect(exitCodeFor([row('skipped'), row('unknown')], { allowSkipped: true })).toBe(3);
    expect(exitCodeFor([row('skipped'), row('failing')], { allowSkipped: true })).toBe(1);
  });

  it('names the JSON status after the exit code', () => {
    expect(JSON.parse(toJson([row('skipped')], 4)).status).toBe('not-checked');
    expect(JSON.parse(toJson([row('ok')], 0)).status).toBe('ok');
    expect(JSON.parse(toJson([row('unknown')], 3)).status).toBe('unknown');
  });

  it('aligns the table and shows reasons', () => {
    const r = { ...row('unknown', 'graceful-shutdown', '5xx-rate', null), reason: 'no data' };
    const text = formatTable([r, row('ok', 'http10', 'sanity', 0.5)]);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^SUITE\s+CHECK\s+INSTANCE\s+VALUE\s+FAIL IF\s+STATE$/);
    expect(lines[1]).toContain('unknown (no data)');
    expect(lines[1]?.indexOf('5xx-rate')).toBe(lines[2]?.indexOf('sanity'));
  });

  it('writes NaN and infinities into JSON as strings', () => {
    const out = JSON.parse(toJson([row('failing', 's', 'c', Infinity), row('unknown', 's', 'd', NaN)], 1));
    expect(out.status).toBe('failing');
    expect(out.results.map((r: { value: unknown }) => r.value)).toEqual(['+Inf', 'NaN']);
  });

  it('writes JUnit with failures, errors and skips counted per suite, escaping XML', () => {
    const xml = toJUnit([row('failing', 'a&b', 'c<1'), row('unknown', 'a&b'), row('skipped', 'a&b'), row('ok', 'other')]);
    expect(xml).toContain('<testsuite name="a&amp;b" tests="3" failures="1" errors="1" skipped="1">');
    expect(xml).toContain('name="c&lt;1"');
    expect(xml).toContain('<testsuite name="other" tests="1" failures="0" errors="0" skipped="0">');
    expect(xml.match(/<testcase /g)).toHaveLength(4);
  });
});
