// `mesh-soak rules`: the recording rules that let one Prometheus evaluate the config's checks
// itself (prometheus.recordingRules; adapters/prometheus/recording-rules.ts), as a Prometheus
// rule file or a PrometheusRule object for the Prometheus Operator. Every query a tick of an
// enabled suite sends (guard, guard source, Prometheus checks) on the chosen cluster, each
// once, grouped by the tick it is asked at.

import { dump } from 'js-yaml';
import { loadConfig } from '../config/load-config.js';
import { activeGroups } from '../config/check-groups.js';
import { instanceView, narrowClusters } from '../config/clusters.js';
import type { Config } from '../config/model.js';
import { recordingRuleGroups, type RecordedExpression } from '../adapters/prometheus/recording-rules.js';
import { UserError } from '../shared/errors.js';
import { configPath, type Command } from './command.js';
import { CLUSTER_OPTION, checkedClusters, clusterArgs } from './cluster-option.js';

const FORMATS = ['rules', 'prometheusrule'] as const;
type Format = (typeof FORMATS)[number];

/** What a tick of each enabled suite (and the mesh-wide checks) asks Prometheus, at its tick. */
export function tickExpressions(config: Config): RecordedExpression[] {
  const view = instanceView(config);
  const tickOf = new Map(view.suites.map((s) => [s.name, s.tickMs]));
  const out: RecordedExpression[] = [];
  for (const g of activeGroups(view).values()) {
    // The mesh-wide group ("mesh", or a cluster's `c/mesh` instance) ticks at the top-level tick.
    const intervalMs = tickOf.get(g.suite) ?? view.tickMs;
    const exprs = [g.guard, g.guardSource, ...g.checks.filter((c) => !c.logs).map((c) => c.query)];
    for (const expr of exprs) if (expr !== undefined && expr.trim() !== '') out.push({ expr, intervalMs });
  }
  return out;
}

/** The config narrowed to the --cluster given; several clusters and none given is refused. */
function oneCluster(config: Config, given: readonly string[]): Config {
  const chosen = checkedClusters(config, given, 'rules');
  if (!config.clusters) return config;
  if (chosen.length > 1) throw new UserError(`rules: one cluster at a time (got --cluster ${chosen.join(', ')}): each cluster's Prometheus loads its own rules`);
  const name = chosen[0] ?? (config.clusters.length === 1 ? config.clusters[0]?.name : undefined);
  if (name === undefined) {
    const names = config.clusters.map((c) => c.name);
    throw new UserError(`rules: ${config.file} names clusters ${names.join(', ')}; choose the one whose Prometheus loads these rules with --cluster NAME (e.g. --cluster ${names[0]})`);
  }
  return narrowClusters(config, [name]);
}

function labelsOf(given: unknown): Record<string, string> {
  const list = typeof given === 'string' ? [given] : Array.isArray(given) ? (given as string[]) : [];
  const out: Record<string, string> = {};
  for (const item of list) {
    const m = /^([a-zA-Z_][a-zA-Z0-9_./-]*)=(.*)$/.exec(item);
    if (!m) throw new UserError(`rules --label ${item}: expected NAME=VALUE (e.g. --label release=kube-prometheus-stack)`);
    out[m[1] as string] = m[2] as string;
  }
  return out;
}

function formatOf(given: unknown): Format {
  const f = typeof given === 'string' ? given : 'rules';
  if (!(FORMATS as readonly string[]).includes(f)) throw new UserError(`rules --format ${f}: expected one of ${FORMATS.join(', ')}`);
  return f as Format;
}

export const rulesCommand: Command = {
  summary: "print the recording rules that let Prometheus evaluate the checks (prometheus.recordingRules)",
  help: [
    'usage: mesh-soak rules [--config FILE] [--cluster NAME] [--format rules|prometheusrule] [--namespace NS] [--label NAME=VALUE]...',
    '',
    "Prints one recording rule per distinct query of the enabled suites' ticks, grouped by tick.",
    'Load them into the Prometheus the checks are asked (rule_files:, or --format prometheusrule',
    'for the Prometheus Operator; --label adds labels its ruleSelector needs) and set',
    'prometheus.recordingRules: {} in the config. A check whose recorded result is missing or',
    'stale is still queried directly (counted in mesh_soak_prometheus_recorded_direct_total).',
  ].join('\n'),
  options: { config: { type: 'string' }, format: { type: 'string' }, namespace: { type: 'string' }, label: { type: 'string', multiple: true }, ...CLUSTER_OPTION },
  async run(ctx) {
    const format = formatOf(ctx.values.format);
    const labels = labelsOf(ctx.values.label);
    if (format === 'rules' && (Object.keys(labels).length > 0 || ctx.values.namespace !== undefined)) {
      throw new UserError('rules: --namespace and --label describe a PrometheusRule object; add --format prometheusrule');
    }
    const config = oneCluster(await loadConfig(configPath(ctx), { env: ctx.env }), clusterArgs(ctx));
    const groups = recordingRuleGroups(tickExpressions(config));
    const header = `# mesh-soak rules from ${config.file}${config.clusters ? ` for cluster ${config.clusters[0]?.name}` : ''}: ${groups.reduce((n, g) => n + g.rules.length, 0)} recording rules\n`;
    const body =
      format === 'rules'
        ? { groups }
        : {
            apiVersion: 'monitoring.coreos.com/v1',
            kind: 'PrometheusRule',
            metadata: {
              name: 'mesh-soak-recorded-checks',
              ...(typeof ctx.values.namespace === 'string' ? { namespace: ctx.values.namespace } : {}),
              labels: { 'app.kubernetes.io/name': 'mesh-soak', ...labels },
            },
            spec: { groups },
          };
    ctx.stdout.write(header + dump(body, { lineWidth: -1, noRefs: true, quotingType: '"' }));
    return 0;
  },
};
