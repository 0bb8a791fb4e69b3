// `--cluster NAME` of the commands that act on clusters (check, disrupt, suites apply|delete,
// bench run): the names checked against the config's `clusters:` (an unknown one is a user
// mistake with a likely typo named, like the config's own error), and the one cluster a
// command on one suite acts on. Without `clusters:` the option is refused: there is only the
// implicit cluster.

import type { Config, Suite } from '../config/model.js';
import { didYouMean } from '../config/suggest.js';
import { UserError } from '../shared/errors.js';
import type { CommandContext } from './command.js';

/** The option's parseArgs entry (repeatable). */
export const CLUSTER_OPTION = { cluster: { type: 'string', multiple: true } } as const;

/** The --cluster values as given (none: empty). */
export function clusterArgs(ctx: Pick<CommandContext, 'values'>): string[] {
  const v = ctx.values['cluster'];
  return typeof v === 'string' ? [v] : Array.isArray(v) ? v : [];
}

/** The --cluster names, checked and deduplicated (in the order given); none given: []. */
export function checkedClusters(config: Config, given: readonly string[], command: string): string[] {
  if (given.length === 0) return [];
  if (!config.clusters) {
    throw new UserError(`${command} --cluster ${given[0]}: ${config.file} names no clusters (it has no clusters: list); leave --cluster out`);
  }
  const known = config.clusters.map((c) => c.name);
  const unknown = given.filter((g) => !known.includes(g));
  if (unknown.length > 0) {
    throw new UserError(unknown.map((u) => `${command} --cluster ${u}: unknown cluster '${u}'${didYouMean(u, known)} (clusters in ${config.file}: ${known.join(', ')})`).join('\n'));
  }
  return [...new Set(given)];
}

/** The clusters a suite is bound to (its `clusters:`, else every cluster); [] without clusters:. */
export function boundClusters(config: Config, suite: Suite): string[] {
  if (!config.clusters) return [];
  return suite.clusters ?? config.clusters.map((c) => c.name);
}

/**
 * The one cluster a command on one suite acts on: the --cluster given, or the suite's only
 * cluster. Several candidates and no --cluster is refused, naming them. Undefined without clusters:.
 */
export function clusterForSuite(config: Config, suite: Suite, given: readonly string[], command: string): string | undefined {
  const chosen = checkedClusters(config, given, command);
  if (!config.clusters) return undefined;
  const bound = boundClusters(config, suite);
  if (chosen.length > 1) throw new UserError(`${command} ${suite.name}: one cluster at a time (got --cluster ${chosen.join(', ')})`);
  const name = chosen[0];
  if (name !== undefined) {
    if (!bound.includes(name)) {
      throw new UserError(`${command} ${suite.name} --cluster ${name}: suite "${suite.name}" is not bound to cluster '${name}' in ${config.file} (its clusters: ${bound.join(', ')})`);
    }
    return name;
  }
  if (bound.length === 1) return bound[0];
  throw new UserError(`${command} ${suite.name}: suite "${suite.name}" runs on clusters ${bound.join(', ')}; choose one with --cluster NAME (e.g. --cluster ${bound[0]})`);
}
