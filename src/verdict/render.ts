// The report (report.ts) as text: Markdown for humans and chat, JSON for tools, JUnit XML for
// CI (one testsuite per suite, one testcase per check and per disruption). HTML is in
// render-html.ts. Pure.

import type { Recovery } from './impact.js';
import type { Report } from './report.js';

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

export function renderMarkdown(r: Report): string {
  const out = [`# mesh-soak report: ${r.verdict.toUpperCase()}`, '', `${iso(r.from)} → ${iso(r.to)} (generated ${iso(r.generatedAt)})`, ''];
  const links = [r.links.status && `[status page](${r.links.status})`, r.links.grafana && `[Grafana](${r.links.grafana})`, r.links.prometheus && `[Prometheus](${r.links.prometheus})`].filter(Boolean);
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
  out.push('', '## Disruptions', '');
  if (r.disruptions.length === 0) out.push('No disruption ran.');
  else {
    out.push('| started | suite | id | outcome | impact | recovery |', '| --- | --- | --- | --- | --- | --- |');
    for (const d of r.disruptions) {
      const impact = d.impact?.checks.map((c) => `${c.check}: ${c.phases.join('+')}`).join(', ') || (d.outcome === 'skipped' ? '' : 'none');
      const outcome = d.reason ? `${d.outcome}: ${d.reason}` : d.outcome;
      out.push(`| ${iso(d.startedAt)} | ${cell(d.suite)} | ${cell(d.id)} | ${cell(outcome)} | ${cell(impact)} | ${d.outcome === 'skipped' ? '' : recoveryText(d.impact?.recovery)} |`);
    }
  }
  out.push('', '## Istio versions seen', '');
  if (r.versions.length === 0) out.push('None recorded.');
  for (const v of r.versions) out.push(`- ${v.version} (${v.source}): ${iso(v.firstSeen)} → ${iso(v.lastSeen)}`);
  return `${out.join('\n')}\n`;
}

export function renderJson(r: Report): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}

const xml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function renderJunit(r: Report): string {
  const suites = r.suites.map((s) => {
    const cases = s.checks.map((c) => {
      const failure = c.failingMs > 0 ? `<failure message="${xml(`failing ${seconds(c.failingMs)} in ${c.failures} span(s)`)}"/>` : '';
      return `    <testcase classname="${xml(s.suite)}" name="${xml(c.check)}" time="${(c.failingMs / 1000).toFixed(0)}">${failure}</testcase>`;
    });
    for (const d of r.disruptions.filter((x) => x.suite === s.suite)) {
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
