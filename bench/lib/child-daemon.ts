// Starts bench/lib/daemon-entry.js as a child process (simulator/local/daemon-process.ts) and hands its JSON log lines to the
// benchmark as they arrive (only what the benchmark keeps is kept: the log can be long).
// stop() is SIGTERM with a SIGKILL fallback, and is safe to call twice.

import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startDaemonProcess, waitFor } from '../../simulator/local/index.js';
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
  /** How long start-up (config load included) may take; default 30 s. */
  startTimeoutMs?: number;
}

export async function startBenchDaemon(options: StartOptions): Promise<BenchDaemon> {
  const entry = join(distDir, 'bench', 'lib', 'daemon-entry.js');
  let port = 0;
  let modules = '';
  let gcAcks = 0;
  const proc = startDaemonProcess({
    args: [...(options.nodeArgs ?? []), entry, options.configFile],
    ...(options.env ? { env: options.env } : {}),
    logFile: options.logFile,
    onStderr: (line) => {
      const m = /^BENCH-LISTENING (\d+) (\S+)$/.exec(line);
      if (m) {
        port = Number(m[1]);
        modules = m[2] ?? '';
      }
      if (line.startsWith('BENCH-GC')) gcAcks += 1;
    },
    onStdout: (text, at) => {
      if (!text.startsWith('{')) return false;
      try {
        options.onLine?.(JSON.parse(text) as LogLine, at);
        return true;
      } catch {
        return false;
      }
    },
  });
  const stop = async (): Promise<number | null> => {
    const code = await proc.terminate(20_000);
    await proc.logClosed();
    return code;
  };
  try {
    await waitFor(() => port > 0 || !proc.alive(), { timeoutMs: options.startTimeoutMs ?? 30_000, what: 'bench daemon listening' });
    if (port === 0) {
      // The log lives in the benchmark's temp dir, which is removed on the way out: show it now.
      await stop();
      const tail = (await readFile(options.logFile, 'utf8').catch(() => '')).split('\n').slice(-30).join('\n');
      throw new Error(`bench daemon exited early; its log:\n${tail}`);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    child: proc.child,
    pid: proc.pid,
    port,
    base: `http://127.0.0.1:${port}`,
    modules,
    async gc() {
      const before = gcAcks;
      proc.child.kill('SIGUSR2');
      await waitFor(() => gcAcks > before || !proc.alive(), { timeoutMs: 10_000, what: 'gc acknowledgement' });
    },
    stop,
  };
}
