// Runs daemon-entry.ts, compiled by the harness's builtScript, as a child process — a crash
// test needs a real process.

import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import type { Config } from '../../../src/config/model.js';
import { waitFor } from '../../harness/index.js';

export interface ChildDaemon {
  child: ChildProcess;
  port: number;
  exitCode: Promise<number | null>;
  kill9(): Promise<void>;
  /** SIGTERM, then SIGKILL after 15 s; resolves to the exit code. */
  terminate(): Promise<number | null>;
}

/** `entry`: the compiled daemon-entry.js, from builtScript('test/integration/daemon/daemon-entry.ts'). */
export async function startChild(entry: string, config: Config, prefix: string, logFile: string): Promise<ChildDaemon> {
  const child = spawn(process.execPath, [entry], {
    env: { ...process.env, MESH_SOAK_TEST_CONFIG: JSON.stringify(config), MESH_SOAK_TEST_PREFIX: prefix },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(logFile, { flags: 'a' });
  child.stderr?.pipe(log);
  const exitCode = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  let exited = false;
  void exitCode.then(() => (exited = true));
  await waitFor(() => /LISTENING \d+/.test(out) || exited, { timeoutMs: 60_000, what: 'child daemon listening' });
  const m = /LISTENING (\d+)/.exec(out);
  if (!m) throw new Error(`child daemon exited early; see ${logFile}`);
  const port = Number(m[1]);
  return {
    child,
    port,
    exitCode,
    async kill9() {
      if (!exited) child.kill('SIGKILL');
      await exitCode;
    },
    async terminate() {
      if (exited) return exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exitCode;
      clearTimeout(timer);
      return code;
    },
  };
}

export async function touch(file: string): Promise<void> {
  await writeFile(file, '');
}
