// The status page at `/`: one self-contained HTML document (no build step, nothing fetched
// from the network but this daemon's own /api/v1/status), refreshing itself every few
// seconds. Failing checks come first. The admin buttons appear once the user enters the
// admin token; the token stays in the tab's sessionStorage and is sent only to this origin.

export const STATUS_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mesh-soak</title>
<style>
  :root { --fail:#c62828; --pend:#ef6c00; --unk:#6a1b9a; --ok:#2e7d32; --skip:#757575; --bg:#fafafa; }
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; background: var(--bg); color: #212121; }
  header { display:flex; gap:1rem; align-items:center; padding: .6rem 1rem; background:#263238; color:#fff; }
  header h1 { font-size: 1.1rem; margin: 0; }
  header .summary { flex: 1; }
  header input { font: inherit; padding: .2rem .4rem; width: 14rem; }
  main { padding: 1rem; display:grid; gap: 1rem; }
  section.suite { background:#fff; border:1px solid #ddd; border-radius:6px; padding:.6rem .9rem; }
  section.suite h2, section.suite h3 { font-size: 1rem; margin: 0 0 .3rem; display:flex; gap:.6rem; align-items:center; }
  section.cluster { display:grid; gap: .6rem; }
  section.cluster > h2 { font-size: 1.05rem; margin: .2rem 0 0; display:flex; gap:.8rem; align-items:baseline; }
  section.cluster > h2 .cluster-summary { font-size: .85rem; font-weight: normal; color:#555; }
  .meta { color:#555; font-size: .85rem; margin-bottom:.4rem; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align:left; padding: .25rem .5rem; border-top: 1px solid #eee; vertical-align: top; }
  th { font-weight: 600; color:#444; font-size:.8rem; }
  td.value, td.cond { font-family: ui-monospace, monospace; white-space: nowrap; }
  .state { display:inline-block; min-width: 4.5rem; text-align:center; border-radius: 3px; color:#fff; font-size:.8rem; padding: 0 .3rem; }
  .s-failing { background: var(--fail); } .s-pending { background: var(--pend); } .s-unknown { background: var(--unk); }
  .s-ok { background: var(--ok); } .s-skipped { background: var(--skip); }
  .labels { color:#555; font-family: ui-monospace, monospace; font-size:.8rem; }
  button { font: inherit; font-size:.8rem; padding: .1rem .5rem; cursor: pointer; }
  .paused { color: var(--pend); font-weight:600; font-size:.85rem; }
  #error { color: var(--fail); }
  .since, .changes { color:#555; font-size:.8rem; }
  .timeline { font-size:.8rem; color:#444; margin-top:.4rem; display:flex; flex-wrap:wrap; gap:.3rem; }
  .timeline span { border-radius:3px; padding:0 .3rem; background:#e3f2fd; }
  .timeline .d-failure { background:#ffcdd2; } .timeline .d-skipped { background:#eeeeee; }
  svg.spark { width: 120px; height: 20px; vertical-align: middle; color: #455a64; display: block; }
  svg.spark path { fill: none; stroke: currentColor; stroke-width: 1.3; stroke-linecap: round; stroke-linejoin: round; vector-effect: non-scaling-stroke; }
  svg.spark.failing { color: var(--fail); }
  .unchecked { background:#f3e5f5; border-left: 4px solid var(--unk); padding:.3rem .6rem; margin-bottom:.4rem; font-weight:600; }
</style>
</head>
<body>
<header>
  <h1>mesh-soak</h1>
  <span class="summary" id="summary">loading…</span>
  <span id="error" role="alert"></span>
  <a href="report?since=24h" style="color:#b3e5fc">soak report (24 h)</a>
  <label>admin token <input id="token" type="password" autocomplete="off" placeholder="MESH_SOAK_ADMIN_TOKEN"></label>
</header>
<main id="suites"></main>
<script>
"use strict";
const ORDER = ['failing', 'pending', 'unknown', 'ok', 'skipped'];
const tokenInput = document.getElementById('token');
tokenInput.value = sessionStorage.getItem('mesh-soak-token') || '';
tokenInput.addEventListener('change', () => { sessionStorage.setItem('mesh-soak-token', tokenInput.value); refresh(); });

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}
function dur(ms) {
  if (ms == null) return '-';
  const units = [['d', 86400000], ['h', 3600000], ['m', 60000], ['s', 1000]];
  for (const [u, n] of units) if (ms >= n && ms % n === 0) return (ms / n) + u;
  return ms >= 1000 ? (ms / 1000).toFixed(1) + 's' : ms + 'ms';
}
function ago(t) { return t ? dur(Math.max(0, Math.round((Date.now() - t) / 1000)) * 1000) + ' ago' : 'never'; }
function fmt(v) {
  if (v === null || v === undefined) return '-';
  if (typeof v === 'string') return v;
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
}
function labels(l) {
  const s = Object.entries(l || {}).map(([k, v]) => k + '="' + v + '"').join(', ');
  return s ? '{' + s + '}' : '';
}
function state(s) { return el('span', { class: 'state s-' + s, 'data-state': s }, s); }
const SVG = 'http://www.w3.org/2000/svg';
// The check's last values as an inline SVG line; the path comes from the server (M/L/h and numbers only).
function spark(c) {
  const s = c.sparkline;
  if (!s || !/^[MLh0-9.,-]*$/.test(s.d)) return '';
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', c.state === 'failing' ? 'spark failing' : 'spark');
  svg.setAttribute('viewBox', '0 0 120 20');
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('role', 'img');
  const what = 'last ' + s.points + ' ticks: min ' + fmt(s.min) + ', max ' + fmt(s.max) + ', last ' + fmt(s.last);
  svg.setAttribute('aria-label', what);
  const title = document.createElementNS(SVG, 'title');
  title.textContent = what;
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', s.d);
  svg.append(title, path);
  return svg;
}

async function act(suite, action) {
  const res = await fetch('/api/v1/suites/' + encodeURIComponent(suite) + '/' + action, {
    method: 'POST', headers: { authorization: 'Bearer ' + tokenInput.value } });
  document.getElementById('error').textContent = res.ok ? '' : action + ' ' + suite + ': HTTP ' + res.status;
  refresh();
}

// Without config clusters: the suites, worst first. With them: a section per cluster (its
// heading and summary counts), each with its suite instances, worst first.
function render(body) {
  const main = document.getElementById('suites');
  const counts = {};
  const sorted = (list) => [...list].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
  if (!body.clusters) {
    main.replaceChildren(...sorted(body.suites).map((s) => suiteSection(s, counts, 'h2')));
  } else {
    main.replaceChildren(...body.clusters.map((c) => {
      const own = sorted(body.suites.filter((s) => s.cluster === c.name));
      return el('section', { class: 'cluster', 'data-cluster': c.name },
        el('h2', {}, c.name, el('span', { class: 'cluster-summary' }, summaryText(c.counts, c.unchecked))),
        ...own.map((s) => suiteSection(s, counts, 'h3')));
    }));
  }
  document.getElementById('summary').textContent = summaryText(counts, counts.unchecked);
  document.title = (counts.failing ? '(' + counts.failing + ' failing) ' : '') + 'mesh-soak';
}
function summaryText(counts, unchecked) {
  return (unchecked ? unchecked + ' suite(s) NOT CHECKED · ' : '') +
    (ORDER.filter((s) => counts[s]).map((s) => counts[s] + ' ' + s).join(' · ') || 'no checks');
}
// One suite (instance) with its checks; adds its checks' states to counts. Under a cluster's
// heading the instance is titled by its suite name (its id, cluster/suite, stays data-suite).
function suiteSection(s, counts, heading) {
  const title = s.cluster && s.name.startsWith(s.cluster + '/') ? s.name.slice(s.cluster.length + 1) : s.name;
  const checks = [...s.checks].sort((a, b) => ORDER.indexOf(a.state) - ORDER.indexOf(b.state) || a.name.localeCompare(b.name));
  for (const c of checks) counts[c.state] = (counts[c.state] || 0) + 1;
  const sched = s.schedules.disruption ? ('every' in s.schedules.disruption ? 'disrupt every ' + dur(s.schedules.disruption.every) : 'disrupt cron ' + s.schedules.disruption.cron) : 'no disruption';
  const last = s.lastDisruption ? s.lastDisruption.outcome + ' ' + ago(s.lastDisruption.startedAt) + (s.lastDisruption.message ? ' (' + s.lastDisruption.message + ')' : '') : 'none yet';
  const buttons = tokenInput.value && title !== 'mesh' ? [
    el('button', { onclick: () => act(s.name, s.paused ? 'resume' : 'pause') }, s.paused ? 'resume' : 'pause'),
    s.schedules.disruption ? el('button', { onclick: () => act(s.name, 'trigger') }, 'trigger disruption') : '',
    s.benchmark ? el('button', { onclick: () => act(s.name, 'trigger') }, 'run benchmark') : '',
  ] : [];
  const rows = checks.flatMap((c) => {
    const inst = c.instances.length > 1 ? c.instances.filter((i) => i.state !== 'ok') : [];
    return [
      el('tr', { 'data-check': c.name }, el('td', {}, state(c.state)), el('td', {}, c.name), el('td', { class: 'value' }, fmt(c.value)),
        el('td', { class: 'spark' }, spark(c)),
        el('td', { class: 'cond' }, 'fails if ' + c.condition + (c.for ? ' for ' + dur(c.for) : '')), el('td', {}, c.severity),
        el('td', {}, c.reason || c.lastError || '', c.failingSince ? el('div', { class: 'since' }, 'failing since ' + new Date(c.failingSince).toISOString() + ' (' + ago(c.failingSince) + ')') : '',
          (c.changes || []).length ? el('div', { class: 'changes' }, 'changes: ' + c.changes.map((x) => x.from + '→' + x.to + ' ' + ago(x.at)).join(' · ')) : '')),
      ...inst.map((i) => el('tr', {}, el('td', {}, state(i.state)), el('td', { class: 'labels' }, labels(i.labels)),
        el('td', { class: 'value' }, fmt(i.value)), el('td', {}), el('td', {}), el('td', {}), el('td', {}))),
    ];
  });
  const unchecked = s.coverage && !s.coverage.checked;
  if (unchecked) counts.unchecked = (counts.unchecked || 0) + 1;
  return el('section', { class: 'suite', 'data-suite': s.name, 'data-checked': unchecked ? 'false' : 'true' },
    el(heading, {}, title, s.paused ? el('span', { class: 'paused' }, 'paused') : '', ...buttons),
    unchecked ? el('div', { class: 'unchecked', role: 'status' }, 'NOT CHECKED (' + s.coverage.reason + '): ' + s.coverage.detail) : '',
    el('div', { class: 'meta' }, (s.description ? s.description + ' · ' : '') + 'tick ' + dur(s.schedules.tickMs) + ' · ' + sched +
      ' · last disruption: ' + last + ' · last tick: ' + ago(s.lastTick && s.lastTick.startedAt)),
    s.benchmark ? el('div', { class: 'meta', 'data-benchmark': s.benchmark.lastRun ? s.benchmark.lastRun.state : 'none' }, benchLine(s.benchmark)) : '',
    el('table', {}, el('thead', {}, el('tr', {}, ...['state', 'check', 'value', 'last values', 'condition', 'severity', 'note'].map((h) => el('th', {}, h)))),
      el('tbody', {}, ...rows)),
    (s.disruptions || []).length ? el('div', { class: 'timeline', 'data-disruptions': String(s.disruptions.length) }, 'disruptions: ',
      ...s.disruptions.map((d) => el('span', { class: 'd-' + d.outcome, title: (d.reason || '') }, d.id + ' ' + d.outcome + ' ' + ago(d.startedAt) + (d.recovery ? ', ' + d.recovery : '')))) : '');
}
function benchLine(b) {
  const sched = b.schedule ? ('every' in b.schedule ? 'every ' + dur(b.schedule.every) : 'cron ' + b.schedule.cron) : 'on demand';
  const r = b.lastRun;
  return 'benchmark ' + sched + ' · last run: ' + (r ? r.id + ' ' + r.state + ' ' + ago(r.startedAt) + ', Istio ' + r.istioVersion + ', ' + r.points + ' point(s)' + (r.reason ? ' (' + r.reason + ')' : '') : 'none yet');
}
function rank(s) {
  // A suite nothing was checked of comes right after failing ones: it is not a pass.
  const worst = Math.min(...s.checks.map((c) => ORDER.indexOf(c.state)), ORDER.length);
  return s.coverage && !s.coverage.checked ? Math.min(worst, 1.5) : worst;
}

async function refresh() {
  try {
    const res = await fetch('/api/v1/status', { cache: 'no-store' });
    if (!res.ok) throw new Error('HTTP ' + res.status);
    render(await res.json());
    document.getElementById('error').textContent = '';
  } catch (err) {
    document.getElementById('error').textContent = 'status unavailable: ' + err.message;
  }
}
refresh();
setInterval(refresh, 3000);
</script>
</body>
</html>
`;
