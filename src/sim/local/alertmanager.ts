// A real Alertmanager (/usr/bin/prometheus-alertmanager), clustering off, on a free
// loopback port with its own temp dir.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { spawnLogged, stopProcess } from './processes.js';
import { httpOk, waitReady } from './wait-ready.js';

export interface RunningAlertmanager {
  url: string;
  port: number;
  /** SIGTERM (SIGKILL after 5 s), then removes the temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

/** configYaml: a whole alertmanager.yml (e.g. one webhook receiver, group_wait: 0s). */
export async function startAlertmanager(options: { configYaml: string }): Promise<RunningAlertmanager> {
  const dir = await mkdtemp(join(tmpdir(), 'mesh-soak-am-'));
  const logFile = join(dir, 'alertmanager.log');
  const configFile = join(dir, 'alertmanager.yml');
  await writeFile(configFile, options.configYaml);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawnLogged(
    '/usr/bin/prometheus-alertmanager',
    [
      `--config.file=${configFile}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ],
    logFile,
    dir,
  );
  try {
    await waitReady(child, () => httpOk(`${url}/-/ready`), { what: `Alertmanager on ${url}`, logFile });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
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
      await rm(dir, { recursive: true, force: true });
    },
  };
}
