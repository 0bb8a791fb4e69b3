// `mesh-soak demo` interrupted while starting: what was started is stopped and the temp dir
// removed, instead of servers and files left behind.
import { execFileSync } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { DemoAborted, startDemoStack } from '../../../simulator/demo-stack.js';
import { scaledMs, waitFor } from '../../../simulator/local/wait-for.js';

/** Pids of this process' own children whose command line mentions `needle`. */
function ownChildren(needle: string): number[] {
  const ps = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' });
  return ps
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => Number(f[1]) === process.pid && f.slice(2).join(' ').includes(needle))
    .map((f) => Number(f[0]));
}

const demoDirs = async () => new Set((await readdir(tmpdir())).filter((n) => n.startsWith('mesh-soak-demo-')));

describe('demo start-up interrupted', () => {
  it('an abort while starting rejects with DemoAborted and leaves no demo dir behind', async () => {
    const before = await demoDirs();
    const abort = new AbortController();
    abort.abort();
    await expect(startDemoStack({ signal: abort.signal })).rejects.toBeInstanceOf(DemoAborted);
    const left = [...(await demoDirs())].filter((d) => !before.has(d));
    expect(left).toEqual([]);
  }, scaledMs(60_000));

  it('an abort after some servers are up stops them too', async () => {
    const before = await demoDirs();
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 150);
    const outcome = await startDemoStack({ signal: abort.signal }).then(
      async (stack) => {
        await stack.stop(); // started faster than the abort: nothing to assert about aborting
        return 'started';
      },
      (e: unknown) => e,
    );
    clearTimeout(timer);
    if (outcome !== 'started') expect(outcome).toBeInstanceOf(DemoAborted);
    const left = [...(await demoDirs())].filter((d) => !before.has(d));
    expect(left).toEqual([]);
  }, scaledMs(90_000));

  // A terminal's Ctrl-C can reach a server forked that instant, before it left the demo's
  // process group: the server dies of the SIGINT while starting and its start fails. That is
  // the interruption, not an internal error (CI saw "exit 70: Alertmanager … signal SIGINT").
  it('a server killed by the same SIGINT while starting is the abort, not a failure', async () => {
    const before = await demoDirs();
    const abort = new AbortController();
    const starting = startDemoStack({ signal: abort.signal }).then(
      async (stack) => {
        await stack.stop();
        return 'started' as const;
      },
      (e: unknown) => e,
    );
    let killed: number[] = [];
    await waitFor(
      () => {
        killed = ownChildren('mesh-soak-am-');
        return killed.length > 0;
      },
      { timeoutMs: 60_000, intervalMs: 10, what: 'Alertmanager to be spawned' },
    );
    for (const pid of killed) process.kill(pid, 'SIGINT');
    abort.abort();
    const outcome = await starting;
    expect(outcome).toBeInstanceOf(DemoAborted);
    const left = [...(await demoDirs())].filter((d) => !before.has(d));
    expect(left).toEqual([]);
    expect(ownChildren('mesh-soak-')).toEqual([]);
  }, scaledMs(90_000));
});
