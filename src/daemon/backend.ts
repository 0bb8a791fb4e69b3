// What the HTTP server (src/server/) serves, answered from the daemon's parts: /metrics
// (with the check gauges refreshed from the state all replicas share), /readyz, the status
// body and the admin actions on suites.

import type { Config, Suite } from '../config/model.js';
import type { CheckGroup } from '../checks/evaluate-group.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { CheckStore } from '../adapters/redis/check-store.js';
import type { History } from '../adapters/redis/history.js';
import type { PauseFlags } from '../adapters/redis/pause-flags.js';
import type { RunLedger } from '../adapters/redis/ledger.js';
import type { ValueRing } from '../adapters/redis/value-ring.js';
import type { Readiness, ServerBackend } from '../server/http-server.js';
import { refreshCheckGauges } from './check-gauges.js';
import { buildStatus } from './status.js';
import { withTimeout } from '../shared/time.js';
import type { BenchmarkStatusSource } from './status.js';
import type { ReportScope, ReportSource } from '../verdict/collect.js';
import { messageOf } from '../shared/errors.js';

export interface BackendDeps {
  config: Config;
  groups: Map<string, CheckGroup>;
  suites: Map<string, Suite>;
  store: CheckStore;
  history: History;
  pause: PauseFlags;
  metrics: Metrics;
  ping: () => Promise<boolean>;
  now: () => number;
  triggerDisruption: (suite: string) => Promise<void>;
  /** The benchmark suites: trigger a run, refresh their gauges before a scrape, last run for the status. */
  benchmarks?: BenchmarkStatusSource & { trigger(suite: string): Promise<void>; refresh(): Promise<void> };
  /** The reason while Redis does not answer ("redis unreachable", "redis authentication failed"). */
  redisDownReason?: () => string;
  /** Why the daemon is not ready beyond Redis (schedulers missing, stalled or failing suites, shutting down). */
  notReadyReasons: () => string[];
  /** The run ledger: the status body's recent state changes and disruptions. */
  ledger?: RunLedger;
  /** The checks' last values: the status body's sparklines. */
  values?: Pick<ValueRing, 'recent'>;
  /** The report's source and scope (/report); absent: no report served. */
  report?: { source: ReportSource; scope: ReportScope };
}

/**
 * /report?since=24h|from=T&to=T&format=html: 400 with the problem for a bad query, 503 when Redis cannot be read.
 * The report's modules are loaded on the first request: a daemon nobody asks for a report never carries them.
 */
async function serveReport(d: BackendDeps, q: URLSearchParams): Promise<{ status: number; contentType: string; body: string }> {
  const [{ collectReport, parseRange }, { REPORT_CONTENT_TYPES, REPORT_FORMATS, renderReport, reportFormat }] = await Promise.all([
    import('../verdict/collect.js'),
    import('../verdict/formats.js'),
  ]);
  const plain = (status: number, body: string) => ({ status, contentType: 'text/plain; charset=utf-8', body: `${body}\n` });
  if (!d.report) return plain(404, 'no report');
  const get = (k: string): string | undefined => q.get(k) ?? undefined;
  const format = reportFormat(get('format') ?? 'html');
  if (!format) return plain(400, `format: "${get('format') ?? ''}" is not a report format (use ${REPORT_FORMATS.join(', ')})`);
  const range = parseRange({ since: get('since'), from: get('from'), to: get('to') }, d.now());
  if (!range.ok) return plain(400, range.problem.replace(/--/g, ''));
  const report = await withTimeout(collectReport(d.report.source, d.report.scope, range, d.now()), 10_000).catch((err: unknown) => new Error(messageOf(err)));
  if (report === 'timeout' || report instanceof Error) return plain(503, `the run ledger cannot be read: ${report === 'timeout' ? 'Redis did not answer within 10s' : report.message}`);
  return { status: 200, contentType: REPORT_CONTENT_TYPES[format], body: renderReport(report, format) };
}

export function daemonBackend(d: BackendDeps): ServerBackend {
  return {
    async metrics() {
      // Ticks go to whichever replica is free: report the state all replicas share in
      // Redis, not only what this one last evaluated (bounded; stale beats no answer).
      await withTimeout(refreshCheckGauges({ store: d.store, groups: d.groups, metrics: d.metrics }).catch(() => undefined), 1000);
      // After the check gauges: that refresh forgets the regression checks, which are not the suite's own.
      if (d.benchmarks) await withTimeout(d.benchmarks.refresh().catch(() => undefined), 1000);
      return { contentType: d.metrics.registry.contentType, body: await d.metrics.registry.metrics() };
    },
    async readiness(): Promise<Readiness> {
      const up = await d.ping();
      d.metrics.redisUp.set(up ? 1 : 0);
      const down = d.redisDownReason?.() ?? 'redis unreachable';
      const reasons = up ? d.notReadyReasons() : [down, ...d.notReadyReasons().filter((r) => r === 'shutting down')];
      return { ready: reasons.length === 0, reasons };
    },
    status: () =>
      buildStatus({
        config: d.config, store: d.store, history: d.history, pause: d.pause, now: d.now,
        ...(d.benchmarks ? { benchmarks: d.benchmarks } : {}),
        ...(d.ledger ? { ledger: d.ledger } : {}),
        ...(d.values ? { values: d.values } : {}),
      }),
    report: (q) => serveReport(d, q),
    async suiteAction(suite, action) {
      if (!d.groups.has(suite)) return { result: 'not-found' };
      if (action === 'pause' || action === 'resume') {
        await d.pause.set(suite, action === 'pause');
        return { result: 'ok' };
      }
      if (d.benchmarks?.suites.has(suite)) {
        await d.benchmarks.trigger(suite);
        return { result: 'ok' };
      }
      if (!d.suites.get(suite)?.disruption) return { result: 'conflict', message: `suite ${suite} has no disruption` };
      await d.triggerDisruption(suite);
      return { result: 'ok' };
    },
  };
}
