// The tick benchmark: how long one tick of 500 check_metrics-style checks takes through
// PrometheusClient (and the check engine), against Prometheus evaluating the same 500
// expressions as a recording-rule group, and against check_metrics.py's way (one fresh
// connection per sequential query). Prints a table and rewrites the "Tick benchmark"
// section of bench/RESULTS.md. Nothing is asserted: the targets are reported.
//
// Run: npx tsc -p tsconfig.json && node dist/bench/tick.js

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { evaluateGroup } from '../src/checks/evaluate-group.js';
import { BatchingProvider } from '../src/adapters/prometheus/batching-provider.js';
import type { CheckSpec } from '../src/config/model.js';
import { PrometheusClient } from '../src/adapters/prometheus/client.js';
import { startPrometheus, waitFor, type RunningPrometheus } from '../test/harness/index.js';
import { SCALAR_OF_500, VECTOR_500, benchChecks, seriesCount } from './istio-series.js';

const REPS = 15;
const DATA_WAIT_S = 15;
/** The whole run is killed after this long, whatever happens. */
const WATCHDOG_MS = 12 * 60_000;

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root, from src (bench/) or from the build (dist/bench/). */
const root = existsSync(join(here, '..', 'package.json')) ? resolve(here, '..') : resolve(here, '..', '..');

interface Stat {
  name: string;
  n: number;
  medianMs: number;
  p95Ms: number;
  note?: string;
}

function stat(name: string, samplesMs: number[], note?: string): Stat {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
  const s: Stat = { name, n: sorted.length, medianMs: at(0.5), p95Ms: at(0.95) };
  if (note !== undefined) s.note = note;
  return s;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function repeat(reps: number, fn: () => Promise<unknown>, warmup = 1): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < reps; i++) out.push(await timed(fn));
  return out;
}

/** Starts bench/target-process.js and waits (bounded) for its `READY host:port`. */
function startTargetProcess(): Promise<{ child: ChildProcess; hostPort: string }> {
  const child = spawn(process.execPath, [join(here, 'target-process.js')], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolvePromise, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('the target process did not start within 30 s'));
    }, 30_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\S+)\n/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolvePromise({ child, hostPort: m[1] });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the target process exited with ${code}`));
    });
  });
}

/** Prometheus' own CPU time so far (ms), from its /metrics. */
async function prometheusCpuMs(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  const line = text.split('\n').find((l) => l.startsWith('process_cpu_seconds_total '));
  return line === undefined ? NaN : Number(line.slice(line.indexOf(' ') + 1)) * 1000;
}

/** (a) One tick of every check through the client and the engine. */
async function tickThroughEngine(
  url: string,
  checks: CheckSpec[],
  concurrency: number,
  batch = 0,
): Promise<{ stat: Stat; verdicts: string; promCpuPerTickMs: number; nodeCpuPerTickMs: number }> {
  const raw = new PrometheusClient({ url, timeoutMs: 10_000, concurrency });
  // batch > 0: the daemon's way, a tick's queries coalesced `batch` to a request.
  const client = batch > 0 ? new BatchingProvider(raw, { maxBatch: batch }) : raw;
  try {
    let last: Awaited<ReturnType<typeof evaluateGroup>> | undefined;
    let prev = {};
    const tick = async () => {
      last = await evaluateGroup({ checks }, client, prev, Date.now());
      prev = last.records;
    };
    await tick();
    const promBefore = await prometheusCpuMs(url);
    const nodeBefore = process.cpuUsage();
    const samples = await repeat(REPS, tick, 0);
    const node = process.cpuUsage(nodeBefore);
    // Includes Prometheus' idle work (scraping 4501 series every 1 s) during the ticks.
    const promCpuPerTickMs = ((await prometheusCpuMs(url)) - promBefore) / REPS;
    const nodeCpuPerTickMs = (node.user + node.system) / 1000 / REPS;
    const counts: Record<string, number> = {};
    for (const r of Object.values(last?.records ?? {})) counts[r.state] = (counts[r.state] ?? 0) + 1;
    const verdicts = Object.entries(counts)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ');
    const note = `CPU per tick: Prometheus ${promCpuPerTickMs.toFixed(0)} ms, mesh-soak ${nodeCpuPerTickMs.toFixed(0)} ms`;
    return {
      stat: stat(`(a) tick, 500 checks, evaluateGroup, concurrency ${concurrency}${batch ? `, batches of ${batch}` : ', unbatched'}`, samples, note),
      verdicts,
      promCpuPerTickMs,
      nodeCpuPerTickMs,
    };
  } finally {
    await client.close();
  }
}

/** (a') The same queries through the client alone, no state machine. */
async function tickClientOnly(url: string, checks: CheckSpec[], concurrency: number): Promise<Stat> {
  const client = new PrometheusClient({ url, timeoutMs: 10_000, concurrency });
  try {
    const samples = await repeat(REPS, () => Promise.all(checks.map((c) => client.query(c.query))));
    return stat(`(a') 500 queries, client only, concurrency ${concurrency}`, samples);
  } finally {
    await client.close();
  }
}

/** (c) check_metrics.py's way: sequential GETs, a new TCP connection for each (no session). */
function getFresh(url: string, expr: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const req = http.get(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`, { agent: false, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolvePromise() : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

async function sequentialFresh(url: string, checks: CheckSpec[]): Promise<Stat> {
  const samples = await repeat(
    10,
    async () => {
      for (const c of checks) await getFresh(url, c.query);
    },
    1,
  );
  return stat('(c) 500 sequential GETs, fresh connection each (check_metrics.py)', samples);
}

/** check_metrics.py's loop itself: Python requests without a session, one GET per query. */
const PYTHON_SEQUENTIAL = `
import json, sys, time, requests
url, file, reps = sys.argv[1], sys.argv[2], int(sys.argv[3])
queries = json.load(open(file))
out = []
for rep in range(reps + 1):
    t0 = time.perf_counter()
    for q in queries:
        r = requests.get(url + "/api/v1/query", params={"query": q}, timeout=10)
        r.raise_for_status()
        r.json()["data"]["result"]
    if rep > 0:
        out.append((time.perf_counter() - t0) * 1000)
print(json.dumps(out))
`;

async function sequentialPython(url: string, checks: CheckSpec[], dir: string): Promise<Stat | undefined> {
  const file = join(dir, 'queries.json');
  await writeFile(file, JSON.stringify(checks.map((c) => c.query)));
  try {
    const { stdout } = await promisify(execFile)('python3', ['-c', PYTHON_SEQUENTIAL, url, file, '10'], { timeout: 180_000 });
    const samples = JSON.parse(stdout) as number[];
    return stat("(c') the same in Python requests, no session (check_metrics.py's loop)", samples);
  } catch (err) {
    console.error(`Python sequential timing skipped: ${(err as Error).message.split('\n')[0]}`);
    return undefined;
  }
}

/** (d) One vector check over 500 series vs one scalar query. */
async function vectorVsScalar(url: string): Promise<Stat[]> {
  const client = new PrometheusClient({ url, timeoutMs: 10_000, concurrency: 1 });
  const vectorCheck: CheckSpec = {
    ...(benchChecks()[0] as CheckSpec),
    name: 'vector-500',
    query: VECTOR_500,
  };
  try {
    const n = (await client.query(VECTOR_500)).length;
    let prev = {};
    const vec = await repeat(REPS * 2, async () => {
      const r = await evaluateGroup({ checks: [vectorCheck] }, client, prev, Date.now());
      prev = r.records;
    });
    const scalar = await repeat(REPS * 2, () => evaluateGroup({ checks: [{ ...vectorCheck, query: SCALAR_OF_500 }] }, client, {}, Date.now()));
    return [stat(`(d) one vector check, ${n} series (${n} instances)`, vec), stat('(d) one scalar check (sum of the same)', scalar)];
  } finally {
    await client.close();
  }
}

/** (b) Prometheus evaluating the same 500 expressions as one rule group every 1 s. */
async function ruleGroup(prom: RunningPrometheus, rulesFile: string, checks: CheckSpec[]): Promise<Stat> {
  const rules = checks.map((c, i) => `      - record: bench:check_${i}\n        expr: ${JSON.stringify(c.query)}`).join('\n');
  await writeFile(rulesFile, `groups:\n  - name: bench\n    interval: 1s\n    rules:\n${rules}\n`);
  await prom.reload();
  const read = async (): Promise<{ ts: number; duration: number; samples: number } | undefined> => {
    const text = await (await fetch(`${prom.url}/metrics`)).text();
    const pick = (metric: string): number | undefined => {
      const line = text.split('\n').find((l) => l.startsWith(`${metric}{`) && l.includes(';bench"'));
      return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
    };
    const ts = pick('prometheus_rule_group_last_evaluation_timestamp_seconds');
    const duration = pick('prometheus_rule_group_last_duration_seconds');
    const samples = pick('prometheus_rule_group_last_evaluation_samples');
    return ts === undefined || duration === undefined || samples === undefined ? undefined : { ts, duration, samples };
  };
  const durations: number[] = [];
  let lastTs = 0;
  let seriesOut = 0;
  await waitFor(
    async () => {
      const m = await read();
      if (m && m.ts > 0 && m.ts !== lastTs) {
        // The first evaluation after a reload is not steady state; skip it.
        if (lastTs !== 0) durations.push(m.duration * 1000);
        lastTs = m.ts;
        seriesOut = m.samples;
      }
      return durations.length >= REPS;
    },
    { timeoutMs: 90_000, intervalMs: 200, what: `${REPS} evaluations of the 500-rule group` },
  );
  await writeFile(rulesFile, 'groups: []\n');
  await prom.reload();
  return stat('(b) Prometheus rule group, 500 record rules (rule_group_last_duration)', durations, `${seriesOut} samples out`);
}

/** `mesh-soak check` end to end with 500 mesh-wide checks, when the CLI is built. */
async function cliCheck(url: string, checks: CheckSpec[], dir: string): Promise<Stat | undefined> {
  const cli = join(root, 'dist', 'src', 'cli.js');
  if (!existsSync(cli)) return undefined;
  const config = join(dir, 'bench-config.yaml');
  const lines = ['prometheus:', `  url: ${url}`, '  timeout: 10s', 'checks:'];
  for (const c of checks) {
    lines.push(`  - name: ${JSON.stringify(c.name)}`, `    query: ${JSON.stringify(c.query)}`, `    fail: ${JSON.stringify(c.fail.text)}`, '    noData: ok');
  }
  await writeFile(config, lines.join('\n') + '\n');
  const codes = new Set<number>();
  const runOnce = () =>
    new Promise<void>((resolvePromise, reject) => {
      const child = spawn(process.execPath, [cli, 'check', '--config', config, '--json'], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        codes.add(code ?? -1);
        if (code === 0 || code === 1 || code === 3) resolvePromise();
        else reject(new Error(`mesh-soak check exited ${code}: ${stderr.slice(0, 500)}`));
      });
    });
  try {
    const samples = await repeat(10, runOnce, 1);
    return stat('mesh-soak check (CLI, 500 checks, process start included)', samples, `exit ${[...codes].join('/')}`);
  } catch (err) {
    console.error(`CLI timing skipped: ${(err as Error).message}`);
    return undefined;
  }
}

function table(stats: Stat[]): string {
  const rows = stats.map(
    (s) => `| ${s.name} | ${s.n} | ${s.medianMs.toFixed(1)} | ${s.p95Ms.toFixed(1)} | ${s.note ?? ''} |`,
  );
  return ['| measurement | n | median ms | p95 ms | note |', '| --- | ---: | ---: | ---: | --- |', ...rows].join('\n');
}

async function machine(): Promise<string> {
  const free = await promisify(execFile)('free', ['-h']).then(
    (r) => r.stdout.trim(),
    () => '(free not available)',
  );
  return [
    `- date: ${new Date().toISOString()}`,
    `- nproc: ${availableParallelism()}`,
    `- node: ${process.version}`,
    `- prometheus: ${await promisify(execFile)('/usr/bin/prometheus', ['--version']).then(
      (r) => (r.stdout || r.stderr).split('\n')[0] ?? '',
      () => 'unknown',
    )}`,
    '- memory (`free -h`):',
    '',
    '```',
    free,
    '```',
  ].join('\n');
}

async function writeResults(section: string): Promise<void> {
  const file = join(root, 'bench', 'RESULTS.md');
  const existing = existsSync(file) ? await readFile(file, 'utf8') : '# Benchmark results\n';
  const heading = '## Tick benchmark';
  const start = existing.indexOf(heading);
  let next: string;
  if (start === -1) {
    next = `${existing.trimEnd()}\n\n${section}\n`;
  } else {
    const after = existing.indexOf('\n## ', start + heading.length);
    next = existing.slice(0, start) + section + '\n' + (after === -1 ? '' : existing.slice(after + 1));
  }
  await writeFile(file, next);
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'mesh-soak-bench-'));
  const rulesFile = join(dir, 'rules.yml');
  await writeFile(rulesFile, 'groups: []\n');
  let target: ChildProcess | undefined;
  let prom: RunningPrometheus | undefined;
  const watchdog = setTimeout(() => {
    console.error('tick benchmark: watchdog fired, giving up');
    target?.kill('SIGKILL');
    void (prom?.stop() ?? Promise.resolve()).finally(() => process.exit(1));
  }, WATCHDOG_MS);
  try {
    const started = await startTargetProcess();
    target = started.child;
    prom = await startPrometheus({ scrapeTargets: [started.hostPort], scrapeIntervalS: 1, ruleFiles: [rulesFile] });
    const url = prom.url;
    console.log(`Prometheus ${url}, ${seriesCount()} series scraped every 1 s; waiting ${DATA_WAIT_S} s for data`);
    const probe = new PrometheusClient({ url, timeoutMs: 5000 });
    await waitFor(async () => (await probe.query(VECTOR_500)).length === 500, {
      timeoutMs: 60_000,
      intervalMs: 500,
      what: 'the 500 istio_requests_total series to have a rate',
    });
    await probe.close();
    await new Promise((r) => setTimeout(r, DATA_WAIT_S * 1000));

    // Other work on the 2 cores skews every wall time; give it a bounded chance to calm down.
    const quiet = await waitFor(() => (loadavg()[0] ?? 0) < availableParallelism() * 0.75, {
      timeoutMs: 120_000,
      intervalMs: 2000,
      what: 'the 1-minute load average to drop below 0.75 per core',
    }).then(
      () => true,
      () => false,
    );
    if (!quiet) console.error('the machine stayed busy; measuring anyway (see the load averages in the results)');
    const checks = benchChecks();
    const stats: Stat[] = [];
    const loadStart = loadavg().map((l) => l.toFixed(2)).join(' ');
    const a8 = await tickThroughEngine(url, checks, 8);
    stats.push(a8.stat);
    const a16 = await tickThroughEngine(url, checks, 16);
    stats.push(a16.stat);
    const b25 = await tickThroughEngine(url, checks, 16, 25);
    stats.push(b25.stat);
    const b50 = await tickThroughEngine(url, checks, 16, 50);
    stats.push(b50.stat);
    stats.push(await tickClientOnly(url, checks, 16));
    stats.push(await ruleGroup(prom, rulesFile, checks));
    stats.push(await sequentialFresh(url, checks));
    const python = await sequentialPython(url, checks, dir);
    stats.push(...(await vectorVsScalar(url)));
    if (python) stats.push(python);
    const cli = await cliCheck(url, checks, dir);
    if (cli) stats.push(cli);

    const [sa8, sa16, sb25, sb50, , sb, sc] = stats as [Stat, Stat, Stat, Stat, Stat, Stat, Stat];
    const bestA = Math.min(sa8.medianMs, sa16.medianMs, sb25.medianMs, sb50.medianMs);
    const ratios = [
      `- a/b (tick ÷ Prometheus rule group, medians): unbatched concurrency 8: ${(sa8.medianMs / sb.medianMs).toFixed(2)}x, ` +
        `concurrency 16: ${(sa16.medianMs / sb.medianMs).toFixed(2)}x; batched 25 (the daemon's default): ${(sb25.medianMs / sb.medianMs).toFixed(2)}x, ` +
        `batched 50: ${(sb50.medianMs / sb.medianMs).toFixed(2)}x (target ≤ 1.0x)`,
      `- c/a (sequential fresh connections ÷ best tick, medians): ${(sc.medianMs / bestA).toFixed(1)}x (target ≥ 10x)`,
      ...(python
        ? [`- c'/a (Python requests, sequential ÷ best tick, medians): ${(python.medianMs / bestA).toFixed(1)}x (target ≥ 10x)`]
        : []),
      `- Prometheus CPU per tick (concurrency 16) ÷ rule group duration: ${(a16.promCpuPerTickMs / sb.medianMs).toFixed(2)}x ` +
        '(the HTTP path\'s extra work inside Prometheus, independent of other load on the machine)',
      `- load average at start ${loadStart}, at end ${loadavg().map((l) => l.toFixed(2)).join(' ')} (other engineers' tests share the 2 cores)`,
    ];
    const out = table(stats);
    console.log(out);
    console.log(ratios.join('\n'));
    const section = [
      '## Tick benchmark',
      '',
      '`npx tsc -p tsconfig.json && node dist/bench/tick.js` (bench/tick.ts). A real Prometheus',
      `(harness) scrapes a synthetic target with ${seriesCount()} Istio/cAdvisor-like series every 1 s`,
      '(20 namespaces × 25 services × 5 response codes of istio_requests_total, 2 pods per service of',
      'container_cpu_usage_seconds_total and container_memory_working_set_bytes). 500 checks in',
      "check_metrics.py's shapes (5xx rate, sanity, Envoy CPU per pod, memory peak, error ratio),",
      `${REPS} timed repetitions after one warm-up unless n says otherwise. Prometheus, the`,
      'benchmark and the target (a process of its own) share the machine, so (a) and (c) include',
      "Prometheus' own work; (b) is Prometheus' in-process evaluation of the same 500 expressions, read from",
      '`prometheus_rule_group_last_duration_seconds`. (c) uses node:http with a fresh connection',
      'per request, like Python requests without a session (Python\'s own overhead not included).',
      '',
      out,
      '',
      ...ratios,
      '',
      `Verdicts of the last tick: ${a16.verdicts}.`,
      '',
      'Machine:',
      '',
      await machine(),
      '',
    ].join('\n');
    await writeResults(section);
    console.log(`wrote ${join(root, 'bench', 'RESULTS.md')}`);
  } finally {
    clearTimeout(watchdog);
    await prom?.stop();
    if (target && target.exitCode === null) {
      const gone = new Promise((r) => target?.once('exit', r));
      target.kill('SIGTERM');
      await gone;
    }
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
