// A real Prometheus (/usr/bin/prometheus) on a free loopback port with its own temp dir,
// optionally pre-filled with known data (promtool backfill) and scraping given targets.

import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { launchHttpServer } from './http-server-process.js';

const run = promisify(execFile);

export interface PrometheusOptions {
  /** host:port targets scraped as job "synthetic". */
  scrapeTargets?: string[];
  /** More scrape jobs by name (e.g. `mesh-soak`, as the dashboards and alerts expect). */
  scrapeJobs?: Record<string, string[]>;
  /** Scrape and rule evaluation interval in seconds; default 1. */
  scrapeIntervalS?: number;
  /** Absolute paths of rule files. */
  ruleFiles?: string[];
  /** OpenMetrics text (ending in `# EOF`) loaded with promtool before start. */
  backfillOpenMetrics?: string;
  extraArgs?: string[];
}

export interface RunningPrometheus {
  url: string;
  port: number;
  dataDir: string;
  /** SIGTERM (SIGKILL after 5 s), then removes the temp dir. Safe to call twice. */
  stop(): Promise<void>;
  /** POST /-/reload: re-reads prometheus.yml and the rule files. */
  reload(): Promise<void>;
}

export async function startPrometheus(options: PrometheusOptions = {}): Promise<RunningPrometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'mesh-soak-prom-'));
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'prometheus.log');
  const configFile = join(dir, 'prometheus.yml');
  const interval = `${options.scrapeIntervalS ?? 1}s`;
  const lines = [`global:`, `  scrape_interval: ${interval}`, `  evaluation_interval: ${interval}`];
  if (options.ruleFiles?.length) {
    lines.push('rule_files:', ...options.ruleFiles.map((f) => `  - ${JSON.stringify(f)}`));
  }
  const jobs = { ...(options.scrapeTargets?.length ? { synthetic: options.scrapeTargets } : {}), ...options.scrapeJobs };
  lines.push('scrape_configs:');
  for (const [job, targets] of Object.entries(jobs)) {
    lines.push(
      `  - job_name: ${JSON.stringify(job)}`,
      `    scrape_interval: ${interval}`,
      '    static_configs:',
      `      - targets: [${targets.map((t) => JSON.stringify(t)).join(', ')}]`,
    );
  }
  if (Object.keys(jobs).length === 0) lines[lines.length - 1] = 'scrape_configs: []';
  try {
    await writeFile(configFile, lines.join('\n') + '\n');
    if (options.backfillOpenMetrics !== undefined) {
      const input = join(dir, 'backfill.om');
      await writeFile(input, options.backfillOpenMetrics.endsWith('\n') ? options.backfillOpenMetrics : options.backfillOpenMetrics + '\n');
      try {
        await run('/usr/bin/promtool', ['tsdb', 'create-blocks-from', 'openmetrics', input, dataDir], { timeout: 60_000 });
      } catch (err) {
        const e = err as { stderr?: string; stdout?: string; message: string };
        throw new Error(`promtool backfill failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
      }
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }

  const server = await launchHttpServer({
    binary: '/usr/bin/prometheus',
    args: (port) => [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${dataDir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-lifecycle',
      ...(options.extraArgs ?? []),
    ],
    dir,
    logFile,
    name: 'Prometheus',
  });
  return {
    ...server,
    dataDir,
    async reload() {
      const res = await fetch(`${server.url}/-/reload`, { method: 'POST', signal: AbortSignal.timeout(10_000) });
      const body = await res.text();
      if (!res.ok) throw new Error(`Prometheus reload failed: HTTP ${res.status}: ${body}`);
    },
  };
}
