// Runs the shared daemon entry (simulator/local/daemon-entry.ts), compiled by the harness's
// builtScript, as a child process — a crash test needs a real process.

import type { ChildProcess } from 'node:child_process';
import { startDaemonProcess } from '../../../simulator/local/daemon-process.js';
import { writeFile } from 'node:fs/promises';
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

/** `entry`: the compiled daemon-entry.js, from builtScript('simulator/local/daemon-entry.ts'). */
export async function startChild(entry: string, config: Config, prefix: string, logFile: string): Promise<ChildDaemon> {
  let port = 0;
  const proc = startDaemonProcess({
    args: [entry],
    env: {
      MESH_SOAK_TEST_CONFIG: JSON.stringify(config),
      MESH_SOAK_TEST_PREFIX: prefix,
      MESH_SOAK_TEST_RETRY_MS: '500',
      MESH_SOAK_LOG_LEVEL: process.env.MESH_SOAK_TEST_LOG ?? 'warn',
      BENCH_DAEMON_ONLY: '1',
    },
    logFile,
    onStderr: (line) => {
      const m = /^LISTENING (\d+)/.exec(line);
      if (m) port = Number(m[1]);
      return m !== null;
    },
  });
  await waitFor(() => port > 0 || !proc.alive(), { timeoutMs: 60_000, what: 'child daemon listening' });
  if (port === 0) throw new Error(`child daemon exited early; see ${logFile}`);
  return {
    child: proc.child,
    port,
    exitCode: proc.exited,
    kill9: () => proc.kill9(),
    terminate: () => proc.terminate(15_000),
  };
}

export async function touch(file: string): Promise<void> {
  await writeFile(file, '');
}
