// Child processes the harness starts: spawned with their output in a log file, tracked so
// a process 'exit' hook kills any a test forgot (tests still stop them in afterAll).

import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';

const running = new Set<ChildProcess>();
let hookInstalled = false;

function killAll(): void {
  for (const child of running) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

function installExitHook(): void {
  if (hookInstalled) return;
  hookInstalled = true;
  process.on('exit', killAll);
  // A test worker killed by its runner (timeout, Ctrl-C) gets SIGTERM/SIGINT, and 'exit'
  // does not run then. Under vitest, kill the servers and die by the same signal. Not in
  // the demo: there these signals mean "stop gracefully", which it handles itself.
  if (process.env.VITEST) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        killAll();
        process.kill(process.pid, signal);
      });
    }
  }
}

/** Starts cmd with stdout and stderr appended to logFile. */
export function spawnLogged(cmd: string, args: string[], logFile: string, cwd?: string): ChildProcess {
  installExitHook();
  const fd = openSync(logFile, 'a');
  try {
    // Its own process group: a Ctrl-C at the terminal reaches the demo (which stops the
    // servers in order), not every server at once behind its back.
    const child = spawn(cmd, args, { stdio: ['ignore', fd, fd], cwd, detached: true });
    running.add(child);
    child.once('exit', () => running.delete(child));
    // Spawn failures (ENOENT) arrive as 'error'; keep them from crashing the test runner.
    child.once('error', () => running.delete(child));
    return child;
  } finally {
    closeSync(fd);
  }
}

export function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null && running.has(child);
}

/** Resolves when the child has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
}

/** SIGTERM, then SIGKILL after graceMs; resolves once the process is gone. */
export async function stopProcess(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = exited(child);
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const killed = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, graceMs);
  });
  await Promise.race([gone, killed]);
  clearTimeout(timer);
  await gone;
}

/** SIGKILL and wait: for crash tests. */
export async function killProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = exited(child);
  child.kill('SIGKILL');
  await gone;
}

/** The last lines of a log, for start-failure messages. */
export function logTail(logFile: string, lines = 30): string {
  try {
    return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
