// The soak report: what a time range of the run ledger says, per suite — its verdict, how long
// each check was failing, the failure timeline with the disruption in progress, every
// disruption with its impact and recovery (p50/p95/max), and the Istio versions seen. Pure:
// the caller hands over the ledger's entries (collect.ts reads them) and the clock's range;
// renderers (render.ts, render-html.ts) turn the result into md, html, json and junit.
//
// May import: checks/ (state names), verdict/.

import type { CheckStateName } from '../checks/types.js';
import type { ImpactPhase, Recovery } from './impact.js';
import type { Evidence } from './evidence.js';

/** What the report reads: a subset of the ledger's entry kinds, structurally. */
export type ReportEntry =
  | { kind: 'state'; suite: string; check: string; from: CheckStateName; to: CheckStateName; value: number | null; at: number }
  | { kind: 'disruption'; id: string; suite: string; startedAt: number; at: number; outcome: 'success' | 'failure' | 'skipped'; reason?: string; skip?: string; steps: Array<{ what: string; outcome: string; startedAt: number; endedAt: number }> }
  | { kind: 'impact'; id: string; suite: string; at: number; checks: Array<{ suite: string; check: string; phases: ImpactPhase[] }>; recovery: Recovery }
  | { kind: 'evidence'; suite: string; check: string; at: number; evidence: Evidence };

export interface ReportInput {
  from: number;
  to: number;
  generatedAt: number;
  /** Every suite in the config (mesh-wide checks as suite `mesh`), with its check names. */
  suites: Array<{ name: string; checks: string[] }>;
  /** Each suite's ledger entries in [from, to], oldest first. */
  entries: Map<string, ReportEntry[]>;
  /** Each check's current state (`suite/check`), for checks with no change in the range. */
  current: Record<string, CheckStateName>;
  versions: Array<{ version: string; source: string; firstSeen: number; lastSeen: number }>;
  /** `prometheusByCluster`: with config clusters, each cluster's Prometheus (`prometheus` stays the first's). */
  links: { prometheus?: string; prometheusByCluster?: Array<{ cluster: string; url: string }>; grafana?: string; status?: string };
}

export type Verdict = 'pass' | 'fail' | 'not-judged';

export interface FailureSpan {
  suite: string;
  check: string;
  from: number;
  /** Null: still failing at the end of the range. */
  to: number | null;
  /** The disruption running (or whose impact was open) when it started failing. */
  disruption?: string;
  /** Events and pod statuses captured when it started failing (absent: none was captured). */
  evidence?: Evidence;
}

export interface DisruptionRow {
  id: string;
  suite: string;
  startedAt: number;
  endedAt: number;
  outcome: 'success' | 'failure' | 'skipped';
  reason?: string;
  steps: Array<{ what: string; outcome: string; startedAt: number; endedAt: number }>;
  /** Absent while its impact is still being judged (or it was skipped). */
  impact?: { checks: Array<{ check: string; phases: ImpactPhase[] }>; recovery: Recovery };
}

export interface SuiteReport {
  suite: string;
  verdict: Verdict;
  why: string;
  failingMs: number;
  checks: Array<{ check: string; failingMs: number; failures: number; state: CheckStateName }>;
  disruptions: { run: number; failed: number; skipped: number; notRecovered: number; recovery: { p50: number | null; p95: number | null; max: number | null } };
}

export interface Report {
  from: number;
  to: number;
  generatedAt: number;
  verdict: Verdict;
  suites: SuiteReport[];
  failures: FailureSpan[];
  disruptions: DisruptionRow[];
  versions: ReportInput['versions'];
  links: ReportInput['links'];
}

/** Bounds: a report shows at most this many failure spans and disruptions (the newest). */
export const MAX_ROWS = 2000;

export function buildReport(input: ReportInput): Report {
  const disruptions = input.suites.flatMap((s) => disruptionRows(input.entries.get(s.name) ?? []));
  const index = indexDisruptions(disruptions);
  const rowsBySuite = new Map<string, DisruptionRow[]>();
  for (const d of disruptions) {
    const list = rowsBySuite.get(d.suite);
    if (list) list.push(d);
    else rowsBySuite.set(d.suite, [d]);
  }
  const failures: FailureSpan[] = [];
  const suites = input.suites.map((s) => {
    const { states: byCheck, evidence } = byCheckOf(input.entries.get(s.name) ?? []);
    const spans = s.checks.map((check) => withEvidence(failureSpans(input, s.name, check, index, byCheck.get(check) ?? []), evidence.get(check) ?? []));
    failures.push(...spans.flat());
    return suiteReport(input, s, spans, rowsBySuite.get(s.name) ?? []);
  });
  failures.sort((a, b) => a.from - b.from);
  disruptions.sort((a, b) => a.startedAt - b.startedAt);
  const verdict: Verdict = suites.some((s) => s.verdict === 'fail') ? 'fail' : suites.some((s) => s.verdict === 'pass') ? 'pass' : 'not-judged';
  return {
    from: input.from,
    to: input.to,
    generatedAt: input.generatedAt,
    verdict,
    suites,
    failures: failures.slice(-MAX_ROWS),
    disruptions: disruptions.slice(-MAX_ROWS),
    versions: input.versions,
    links: input.links,
  };
}

function disruptionRows(entries: ReportEntry[]): DisruptionRow[] {
  const impacts = new Map<string, ReportEntry & { kind: 'impact' }>();
  for (const e of entries) if (e.kind === 'impact') impacts.set(e.id, e);
  const rows: DisruptionRow[] = [];
  for (const e of entries) {
    if (e.kind !== 'disruption') continue;
    const impact = impacts.get(e.id);
    rows.push({
      id: e.id,
      suite: e.suite,
      startedAt: e.startedAt,
      endedAt: e.at,
      outcome: e.outcome,
      ...(e.reason !== undefined ? { reason: e.reason } : {}),
      steps: e.steps,
      ...(impact ? { impact: { checks: impact.checks.filter((c) => c.phases.length > 0).map((c) => ({ check: c.suite === e.suite ? c.check : `${c.suite}/${c.check}`, phases: c.phases })), recovery: impact.recovery } } : {}),
    });
  }
  return rows;
}

/** The check's failing spans within the range, replayed from its state changes. */
type StateEntry = ReportEntry & { kind: 'state' };

type EvidenceEntry = ReportEntry & { kind: 'evidence' };

/** A suite's state changes and evidence by check, in one pass (entries are oldest first). */
function byCheckOf(entries: ReportEntry[]): { states: Map<string, StateEntry[]>; evidence: Map<string, EvidenceEntry[]> } {
  const states = new Map<string, StateEntry[]>();
  const evidence = new Map<string, EvidenceEntry[]>();
  const push = <T>(m: Map<string, T[]>, k: string, v: T): void => {
    const list = m.get(k);
    if (list) list.push(v);
    else m.set(k, [v]);
  };
  for (const e of entries) {
    if (e.kind === 'state') push(states, e.check, e);
    else if (e.kind === 'evidence') push(evidence, e.check, e);
  }
  return { states, evidence };
}

/** Each span with the evidence captured when it began (the first capture at or after its start, within it). */
function withEvidence(spans: FailureSpan[], captures: EvidenceEntry[]): FailureSpan[] {
  if (captures.length === 0) return spans;
  return spans.map((sp) => {
    let lo = 0;
    let hi = captures.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((captures[mid]?.at ?? 0) < sp.from) lo = mid + 1;
      else hi = mid;
    }
    const hit = captures[lo];
    return hit && (sp.to === null || hit.at < sp.to) ? { ...sp, evidence: hit.evidence } : sp;
  });
}

function failureSpans(input: ReportInput, suite: string, check: string, disruptions: DisruptionIndex, changes: StateEntry[]): FailureSpan[] {
  const initial = changes[0]?.from ?? input.current[`${suite}/${check}`] ?? 'unknown';
  const spans: FailureSpan[] = [];
  let open: number | null = initial === 'failing' ? input.from : null;
  for (const c of changes) {
    if (c.to === 'failing' && open === null) open = c.at;
    else if (c.to !== 'failing' && open !== null) {
      spans.push(span(suite, check, open, c.at, disruptions));
      open = null;
    }
  }
  if (open !== null) spans.push(span(suite, check, open, null, disruptions));
  return spans;
}

/** Disruptions sorted by start, with the longest start→recovery span, for finding the one in progress fast. */
interface DisruptionIndex {
  rows: DisruptionRow[];
  longestMs: number;
  /** Disruptions whose impact is still being judged: not recovered yet, whenever they started. */
  judging: DisruptionRow[];
}

function indexDisruptions(rows: DisruptionRow[]): DisruptionIndex {
  const sorted = rows.filter((r) => r.outcome !== 'skipped').sort((a, b) => a.startedAt - b.startedAt);
  return { rows: sorted, longestMs: Math.max(0, ...sorted.map((r) => recoveredAt(r) - r.startedAt)), judging: sorted.filter(isJudging) };
}

function isJudging(r: DisruptionRow): boolean {
  return r.impact === undefined || r.impact.recovery.status === 'pending';
}

function span(suite: string, check: string, from: number, to: number | null, index: DisruptionIndex): FailureSpan {
  // The disruption of any suite in progress, or of this suite and not yet recovered, when it began failing;
  // only disruptions that started within the longest span before `from` can qualify (binary search, then back).
  const { rows } = index;
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((rows[mid]?.startedAt ?? 0) <= from) lo = mid + 1;
    else hi = mid;
  }
  // The suite's own disruption first: another suite's that started a moment later is not the likelier cause.
  let other: DisruptionRow | undefined;
  for (let i = lo - 1; i >= 0; i--) {
    const r = rows[i];
    if (!r || r.startedAt < from - index.longestMs) break;
    if (r.suite === suite ? from <= recoveredAt(r) || from <= r.endedAt || isJudging(r) : from <= r.endedAt && other === undefined) {
      if (r.suite === suite) return { suite, check, from, to, disruption: `${r.suite}/${r.id}` };
      other = r;
    }
  }
  // One of its own still being judged that began before the window (its recovery is open-ended).
  const own = index.judging.filter((r) => r.suite === suite && r.startedAt <= from).at(-1);
  const found = own ?? other;
  return found ? { suite, check, from, to, disruption: `${found.suite}/${found.id}` } : { suite, check, from, to };
}

function recoveredAt(r: DisruptionRow): number {
  const rec = r.impact?.recovery;
  if (rec?.status === 'recovered') return rec.at;
  if (rec?.status === 'not-recovered') return r.endedAt + rec.boundSeconds * 1000;
  return r.endedAt;
}

function suiteReport(input: ReportInput, s: { name: string; checks: string[] }, spans: FailureSpan[][], rows: DisruptionRow[]): SuiteReport {
  const checks = s.checks.map((check, i) => {
    const mine = spans[i] ?? [];
    const failingMs = mine.reduce((sum, sp) => sum + ((sp.to ?? input.to) - sp.from), 0);
    return { check, failingMs, failures: mine.length, state: input.current[`${s.name}/${check}`] ?? 'unknown' };
  });
  const ran = rows.filter((r) => r.outcome !== 'skipped');
  const seconds = ran.flatMap((r) => (r.impact?.recovery.status === 'recovered' ? [r.impact.recovery.seconds] : []));
  const notRecovered = ran.filter((r) => r.impact?.recovery.status === 'not-recovered').length;
  const failingMs = checks.reduce((m, c) => Math.max(m, c.failingMs), 0);
  const judged = checks.some((c) => c.state === 'ok' || c.state === 'failing' || c.failures > 0 || c.state === 'pending');
  const failed = failingMs > 0 || notRecovered > 0 || ran.some((r) => r.outcome === 'failure');
  const verdict: Verdict = failed ? 'fail' : judged ? 'pass' : 'not-judged';
  const why = failed
    ? [failingMs > 0 ? `failing ${Math.round(failingMs / 1000)}s` : '', notRecovered > 0 ? `${notRecovered} disruption(s) not recovered` : '', ran.some((r) => r.outcome === 'failure') ? 'a disruption failed' : '']
        .filter(Boolean)
        .join(', ')
    : judged
      ? 'no check failed'
      : 'no check was judged (unknown or skipped throughout)';
  return {
    suite: s.name,
    verdict,
    why,
    failingMs,
    checks,
    disruptions: {
      run: ran.length,
      failed: ran.filter((r) => r.outcome === 'failure').length,
      skipped: rows.length - ran.length,
      notRecovered,
      recovery: { p50: quantile(seconds, 0.5), p95: quantile(seconds, 0.95), max: seconds.length > 0 ? Math.max(...seconds) : null },
    },
  };
}

/** Nearest-rank quantile; null for no samples. */
export function quantile(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? null;
}
