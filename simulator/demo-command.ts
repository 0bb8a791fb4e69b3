// `mesh-soak demo`: the whole loop on this machine (see simulator/demo-stack.ts), with a live
// line per tick, per state change, per disruption and per alert that reaches the webhook
// through Alertmanager. Ctrl-C stops everything it started and exits 0.

import { onStopSignals, untilAborted } from '../src/commands/signals.js';
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDuration, formatDuration } from '../src/checks/duration.js';
import { formatValue } from '../src/checks/format-value.js';
import { UserError } from '../src/shared/errors.js';
import { DemoAborted, parseFault, startDemoStack, type DemoStack, type ReceivedAlert } from './demo-stack.js';
import type { StatusBody } from '../src/daemon/status.js';
import { parsePort } from '../src/commands/port.js';
import type { Command, CommandContext } from '../src/commands/command.js';

const BINARIES: Record<string, string> = {
  'redis-server': 'redis-server',
  prometheus: 'prometheus',
  promtool: 'prometheus',
  'prometheus-alertmanager': 'prometheus-alertmanager',
};

function missingPackages(): string[] {
  const missing = new Set<string>();
  for (const [bin, pkg] of Object.entries(BINARIES)) {
    try {
      execFileSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' });
    } catch {
      missing.add(pkg);
    }
  }
  return [...missing];
}

/** Installs the Debian packages the demo runs, when missing (as root; else says how). */
function ensurePackages(ctx: CommandContext): void {
  const missing = missingPackages();
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new UserError(`the demo needs ${missing.join(', ')}: run "sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}" (or npm run demo)`);
  }
  ctx.stderr.write(`demo: installing ${missing.join(', ')} with apt-get\n`);
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

function durationOption(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (typeof ms !== 'number' || ms <= 0) throw new UserError(`--${name}: "${text}" is not a positive duration (e.g. 5s, 2m)`);
  return ms;
}

/** --clusters: 1 to 4 simulated clusters. */
function clusterCount(text: string | undefined): number {
  if (text === undefined) return 1;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 4) throw new UserError(`--clusters: "${text}" is not a number of clusters from 1 to 4`);
  return n;
}

const clock = () => new Date().toISOString().slice(11, 19);

/** Colours only on a terminal; plain text in a pipe or a log. */
function paint(out: NodeJS.WritableStream): (code: string, text: string) => string {
  const tty = (out as NodeJS.WriteStream).isTTY === true && !process.env.NO_COLOR;
  return (code, text) => (tty ? `\x1b[${code}m${text}\x1b[0m` : text);
}

const STATE_COLOUR: Record<string, string> = { failing: '1;31', pending: '33', unknown: '35', ok: '32', skipped: '2' };

/** How often routine ticks are summarized in one line. */
const SUMMARY_EVERY_MS = 30_000;

/**
 * Prints what changed since the previous status: state changes and disruptions as they
 * happen (they stand out), routine ticks as one summary line every 30 s.
 */
function reporter(out: NodeJS.WritableStream) {
  const colour = paint(out);
  const lastTick = new Map<string, number>();
  const lastDisruption = new Map<string, number>();
  const lastState = new Map<string, string>();
  let ticksSince = 0;
  let summaryAt = Date.now();
  return (body: StatusBody) => {
    for (const s of body.suites) {
      const t = s.lastTick?.startedAt ?? 0;
      if (t && t !== lastTick.get(s.name)) {
        lastTick.set(s.name, t);
        ticksSince += 1;
      }
      for (const c of s.checks) {
        const key = `${s.name}/${c.name}`;
        const prev = lastState.get(key);
        if (prev !== undefined && prev !== c.state) {
          const value = c.value !== null ? ` (value ${typeof c.value === 'number' ? formatValue(c.value) : c.value})` : '';
          out.write(`${clock()} ${colour('1', 'STATE')}      ${key}: ${prev} -> ${colour(STATE_COLOUR[c.state] ?? '0', c.state)}${value}${c.reason ? ` ${c.reason}` : ''}\n`);
        }
        lastState.set(key, c.state);
      }
      const d = s.lastDisruption;
      if (d && d.startedAt !== lastDisruption.get(s.name)) {
        lastDisruption.set(s.name, d.startedAt);
        out.write(`${clock()} disruption ${s.name}: ${d.outcome} in ${formatDuration(Math.round(d.durationMs))}${d.message ? ` (${d.message})` : ''}\n`);
      }
    }
    if (Date.now() - summaryAt >= SUMMARY_EVERY_MS) {
      out.write(`${clock()} ticks      ${ticksSince} in the last ${Math.round((Date.now() - summaryAt) / 1000)} s; checks now: ${stateCounts(body)}\n`);
      ticksSince = 0;
      summaryAt = Date.now();
    }
  };
}

/**
 * A line when a benchmark run starts or ends; after each finished run the CSV of all finished
 * runs (the original's columns) is written to the demo's folder.
 */
function benchReporter(out: NodeJS.WritableStream, csv: (() => Promise<string>) | undefined, dir: string) {
  const seen = new Map<string, string>();
  return (body: StatusBody) => {
    for (const s of body.suites) {
      const r = s.benchmark?.lastRun;
      if (!r || seen.get(s.name) === `${r.id}/${r.state}`) continue;
      seen.set(s.name, `${r.id}/${r.state}`);
      out.write(`${clock()} benchmark  ${s.name}: run ${r.id} ${r.state} (Istio ${r.istioVersion}, ${r.points} point(s))${r.reason ? ` ${r.reason}` : ''}\n`);
      if (r.state !== 'done' || !csv) continue;
      const file = join(dir, 'benchmark.csv');
      csv()
        .then((text) => writeFile(file, text))
        .then(() => out.write(`${clock()} benchmark  CSV of the finished runs: ${file}\n`))
        .catch((err: unknown) => out.write(`${clock()} benchmark  CSV not written: ${String(err)}\n`));
    }
  };
}

function stateCounts(body: StatusBody): string {
  const counts = new Map<string, number>();
  for (const s of body.suites) for (const c of s.checks) counts.set(c.state, (counts.get(c.state) ?? 0) + 1);
  return ['failing', 'pending', 'unknown', 'ok', 'skipped'].filter((x) => counts.has(x)).map((x) => `${counts.get(x)} ${x}`).join(', ');
}

/** An annotation's value rounded like every other value shown to people. */
function roundText(v: string | undefined): string {
  if (v === undefined) return '?';
  const n = Number(v);
  return v.trim() !== '' && !Number.isNaN(n) ? formatValue(n) : v;
}

function alertLine(a: ReceivedAlert): string {
  const what = `${a.labels.cluster ? `${a.labels.cluster}/` : ''}${a.labels.suite ?? '?'}/${a.labels.check ?? '?'}`;
  const text = a.annotations.summary ? ` — ${a.annotations.summary}` : '';
  return `${clock()} ALERT      ${a.status.toUpperCase()} ${what} [${a.labels.severity ?? ''}] value ${roundText(a.annotations.value)}${text}\n`;
}

export const demoCommand: Command = {
  summary: 'everything on this machine: Redis, Prometheus, Alertmanager, a simulated cluster and the daemon',
  help: [
    'usage: mesh-soak demo [--fault [CLUSTER/]SUITE:KIND]... [--tick 5s] [--duration 10m] [--port N] [--bench-every 3m] [--chaos] [--clusters N]',
    '',
    'Starts Redis, Prometheus and Alertmanager from the local binaries on free loopback ports,',
    'a fake Kubernetes API with the four suites deployed, a synthetic Istio metrics target that',
    'reacts to the disruptions, and the daemon; prints the URLs and a line per tick, state',
    'change, disruption and alert. Ctrl-C stops everything.',
    '  --fault SUITE:KIND  break a suite on purpose (repeatable). KIND: 5xx, no-drain (rollouts cut',
    '                      requests), early-ready (gateway serves before pilot configures it), cpu,',
    '                      memory, xds-rejects (use suite "mesh" or istio-upgrader); http10: no-host (400),',
    '                      no-pilot-http10 (426); release-qualification: one per check, e.g.',
    '                      istiod-memory-growth, xds-push-errors, no-ingress (simulator/istio-metrics.ts);',
    '                      bench:slow-proxy (the benchmark\'s sidecars twice as slow: its p99 regression',
    '                      check fails and alerts)',
    '  --tick D            check interval of every suite (default 5s)',
    '  --duration D        stop by itself after D',
    '  --port N            the daemon\'s HTTP port (default: a free one)',
    '  --bench-every D     how often the benchmark suite (2×2 matrix in modes both and baseline, 10 s',
    '                      points, first run at start, about 90 s) runs (default 3m)',
    '  --chaos             adds chaos-partial; it and istio-upgrader run every minute on the',
    '                      control-plane lock (due on the same minute, they never overlap)',
    '  --clusters N        N simulated clusters (default 1), each with its own Kubernetes API, Istio',
    '                      metrics and Prometheus; http10 runs on all of them, the other suites on',
    '                      cluster-1 (the benchmark too); faults as cluster-2/http10:5xx',
    'Faults can also be switched while it runs: curl -XPOST "<faults URL>/NAMESPACE/KIND?on=true".',
  ].join('\n'),
  options: {
    fault: { type: 'string', multiple: true },
    tick: { type: 'string' },
    duration: { type: 'string' },
    port: { type: 'string' },
    'bench-every': { type: 'string' },
    chaos: { type: 'boolean' },
    clusters: { type: 'string' },
  },
  async run(ctx) {
    const faults = ((ctx.values.fault as string[] | undefined) ?? []).map(parseFault);
    const tickMs = durationOption('tick', ctx.values.tick as string | undefined);
    const durationMs = durationOption('duration', ctx.values.duration as string | undefined);
    const port = parsePort(ctx.values.port as string | undefined);
    const clusters = clusterCount(ctx.values.clusters as string | undefined);
    const benchEvery = formatDuration(durationOption('bench-every', ctx.values['bench-every'] as string | undefined) ?? 180_000);
    ensurePackages(ctx);

    // Signals first: a Ctrl-C while the servers start still stops them and removes the temp dir.
    const stopSignals = onStopSignals();
    const abort = { signal: stopSignals.signal };

    const out = ctx.stdout;
    let stack: DemoStack | undefined;
    let poll: NodeJS.Timeout | undefined;
    let timer: NodeJS.Timeout | undefined;
    let stopping = false;
    try {
      out.write(`${clock()} starting Redis, Prometheus, Alertmanager, the simulated cluster and the daemon…\n`);
      try {
        stack = await startDemoStack({
          ...(tickMs ? { tickMs } : {}),
          // 0 is "any free port", which is the default anyway.
          ...(port ? { port } : {}),
          adminToken: ctx.env.MESH_SOAK_ADMIN_TOKEN,
          benchmark: benchEvery,
          chaos: ctx.values.chaos === true,
          clusters,
          onAlert: (a) => out.write(alertLine(a)),
          signal: abort.signal,
        });
      } catch (err) {
        if (!(err instanceof DemoAborted)) throw err;
        out.write(`${clock()} interrupted while starting; stopped what was started\n`);
        return 0;
      }
      const running = stack;
      const report = reporter(out);
      const benchReport = benchReporter(out, running.benchCsv, running.dir);
      poll = setInterval(() => {
        if (stopping) return;
        fetch(`${running.urls.status}api/v1/status`)
          .then((r) => r.json() as Promise<StatusBody>)
          .then((body) => {
            report(body);
            benchReport(body);
          })
          .catch(() => undefined);
      }, 1000);
      for (const f of faults) running.setFault(f.suite, f.kind);
      out.write(
        [
          '',
          `  status page   ${running.urls.status}`,
          `  metrics       ${running.urls.metrics}`,
          `  Prometheus    ${running.urls.prometheus}`,
          ...running.clusters.slice(1).map((c) => `  Prometheus    ${c.prom.url}   (${c.name}; faults ${c.target.url}/faults)`),
          `  Alertmanager  ${running.urls.alertmanager}`,
          `  faults        ${running.urls.faults}   (POST /faults/NAMESPACE/KIND?on=true|false)`,
          `  config        ${running.configPath}`,
          `  daemon log    ${running.logFile}`,
          faults.length ? `  faults on     ${faults.map((f) => `${f.suite}:${f.kind}`).join(', ')}` : '  no faults: try --fault graceful-shutdown:no-drain or --fault bench:slow-proxy',
          ...(clusters > 1 ? [`  clusters      ${running.clusters.map((c) => c.name).join(', ')}: http10 on all, the other suites on cluster-1`] : []),
          `  benchmark     every ${benchEvery}${clusters > 1 ? ' on cluster-1' : ''}; CSV in ${running.dir}/benchmark.csv after each run`,
          '',
          'Ctrl-C stops everything.',
          '',
        ].join('\n'),
      );
      await Promise.race([
        untilAborted(abort.signal),
        new Promise<void>((resolve) => {
          if (durationMs) timer = setTimeout(resolve, durationMs);
        }),
      ]);
    } finally {
      stopping = true;
      stopSignals.dispose();
      clearTimeout(timer);
      clearInterval(poll);
      if (stack) {
        out.write(`${clock()} stopping…\n`);
        await stack.stop();
        out.write(`${clock()} stopped; nothing left running\n`);
      }
    }
    return 0;
  },
};
