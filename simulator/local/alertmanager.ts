// A real Alertmanager (/usr/bin/prometheus-alertmanager), clustering off, on a free
// loopback port with its own temp dir.

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchHttpServer } from './http-server-process.js';

export interface RunningAlertmanager {
  url: string;
  port: number;
  /** SIGTERM (SIGKILL after 5 s), then removes the temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

/** Alertmanager's command line listening on `listen` (host:port), clustering off: the same for both runtimes. */
export function alertmanagerArgs(configFile: string, storagePath: string, listen: string): string[] {
  return [`--config.file=${configFile}`, `--storage.path=${storagePath}`, `--web.listen-address=${listen}`, '--cluster.listen-address='];
}

/** configYaml: a whole alertmanager.yml (e.g. one webhook receiver, group_wait: 0s). */
export async function startAlertmanager(options: { configYaml: string }): Promise<RunningAlertmanager> {
  const dir = await mkdtemp(join(tmpdir(), 'mesh-soak-am-'));
  const logFile = join(dir, 'alertmanager.log');
  const configFile = join(dir, 'alertmanager.yml');
  await writeFile(configFile, options.configYaml);
  return launchHttpServer({
    binary: '/usr/bin/prometheus-alertmanager',
    args: (port) => alertmanagerArgs(configFile, join(dir, 'data'), `127.0.0.1:${port}`),
    dir,
    logFile,
    name: 'Alertmanager',
  });
}
