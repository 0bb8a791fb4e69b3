// The recording rules that let Prometheus evaluate the checks' expressions itself (issue 15,
// `prometheus.recordingRules`): one rule per distinct expression, recorded as the series
// `mesh_soak:recorded{mesh_soak_expr="<hash>"}`. The daemon then reads a tick's results with
// one selector instead of evaluating every expression again over HTTP (recorded-provider.ts).
//
// Each rule records the expression's series (its metric name kept in `mesh_soak_name`, so
// the labels read back are the labels a direct query returns) and always one marker series
// `{mesh_soak_evaluated="1"}` whose value is the evaluation time. The marker says the rule
// ran and when: no marker means the rule is not loaded or its evaluation failed, an old one
// that Prometheus stopped evaluating it — either way the reader asks Prometheus directly.
//
// This module owns the names, the expression hash and the rule file's shape; it does no I/O.

import { createHash } from 'node:crypto';
import { batchable } from './batching-provider.js';

export const RECORDED_METRIC = 'mesh_soak:recorded';
/** The expression's hash on every series its rule records. */
export const EXPR_LABEL = 'mesh_soak_expr';
/** The expression's own metric name, when its series had one. */
export const NAME_LABEL = 'mesh_soak_name';
/** On the one series per rule that says the rule was evaluated; its value is the evaluation time (s). */
export const MARKER_LABEL = 'mesh_soak_evaluated';
/** Labels a recorded series carries that the expression's own series do not. */
export const RECORDING_LABELS: readonly string[] = [EXPR_LABEL, NAME_LABEL, MARKER_LABEL, '__name__'];

/** Rules per group: groups are evaluated in parallel, a group's rules one after another. */
export const DEFAULT_RULES_PER_GROUP = 1000;

/**
 * Whether an expression can be recorded this way: label_replace and `or` need an instant
 * vector, so scalar expressions (scalar(), time(), literals) are asked directly.
 */
export function recordable(expr: string): boolean {
  return batchable(expr) && !expr.includes(EXPR_LABEL);
}

/** Hashes already computed (every tick asks the config's same expressions); emptied when it reaches this many. */
const HASHES_KEPT = 20_000;
const hashes = new Map<string, string>();

/** The label value that names an expression: 16 hex digits of its SHA-256, over the text exactly as queried. */
export function exprHash(expr: string): string {
  let hash = hashes.get(expr);
  if (hash === undefined) {
    if (hashes.size >= HASHES_KEPT) hashes.clear();
    hash = createHash('sha256').update(expr).digest('hex').slice(0, 16);
    hashes.set(expr, hash);
  }
  return hash;
}

/** The rule's PromQL: the expression's series with their name kept, or'ed with the marker. */
export function recordedExpr(expr: string): string {
  return `label_replace((${expr}), "${NAME_LABEL}", "$1", "__name__", "(.+)") or label_replace(vector(time()), "${MARKER_LABEL}", "1", "", "")`;
}

export interface RecordingRule {
  record: string;
  expr: string;
  labels: Record<string, string>;
}

export interface RuleGroup {
  name: string;
  interval: string;
  rules: RecordingRule[];
}

/** One expression to record and the tick it is asked at (its rule group's interval). */
export interface RecordedExpression {
  expr: string;
  intervalMs: number;
}

/** Prometheus' duration notation for a whole number of milliseconds (`30s`, `1500ms`). */
function promDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/**
 * The rule groups for these expressions: each recordable expression once (a series may come
 * from one rule only), in a group of the shortest interval it is asked at; groups named
 * `mesh-soak-checks-<interval>[-<n>]` and at most `rulesPerGroup` rules long. Deterministic:
 * the same expressions in any order give the same file.
 */
export function recordingRuleGroups(items: readonly RecordedExpression[], rulesPerGroup = DEFAULT_RULES_PER_GROUP): RuleGroup[] {
  const shortest = new Map<string, number>();
  for (const { expr, intervalMs } of items) {
    if (!recordable(expr)) continue;
    const had = shortest.get(expr);
    if (had === undefined || intervalMs < had) shortest.set(expr, intervalMs);
  }
  const byInterval = new Map<number, string[]>();
  for (const [expr, intervalMs] of shortest) byInterval.set(intervalMs, [...(byInterval.get(intervalMs) ?? []), expr]);
  const groups: RuleGroup[] = [];
  for (const intervalMs of [...byInterval.keys()].sort((a, b) => a - b)) {
    const exprs = (byInterval.get(intervalMs) ?? []).map((expr) => ({ expr, hash: exprHash(expr) })).sort((a, b) => a.hash.localeCompare(b.hash));
    const interval = promDuration(intervalMs);
    const chunks = Math.ceil(exprs.length / rulesPerGroup);
    for (let c = 0; c < chunks; c++) {
      const rules = exprs.slice(c * rulesPerGroup, (c + 1) * rulesPerGroup).map(({ expr, hash }) => ({
        record: RECORDED_METRIC,
        expr: recordedExpr(expr),
        labels: { [EXPR_LABEL]: hash },
      }));
      groups.push({ name: `mesh-soak-checks-${interval}${chunks > 1 ? `-${c + 1}` : ''}`, interval, rules });
    }
  }
  return groups;
}
