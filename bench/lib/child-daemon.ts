// Starts the shared daemon entry (simulator/local/daemon-entry.ts) as a child process
// (simulator/local/daemon-process.ts), with the node flags the runtime image gives the daemon
// (the Dockerfile's NODE_OPTIONS), and hands its JSON log lines to the benchmark as they arrive
// (only what the benchmark keeps is kept: the log can be long). Ready once its job schedulers
// are installed. stop() is SIGTERM with a SIGKILL fallback, and is safe to call twice.

import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startDaemonProcess, waitFor } from '../../simulator/local/index.js';
import { distDir, root } from './paths.js';

/**
 * The node flags the runtime image gives the daemon: the Dockerfile's `ENV NODE_OPTIONS=…`
 * (e.g. the young generation's bound), then the flags its exec-form ENTRYPOINT puts between
 * `node` and the script (e.g. --optimize-for-size): the benchmarks run the daemon as the image runs it.
 */
export function imageNodeFlags(dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8')): string[] {
  const m = /^ENV NODE_OPTIONS=(?:"([^"]*)"|(\S+))\s*$/m.exec(dockerfile);
  const env = (m?.[1] ?? m?.[2] ?? '').split(' ').filter((f) => f !== '');
  const entry = /^ENTRYPOINT (\[.*\])\s*$/m.exec(dockerfile)?.[1];
  const argv = entry === undefined ? [] : (JSON.parse(entry) as string[]);
  return [...env, ...(argv[0] === 'node' ? argv.slice(1).filter((a) => a.startsWith('--')) : [])];
}

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
  /** The node flags it runs with: the image's (imageNodeFlags), then StartOptions.nodeArgs. */
  nodeFlags: string[];
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
  const entry = join(distDir, 'simulator', 'local', 'daemon-entry.js');
  const nodeFlags = [...imageNodeFlags(), ...(options.nodeArgs ?? [])];
  let port = 0;
  let scheduled = false;
  let modules = '';
  let gcAcks = 0;
  const proc = startDaemonProcess({
    args: [...nodeFlags, entry, options.configFile],
    ...(options.env ? { env: options.env } : {}),
    logFile: options.logFile,
    onStderr: (line) => {
      const m = /^LISTENING (\d+) (\S+)$/.exec(line);
      if (m) {
        port = Number(m[1]);
        modules = m[2] ?? '';
      }
      if (line === 'SCHEDULED') scheduled = true;
      if (line.startsWith('GC ')) gcAcks += 1;
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
    await waitFor(() => (port > 0 && scheduled) || !proc.alive(), { timeoutMs: options.startTimeoutMs ?? 30_000, what: 'bench daemon listening' });
    if (port === 0 || !scheduled) {
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
    nodeFlags,
    async gc() {
      const before = gcAcks;
      proc.child.kill('SIGUSR2');
      await waitFor(() => gcAcks > before || !proc.alive(), { timeoutMs: 10_000, what: 'gc acknowledgement' });
    },
    stop,
  };
}
