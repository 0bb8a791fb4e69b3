// The report as one self-contained HTML page (no script, nothing fetched): the verdict per
// suite, a timeline (one row per check that failed, disruptions as bands), the disruptions
// with impact and recovery, the Istio versions. Every text from the ledger is escaped. Pure.

import type { Report } from './report.js';
import { groupBy, iso, prometheusLinks, recoveryText, seconds, shownEvidence } from './render.js';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:0;background:#fafafa;color:#212121}
header{padding:.6rem 1rem;background:#263238;color:#fff;display:flex;gap:1rem;align-items:baseline}
header h1{font-size:1.1rem;margin:0}header a{color:#b3e5fc}main{padding:1rem;display:grid;gap:1rem}
section{background:#fff;border:1px solid #ddd;border-radius:6px;padding:.6rem .9rem}h2{font-size:1rem;margin:0 0 .4rem}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.25rem .5rem;border-top:1px solid #eee;vertical-align:top}
th{font-size:.8rem;color:#444}.v{display:inline-block;min-width:4.5rem;text-align:center;border-radius:3px;color:#fff;font-size:.8rem}
.v-fail{background:#c62828}.v-pass{background:#2e7d32}.v-not-judged{background:#6a1b9a}.mono{font-family:ui-monospace,monospace;font-size:.85rem}
svg text{font:11px system-ui,sans-serif}`;

function verdict(v: string): string {
  return `<span class="v v-${esc(v)}">${esc(v)}</span>`;
}

function suitesTable(r: Report): string {
  const rows = r.suites.map((s) => {
    const d = s.disruptions;
    const rec = [d.recovery.p50, d.recovery.p95, d.recovery.max].map((x) => (x === null ? '–' : `${x}s`)).join(' / ');
    return `<tr><td>${esc(s.suite)}</td><td>${verdict(s.verdict)}</td><td>${seconds(s.failingMs)}</td><td>${d.run} (${d.failed} failed, ${d.notRecovered} not recovered)</td><td>${d.skipped}</td><td class="mono">${rec}</td><td>${esc(s.why)}</td></tr>`;
  });
  return `<section><h2>Suites</h2><table><tr><th>suite</th><th>verdict</th><th>time failing</th><th>disruptions</th><th>skipped</th><th>recovery p50 / p95 / max</th><th>why</th></tr>${rows.join('')}</table></section>`;
}

/** One row per check that failed; disruptions as translucent bands across all rows. */
function timeline(r: Report): string {
  const byKey = groupBy(r.failures, (f) => `${f.suite}/${f.check}`);
  const keys = [...byKey.keys()].slice(0, 60);
  const W = 900;
  const L = 220;
  const H = 18 * Math.max(1, keys.length) + 24;
  const span = Math.max(1, r.to - r.from);
  const x = (t: number): number => L + ((Math.min(Math.max(t, r.from), r.to) - r.from) / span) * (W - L - 10);
  const bands = r.disruptions
    .filter((d) => d.outcome !== 'skipped')
    .map((d) => `<rect x="${x(d.startedAt).toFixed(1)}" y="0" width="${Math.max(2, x(d.endedAt) - x(d.startedAt)).toFixed(1)}" height="${H - 20}" fill="${d.outcome === 'failure' ? '#ffcdd2' : '#bbdefb'}" opacity=".7"><title>${esc(`${d.suite}/${d.id} ${d.outcome} ${iso(d.startedAt)}–${iso(d.endedAt)} ${recoveryText(d.impact?.recovery)}`)}</title></rect>`);
  const rows = keys.map((k, i) => {
    const y = 18 * i + 4;
    const bars = (byKey.get(k) ?? []).map((f) => `<rect x="${x(f.from).toFixed(1)}" y="${y}" width="${Math.max(2, x(f.to ?? r.to) - x(f.from)).toFixed(1)}" height="12" fill="#c62828"><title>${esc(`${k} failing ${iso(f.from)} → ${f.to === null ? 'still' : iso(f.to)}${f.disruption ? ` during ${f.disruption}` : ''}`)}</title></rect>`);
    return `<text x="4" y="${y + 10}">${esc(k)}</text>${bars.join('')}`;
  });
  const axis = `<text x="${L}" y="${H - 6}">${iso(r.from)}</text><text x="${W - 10}" y="${H - 6}" text-anchor="end">${iso(r.to)}</text>`;
  const empty = keys.length === 0 ? `<text x="${L}" y="14">no check failed</text>` : '';
  return `<section><h2>Timeline</h2><svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="failures and disruptions over time">${bands.join('')}${rows.join('')}${empty}${axis}</svg><div class="mono">blue bands: disruptions · red: a check failing</div></section>`;
}

function disruptionsTable(r: Report): string {
  if (r.disruptions.length === 0) return '<section><h2>Disruptions</h2><p>No disruption ran.</p></section>';
  const rows = r.disruptions.map((d) => {
    const impact = d.impact?.checks.map((c) => `${c.check}: ${c.phases.join('+')}`).join(', ') || (d.outcome === 'skipped' ? '' : d.impact ? 'none' : 'judging');
    const steps = d.steps.map((s) => `${s.what}: ${s.outcome}`).join('<br>');
    return `<tr><td class="mono">${iso(d.startedAt)}</td><td>${esc(d.suite)}</td><td class="mono">${esc(d.id)}</td><td>${esc(d.outcome)}${d.reason ? `: ${esc(d.reason)}` : ''}</td><td>${esc(impact)}</td><td>${d.outcome === 'skipped' ? '' : esc(recoveryText(d.impact?.recovery))}</td><td class="mono">${steps}</td></tr>`;
  });
  return `<section><h2>Disruptions</h2><table><tr><th>started</th><th>suite</th><th>id</th><th>outcome</th><th>impact</th><th>recovery</th><th>steps</th></tr>${rows.join('')}</table></section>`;
}

/** The newest failures' evidence, each folded: pods and events as they were when it started. */
function evidenceSection(r: Report): string {
  const shown = shownEvidence(r);
  if (shown.length === 0) return '';
  const blocks = [...shown].reverse().map((f) => {
    const e = f.evidence;
    const pods = e.pods.map((p) => `<tr><td class="mono">${esc(p.name)}</td><td>${esc(p.phase)}</td><td>${esc(p.ready)}</td><td>${p.restarts}</td><td>${esc(p.reason ?? '')}</td></tr>`).join('');
    const events = e.events.map((x) => `<tr><td class="mono">${esc(x.at)}</td><td>${esc(x.type)}</td><td>${esc(x.reason)}</td><td class="mono">${esc(x.object)}</td><td>${esc(x.message)}</td></tr>`).join('');
    const head = `${esc(f.suite)}/${esc(f.check)} at ${iso(f.from)}: ${e.pods.length} pod(s), ${e.events.length} event(s)${e.namespaces?.length ? ` in ${esc(e.namespaces.join(', '))}` : ''}`;
    return `<details><summary>${head}</summary>${e.note ? `<p>${esc(e.note)}</p>` : ''}${pods ? `<table><tr><th>pod</th><th>phase</th><th>ready</th><th>restarts</th><th>reason</th></tr>${pods}</table>` : ''}${events ? `<table><tr><th>event at</th><th>type</th><th>reason</th><th>object</th><th>message</th></tr>${events}</table>` : ''}</details>`;
  });
  return `<section><h2>Evidence</h2><p>Events and pod statuses of the suite's namespaces when the check started failing (the newest first).</p>${blocks.join('')}</section>`;
}

export function renderHtml(r: Report): string {
  const links = [r.links.status && `<a href="${esc(r.links.status)}">status page</a>`, r.links.grafana && `<a href="${esc(r.links.grafana)}">Grafana</a>`, ...prometheusLinks(r.links).map((l) => `<a href="${esc(l.url)}">${esc(l.text)}</a>`)].filter(Boolean).join(' · ');
  const versions = r.versions.length === 0 ? '<p>None recorded.</p>' : `<ul>${r.versions.map((v) => `<li class="mono">${esc(v.version)} (${esc(v.source)}): ${iso(v.firstSeen)} → ${iso(v.lastSeen)}</li>`).join('')}</ul>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>mesh-soak report</title><style>${STYLE}</style></head>
<body><header><h1>mesh-soak report</h1>${verdict(r.verdict)}<span>${iso(r.from)} → ${iso(r.to)}</span><span>${links}</span></header>
<main>${suitesTable(r)}${timeline(r)}${evidenceSection(r)}${disruptionsTable(r)}<section><h2>Istio versions seen</h2>${versions}</section></main></body></html>
`;
}
