// `mesh-soak demo` interrupted while starting: what was started is stopped and the temp dir
// removed, instead of servers and files left behind.
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { DemoAborted, startDemoStack } from '../../../simulator/demo-stack.js';
import { scaledMs } from '../../../simulator/local/wait-for.js';

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
});
