// A real Prometheus (/usr/bin/prometheus) on a free loopback port with its own temp dir,
// optionally pre-filled with known data (promtool backfill) and scraping given targets. Its
// config, files and command line are described here once; containers.ts runs the same in a
// container.

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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
  /** Prometheus logs every query it runs, API and rules alike (query_log_file); read with queryLog(). */
  queryLog?: boolean;
}

export interface RunningPrometheus {
  url: string;
  port: number;
  dataDir: string;
  /** SIGTERM (SIGKILL after 5 s), then removes the temp dir. Safe to call twice. */
  stop(): Promise<void>;
  /** POST /-/reload: re-reads prometheus.yml and the rule files. */
  reload(): Promise<void>;
  /** The query log's lines so far (JSON, one per query); '' without options.queryLog. */
  queryLog(): Promise<string>;
}

/** prometheus.yml for the options (one copy for both runtimes). */
export function prometheusYaml(options: PrometheusOptions, queryLogFile?: string): string {
  const interval = `${options.scrapeIntervalS ?? 1}s`;
  const lines = [`global:`, `  scrape_interval: ${interval}`, `  evaluation_interval: ${interval}`];
  if (queryLogFile !== undefined) lines.push(`  query_log_file: ${JSON.stringify(queryLogFile)}`);
  if (options.ruleFiles?.length) lines.push('rule_files:', ...options.ruleFiles.map((f) => `  - ${JSON.stringify(f)}`));
  const jobs = { ...(options.scrapeTargets?.length ? { synthetic: options.scrapeTargets } : {}), ...options.scrapeJobs };
  if (Object.keys(jobs).length === 0) return [...lines, 'scrape_configs: []'].join('\n') + '\n';
  lines.push('scrape_configs:');
  for (const [job, targets] of Object.entries(jobs)) {
    lines.push(
      `  - job_name: ${JSON.stringify(job)}`,
      `    scrape_interval: ${interval}`,
      '    static_configs:',
      `      - targets: [${targets.map((t) => JSON.stringify(t)).join(', ')}]`,
    );
  }
  return lines.join('\n') + '\n';
}

/** Where a Prometheus keeps its files inside its temp dir (bind-mounted at the same path in a container). */
export interface PrometheusFiles {
  configFile: string;
  dataDir: string;
  /** The OpenMetrics text to backfill with promtool, when the options carry one. */
  backfillInput?: string;
  /** Where Prometheus logs its queries (options.queryLog). */
  queryLogFile?: string;
}

/** Writes prometheus.yml (and the backfill input) into dir: the same files for both runtimes. */
export async function writePrometheusFiles(dir: string, options: PrometheusOptions): Promise<PrometheusFiles> {
  const files: PrometheusFiles = { configFile: join(dir, 'prometheus.yml'), dataDir: join(dir, 'data'), ...(options.queryLog ? { queryLogFile: join(dir, 'query.log') } : {}) };
  await writeFile(files.configFile, prometheusYaml(options, files.queryLogFile));
  const text = options.backfillOpenMetrics;
  if (text === undefined) return files;
  const backfillInput = join(dir, 'backfill.om');
  await writeFile(backfillInput, text.endsWith('\n') ? text : text + '\n');
  return { ...files, backfillInput };
}

/** Prometheus' command line listening on `listen` (host:port), the same for both runtimes. */
export function prometheusArgs(files: PrometheusFiles, listen: string, options: PrometheusOptions): string[] {
  return [
    `--config.file=${files.configFile}`,
    `--storage.tsdb.path=${files.dataDir}`,
    `--web.listen-address=${listen}`,
    '--web.enable-lifecycle',
    ...(options.extraArgs ?? []),
  ];
}

/** The query log so far; '' when there is none (not asked for, or nothing logged yet). */
export async function readQueryLog(files: PrometheusFiles): Promise<string> {
  if (files.queryLogFile === undefined) return '';
  return readFile(files.queryLogFile, 'utf8').catch(() => '');
}

/** POST /-/reload: re-reads prometheus.yml and the rule files. */
export async function reloadPrometheus(url: string): Promise<void> {
  const res = await fetch(`${url}/-/reload`, { method: 'POST', signal: AbortSignal.timeout(10_000) });
  const body = await res.text();
  if (!res.ok) throw new Error(`Prometheus reload failed: HTTP ${res.status}: ${body}`);
}

export async function startPrometheus(options: PrometheusOptions = {}): Promise<RunningPrometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'mesh-soak-prom-'));
  const logFile = join(dir, 'prometheus.log');
  let files: PrometheusFiles;
  try {
    files = await writePrometheusFiles(dir, options);
    if (files.backfillInput) {
      try {
        await run('/usr/bin/promtool', ['tsdb', 'create-blocks-from', 'openmetrics', files.backfillInput, files.dataDir], { timeout: 60_000 });
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
    args: (port) => prometheusArgs(files, `127.0.0.1:${port}`, options),
    dir,
    logFile,
    name: 'Prometheus',
  });
  return { ...server, dataDir: files.dataDir, reload: () => reloadPrometheus(server.url), queryLog: () => readQueryLog(files) };
}
