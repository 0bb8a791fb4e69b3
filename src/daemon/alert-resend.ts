// Re-sending what is failing, on an interval, so alerts stay alive in sinks that expire them
// (Alertmanager). Built from the shared state in Redis rather than from what this replica
// fired itself: if the replica that fired an alert dies, the alert must not expire. When
// Redis lost the records (flushed, restarted empty) or cannot be read, the store answers
// from what this process last evaluated (CheckStore's `remember`), so an alert that is still
// failing keeps being re-sent instead of expiring into "resolved" in Alertmanager.

import type { Logger } from 'pino';
import type { CheckGroup } from '../checks/evaluate-group.js';
import { firingEventsFromState, type AlertEvent } from '../checks/alert-event.js';
import type { CheckStore } from '../adapters/redis/check-store.js';
import { withTimeout } from '../shared/time.js';
import { messageOf } from '../shared/errors.js';
import { targetOf, type ClusterTargets } from './tick.js';

/** `clusters`, `provider`, `prometheusUrl`: the tick's; an alert links its instance's own cluster's Prometheus. */
export interface ResendDeps extends Pick<ClusterTargets, 'clusters' | 'provider' | 'prometheusUrl'> {
  groups: Map<string, CheckGroup>;
  store: Pick<CheckStore, 'loadOrRemembered'>;
  resend: (events: AlertEvent[]) => unknown;
  logger: Logger;
}

/** Every firing instance in the shared state, as firing events. */
export async function firingFromState(deps: Omit<ResendDeps, 'resend' | 'logger'>): Promise<AlertEvent[]> {
  const events: AlertEvent[] = [];
  for (const g of deps.groups.values()) {
    const specs = new Map(g.checks.map((c) => [c.name, c]));
    events.push(...firingEventsFromState(g.suite, await deps.store.loadOrRemembered(g.suite), specs, targetOf(deps, g.suite).prometheusUrl));
  }
  return events;
}

/** Starts the interval; returns its stop. */
export function startAlertResend(deps: ResendDeps, everyMs: number): () => void {
  const timer = setInterval(() => {
    void withTimeout(firingFromState(deps), 5000)
      .then((events) => {
        if (events !== 'timeout') deps.resend(events);
      })
      .catch((err: unknown) => deps.logger.warn({ err: messageOf(err) }, 'alert re-send from state failed'));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
