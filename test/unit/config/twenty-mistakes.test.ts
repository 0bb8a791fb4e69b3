import { resolve } from 'node:path';
import { expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { formatProblem, UserError } from '../../../src/shared/errors.js';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures');

it('reports all twenty different mistakes of one file at once, each at its line', async () => {
  const file = resolve(FIXTURES, 'config/twenty-mistakes.yaml');
  const err = await loadConfig(file, { suitesDir: resolve(FIXTURES, 'suites'), env: {} }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UserError);
  const problems = (err as UserError).problems;
  expect(problems.every((p) => p.file === file)).toBe(true);
  const got = problems.map((p) => [p.line, p.col, p.path, p.message]);
  expect(got).toEqual([
    [2, 8, 'prometheus.url', 'not a valid http:// or https:// URL'],
    [3, 12, 'prometheus.timeout', '"10 seconds" is not a duration; use e.g. 500ms, 30s, 5m, 1h'],
    [4, 16, 'prometheus.concurrency', 'expected a number, got "many"'],
    [5, 1, 'tik', "unknown field 'tik'; did you mean 'tick'?"],
    [7, 9, 'http.port', 'must be at most 65535, got 70000'],
    [11, 27, 'notify.webhooks.0.url', 'environment variable SLACK_WEBHOOK_URL is not set'],
    [12, 64, 'notify.webhooks.1.format', 'expected one of json, slack; got "teams"'],
    [15, 23, 'suites.0.schedule.cron', '"*/5 * * *" is not a valid cron expression: expected 5 or 6 fields but got 4'],
    [16, 15, 'suites.0.params.qsp', "unknown param 'qsp' for suite 'web' (known: qps, image)"],
    [17, 10, 'suites.1.use', "unknown suite 'nginx' (known suites: quiet, web)"],
    [19, 15, 'suites.2.schedule', 'both every and cron are set; use exactly one'],
    [22, 12, 'checks.0.query', 'PromQL syntax error: unexpected end of expression at column 28'],
    [24, 21, 'checks.0.labels.team', 'expected a string, got a list'],
    [27, 11, 'checks.1.fail', '"above 0" is not a condition; use one of "> N", ">= N", "< N", "<= N", "== N", "!= N", "outside A..B"'],
    [28, 15, 'checks.1.severity', 'expected one of info, warning, critical; got "urgent"'],
    [29, 17, 'checks.1.errorLimit', 'must be at least 1, got 0'],
    [30, 13, 'checks.1.noData', 'expected one of ok, unknown, fail; got "maybe"'],
    [31, 14, 'checks.1.summary', 'unknown template "{{ $value }}": only {{value}} and {{labels.NAME}} are allowed'],
    // A missing field points at the mapping that lacks it.
    [32, 5, 'checks.2.query', "missing required field 'query'"],
    [32, 11, 'checks.2.name', "duplicate check name 'xds-rejects' (first used on line 21)"],
  ]);
  expect((err as UserError).message.split('\n')[0]).toBe(formatProblem(problems[0]!));
  expect((err as UserError).message).toContain(`${file}:5:1: tik: unknown field 'tik'; did you mean 'tick'?`);
});
