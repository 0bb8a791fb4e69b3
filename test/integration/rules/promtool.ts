// Runs the installed promtool (bounded) and returns its exit code and output, never throwing,
// so a test can assert on a failing check as well as a passing one.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { scaledMs } from '../../../simulator/local/wait-for.js';

export const PROMTOOL = '/usr/bin/promtool';
const run = promisify(execFile);

export async function promtool(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(PROMTOOL, args, { timeout: scaledMs(30_000) });
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}
