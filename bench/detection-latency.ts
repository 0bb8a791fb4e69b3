// Detection latency (issue 3/6's target: at most one tick + one scrape + 1 s = 3 s here):
// from the moment a fault becomes visible on the scrape target to the moment the firing
// alert reaches a webhook receiver through a real Alertmanager. Real Redis, Prometheus
// (1 s scrape), Alertmanager (group_wait 0s, group_interval 1s) and a daemon child (1 s
// tick, one check `sum(bench_fault) > 0`, for 0s, notify.alertmanager). Each repetition
// waits a random 0–2 s (so the fault lands at any phase of the scrape and tick cycles),
// sets the series to 1, times the firing webhook, then sets it back to 0 and waits for the
// resolution before the next one. The daemon's "check state changed" log line splits the
// latency into detection (scrape + tick) and delivery (notifier + Alertmanager).
//
// Run: npx tsc -p tsconfig.json && node dist/bench/detection-latency.js
// Env: BENCH_REPS (default 20).

import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAlertmanager, startPrometheus, startRedis, startSyntheticTarget, waitFor } from '../test/harness/index.js';
import { waitForSeries } from './lib/wait-for-series.js';
import { writeBenchConfig } from './lib/bench-config.js';
import { startBenchDaemon } from './lib/child-daemon.js';
import { envNumber, lifecycle, sleep } from './lib/lifecycle.js';
import { publish, verdict } from './lib/report.js';
import { quantile } from './lib/stats.js';

const REPS = envNumber('BENCH_REPS', 20);
const TICK_S = 1;
const SCRAPE_S = 1;
const TARGET_MS = (TICK_S + SCRAPE_S + 1) * 1000;
const WAIT_MS = 30_000;
const CHECK = 'fault-present';

interface WebhookAlert {
  status?: string;
  labels?: Record<string, string>;
}

const life = lifecycle('detection-latency', (REPS * 70 + 120) * 1000);

void life.run(async () => {
  const dir = life.own(await mkdtemp(join(tmpdir(), 'mesh-soak-bench-detect-')), (d) => rm(d, { recursive: true, force: true }));

  // The webhook receiver: remembers when our check's alert last arrived firing / resolved.
  let firingAt = 0;
  let resolvedAt = 0;
  let posts = 0;
  const hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const at = Date.now();
      posts += 1;
      try {
        const payload = JSON.parse(body) as { alerts?: WebhookAlert[] };
        for (const a of payload.alerts ?? []) {
          if (a.labels?.check !== CHECK) continue;
          if (a.status === 'firing') firingAt ||= at;
          if (a.status === 'resolved') resolvedAt ||= at;
        }
      } catch {
        // not ours
      }
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  life.own(hook, (h) => new Promise<void>((r) => {
    h.closeAllConnections();
    h.close(() => r());
  }));
  const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;

  const target = life.own(await startSyntheticTarget(), (t) => t.stop());
  target.set('bench_fault', { namespace: 'bench-detect' }, 0);
  const redis = life.own(await startRedis(), (r) => r.stop());
  const prom = life.own(await startPrometheus({ scrapeTargets: [target.hostPort], scrapeIntervalS: SCRAPE_S }), (p) => p.stop());
  const am = life.own(
    await startAlertmanager({
      configYaml: [
        'route:',
        '  receiver: hook',
        "  group_by: ['alertname', 'suite', 'check']",
        '  group_wait: 0s',
        '  group_interval: 1s',
        '  repeat_interval: 1h',
        'receivers:',
        '  - name: hook',
        '    webhook_configs:',
        `      - url: ${JSON.stringify(hookUrl)}`,
        '        send_resolved: true',
        '',
      ].join('\n'),
    }),
    (a) => a.stop(),
  );
  await waitForSeries(prom.url, 'bench_fault');

  const configFile = await writeBenchConfig({
    dir,
    prometheusUrl: prom.url,
    redisUrl: redis.url,
    tick: `${TICK_S}s`,
    alertmanagerUrl: am.url,
    suites: [
      {
        name: 'detect',
        namespace: 'bench-detect',
        checks: [{ name: CHECK, query: 'sum(bench_fault{namespace="{{namespace}}"})', fail: '> 0', for: '0s', noData: 'ok', severity: 'critical' }],
      },
    ],
  });
  let failingLoggedAt = 0;
  let okLoggedAt = 0;
  const daemon = life.own(
    await startBenchDaemon({
      configFile,
      logFile: join(dir, 'daemon.log'),
      onLine(line, at) {
        if (line.msg !== 'check state changed' || line.check !== CHECK) return;
        if (line.to === 'failing') failingLoggedAt ||= at;
        if (line.to === 'ok') okLoggedAt ||= at;
      },
    }),
    (d) => d.stop(),
  );
  // A few ticks at 0 first, so the check is settled ok.
  await sleep(3000);

  const total: number[] = [];
  const detect: number[] = [];
  const deliver: number[] = [];
  const resolve: number[] = [];
  let misses = 0;
  for (let rep = 0; rep < REPS; rep++) {
    await sleep(Math.random() * (TICK_S + SCRAPE_S) * 1000);
    firingAt = 0;
    resolvedAt = 0;
    failingLoggedAt = 0;
    okLoggedAt = 0;
    const setAt = Date.now();
    target.set('bench_fault', { namespace: 'bench-detect' }, 1);
    try {
      await waitFor(() => firingAt > 0, { timeoutMs: WAIT_MS, intervalMs: 20, what: 'firing alert at the webhook' });
      total.push(firingAt - setAt);
      if (failingLoggedAt > 0) {
        detect.push(failingLoggedAt - setAt);
        deliver.push(firingAt - failingLoggedAt);
      }
    } catch (err) {
      misses += 1;
      console.error(`rep ${rep}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const clearAt = Date.now();
    target.set('bench_fault', { namespace: 'bench-detect' }, 0);
    await waitFor(() => resolvedAt > 0 && okLoggedAt > 0, { timeoutMs: WAIT_MS, intervalMs: 20, what: 'resolution at the webhook' });
    resolve.push(resolvedAt - clearAt);
    console.log(`rep ${rep + 1}/${REPS}: firing after ${total[total.length - 1] ?? NaN} ms, resolved after ${resolvedAt - clearAt} ms`);
  }
  const code = await daemon.stop();

  const row = (name: string, v: number[]) => ({
    interval: name,
    n: v.length,
    'min ms': Math.min(...v),
    'median ms': quantile(v, 0.5),
    'p95 ms': quantile(v, 0.95),
    'max ms': Math.max(...v),
  });
  await publish({
    title: 'Detection latency: fault on the target → firing alert at the webhook',
    command: `BENCH_REPS=${REPS} node dist/bench/detection-latency.js`,
    setup: [
      `real Redis, Prometheus (scrape ${SCRAPE_S} s), Alertmanager 0.25 (group_wait 0s, group_interval 1s, webhook to a loopback receiver), daemon child (simulator/local/daemon-entry.ts; modules: ${daemon.modules}) with tick ${TICK_S} s`,
      `one check \`sum(bench_fault) > 0\`, for 0s; ${REPS} repetitions, each after a random 0–${TICK_S + SCRAPE_S} s pause; resolution awaited between them`,
      `detection = set → the daemon's "check state changed … failing" log line; delivery = that line → webhook; webhook posts: ${posts}; missed: ${misses}; exit code ${String(code)}`,
    ],
    rows: [row('total: set → firing webhook', total), row('detection (scrape + tick)', detect), row('delivery (notifier + Alertmanager)', deliver), row('resolution: clear → resolved webhook', resolve)],
    verdicts: [
      verdict('detection latency max', Math.max(...total), TARGET_MS, 'ms'),
      verdict('detection latency p95', quantile(total, 0.95), TARGET_MS, 'ms'),
      ...(misses > 0 ? [`${misses} of ${REPS} faults never reached the webhook within ${WAIT_MS / 1000} s`] : []),
    ],
  });
});
