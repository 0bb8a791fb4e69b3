// `mesh-soak run` as a child process for the fault tests (simulator/local/daemon-process.ts): started on a free loopback port
// with its JSON log in a file, ready when /healthz answers, and stoppable by SIGKILL (a
// crash) or SIGTERM. Every daemon started here is remembered so afterAll can kill any a
// failing test left behind.

import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { freePort, waitFor } from '../../harness/index.js';
import { killAllDaemonProcesses, startDaemonProcess } from '../../../simulator/local/daemon-process.js';
import { scaledMs } from '../../../simulator/local/wait-for.js';

export interface CliDaemon {
  child: ChildProcess;
  pid: number;
  port: number;
  base: string;
  logFile: string;
  /** Resolves with the exit code (null after a signal). */
  exited: Promise<number | null>;
  alive(): boolean;
  /** SIGKILL and wait for the process to be gone. */
  kill9(): Promise<void>;
  /** SIGTERM, SIGKILL after graceMs; resolves to the exit code. */
  terminate(graceMs?: number): Promise<number | null>;
}

export interface StartOptions {
  cli: string;
  config: string;
  logFile: string;
  env?: Record<string, string>;
  /** Wait for /healthz (default true); false returns as soon as the process is spawned. */
  waitHealthy?: boolean;
}

export async function startCliDaemon(options: StartOptions): Promise<CliDaemon> {
  const port = await freePort();
  const proc = startDaemonProcess({
    args: [options.cli, 'run', '--config', options.config, '--port', String(port)],
    ...(options.env ? { env: options.env } : {}),
    logFile: options.logFile,
  });
  const d: CliDaemon = {
    child: proc.child,
    pid: proc.pid,
    port,
    base: `http://127.0.0.1:${port}`,
    logFile: options.logFile,
    exited: proc.exited,
    alive: proc.alive,
    kill9: async () => {
      await proc.kill9();
      await proc.logClosed();
    },
    terminate: async (graceMs) => {
      const code = await proc.terminate(graceMs);
      await proc.logClosed();
      return code;
    },
  };
  if (options.waitHealthy !== false) {
    try {
      await waitFor(
        async () => {
          if (!proc.alive()) throw new Error(`daemon exited early; log: ${tail(options.logFile)}`);
          const r = await fetch(`${d.base}/healthz`, { signal: AbortSignal.timeout(scaledMs(5000)) });
          await r.arrayBuffer();
          return r.ok;
        },
        { timeoutMs: 90_000, intervalMs: 50, what: `mesh-soak run on ${d.base} to answer /healthz`, seen: () => tail(options.logFile) },
      );
    } catch (err) {
      await d.kill9();
      throw err;
    }
  }
  return d;
}

/** SIGKILLs every daemon still running: for afterAll. */
export const killAllDaemons = killAllDaemonProcesses;

export type LogLine = Record<string, unknown> & { msg?: string; time?: number };

/** The daemon's JSON log lines (non-JSON lines skipped). */
export function logLines(logFile: string): LogLine[] {
  let text = '';
  try {
    text = readFileSync(logFile, 'utf8');
  } catch {
    return [];
  }
  const out: LogLine[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as LogLine);
    } catch {
      // a line cut by SIGKILL
    }
  }
  return out;
}

export function tail(logFile: string, lines = 20): string {
  try {
    return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** GET and parse JSON, bounded. */
export async function getJson<T>(url: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(scaledMs(3000)), ...init });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: body as T };
}
