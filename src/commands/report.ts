// `mesh-soak report`: the soak report over a time range of the run ledger (verdict/report.ts),
// as Markdown, HTML, JSON or JUnit XML, to stdout or --out FILE. Exit 0 when every suite
// passed, 1 when any failed, 3 when nothing could be judged, 2 for invalid input (and 1 when
// Redis cannot be read: no report is better than an empty one that looks like a pass).

import { writeFile } from 'node:fs/promises';
import { Redis } from 'ioredis';
import { loadConfig } from '../config/load-config.js';
import { redisConnectionOptions } from '../adapters/redis/connection.js';
import { buildReportSource, closeRedis, reportScope } from '../app/index.js';
import { collectReport, parseRange } from '../verdict/collect.js';
import { REPORT_FORMATS, renderReport, reportFormat } from '../verdict/formats.js';
import type { Report } from '../verdict/report.js';
import { UserError, messageOf } from '../shared/errors.js';
import { withTimeout } from '../shared/time.js';
import { configPath, type Command } from './command.js';

export function reportExitCode(report: Report): number {
  return report.verdict === 'fail' ? 1 : report.verdict === 'pass' ? 0 : 3;
}

export const reportCommand: Command = {
  summary: 'the soak report over a time range: verdicts, failures, disruptions and recovery (md, html, json, junit)',
  help: [
    'usage: mesh-soak report [--config FILE] [--since 24h | --from T [--to T]] [--format md|html|json|junit] [--out FILE]',
    '',
    'Reads the run ledger in Redis and reports, per suite: its verdict and time failing, the failures',
    'with the disruption in progress, each disruption with its impact and recovery (p50/p95/max), and',
    'the Istio versions seen.',
    '  --since D     the last D (default 24h; at most 31 days)',
    '  --from T      from T (ISO 8601 such as 2026-12-01T10:00:00Z, or epoch seconds); --to T defaults to now',
    '  --format F    md (default), html, json or junit',
    '  --out FILE    write the report to FILE instead of stdout',
    'Exit: 0 every suite passed, 1 any failed (or Redis could not be read), 2 invalid input, 3 nothing judged.',
  ].join('\n'),
  options: {
    since: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
  },
  async run(ctx) {
    const format = reportFormat((ctx.values.format as string | undefined) ?? 'md');
    if (!format) throw new UserError(`--format: "${String(ctx.values.format)}" is not a report format (use ${REPORT_FORMATS.join(', ')})`);
    const range = parseRange({ since: ctx.values.since as string | undefined, from: ctx.values.from as string | undefined, to: ctx.values.to as string | undefined }, Date.now());
    if (!range.ok) throw new UserError(range.problem);
    const config = await loadConfig(configPath(ctx), { env: ctx.env });
    const redis = new Redis({ ...redisConnectionOptions(config.redis), maxRetriesPerRequest: 1, lazyConnect: true });
    redis.on('error', () => undefined);
    let report: Report;
    try {
      const read = redis.connect().then(() => collectReport(buildReportSource(redis), reportScope(config), range, Date.now()));
      const got = await withTimeout(read, 30_000);
      if (got === 'timeout') throw new Error('Redis did not answer within 30s');
      report = got;
    } catch (err) {
      ctx.stderr.write(`mesh-soak report: cannot read the run ledger from Redis: ${messageOf(err)}\n`);
      return 1;
    } finally {
      await closeRedis(redis);
    }
    const text = renderReport(report, format);
    const out = ctx.values.out as string | undefined;
    if (out) await writeFile(out, text).catch((err: unknown) => {
      throw new UserError(`--out: cannot write ${out}: ${messageOf(err)}`);
    });
    else ctx.stdout.write(text);
    return reportExitCode(report);
  },
};
