// The hostile-config corpus (test/fixtures/config-corpus/) through the built CLI, as an
// operator would meet it: `mesh-soak validate` must refuse every malformed file with exit 2
// and located `FILE:LINE:COL:` lines only (no stack trace, no "internal error", no hang,
// no memory blow-up), and accept the few cases that are in fact valid.
//
// Each corpus file starts with a header of comment lines:
//   # expect: TEXT        stderr must contain TEXT (exit 2)      | # expect-valid   exit 0
//   # env: NAME=VALUE     set for this run only
//   # absent: TEXT        stderr must not contain TEXT (\xNN escapes allowed), e.g. a secret
//   # expand: ...         `@@A5MB@@` in the body becomes 5 MiB of "a" (kept out of git)
//   # known-bug: WHY      a loader bug not fixed yet: the case is skipped, with WHY as its name
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaledMs } from '../../../simulator/local/wait-for.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const CLI = join(ROOT, 'dist/src/cli.js');
const CORPUS = join(ROOT, 'test/fixtures/config-corpus');
const TIME = '/usr/bin/time';
const PARALLEL = 4;
// Generous: a hang is a process that never ends, not a slow start on a loaded machine.
const CASE_TIMEOUT_MS = 120_000;
/** Peak resident memory a validate run may reach (a plain run is ~150 MiB). */
const MAX_RSS_KIB = 512 * 1024;

// A file that cannot carry a header comment of its own.
const HEADERLESS: Record<string, string> = { 'empty-file.yaml': "missing required field 'prometheus'" };

// Messages printed without a file position that are still a user-facing form.
const PLAIN_FORMS: RegExp[] = [/^validate: /];

interface Case {
  name: string;
  expect: { valid: true } | { valid: false; text: string };
  env: Record<string, string>;
  absent: string[];
  knownBug?: string;
  expand: boolean;
}

interface Outcome {
  code: number | null;
  signal: string | null;
  stderr: string;
  configPath: string;
  maxRssKiB?: number;
}

function unescape(text: string): string {
  return text.replace(/\\x([0-9a-fA-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function readCase(name: string): Case {
  const text = readFileSync(join(CORPUS, name), 'latin1').replace(/^\uFEFF|^\xEF\xBB\xBF/, '');
  const c: Case = { name, expect: { valid: false, text: HEADERLESS[name] ?? '' }, env: {}, absent: [], expand: false };
  for (const line of text.split(/\r?\n/)) {
    const m = /^# (expect-valid|expect|env|absent|known-bug|expand)(?::\s?(.*))?$/.exec(line);
    if (!m) break;
    const value = m[2] ?? '';
    if (m[1] === 'expect-valid') c.expect = { valid: true };
    else if (m[1] === 'expect') c.expect = { valid: false, text: Buffer.from(value, 'latin1').toString('utf8') };
    else if (m[1] === 'env') {
      const eq = value.indexOf('=');
      c.env[value.slice(0, eq)] = value.slice(eq + 1);
    } else if (m[1] === 'absent') c.absent.push(unescape(value));
    else if (m[1] === 'known-bug') c.knownBug = value;
    else c.expand = true;
  }
  return c;
}

const cases = readdirSync(CORPUS)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map(readCase);

let work = '';
const outcomes = new Map<string, Outcome>();

function runCli(configPath: string, env: Record<string, string>): Promise<Outcome> {
  const rssFile = join(work, `${Math.random().toString(36).slice(2)}.rss`);
  const measured = existsSync(TIME);
  const [cmd, args] = measured
    ? [TIME, ['-o', rssFile, '-f', '%M', process.execPath, CLI, 'validate', '--config', configPath]]
    : [process.execPath, [CLI, 'validate', '--config', configPath]];
  return new Promise((done) => {
    execFile(
      cmd,
      args,
      {
        cwd: work,
        timeout: CASE_TIMEOUT_MS,
        killSignal: 'SIGKILL',
        maxBuffer: 64 * 1024 * 1024,
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: work, NO_COLOR: '1', ...env },
      },
      (err, _stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
        const signal = err?.signal ?? null;
        void readFile(rssFile, 'utf8').then(
          (t) => {
            // time(1) prefixes "Command exited with non-zero status N" before the format.
            const kib = Number(t.trim().split('\n').pop());
            done({ code, signal, stderr, configPath, ...(Number.isFinite(kib) ? { maxRssKiB: kib } : {}) });
          },
          () => done({ code, signal, stderr, configPath }),
        );
      },
    );
  });
}

async function runCase(c: Case): Promise<Outcome> {
  let path = join(CORPUS, c.name);
  if (c.expand) {
    const text = await readFile(path, 'utf8');
    path = join(work, c.name);
    await writeFile(path, text.replace('@@A5MB@@', 'a'.repeat(5 * 1024 * 1024)));
  }
  return runCli(path, c.env);
}

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first with "npx tsc -p tsconfig.json"`);
  work = await mkdtemp(join(tmpdir(), 'mesh-soak-corpus-'));
  const queue = cases.filter((c) => c.knownBug === undefined);
  const worker = async (): Promise<void> => {
    for (let c = queue.shift(); c; c = queue.shift()) outcomes.set(c.name, await runCase(c));
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
}, scaledMs(600_000));

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

it('the corpus holds at least 50 cases, each with an expectation', () => {
  expect(cases.length).toBeGreaterThanOrEqual(50);
  for (const c of cases) expect(c.expect.valid || c.expect.text !== '', `${c.name} has no "# expect:" line`).toBe(true);
});

describe('mesh-soak validate on a hostile config', () => {
  for (const c of cases) {
    if (c.knownBug !== undefined) {
      it.skip(`${c.name} — KNOWN BUG: ${c.knownBug}`, () => {});
      continue;
    }
    it(c.expect.valid ? `${c.name} is accepted` : `${c.name} is refused: ${c.expect.text}`, () => {
      const o = outcomes.get(c.name);
      expect(o, 'the case did not run').toBeDefined();
      if (!o) return;
      expect(o.signal, `killed after ${CASE_TIMEOUT_MS} ms (a hang)`).toBeNull();
      expect(o.stderr).not.toMatch(/\n\s+at /);
      expect(o.stderr).not.toContain('internal error');
      for (const text of c.absent) expect(o.stderr).not.toContain(text);
      if (o.maxRssKiB !== undefined) expect(o.maxRssKiB).toBeLessThan(MAX_RSS_KIB);
      if (c.expect.valid) {
        expect(o.stderr).toBe('');
        expect(o.code).toBe(0);
        return;
      }
      expect(o.code).toBe(2);
      expect(o.stderr).toContain(c.expect.text);
      const lines = o.stderr.split('\n').filter((l) => l !== '');
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        const located =
          line.startsWith(`${o.configPath}:`) ? /^:\d+:\d+: /.test(line.slice(o.configPath.length)) : /^\S*\/suite\.yaml:\d+:\d+: /.test(line);
        const plain = PLAIN_FORMS.some((re) => re.test(line));
        expect(located || plain, `not a FILE:LINE:COL line: ${line.slice(0, 200)}`).toBe(true);
      }
    });
  }
});
