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

/** configYaml: a whole alertmanager.yml (e.g. one webhook receiver, group_wait: 0s). */
export async function startAlertmanager(options: { configYaml: string }): Promise<RunningAlertmanager> {
  const dir = await mkdtemp(join(tmpdir(), 'mesh-soak-am-'));
  const logFile = join(dir, 'alertmanager.log');
  const configFile = join(dir, 'alertmanager.yml');
  await writeFile(configFile, options.configYaml);
  return launchHttpServer({
    binary: '/usr/bin/prometheus-alertmanager',
    args: (port) => [
      `--config.file=${configFile}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ],
    dir,
    logFile,
    name: 'Alertmanager',
  });
}
