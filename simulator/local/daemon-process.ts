// One way to run the daemon (or any node entry) as a child process, for the tests and the
// benchmarks alike: spawned with the parent's node, its stdout and stderr read line by line
// (each line handed to the caller, then appended to a log file), and stopped by SIGKILL (a
// crash) or SIGTERM with a SIGKILL fallback. Every process started here is remembered, so
// an afterAll can kill whatever a failing test left behind.

import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';

export interface DaemonProcessOptions {
  /** Arguments after the node binary: node flags, the entry script, its arguments. */
  args: string[];
  env?: Record<string, string>;
  /** Every line that no handler claims is appended here. */
  logFile: string;
  /** Sees each stdout line first; return true to keep it out of the log file. */
  onStdout?: (line: string, receivedAt: number) => boolean | void;
  /** Sees each stderr line first; return true to keep it out of the log file. */
  onStderr?: (line: string) => boolean | void;
}

export interface DaemonProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves with the exit code (null after a signal or a spawn error). */
  readonly exited: Promise<number | null>;
  alive(): boolean;
  /** SIGKILL and wait for the process to be gone. */
  kill9(): Promise<void>;
  /** SIGTERM, SIGKILL after graceMs; resolves to the exit code. */
  terminate(graceMs?: number): Promise<number | null>;
  /** Resolves once the log file is flushed and closed (after the process is gone). */
  logClosed(): Promise<void>;
}

const started = new Set<DaemonProcess>();

export function startDaemonProcess(o: DaemonProcessOptions): DaemonProcess {
  const child = spawn(process.execPath, o.args, { env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(o.logFile, { flags: 'a' });
  let gone = false;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(null));
  }).finally(() => {
    gone = true;
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (o.onStdout?.(line, Date.now()) !== true) log.write(`${line}\n`);
  });
  createInterface({ input: child.stderr! }).on('line', (line) => {
    if (o.onStderr?.(line) !== true) log.write(`${line}\n`);
  });
  let closing: Promise<void> | undefined;
  const p: DaemonProcess = {
    child,
    pid: child.pid ?? -1,
    exited,
    alive: () => !gone,
    async kill9() {
      if (!gone) child.kill('SIGKILL');
      await exited;
      started.delete(p);
    },
    async terminate(graceMs = 15_000) {
      if (!gone) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      started.delete(p);
      return code;
    },
    logClosed: () => (closing ??= exited.then(() => new Promise<void>((r) => log.end(() => r())))),
  };
  started.add(p);
  return p;
}

/** SIGKILLs every process started here that still runs: for afterAll. */
export async function killAllDaemonProcesses(): Promise<void> {
  await Promise.allSettled([...started].map((p) => p.kill9()));
}
