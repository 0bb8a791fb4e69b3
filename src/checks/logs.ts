// The `logs` check kind: instead of PromQL, a check counts the lines of pod logs that match a
// pattern over a window, through the Kubernetes pods/log API (the old logs-checker suite's
// "more than 100 error/warn lines per container a day"). One sample per pod and container,
// labelled {namespace, pod, container}, judged by the same condition, `for`, noData and
// errorLimit as any check. Reading is bounded (pods, bytes per container) by the adapter
// (adapters/kube/pod-logs.ts); a read that fails is an error outcome, so the check turns
// unknown past errorLimit, and a group evaluated without a reader is unknown at once.

import type { LogsQuery } from './model.js';
import type { Sample } from './types.js';

/** Reads and counts; rejects when the logs cannot be read (API error, too many pods). */
export type LogsReader = (query: LogsQuery, signal?: AbortSignal) => Promise<Sample[]>;

export const NO_LOGS_READER = 'no Kubernetes API to read pod logs from (kubernetes.kubeconfig, in-cluster, or ~/.kube/config)';

/** The check's `query` as reports and alerts show it. */
export function describeLogs(q: Pick<LogsQuery, 'namespace' | 'selector' | 'containers' | 'pattern' | 'windowMs'>): string {
  const where = [`namespace=${q.namespace}`, q.selector ? `selector=${q.selector}` : '', q.containers ? `containers=${q.containers.join(',')}` : '']
    .filter((x) => x !== '')
    .join(' ');
  return `logs{${where}} =~ /${q.pattern}/i over ${Math.round(q.windowMs / 1000)}s`;
}

/** Lines of `text` matching the pattern (case-insensitive); a trailing partial line counts too. */
export function countMatching(text: string, pattern: RegExp): number {
  let n = 0;
  for (const line of text.split('\n')) if (line !== '' && pattern.test(line)) n++;
  return n;
}
