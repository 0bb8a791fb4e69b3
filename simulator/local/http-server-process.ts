// The common life of Prometheus and Alertmanager here: spawned on a free loopback port with
// their own temp dir, ready when /-/ready answers, stopped with SIGTERM (SIGKILL after 5 s)
// and their dir removed. A server that fails to start leaves nothing behind.

import { rm } from 'node:fs/promises';
import { freePort } from './free-port.js';
import { spawnLogged, stopProcess } from './processes.js';
import { httpOk, waitReady } from './wait-ready.js';

export interface HttpServerProcess {
  url: string;
  port: number;
  /** Safe to call twice. */
  stop(): Promise<void>;
}

export async function launchHttpServer(options: {
  binary: string;
  /** The command line for the chosen port. */
  args: (port: number) => string[];
  dir: string;
  logFile: string;
  /** For messages, e.g. "Prometheus". */
  name: string;
}): Promise<HttpServerProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawnLogged(options.binary, options.args(port), options.logFile, options.dir);
  try {
    await waitReady(child, () => httpOk(`${url}/-/ready`), { what: `${options.name} on ${url}`, logFile: options.logFile });
  } catch (err) {
    await stopProcess(child, 1000);
    await rm(options.dir, { recursive: true, force: true });
    throw err;
  }
  let stopped = false;
  return {
    url,
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopProcess(child, 5000);
      await rm(options.dir, { recursive: true, force: true });
    },
  };
}
