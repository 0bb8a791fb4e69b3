// Loading the config file: YAML parse, `${VAR}` substitution, schema validation, every
// suite it uses loaded and merged, relative paths resolved. Either a complete resolved
// Config comes back, or one UserError carrying every problem of every file involved.

import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UserError, type Problem } from '../shared/errors.js';
import { defaultSuitesDir, hasSuiteFile, isSuitePath, listSuites, suiteDirFor } from './suites/suites-dir.js';
import { loadSuite, type ParamValue } from './suites/load-suite.js';
import { applyEnv, redact, type Env } from './env-substitution.js';
import { checkScheduleShape, checkUniqueNames, isRecord } from './cross-checks.js';
import type { Config, Suite } from './model.js';
import { ms, toCheckSpec, toSchedule } from './resolve.js';
import { configSchema, suiteEntrySchema, type ConfigInput, type SuiteEntryInput } from './schema.js';
import { didYouMean } from './suggest.js';
import { validateAt } from './zod-problems.js';
import { NeedsPositions, YamlSource } from './yaml-source.js';
import { checkRedisSecrets } from './redis-secrets.js';
import { checkClusters, clustersOf, kubeconfigPath, prometheusOf } from './clusters.js';

export interface LoadConfigOptions {
  /** Environment for `${VAR}` and MESH_SOAK_SUITES_DIR; default process.env. */
  env?: Record<string, string | undefined>;
  /** Folder of shipped suites; default MESH_SOAK_SUITES_DIR, then the package's suites/. */
  suitesDir?: string;
}

const DEFAULT_TICK_MS = 30_000;

export async function loadConfig(file: string, options: LoadConfigOptions = {}): Promise<Config> {
  const env: Env = options.env ?? process.env;
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'cannot read the file';
    throw new UserError([{ file, line: 1, col: 1, path: '', message: `config file: ${why}` }]);
  }
  // Without positions first (js-yaml, and `yaml` never loaded); any problem, a `${VAR}` whose
  // quoting the text cannot tell (YamlSource.writtenPlain) or anything js-yaml cannot read
  // as `yaml` would, and the file is read again with positions.
  const fast = YamlSource.fast(file, text);
  if (fast) {
    try {
      return await loadFrom(fast, file, path, env, options);
    } catch (err) {
      if (!(err instanceof NeedsPositions)) throw err;
    }
  }
  const source = await YamlSource.parse(file, text);
  if (source.hasSyntaxErrors) throw new UserError(sorted(source.problems));
  return loadFrom(source, file, path, env, options);
}

async function loadFrom(source: YamlSource, file: string, path: string, env: Env, options: LoadConfigOptions): Promise<Config> {
  const { secrets, failed } = applyEnv(source, env);
  const envProblems = source.problems.length;
  const raw = source.data() ?? {};
  if (!isRecord(raw)) {
    source.report([], 'the config must be a mapping (prometheus, suites, checks, ...)');
    throw new UserError(source.problems);
  }
  const parsed = validateAt(source, configSchema, raw);
  if (parsed) checkRedisSecrets(source, parsed.redis, env, secrets);
  checkUniqueNames(source, raw['checks'], ['checks']);
  checkClusters(source, raw);

  const suitesDir = resolve(options.suitesDir ?? env['MESH_SOAK_SUITES_DIR'] ?? defaultSuitesDir());
  const globalTickMs = parsed ? ms(parsed.tick) : DEFAULT_TICK_MS;
  const { suites, suiteProblems } = await loadSuites(source, raw['suites'], dirname(path), suitesDir, globalTickMs);

  source.dropFollowUps(failed, envProblems);
  const problems = [...sorted(source.problems), ...suiteProblems];
  if (!parsed || problems.length > 0) {
    throw new UserError(problems.map((p) => ({ ...p, message: redact(p.message, secrets) })));
  }
  return resolveConfig(file, path, parsed, suites);
}

/** The entry's params that are values; no prototype, so '__proto__' stays an ordinary (unknown) key. */
function entryParams(raw: unknown): Record<string, ParamValue> {
  const params = Object.create(null) as Record<string, ParamValue>;
  if (!isRecord(raw)) return params;
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') params[k] = v;
  }
  return params;
}

async function loadSuites(
  source: YamlSource,
  rawSuites: unknown,
  configDir: string,
  suitesDir: string,
  globalTickMs: number,
): Promise<{ suites: Suite[]; suiteProblems: Problem[] }> {
  const suites: Suite[] = [];
  const suiteProblems: Problem[] = [];
  if (!Array.isArray(rawSuites)) return { suites, suiteProblems };
  const seen = new Map<string, number>();
  for (const [i, entry] of rawSuites.entries()) {
    if (!isRecord(entry) || typeof entry['use'] !== 'string' || entry['use'] === '') continue;
    const scheduleOk =
      entry['schedule'] !== undefined && checkScheduleShape(source, entry['schedule'], ['suites', i, 'schedule']);
    const use = entry['use'];
    const dir = suiteDirFor(use, configDir, suitesDir);
    if (!(await hasSuiteFile(dir))) {
      if (isSuitePath(use)) {
        source.report(['suites', i, 'use'], `no suite.yaml in folder ${dir}`);
      } else {
        const known = await listSuites(suitesDir);
        const list = known.length > 0 ? known.join(', ') : `none in ${suitesDir}`;
        source.report(['suites', i, 'use'], `unknown suite '${use}'${didYouMean(use, known)} (known suites: ${list})`);
      }
      continue;
    }
    // The entry's own mistakes are already reported by the config schema; here only the
    // valid parts are used, so the suite file is still checked.
    const e = suiteEntrySchema.safeParse(entry);
    // No prototype: `params[k] = v` with k '__proto__' would set it instead of adding a
    // param, and the unknown-param check below would never see the key.
    const params = entryParams(entry['params']);
    const schedule = e.success ? toSchedule(e.data.schedule) : undefined;
    const loaded = await loadSuite(dir, {
      params,
      ...(schedule ? { schedule } : {}),
      tickMs: e.success && e.data.tick !== undefined ? ms(e.data.tick) : globalTickMs,
      enabled: e.success ? e.data.enabled : true,
    });
    suiteProblems.push(...sorted(loaded.problems));
    if (loaded.problems.length === 0 || loaded.knownParams.length > 0) {
      for (const k of Object.keys(params)) {
        if (!loaded.knownParams.includes(k)) {
          const known = loaded.knownParams.length > 0 ? loaded.knownParams.join(', ') : 'none';
          source.report(['suites', i, 'params', k], `unknown param '${k}' for suite '${use}'${didYouMean(k, loaded.knownParams)} (known: ${known})`, 'key');
        }
      }
    }
    if (scheduleOk && e.success && loaded.problems.length === 0 && !loaded.hasDisruption && loaded.hasBenchmark !== true) {
      source.report(['suites', i, 'schedule'], `suite '${use}' has no disruption or benchmark to schedule`);
    }
    if (loaded.suite) {
      const first = seen.get(loaded.suite.name);
      if (first !== undefined) source.report(['suites', i, 'use'], `suite '${loaded.suite.name}' is already used by suites.${first}`);
      else seen.set(loaded.suite.name, i);
      suites.push(e.success ? withExclusive(loaded.suite, e.data) : loaded.suite);
    }
  }
  return { suites, suiteProblems };
}

function redisOf(r: ConfigInput['redis'], dir: string): Config['redis'] {
  const out: Config['redis'] = { url: r.url };
  if (r.username) out.username = r.username;
  if (r.passwordEnv) out.passwordEnv = r.passwordEnv;
  if (r.tls) {
    out.tls = { caFile: resolve(dir, r.tls.caFile) };
    if (r.tls.certFile && r.tls.keyFile) Object.assign(out.tls, { certFile: resolve(dir, r.tls.certFile), keyFile: resolve(dir, r.tls.keyFile) });
  }
  if (r.sentinels && r.sentinelName) Object.assign(out, { sentinels: r.sentinels.map((s) => ({ host: s.host, port: s.port })), sentinelName: r.sentinelName });
  if (r.sentinelPasswordEnv) out.sentinelPasswordEnv = r.sentinelPasswordEnv;
  if (r.cluster) out.cluster = { nodes: r.cluster.nodes.map((n) => ({ host: n.host, port: n.port })) };
  return out;
}

function resolveConfig(file: string, path: string, c: ConfigInput, suites: Suite[]): Config {
  const clusters = clustersOf(c, path);
  // checkClusters refused a config with neither: one of them is here.
  const first = clusters?.[0];
  const kubeconfig = kubeconfigPath(c.kubernetes?.kubeconfig, path);
  const config: Config = {
    file,
    prometheus: first ? first.prometheus : prometheusOf(c.prometheus!),
    redis: redisOf(c.redis, dirname(path)),
    kubernetes: first ? first.kubernetes : kubeconfig ? { kubeconfig } : {},
    ...(clusters ? { clusters } : {}),
    tickMs: ms(c.tick),
    http: { port: c.http.port, ...(c.http.requireTokenForStatus ? { requireTokenForStatus: true } : {}) },
    ...(c.grafana ? { grafana: { url: c.grafana.url } } : {}),
    ledger: { maxEntries: c.ledger.maxEntries, maxAgeMs: ms(c.ledger.maxAge), recoveryBoundMs: ms(c.ledger.recoveryBound), settleMs: ms(c.ledger.settle) },
    notify: {
      webhooks: c.notify.webhooks.map((w) => ({ name: w.name, url: w.url, format: w.format, headers: { ...w.headers } })),
    },
    suites,
    checks: c.checks.map(toCheckSpec),
  };
  if (c.notify.alertmanager) {
    config.notify.alertmanager = { url: c.notify.alertmanager.url, resendMs: ms(c.notify.alertmanager.resend) };
  }
  return config;
}

function sorted(problems: Problem[]): Problem[] {
  return [...problems].sort((a, b) => a.line - b.line || a.col - b.col);
}

/** The entry's locks, overlap policy and missed-run deadline on the loaded suite. */
function withExclusive(suite: Suite, e: SuiteEntryInput): Suite {
  if (e.clusters) suite = { ...suite, clusters: [...new Set(e.clusters)] };
  if (!e.locks && !e.overlap && !e.missedRunDeadline) return suite;
  const waitMs = e.overlap && e.overlap !== 'skip' ? ms(e.overlap.wait) : 0;
  return { ...suite, exclusive: { locks: e.locks ?? [], waitMs, ...(e.missedRunDeadline ? { missedRunDeadlineMs: ms(e.missedRunDeadline) } : {}) } };
}
