// Starts bench/lib/daemon-entry.js as a child process and hands its JSON log lines to the
// benchmark as they arrive (only what the benchmark keeps is kept: the log can be long).
// stop() is SIGTERM with a SIGKILL fallback, and is safe to call twice.

import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { waitFor } from '../../test/harness/index.js';
import { distDir } from './paths.js';

export interface LogLine {
  msg?: string;
  [field: string]: unknown;
}

export interface BenchDaemon {
  child: ChildProcess;
  pid: number;
  port: number;
  base: string;
  /** Which module graph the child loaded: "cli" (as `mesh-soak run`) or "daemon-only". */
  modules: string;
  /** Sends SIGUSR2 and waits for the child's acknowledgement (a GC when --expose-gc was given). */
  gc(): Promise<void>;
  stop(): Promise<number | null>;
}

export interface StartOptions {
  configFile: string;
  /** Receives every JSON log line of the child's stdout. */
  onLine?: (line: LogLine, receivedAt: number) => void;
  /** Child's stderr goes here (and its non-JSON stdout). */
  logFile: string;
  nodeArgs?: string[];
  env?: Record<string, string>;
}

export async function startBenchDaemon(options: StartOptions): Promise<BenchDaemon> {
  const entry = join(distDir, 'bench', 'lib', 'daemon-entry.js');
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), entry, options.configFile], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(options.logFile, { flags: 'a' });
  let logClosed: Promise<void> | undefined;
  const closeLog = (): Promise<void> => (logClosed ??= new Promise<void>((r) => log.end(() => r())));
  let exited = false;
  const exitCode = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      exited = true;
      resolve(code);
    });
    child.once('error', () => {
      exited = true;
      resolve(null);
    });
  });
  let port = 0;
  let modules = '';
  let gcAcks = 0;
  createInterface({ input: child.stderr! }).on('line', (line) => {
    const m = /^BENCH-LISTENING (\d+) (\S+)$/.exec(line);
    if (m) {
      port = Number(m[1]);
      modules = m[2] ?? '';
    }
    if (line.startsWith('BENCH-GC')) gcAcks += 1;
    log.write(`${line}\n`);
  });
  createInterface({ input: child.stdout! }).on('line', (text) => {
    const at = Date.now();
    if (!text.startsWith('{')) {
      log.write(`${text}\n`);
      return;
    }
    try {
      options.onLine?.(JSON.parse(text) as LogLine, at);
    } catch {
      log.write(`${text}\n`);
    }
  });

  const stop = async (): Promise<number | null> => {
    if (!exited) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exitCode;
      clearTimeout(timer);
    }
    await closeLog();
    return exitCode;
  };
  try {
    await waitFor(() => port > 0 || exited, { timeoutMs: 30_000, what: 'bench daemon listening' });
    if (port === 0) {
      // The log lives in the benchmark's temp dir, which is removed on the way out: show it now.
      await closeLog();
      const tail = (await readFile(options.logFile, 'utf8').catch(() => '')).split('\n').slice(-30).join('\n');
      throw new Error(`bench daemon exited early; its log:\n${tail}`);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    child,
    pid: child.pid ?? 0,
    port,
    base: `http://127.0.0.1:${port}`,
    modules,
    async gc() {
      const before = gcAcks;
      child.kill('SIGUSR2');
      await waitFor(() => gcAcks > before || exited, { timeoutMs: 10_000, what: 'gc acknowledgement' });
    },
    stop,
  };
}
