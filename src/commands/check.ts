// `mesh-soak check`: every check of the selected suites (and the mesh-wide ones) once, like
// check_metrics.py. One-shot means there is no history: `for` and `keepFiringFor` cannot
// elapse, so a condition that holds is failing at once (check_metrics' behaviour), and a
// query error is `unknown` at once (errorLimit 1).

import { writeFile } from 'node:fs/promises';
import { loadConfig } from '../config/load-config.js';
import { MESH_SUITE, type CheckSpec, type Config } from '../config/model.js';
import { activeGroups } from '../config/check-groups.js';
import type { CheckGroup } from '../checks/evaluate-group.js';
import { evaluateGroup } from '../checks/evaluate-group.js';
import { buildKubeReaders, buildProvider, type KubeReaders } from '../app/index.js';
import { UserError, messageOf } from '../shared/errors.js';
import { configPath, type Command } from './command.js';
import { exitCodeFor, formatTable, rowsFor, sortRows, summaryLine, toJson, toJUnit, type ReportRow } from './check-report.js';


function oneShot(spec: CheckSpec): CheckSpec {
  return { ...spec, forMs: 0, keepFiringForMs: 0, errorLimit: 1 };
}

/** The groups named by --suite (even disabled ones), or every enabled suite plus the mesh-wide checks. */
export function selectGroups(config: Config, wanted: string[]): CheckGroup[] {
  const mesh: CheckGroup = { suite: MESH_SUITE, checks: config.checks };
  if (wanted.length === 0) return [...activeGroups(config).values()];
  const known = new Map(config.suites.map((s) => [s.name, s]));
  const unknown = wanted.filter((w) => w !== MESH_SUITE && !known.has(w));
  if (unknown.length > 0) {
    const names = [...known.keys(), MESH_SUITE].join(', ');
    throw new UserError(unknown.map((u) => `--suite ${u}: no such suite in ${config.file} (configured: ${names})`).join('\n'));
  }
  return [...new Set(wanted)].map((w) => {
    if (w === MESH_SUITE) return mesh;
    const s = known.get(w)!;
    return { suite: s.name, guard: s.guard, ...(s.guardSource ? { guardSource: s.guardSource } : {}), checks: s.checks };
  });
}

function prometheusUrl(config: Config, override: string | undefined): string {
  if (override === undefined) return config.prometheus.url;
  try {
    const u = new URL(override);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw new UserError(`--prometheus: "${override}" is not an http(s) URL`);
  }
  return override;
}

export async function runChecks(config: Config, groups: CheckGroup[], url: string, now = Date.now(), kube: Omit<KubeReaders, 'off'> = {}): Promise<ReportRow[]> {
  const probe = kube.deployment;
  const client = buildProvider({ ...config, prometheus: { ...config.prometheus, url } });
  try {
    const results = await Promise.all(
      groups.map(async (g) => {
        const checks = g.checks.map(oneShot);
        const deployment = probe && g.suite !== MESH_SUITE ? await probe(g.suite) : undefined;
        const input = { guard: g.guard, guardSource: g.guardSource, checks, ...(deployment ? { deployment } : {}) };
        const { records } = await evaluateGroup(input, client, {}, now, kube.logs ? { logs: kube.logs } : {});
        return checks.flatMap((spec) => {
          const record = records[spec.name];
          return record ? rowsFor(g.suite, spec, record) : [];
        });
      }),
    );
    return sortRows(results.flat());
  } finally {
    await client.close();
  }
}

export const checkCommand: Command = {
  summary: 'evaluate every check once (like check_metrics.py); exit 0 ok, 1 failing, 2 invalid input, 3 unknown, 4 skipped',
  help: [
    'usage: mesh-soak check [--config FILE] [--suite S]... [--prometheus URL] [--json] [--junit FILE] [--allow-skipped]',
    '',
    'Evaluates every check of the enabled suites and the mesh-wide checks once and prints a table.',
    '  --suite S         only suite S (repeatable; "mesh" selects the mesh-wide checks; disabled suites allowed)',
    '  --prometheus URL  query this Prometheus instead of the configured one',
    '  --json            print JSON instead of the table',
    '  --junit FILE      also write JUnit XML to FILE',
    '  --allow-skipped   exit 0 even when a suite was skipped (its guard says it is not running)',
    'One-shot: `for` and `keepFiringFor` are not waited for; a query error makes the check unknown.',
    'A guard that returns nothing while none of its metrics exist makes the suite unknown, not skipped.',
    "With a Kubernetes API (kubernetes.kubeconfig, in-cluster, or ~/.kube/config), a suite whose namespace or",
    'Deployments are absent is skipped as "not deployed: <what is missing>" (exit 4 unless --allow-skipped).',
    'Exit: 0 all ok, 1 any failing, 2 invalid input, 3 any unknown, 4 any skipped (nothing was checked;',
    '      0 with --allow-skipped). Failing wins over unknown, unknown over skipped.',
  ].join('\n'),
  options: {
    suite: { type: 'string', multiple: true },
    prometheus: { type: 'string' },
    json: { type: 'boolean' },
    junit: { type: 'string' },
    'allow-skipped': { type: 'boolean' },
  },
  async run(ctx) {
    const config = await loadConfig(configPath(ctx), { env: ctx.env });
    const groups = selectGroups(config, (ctx.values.suite as string[] | undefined) ?? []);
    const url = prometheusUrl(config, ctx.values.prometheus as string | undefined);
    const rows = await runChecks(config, groups, url, Date.now(), await buildKubeReaders(config));
    const code = exitCodeFor(rows, { allowSkipped: ctx.values['allow-skipped'] === true });
    if (ctx.values.json) ctx.stdout.write(toJson(rows, code));
    else ctx.stdout.write(formatTable(rows) + summaryLine(rows));
    const junit = ctx.values.junit as string | undefined;
    if (junit) {
      try {
        await writeFile(junit, toJUnit(rows));
      } catch (err) {
        // The path came from the user: a plain message, no stack trace.
        throw new UserError(`--junit: cannot write ${junit}: ${messageOf(err)}`);
      }
    }
    return code;
  },
};
