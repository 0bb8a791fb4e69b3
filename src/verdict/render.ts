// The report (report.ts) as text: Markdown for humans and chat, JSON for tools, JUnit XML for
// CI (one testsuite per suite, one testcase per check and per disruption). HTML is in
// render-html.ts. Pure.

import type { Recovery } from './impact.js';
import type { Evidence } from './evidence.js';
import type { FailureSpan, Report } from './report.js';

export const REPORT_FORMATS = ['md', 'html', 'json', 'junit'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

export function seconds(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ''}`;
  return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
}

export function recoveryText(r: Recovery | undefined): string {
  if (!r || r.status === 'pending') return 'judging';
  if (r.status === 'recovered') return `recovered in ${r.seconds}s`;
  if (r.status === 'not-recovered') return `not recovered after ${r.boundSeconds}s (${r.notOk.join(', ')})`;
  return 'no checks to judge';
}

const num = (v: number | null): string => (v === null ? '–' : `${v}s`);
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The Prometheus link, or one per cluster with config clusters: (shared by the HTML report). */
export function prometheusLinks(links: Report['links']): Array<{ text: string; url: string }> {
  if (links.prometheusByCluster?.length) return links.prometheusByCluster.map((p) => ({ text: `Prometheus (${p.cluster})`, url: p.url }));
  return links.prometheus ? [{ text: 'Prometheus', url: links.prometheus }] : [];
}

export function renderMarkdown(r: Report): string {
  const out = [`# mesh-soak report: ${r.verdict.toUpperCase()}`, '', `${iso(r.from)} → ${iso(r.to)} (generated ${iso(r.generatedAt)})`, ''];
  const links = [r.links.status && `[status page](${r.links.status})`, r.links.grafana && `[Grafana](${r.links.grafana})`, ...prometheusLinks(r.links).map((l) => `[${l.text}](${l.url})`)].filter(Boolean);
  if (links.length > 0) out.push(links.join(' · '), '');
  out.push('## Suites', '', '| suite | verdict | time failing | disruptions | skipped | recovery p50 / p95 / max | why |', '| --- | --- | --- | --- | --- | --- | --- |');
  for (const s of r.suites) {
    const d = s.disruptions;
    out.push(`| ${cell(s.suite)} | ${s.verdict} | ${seconds(s.failingMs)} | ${d.run} (${d.failed} failed, ${d.notRecovered} not recovered) | ${d.skipped} | ${num(d.recovery.p50)} / ${num(d.recovery.p95)} / ${num(d.recovery.max)} | ${cell(s.why)} |`);
  }
  out.push('', '## Failures', '');
  if (r.failures.length === 0) out.push('No check failed.');
  else {
    out.push('| from | to | suite | check | disruption in progress |', '| --- | --- | --- | --- | --- |');
    for (const f of r.failures) out.push(`| ${iso(f.from)} | ${f.to === null ? 'still failing' : iso(f.to)} | ${cell(f.suite)} | ${cell(f.check)} | ${f.disruption ?? ''} |`);
  }
  out.push(...evidenceMarkdown(r));
  out.push('', '## Disruptions', '');
  if (r.disruptions.length === 0) out.push('No disruption ran.');
  else {
    out.push('| started | suite | id | outcome | impact | recovery |', '| --- | --- | --- | --- | --- | --- |');
    for (const d of r.disruptions) {
      const impact = d.impact?.checks.map((c) => `${c.check}: ${c.phases.join('+')}`).join(', ') || (d.outcome === 'skipped' ? '' : d.impact ? 'none' : 'judging');
      const outcome = d.reason ? `${d.outcome}: ${d.reason}` : d.outcome;
      out.push(`| ${iso(d.startedAt)} | ${cell(d.suite)} | ${cell(d.id)} | ${cell(outcome)} | ${cell(impact)} | ${d.outcome === 'skipped' ? '' : recoveryText(d.impact?.recovery)} |`);
    }
  }
  out.push('', '## Istio versions seen', '');
  if (r.versions.length === 0) out.push('None recorded.');
  for (const v of r.versions) out.push(`- ${v.version} (${v.source}): ${iso(v.firstSeen)} → ${iso(v.lastSeen)}`);
  return `${out.join('\n')}\n`;
}

/** Evidence blocks the md and html reports show: the newest failures that have one (JSON and JUnit carry all). */
export const MAX_EVIDENCE_SHOWN = 20;

export function shownEvidence(r: Report): Array<FailureSpan & { evidence: Evidence }> {
  return r.failures.filter((f): f is FailureSpan & { evidence: Evidence } => f.evidence !== undefined).slice(-MAX_EVIDENCE_SHOWN);
}

/** Evidence as plain lines: where it was read, the note, one line per pod and per event. */
export function evidenceLines(e: Evidence): string[] {
  const out: string[] = [];
  if (e.namespaces?.length) out.push(`namespaces: ${e.namespaces.join(', ')}`);
  if (e.note) out.push(`note: ${e.note}`);
  for (const p of e.pods) out.push(`pod ${p.name}: ${p.phase}, ready ${p.ready}, restarts ${p.restarts}${p.reason ? `, ${p.reason}` : ''}`);
  for (const ev of e.events) out.push(`event ${ev.at} ${ev.type} ${ev.reason} ${ev.object}: ${ev.message}`);
  if (e.pods.length === 0 && e.events.length === 0) out.push('no pods or events');
  return out;
}

function evidenceMarkdown(r: Report): string[] {
  const shown = shownEvidence(r);
  if (shown.length === 0) return [];
  const out = ['', '## Evidence', '', 'Events and pod statuses of the suite\'s namespaces when the check started failing (the newest first).'];
  for (const f of [...shown].reverse()) {
    out.push('', `### ${f.suite}/${f.check} at ${iso(f.from)}`, '');
    if (f.evidence.namespaces?.length) out.push(`Namespaces: ${f.evidence.namespaces.join(', ')}`, '');
    if (f.evidence.note) out.push(`Note: ${cell(f.evidence.note)}`, '');
    if (f.evidence.pods.length > 0) {
      out.push('| pod | phase | ready | restarts | reason |', '| --- | --- | --- | --- | --- |');
      for (const p of f.evidence.pods) out.push(`| ${cell(p.name)} | ${cell(p.phase)} | ${cell(p.ready)} | ${p.restarts} | ${cell(p.reason ?? '')} |`);
      out.push('');
    }
    if (f.evidence.events.length > 0) {
      out.push('| event at | type | reason | object | message |', '| --- | --- | --- | --- | --- |');
      for (const e of f.evidence.events) out.push(`| ${cell(e.at)} | ${cell(e.type)} | ${cell(e.reason)} | ${cell(e.object)} | ${cell(e.message)} |`);
    }
    if (f.evidence.pods.length === 0 && f.evidence.events.length === 0) out.push('No pods or events.');
  }
  return out;
}

export function renderJson(r: Report): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}

const xml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The evidence of a check's failures as its testcase's system-out (CI shows it beside the failure). */
function junitEvidence(spans: FailureSpan[]): string {
  const blocks = spans.flatMap((f) => (f.evidence ? [[`evidence when it started failing at ${iso(f.from)}:`, ...evidenceLines(f.evidence)].join('\n')] : []));
  return blocks.length > 0 ? `<system-out>${xml(blocks.join('\n\n'))}</system-out>` : '';
}

/** Items by key, in their order. */
export function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

export function renderJunit(r: Report): string {
  const failuresOf = groupBy(r.failures, (f) => `${f.suite}\u0000${f.check}`);
  const disruptionsOf = groupBy(r.disruptions, (d) => d.suite);
  const suites = r.suites.map((s) => {
    const cases = s.checks.map((c) => {
      const failure = c.failingMs > 0 ? `<failure message="${xml(`failing ${seconds(c.failingMs)} in ${c.failures} span(s)`)}"/>` : '';
      const out = junitEvidence(failuresOf.get(`${s.suite}\u0000${c.check}`) ?? []);
      return `    <testcase classname="${xml(s.suite)}" name="${xml(c.check)}" time="${(c.failingMs / 1000).toFixed(0)}">${failure}${out}</testcase>`;
    });
    for (const d of disruptionsOf.get(s.suite) ?? []) {
      const rec = d.impact?.recovery;
      const body =
        d.outcome === 'skipped'
          ? `<skipped message="${xml(d.reason ?? 'skipped')}"/>`
          : d.outcome === 'failure' || rec?.status === 'not-recovered'
            ? `<failure message="${xml(d.outcome === 'failure' ? (d.reason ?? 'failed') : recoveryText(rec))}"/>`
            : '';
      cases.push(`    <testcase classname="${xml(s.suite)}.disruptions" name="${xml(d.id)}" time="${((d.endedAt - d.startedAt) / 1000).toFixed(0)}">${body}</testcase>`);
    }
    const failures = cases.filter((c) => c.includes('<failure')).length;
    const skipped = cases.filter((c) => c.includes('<skipped')).length;
    return `  <testsuite name="${xml(s.suite)}" tests="${cases.length}" failures="${failures}" skipped="${skipped}" timestamp="${iso(r.from)}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="mesh-soak report ${iso(r.from)} to ${iso(r.to)}">\n${suites.join('\n')}\n</testsuites>\n`;
}
