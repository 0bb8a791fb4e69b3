// Builds daemon-entry.ts (and only what it imports) with tsc into a temp dir, and runs it
// as a child process — no TS runner is installed, and a crash test needs a real process.

import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, symlink, copyFile, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Config } from '../../../src/config/model.js';
import { waitFor } from '../../harness/index.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../../..');

export interface BuiltEntry {
  dir: string;
  entry: string;
  cleanup(): Promise<void>;
}

export async function buildEntry(): Promise<BuiltEntry> {
  const dir = await mkdtemp(join(tmpdir(), 'mesh-soak-daemon-build-'));
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  const args = [
    tsc, '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck',
    '--types', 'node', '--rootDir', root, '--outDir', dir, '--noEmitOnError', 'false', '--resolveJsonModule',
    join(root, 'test/integration/daemon/daemon-entry.ts'),
  ];
  // tsc exits non-zero on type errors in unrelated in-progress files but still emits.
  await run(process.execPath, args, { cwd: root, timeout: 120_000 }).catch(() => undefined);
  await copyFile(join(root, 'package.json'), join(dir, 'package.json'));
  await symlink(join(root, 'node_modules'), join(dir, 'node_modules'));
  return {
    dir,
    entry: join(dir, 'test/integration/daemon/daemon-entry.js'),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

export interface ChildDaemon {
  child: ChildProcess;
  port: number;
  exitCode: Promise<number | null>;
  kill9(): Promise<void>;
  /** SIGTERM, then SIGKILL after 15 s; resolves to the exit code. */
  terminate(): Promise<number | null>;
}

export async function startChild(built: BuiltEntry, config: Config, prefix: string, logFile: string): Promise<ChildDaemon> {
  const child = spawn(process.execPath, [built.entry], {
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
  await waitFor(() => /LISTENING \d+/.test(out) || exited, { timeoutMs: 20_000, what: 'child daemon listening' });
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
