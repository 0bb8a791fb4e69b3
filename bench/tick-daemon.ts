// The whole tick against Prometheus' own rule evaluation, in one run (issue 15's target: the
// daemon's tick at most 0.5× the rule group). One daemon child runs one suite of N
// check_metrics-style checks (plus its guard) at a fixed tick; the same Prometheus evaluates
// the same N+1 expressions as one recording-rule group at the same interval. The daemon's
// side is its own mesh_soak_tick_duration_seconds (queries, state records, gauges — the
// whole tick), Prometheus' side is prometheus_rule_group_last_duration_seconds of that group,
// sampled at each evaluation. The daemon runs under --cpu-prof and the profile's self time
// per area and per function is reported, so the section says where the tick's time goes.
//
// Run: npm run build && node dist/bench/tick-daemon.js
// With BENCH_RECORDED=1 Prometheus also evaluates, beside the plain group, the recording rules
// `mesh-soak rules` prints for the config, and the daemon runs with prometheus.recordingRules: it
// reads what they recorded instead of evaluating the expressions again. The ratio stays against
// the plain group (Prometheus evaluating the same expressions, as without mesh-soak); the ratio
// against the wrapped group it reads is reported beside it, and after the run what the lookups
// cost Prometheus alone (all series, and the marker series alone).
// Env: BENCH_SECONDS (default 120), BENCH_CHECKS (500), BENCH_TICK_S (2), BENCH_PROFILE (1; 0 = no --cpu-prof),
// BENCH_RECORDED (0), BENCH_NODE_ARGS (node flags for the daemon child, after the image's)

import { mkdir, writeFile } from 'node:fs/promises';
import { dump } from 'js-yaml';
import { exprHash, recordingRuleGroups } from '../src/adapters/prometheus/recording-rules.js';
import { recordedSelector } from '../src/adapters/prometheus/recorded-provider.js';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { istioSuites, suiteExpressions, writeBenchConfig, type BenchSuite } from './lib/bench-config.js';
import { startBenchDaemon } from './lib/child-daemon.js';
import { summariseDir, type ProfileSummary } from './lib/cpu-profile.js';
import { startIstioStack } from './lib/istio-stack.js';
import { envNumber, lifecycle, sleep } from './lib/lifecycle.js';
import { publish, table, verdict, type Row } from './lib/report.js';
import { histogramBuckets, histogramCount, histogramQuantile, quantile } from './lib/stats.js';

const SECONDS = envNumber('BENCH_SECONDS', 120);
const CHECKS = envNumber('BENCH_CHECKS', 500);
const TICK_S = envNumber('BENCH_TICK_S', 2);
const PROFILE = process.env.BENCH_PROFILE !== '0';
const RECORDED = process.env.BENCH_RECORDED === '1';
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
const WARMUP_S = 15;
const TARGET_RATIO = 0.5;
const GROUP = 'bench';
const RECORDED_GROUP = 'bench-recorded';

const life = lifecycle('tick-daemon', (SECONDS + 240) * 1000);


/** The bare expressions as one recording-rule group: Prometheus' own evaluation, the ratio's denominator. */
function plainGroup(exprs: string[]): object {
  return { name: GROUP, interval: `${TICK_S}s`, rules: exprs.map((expr, i) => ({ record: `bench:check_${i}`, expr })) };
}

/**
 * The rule file: the plain group, and (BENCH_RECORDED) beside it the recording rules `mesh-soak
 * rules` prints, which the daemon reads — both evaluated by the same Prometheus in the same run.
 */
async function writeRules(dir: string, exprs: string[]): Promise<string> {
  const file = join(dir, 'rules.yml');
  const recorded = RECORDED ? recordingRuleGroups(exprs.map((expr) => ({ expr, intervalMs: TICK_S * 1000 })), exprs.length).map((g) => ({ ...g, name: RECORDED_GROUP })) : [];
  await writeFile(file, dump({ groups: [plainGroup(exprs), ...recorded] }, { lineWidth: -1 }));
  return file;
}

interface LookupCost {
  what: string;
  p50Ms: number;
  series: number;
  bytes: number;
}

/**
 * What the daemon's recorded-result lookups cost Prometheus alone, with the rules still being
 * evaluated and nothing else asking: the selectors the provider sends (batches of 200 hashes,
 * in parallel), and the marker series alone (one per expression). 20 rounds each.
 */
async function lookupCosts(url: string, exprs: string[]): Promise<LookupCost[]> {
  const hashes = [...new Set(exprs.map(exprHash))];
  const batches: string[][] = [];
  for (let i = 0; i < hashes.length; i += 200) batches.push(hashes.slice(i, i + 200));
  const ask = async (query: string): Promise<{ series: number; bytes: number }> => {
    const text = await (await fetch(`${url}/api/v1/query`, { method: 'POST', body: new URLSearchParams({ query }) })).text();
    return { series: (JSON.parse(text) as { data: { result: unknown[] } }).data.result.length, bytes: text.length };
  };
  const costs: LookupCost[] = [];
  for (const [what, marker] of [['lookups as the daemon sends them (all series)', false], ['marker series alone', true]] as const) {
    const ms: number[] = [];
    let last = { series: 0, bytes: 0 };
    for (let round = 0; round < 20; round++) {
      const started = performance.now();
      const answers = await Promise.all(batches.map((b) => ask(recordedSelector(b, marker))));
      ms.push(performance.now() - started);
      last = answers.reduce((a, b) => ({ series: a.series + b.series, bytes: a.bytes + b.bytes }));
      await sleep(50);
    }
    costs.push({ what, p50Ms: quantile(ms, 0.5), series: last.series, bytes: last.bytes });
  }
  return costs;
}

/** Follows a rule group's evaluations in Prometheus' /metrics text: one duration per new evaluation timestamp. */
function ruleGroupSampler(name: string) {
  const durations: number[] = [];
  let lastTs = 0;
  const pick = (text: string, metric: string): number | undefined => {
    const line = text.split('\n').find((l) => l.startsWith(`${metric}{`) && l.includes(`;${name}"`));
    return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
  };
  return {
    durations,
    poll(text: string, keep: boolean): void {
      const ts = pick(text, 'prometheus_rule_group_last_evaluation_timestamp_seconds');
      const d = pick(text, 'prometheus_rule_group_last_duration_seconds');
      if (ts === undefined || d === undefined || ts === lastTs) return;
      if (keep && lastTs !== 0) durations.push(d * 1000);
      lastTs = ts;
    },
  };
}

/** mesh_soak_prometheus_recorded_direct_total summed over its reasons. */
function directAsked(metricsText: string): number {
  return metricsText
    .split('\n')
    .filter((l) => l.startsWith('mesh_soak_prometheus_recorded_direct_total'))
    .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

function profileLines(p: ProfileSummary | undefined): string[] {
  if (!p) return ['(no CPU profile)'];
  const areas: Row[] = p.areas.map((a) => ({ area: a.area, 'self ms': a.ms, '% of busy': (a.ms / p.busyMs) * 100 }));
  const fns: Row[] = p.functions.map((f) => ({ function: f.fn, 'self ms': f.ms, '% of busy': (f.ms / p.busyMs) * 100 }));
  return [
    `CPU profile of the daemon child over the whole run: ${p.totalMs.toFixed(0)} ms wall, ${p.busyMs.toFixed(0)} ms busy.`,
    '',
    table(areas),
    '',
    table(fns),
  ];
}

void life.run(async () => {
  const [suite] = istioSuites(1, CHECKS) as [BenchSuite];
  const exprs = suiteExpressions(suite);
  const { dir, redis, prom } = await startIstioStack(life, 'tick-daemon', { ruleFiles: async (d) => [await writeRules(d, exprs)] });
  const configFile = await writeBenchConfig({ dir, prometheusUrl: prom.url, redisUrl: redis.url, tick: `${TICK_S}s`, suites: [suite], recordingRules: RECORDED });
  const profDir = join(dir, 'prof');
  await mkdir(profDir);
  const durations: number[] = [];
  const phases = new Map<string, number[]>();
  let warm = false;
  const daemon = life.own(
    await startBenchDaemon({
      configFile,
      logFile: join(dir, 'daemon.log'),
      nodeArgs: [...NODE_ARGS, ...(PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [])],
      onLine(line) {
        if (!warm || line.msg !== 'tick' || typeof line.durationMs !== 'number') return;
        durations.push(line.durationMs);
        for (const [phase, ms] of Object.entries((line.phasesMs ?? {}) as Record<string, number>)) phases.set(phase, [...(phases.get(phase) ?? []), ms]);
      },
    }),
    (d) => d.stop(),
  );
  console.log(`daemon pid ${daemon.pid}: 1 suite × ${CHECKS} checks (+ guard) at ${TICK_S} s; rule group of ${exprs.length} rules at ${TICK_S} s; ${SECONDS} s`);
  const group = ruleGroupSampler(GROUP);
  const recordedGroup = ruleGroupSampler(RECORDED_GROUP);
  const loadAtStart = loadavg()[0] ?? NaN;
  const started = Date.now();
  let before = '';
  while (Date.now() - started < (SECONDS + WARMUP_S) * 1000) {
    if (!warm && Date.now() - started >= WARMUP_S * 1000) {
      warm = true;
      before = await (await fetch(`${daemon.base}/metrics`)).text();
    }
    const text = await fetch(`${prom.url}/metrics`).then((r) => r.text(), () => '');
    group.poll(text, warm);
    recordedGroup.poll(text, warm);
    await sleep(250);
  }
  const loadAtEnd = loadavg()[0] ?? NaN;
  const after = await (await fetch(`${daemon.base}/metrics`)).text();
  await daemon.stop();
  const profile = PROFILE ? await summariseDir(profDir) : undefined;
  const lookups = RECORDED ? await lookupCosts(prom.url, exprs) : [];

  const metric = 'mesh_soak_tick_duration_seconds';
  const b0 = histogramBuckets(before, metric);
  const b1 = histogramBuckets(after, metric).map((b) => ({ le: b.le, count: b.count - (b0.find((x) => x.le === b.le)?.count ?? 0) }));
  const sum = (text: string) => Number(new RegExp(`^${metric}_sum\\{[^}]*\\} (\\S+)`, 'm').exec(text)?.[1] ?? NaN);
  const n = histogramCount(b1);
  const meanMs = ((sum(after) - sum(before)) / n) * 1000;
  const p50Hist = histogramQuantile(b1, 0.5) * 1000;
  const tickP50 = quantile(durations, 0.5);
  const groupP50 = quantile(group.durations, 0.5);
  const ratio = tickP50 / groupP50;
  await publish({
    title: `Whole tick vs Prometheus' rule group: ${CHECKS} checks at ${TICK_S} s${RECORDED ? ', checks read from the recording rules' : ''}`,
    command: `${NODE_ARGS.length > 0 ? `BENCH_NODE_ARGS="${NODE_ARGS.join(' ')}" ` : ''}BENCH_SECONDS=${SECONDS} BENCH_CHECKS=${CHECKS} BENCH_TICK_S=${TICK_S}${RECORDED ? ' BENCH_RECORDED=1' : ''}${PROFILE ? '' : ' BENCH_PROFILE=0'} node dist/bench/tick-daemon.js`,
    setup: [
      `daemon child (simulator/local/daemon-entry.ts${PROFILE ? ', --cpu-prof' : ''}) with one suite of ${CHECKS} check_metrics-style checks and its guard; real Redis; real Prometheus scraping the synthetic Istio series every 1 s`,
      RECORDED
        ? `the same Prometheus evaluates the same ${exprs.length} expressions (${new Set(exprs).size} distinct) twice every ${TICK_S} s: as one plain recording-rule group ("rule group", the ratio's denominator), and as the recording rules \`mesh-soak rules\` prints (each wrapped to keep its metric name and add its marker; "recording-rule group"), which the daemon reads (prometheus.recordingRules); all measured over the same ${SECONDS} s after a ${WARMUP_S} s warm-up`
        : `the same Prometheus evaluates the same ${exprs.length} expressions (${new Set(exprs).size} distinct) as one recording-rule group every ${TICK_S} s; both measured over the same ${SECONDS} s after a ${WARMUP_S} s warm-up`,
      "tick: the daemon's log `durationMs` (the value mesh_soak_tick_duration_seconds observes) and the histogram itself; rule group: prometheus_rule_group_last_duration_seconds at each evaluation",
      `load average (1 min) ${loadAtStart.toFixed(1)} at the start of the measured window, ${loadAtEnd.toFixed(1)} at its end, ${cpus().length} cores shared by daemon, Prometheus and Redis: compare ratios from one run only`,
      PROFILE ? '--cpu-prof slows the daemon side only (the ratio is pessimistic); BENCH_PROFILE=0 for the ratio alone' : 'no CPU profile (BENCH_PROFILE=0)',
    ],
    rows: [
      { measurement: 'daemon tick p50 (log)', value: tickP50, unit: 'ms', n: durations.length },
      { measurement: 'daemon tick p99 (log)', value: quantile(durations, 0.99), unit: 'ms', n: durations.length },
      { measurement: 'daemon tick mean (histogram sum/count)', value: meanMs, unit: 'ms', n },
      { measurement: 'daemon tick p50 (histogram_quantile)', value: p50Hist, unit: 'ms', n },
      { measurement: 'rule group p50', value: groupP50, unit: 'ms', n: group.durations.length },
      { measurement: 'rule group p99', value: quantile(group.durations, 0.99), unit: 'ms', n: group.durations.length },
      ...[...phases].map(([phase, ms]) => ({ measurement: `tick phase ${phase} p50 (log phasesMs)`, value: quantile(ms, 0.5), unit: 'ms', n: ms.length })),
      ...(RECORDED
        ? [
            { measurement: 'recording-rule group the daemon reads p50', value: quantile(recordedGroup.durations, 0.5), unit: 'ms', n: recordedGroup.durations.length },
            { measurement: 'tick p50 ÷ recording-rule group p50', value: tickP50 / quantile(recordedGroup.durations, 0.5), unit: 'x', n: '' },
          ]
        : []),
      ...lookups.map((l) => ({ measurement: `after the run, ${l.what}: p50 (${l.series} series, ${Math.round(l.bytes / 1024)} KiB)`, value: l.p50Ms, unit: 'ms', n: 20 })),
      { measurement: 'tick p50 ÷ rule group p50', value: ratio, unit: 'x', n: '' },
      ...(RECORDED ? [{ measurement: 'expressions asked directly (missing, stale or failed recorded result), whole run', value: directAsked(after), unit: '', n: '' }] : []),
    ],
    verdicts: [verdict('whole tick ÷ rule group (p50)', ratio, TARGET_RATIO, 'x')],
    notes: profileLines(profile),
  });
});
