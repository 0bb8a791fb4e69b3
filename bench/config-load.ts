// Config load at scale (issue 15's target: 5,000 checks — 100 suites × 50 — loaded in under
// 1 s, by `mesh-soak validate` and at start-up, with errors still located). Writes the bench
// suites (bench/lib/bench-config.ts) into a temp dir, times loadConfig in this process (first
// load, then warm repetitions), times `mesh-soak validate` as a child process (start-up
// included), and checks that a broken query in the last suite is still reported at its
// file, line and column. Appends a section to bench/RESULTS.md.
//
// Run: npm run build && node dist/bench/config-load.js
// Env: BENCH_SUITES (100), BENCH_CHECKS_PER_SUITE (50), BENCH_REPS (5)

import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../src/config/load-config.js';
import { UserError } from '../src/shared/errors.js';
import { istioSuites, writeBenchConfig } from './lib/bench-config.js';
import { envNumber, lifecycle } from './lib/lifecycle.js';
import { distDir } from './lib/paths.js';
import { publish, verdict } from './lib/report.js';
import { quantile } from './lib/stats.js';

const SUITES = envNumber('BENCH_SUITES', 100);
const CHECKS = envNumber('BENCH_CHECKS_PER_SUITE', 50);
const REPS = envNumber('BENCH_REPS', 5);
const TARGET_MS = 1000;

const life = lifecycle('config-load', 600_000);
const run = promisify(execFile);

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** `mesh-soak validate` as a user runs it: a new process each time. */
async function validateCli(configFile: string): Promise<{ ms: number; out: string }> {
  const cli = join(distDir, 'src', 'cli.js');
  let out = '';
  const ms = await timed(async () => {
    const r = await run(process.execPath, [cli, 'validate', '--config', configFile], { timeout: 60_000 }).catch((e: { stdout?: string; stderr?: string }) => e);
    out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  });
  return { ms, out };
}

void life.run(async () => {
  const dir = life.own(await mkdtemp(join(tmpdir(), 'mesh-soak-bench-config-')), (d) => rm(d, { recursive: true, force: true }));
  const suites = istioSuites(SUITES, CHECKS);
  const configFile = await writeBenchConfig({ dir, prometheusUrl: 'http://127.0.0.1:9090', redisUrl: 'redis://127.0.0.1:6379', tick: '10s', suites });
  const env = {};
  const first = await timed(() => loadConfig(configFile, { env }));
  const warm: number[] = [];
  for (let i = 0; i < REPS; i++) warm.push(await timed(() => loadConfig(configFile, { env })));
  const cli: number[] = [];
  for (let i = 0; i < REPS; i++) cli.push((await validateCli(configFile)).ms);

  // A typo (an unclosed parenthesis) in the last suite's last check: still located.
  const lastChecks = suites[suites.length - 1]!.checks;
  lastChecks[lastChecks.length - 1]!.query = 'sum(rate(istio_requests_total{destination_service_namespace="{{namespace}}"}[1m])';
  await writeBenchConfig({ dir, prometheusUrl: 'http://127.0.0.1:9090', redisUrl: 'redis://127.0.0.1:6379', tick: '10s', suites });
  let located = 'not reported';
  await loadConfig(configFile, { env }).catch((e: unknown) => {
    if (e instanceof UserError) located = e.problems.slice(0, 1).map((p) => `${p.file}:${p.line}:${p.col} ${p.path}: ${p.message}`).join('');
  });
  const broken = await validateCli(configFile);
  const checks = SUITES * CHECKS;
  await publish({
    title: `Config load: ${SUITES} suites × ${CHECKS} checks = ${checks} checks`,
    command: `BENCH_SUITES=${SUITES} BENCH_CHECKS_PER_SUITE=${CHECKS} node dist/bench/config-load.js`,
    setup: [
      `${SUITES} suite folders (bench/lib/bench-config.ts: check_metrics' five shapes, a guard each) and one config.yaml using them; every query parsed by the PromQL grammar`,
      `loadConfig in this process: the first load (cold module state), then ${REPS} more; \`mesh-soak validate\`: ${REPS} child processes, node start-up and module loading included`,
      `a broken query in the last suite is reported as: ${located.slice(0, 240)}`,
      `\`mesh-soak validate\` on the broken config says: ${broken.out.trim().split('\n')[0]?.slice(0, 240) ?? ''}`,
    ],
    rows: [
      { measurement: 'loadConfig, first', value: first, unit: 'ms' },
      { measurement: 'loadConfig, warm p50', value: quantile(warm, 0.5), unit: 'ms' },
      { measurement: 'mesh-soak validate (process) p50', value: quantile(cli, 0.5), unit: 'ms' },
      { measurement: 'mesh-soak validate (process) max', value: Math.max(...cli), unit: 'ms' },
    ],
    verdicts: [verdict('loadConfig, first', first, TARGET_MS, 'ms'), verdict('mesh-soak validate p50', quantile(cli, 0.5), TARGET_MS, 'ms')],
  });
});
