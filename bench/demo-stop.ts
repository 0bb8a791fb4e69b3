// How fast one Ctrl-C stops `mesh-soak demo` (issue 12's target: within 5 s in every phase).
// Each round starts the built demo in its own process group, as a terminal runs it, sends
// SIGINT to the group at a seeded random point of a phase (early start, late start,
// running) and times the SIGINT → exit of the demo, then checks that no process and no
// temp dir of that round is left. test/integration/cli/demo-sigint.test.ts asserts the outcome
// (exit 0, nothing left); this file measures the time.
//
// Run: npx tsc -p tsconfig.json && node dist/bench/demo-stop.js
// Env: BENCH_ROUNDS (default 9: three per phase), BENCH_SEED.

import { execFileSync, spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandom } from '../src/disruption/steps/choose.js';
import { envNumber, lifecycle, sleep } from './lib/lifecycle.js';
import { distDir } from './lib/paths.js';
import { publish, verdict, type Row } from './lib/report.js';
import { quantile } from './lib/stats.js';

const ROUNDS = envNumber('BENCH_ROUNDS', 9);
const SEED = envNumber('BENCH_SEED', Date.now() % 100_000);
const TARGET_MS = 5_000;
const RUNNING_LINE = 'Ctrl-C stops everything';

/** Early start: servers starting; late start: servers up, the daemon starting; running. */
type Phase = 'early start' | 'late start' | 'running';
interface RoundResult {
  phase: Phase;
  delayMs: number;
  stopMs: number;
  code: number | null;
  left: number;
}

const demoDirs = async (): Promise<string[]> => (await readdir(tmpdir())).filter((n) => n.startsWith('mesh-soak-demo-'));

function processesUsing(dirs: readonly string[]): number {
  if (dirs.length === 0) return 0;
  const ps = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return ps.split('\n').filter((l) => dirs.some((d) => l.includes(d))).length;
}

/** Polls until cond() or the deadline; bounded in time. */
async function until(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!cond() && Date.now() < end) await sleep(20);
  return cond();
}

async function round(phase: Phase, delayMs: number): Promise<RoundResult> {
  const before = new Set(await demoDirs());
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST')));
  const child = spawn(process.execPath, [join(distDir, 'src', 'cli.js'), 'demo', '--tick', '2s'], { detached: true, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let code: number | null = null;
  let exitedAt = 0;
  child.stdout.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-20_000)));
  child.stderr.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-20_000)));
  // SIGINT before node installs the demo's handlers ends it the default way, nothing started yet.
  child.once('exit', (c, sig) => ((code = sig === 'SIGINT' && out === '' ? 0 : c), (exitedAt = Date.now())));
  const seen = new Set<string>();
  const watch = setInterval(() => void demoDirs().then((ds) => ds.filter((d) => !before.has(d)).forEach((d) => seen.add(d))), 50);
  try {
    if (phase === 'running') await until(() => out.includes(RUNNING_LINE) || exitedAt > 0, 180_000);
    await sleep(delayMs);
    const sentAt = Date.now();
    if (exitedAt === 0) process.kill(-child.pid!, 'SIGINT');
    await until(() => exitedAt > 0, 60_000);
    const stopMs = exitedAt > 0 ? exitedAt - sentAt : Number.POSITIVE_INFINITY;
    await until(() => processesUsing([...seen].map((d) => join(tmpdir(), d))) === 0, 10_000);
    const left = processesUsing([...seen].map((d) => join(tmpdir(), d))) + (await demoDirs()).filter((d) => seen.has(d)).length;
    return { phase, delayMs, stopMs, code, left };
  } finally {
    clearInterval(watch);
    if (exitedAt === 0) process.kill(-child.pid!, 'SIGKILL');
  }
}

const life = lifecycle('demo-stop', ROUNDS * 300_000);

await life.run(async () => {
  const random = seededRandom(SEED);
  const phases: Phase[] = ['early start', 'late start', 'running'];
  const results: RoundResult[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const phase = phases[i % phases.length]!;
    const delayMs = phase === 'late start' ? 1500 + Math.floor(random() * 4500) : Math.floor(random() * (phase === 'early start' ? 1500 : 3000));
    const r = await round(phase, delayMs);
    console.log(`round ${i + 1}: ${r.phase} +${r.delayMs} ms → exit ${r.code} after ${r.stopMs} ms, left ${r.left}`);
    results.push(r);
  }
  const rows: Row[] = phases.map((phase) => {
    const ms = results.filter((r) => r.phase === phase).map((r) => r.stopMs);
    return { phase, rounds: ms.length, 'p50 ms': quantile(ms, 0.5), 'max ms': Math.max(...ms) };
  });
  const all = results.map((r) => r.stopMs);
  const bad = results.filter((r) => r.code !== 0 || r.left > 0);
  await publish({
    title: 'Demo stopped by one Ctrl-C (SIGINT to its process group → exit)',
    command: `BENCH_ROUNDS=${ROUNDS} BENCH_SEED=${SEED} node dist/bench/demo-stop.js`,
    setup: [`${ROUNDS} rounds, seed ${SEED}, demo --tick 2s, load average at the end ${execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).trim()}`],
    rows,
    verdicts: [verdict('slowest stop', Math.max(...all), TARGET_MS, 'ms'), `rounds not exiting 0 or leaving a process/temp dir: ${bad.length}`],
  });
});
