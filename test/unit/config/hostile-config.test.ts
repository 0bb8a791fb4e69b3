// Regressions from the hostile-config corpus, in process: each mistake is a UserError
// with a located problem (never a ReferenceError or a silent acceptance), and nothing the
// file says reaches the operator's terminal unescaped.
import { resolve } from 'node:path';
import { expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { loadConfig } from '../../../src/config/index.js';
import { stepSchemas } from '../../../src/config/schema.js';
import { UserError, type Problem } from '../../../src/shared/errors.js';
import { writeTemp } from './temp-config.js';

const suitesDir = resolve(import.meta.dirname, '../../fixtures/suites');
const HEAD = 'prometheus:\n  url: http://127.0.0.1:9090\n';

async function problems(body: string, env: Record<string, string> = {}): Promise<Problem[]> {
  const file = await writeTemp(HEAD + body);
  const e = await loadConfig(file, { suitesDir, env }).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(UserError);
  return (e as UserError).problems;
}

const lines = (ps: Problem[]): string[] => ps.map((p) => `${p.line}:${p.col}: ${p.path}: ${p.message}`);

it('an alias to an anchor that is not there is a problem at the alias', async () => {
  expect(lines(await problems('tick: *nowhere\n'))).toEqual(['3:7: tick: alias *nowhere refers to no anchor &nowhere defined before it']);
  // An anchor defined only after the alias does not count either.
  expect(lines(await problems('tick: *later\nx: &later 30s\n'))[0]).toMatch(/^3:7: tick: alias \*later refers to no anchor/);
});

it('an alias bomb is refused at the alias that makes it too big, and circular data too', async () => {
  let body = 'x:\n  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n';
  for (let i = 1; i <= 8; i++) body += `  a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')}]\n`;
  const [bomb, ...rest] = await problems(body);
  expect(bomb?.message).toMatch(/^alias \*a\d makes the document expand to more than 100000 values/);
  expect(bomb?.path).toMatch(/^x\.a\d\.\d$/);
  expect(rest).toEqual([]);
  expect(lines(await problems('x: &loop [1, *loop]\n'))).toEqual(['3:14: x.1: alias *loop is inside the node it refers to (circular data)']);
});

it('anchors and aliases used the ordinary way still load, however often an anchor is used', async () => {
  const checks = Array.from({ length: 1500 }, (_, i) => `  - { name: c${i}, query: sum(up), fail: *gt0, labels: *team }\n`).join('');
  const file = await writeTemp(`${HEAD}tick: &t 15s\nx-defaults: {}\n`.replace('x-defaults: {}\n', '') + `checks:\n  - { name: base, query: sum(up), fail: &gt0 "> 0", labels: &team { team: mesh }, for: *t }\n${checks}`);
  const c = await loadConfig(file, { suitesDir, env: {} });
  expect(c.checks).toHaveLength(1501);
  expect(c.checks[1500]).toMatchObject({ fail: { text: '> 0' }, labels: { team: 'mesh' } });
  expect(c.checks[0]?.forMs).toBe(15_000);
});

it('explicit tags other than the core ones are refused, not read as strings', async () => {
  expect(lines(await problems('tick: !!python/object:os.system 30s\n'))[0]).toMatch(/^3:\d+: tick: unsupported YAML tag !!python\/object:os\.system$/);
  expect(lines(await problems('tick: !custom 30s\n'))[0]).toMatch(/tick: unsupported YAML tag !custom$/);
  expect(lines(await problems('tick: !!timestamp 2001-01-01\n'))[0]).toMatch(/tick: unsupported YAML tag !!timestamp$/);
  const c = await loadConfig(await writeTemp(`${HEAD}tick: !!str 30s\n`), { suitesDir, env: {} });
  expect(c.tickMs).toBe(30_000);
});

it('10,000 levels of nesting are "nesting too deep" at a position, not a stack overflow', async () => {
  const [p] = await problems(`tick: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`);
  expect(p?.message).toBe('YAML syntax error: nesting too deep');
  expect(p?.line).toBe(3);
});

it('a tick or schedule shorter than 1s is refused, saying the minimum', async () => {
  expect(lines(await problems('tick: 0s\n'))).toEqual(['3:7: tick: tick must be at least 1s, got "0s"']);
  expect(lines(await problems('tick: 500ms\n'))).toEqual(['3:7: tick: tick must be at least 1s, got "500ms"']);
  expect(lines(await problems('suites:\n  - { use: web, tick: "0" }\n'))[0]).toMatch(/suites\.0\.tick: tick must be at least 1s/);
  expect(lines(await problems('suites:\n  - use: web\n    schedule: { every: 0s }\n'))).toEqual([
    '5:24: suites.0.schedule.every: every must be at least 1s, got "0s"',
  ]);
});

it('control characters in header values are refused without echoing the value', async () => {
  const ps = await problems('  headers: { X-Scope-OrgID: "tenant\\r\\nHost: evil.example", X-Tab: "a\\tb" }\n');
  expect(lines(ps)).toEqual(['3:29: prometheus.headers.X-Scope-OrgID: header values cannot contain control characters']);
  const hs = await problems('notify:\n  webhooks:\n    - { name: w, url: "http://127.0.0.1:1", headers: { Authorization: "${TOKEN}" } }\n', {
    TOKEN: 'Bearer s3cr3t\nX-Injected: 1',
  });
  expect(lines(hs)).toEqual(['5:71: notify.webhooks.0.headers.Authorization: header values cannot contain control characters']);
  expect(JSON.stringify(hs)).not.toContain('s3cr3t');
  const bad = await problems('notify:\n  webhooks:\n    - { name: w, url: "http://127.0.0.1:1", headers: { "Bad Name": x } }\n');
  expect(lines(bad)[0]).toMatch(/notify\.webhooks\.0\.headers\.Bad Name: not a valid HTTP header name/);
});

it('__proto__ as a param, label or env name is reported, never silently dropped', async () => {
  expect(lines(await problems('suites:\n  - { use: web, params: { __proto__: 5 } }\n'))[0]).toMatch(/suites\.0\.params\.__proto__: unknown param '__proto__' for suite 'web'/);
  const labels = await problems('checks:\n  - { name: c, query: up, fail: "> 0", labels: { __proto__: x } }\n');
  expect(lines(labels)[0]).toMatch(/checks\.0\.labels\.__proto__: '__proto__' cannot be used as a name here/);
  // A suite file's setEnv step: its env is a user-keyed map too.
  const env = stepSchemas.setEnv.safeParse(parseDocument('env: { __proto__: "1", A: "2" }').toJS());
  expect(env.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['env.__proto__', "'__proto__' cannot be used as a name here"]]);
  // `constructor` is an ordinary label name.
  const file = await writeTemp(`${HEAD}checks:\n  - { name: c, query: up, fail: "> 0", labels: { constructor: x } }\n`);
  expect((await loadConfig(file, { suitesDir, env: {} })).checks[0]?.labels).toEqual({ constructor: 'x' });
});

it('escapes control characters of an echoed key, so the file cannot drive the terminal', async () => {
  const ps = await problems('"\\e[2J\\e[31mtick\\u202e": 30s\n');
  expect(lines(ps)).toEqual(["3:1: \\x1b[2J\\x1b[31mtick\\u202e: unknown field '\\x1b[2J\\x1b[31mtick\\u202e'"]);
  const shown = new UserError(ps).message;
  expect(shown.includes('\x1b') || shown.includes('\u202e')).toBe(false);
});

it('a port beyond any integer is told its own bound once', async () => {
  expect(lines(await problems('http: { port: 99999999999999999999999 }\n'))).toEqual(['3:15: http.port: must be at most 65535, got 1e+23']);
});
