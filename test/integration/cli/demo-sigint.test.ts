// `mesh-soak demo` stopped by one Ctrl-C at random points of every phase (servers starting,
// daemon starting, running): SIGINT goes to the demo's whole process group, as a terminal
// sends it, and the demo must exit 0 on that one signal, leaving no process and no temp dir.
// The points are seeded (MESH_SOAK_FAULT_SEED reproduces them). How fast it stops is measured
// by bench/, not asserted here.

import { execFileSync, spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { builtCli, waitFor } from '../../harness/index.js';
import { seededRandom } from '../../e2e/fault-helpers/seeded-random.js';
import { scaledMs } from '../../../simulator/local/wait-for.js';

const SEED = Number(process.env.MESH_SOAK_FAULT_SEED ?? Date.now() % 100_000);

const demoDirs = async (): Promise<string[]> => (await readdir(tmpdir())).filter((n) => n.startsWith('mesh-soak-demo-'));

/** Command lines of every process that mentions one of the dirs. */
function processesUsing(dirs: string[]): string[] {
  const ps = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return ps.split('\n').filter((l) => dirs.some((d) => l.includes(d)));
}

interface Round {
  phase: 'starting' | 'running';
  delayMs: number;
}

async function interruptOnce(cli: string, round: Round): Promise<{ code: number | null; signal: string | null; dirs: string[]; out: string }> {
  const before = new Set(await demoDirs());
  // As a user runs it: not under vitest (whose variables switch the harness' signal hooks on).
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST')));
  const child = spawn(process.execPath, [cli, 'demo', '--tick', '2s'], { detached: true, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  let signal: string | null = null;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code, sig) => {
      signal = sig;
      resolve(code);
    }),
  );
  let gone = false;
  void exited.then(() => (gone = true));
  const seen = new Set<string>();
  const watch = setInterval(() => void demoDirs().then((ds) => ds.filter((d) => !before.has(d)).forEach((d) => seen.add(d))), 50);
  try {
    if (round.phase === 'running') {
      await waitFor(() => out.includes('Ctrl-C stops everything') || gone, { timeoutMs: 180_000, what: 'the demo to be running', seen: () => out.slice(-2000) });
    }
    await new Promise((r) => setTimeout(r, round.delayMs));
    if (!gone) process.kill(-child.pid!, 'SIGINT');
    await waitFor(() => gone, { timeoutMs: 120_000, what: 'the demo to exit on one SIGINT', seen: () => out.slice(-2000) });
  } finally {
    clearInterval(watch);
    if (!gone) process.kill(-child.pid!, 'SIGKILL');
  }
  const code = await exited;
  return { code, signal, dirs: [...seen], out };
}

describe('demo: one Ctrl-C stops everything', () => {
  it(`in every phase, at seeded random points (seed ${SEED})`, async () => {
    const cli = await builtCli();
    const random = seededRandom(SEED);
    const rounds: Round[] = [
      { phase: 'starting', delayMs: Math.floor(random() * 400) },
      { phase: 'starting', delayMs: 400 + Math.floor(random() * 3000) },
      { phase: 'running', delayMs: Math.floor(random() * 3000) },
    ];
    for (const round of rounds) {
      const r = await interruptOnce(cli, round);
      // Before node has installed its handlers (the first few hundred ms) SIGINT ends it the
      // default way, with nothing started yet; from then on the demo stops and exits 0.
      const how = r.signal === 'SIGINT' && r.out === '' ? 'SIGINT before start' : `exit ${r.code}`;
      expect(how === 'SIGINT before start' || r.code === 0, `${round.phase} +${round.delayMs} ms: ${how}; output:\n${r.out.slice(-1500)}`).toBe(true);
      const leftDirs = (await demoDirs()).filter((d) => r.dirs.includes(d));
      expect(leftDirs, `temp dirs left after ${round.phase} +${round.delayMs} ms`).toEqual([]);
      // The servers were started with paths inside the demo's dir: none may still run.
      await waitFor(() => processesUsing(r.dirs).length === 0, { timeoutMs: 10_000, what: 'no process left', seen: () => processesUsing(r.dirs).join('\n') });
    }
  }, scaledMs(900_000));
});
