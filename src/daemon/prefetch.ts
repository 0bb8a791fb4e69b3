// A tick's Prometheus queries started before its Redis reads are back (issue 15): a suite
// whose checks ran on this process' previous tick has its guard's and checks' queries sent at
// the tick's start, beside the record load, the run ledger and the deployment probe. The
// check engine then asks as always and gets each started answer once; what it does not ask
// for (the guard said skip, the suite is not deployed) is dropped. Which queries are sent and
// what decides a check's outcome do not change — only when the requests leave.

import type { CheckGroup } from '../checks/evaluate-group.js';
import type { InstantQueryOptions, MetricsProvider, Sample } from '../checks/types.js';

export class PrefetchProvider implements MetricsProvider {
  private readonly started = new Map<string, Array<Promise<Sample[]>>>();

  constructor(private readonly inner: MetricsProvider) {}

  /** Sends these queries now (in one turn, so a batching provider batches them as before). */
  start(exprs: readonly string[]): void {
    for (const expr of exprs) {
      const answer = this.inner.query(expr);
      // Whoever takes it sees the rejection; one nobody takes must not be an unhandled rejection.
      answer.catch(() => undefined);
      const list = this.started.get(expr);
      if (list) list.push(answer);
      else this.started.set(expr, [answer]);
    }
  }

  query(expr: string, options?: InstantQueryOptions): Promise<Sample[]> {
    if (options?.signal === undefined && options?.time === undefined) {
      const answer = this.started.get(expr)?.shift();
      if (answer) return answer;
    }
    return this.inner.query(expr, options);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** The queries a tick of `group` sends when it runs: its guard's and its Prometheus checks'. */
export function groupQueries(group: Pick<CheckGroup, 'guard' | 'checks'>): string[] {
  const guard = group.guard !== undefined && group.guard.trim() !== '' ? [group.guard] : [];
  return [...guard, ...group.checks.filter((c) => !c.logs).map((c) => c.query)];
}
