// The `benchmark:` section of a suite: the shipped suite loads, defaults apply, and every
// mistake is reported with file, line, field and problem before anything runs.

import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import { UserError } from '../../../src/shared/errors.js';

const SUITES = resolve(import.meta.dirname, '../../../suites');
const root = mkdtempSync(join(tmpdir(), 'mesh-soak-bench-config-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
/** A config using one suite folder holding suite.yaml with the given benchmark section. */
function write(benchmark: string, extra = '', entry = ''): string {
  const dir = join(root, `case-${n++}`);
  mkdirSync(join(dir, 'b'), { recursive: true });
  writeFileSync(join(dir, 'b', 'suite.yaml'), `name: b\nnamespace: twopods\n${extra}benchmark:\n${benchmark}`);
  const file = join(dir, 'mesh-soak.yaml');
  writeFileSync(file, `prometheus: { url: "http://127.0.0.1:9090" }\nsuites:\n  - use: ./b\n${entry}`);
  return file;
}

const minimal = [
  '  fortio: { url: "http://fortioclient:8080" }',
  '  connections: [2, 4]',
  '  qps: [10, max]',
  '  targets: { both: "http://s:8080/echo", baseline: "http://s:8077/echo" }',
  '',
].join('\n');

async function problems(file: string): Promise<string> {
  try {
    await loadConfig(file, { env: {} });
  } catch (err) {
    if (err instanceof UserError) return err.message;
    throw err;
  }
  throw new Error('expected the config to be refused');
}

describe('benchmark section', () => {
  it('the shipped benchmark suite loads with its matrix and regression policy', async () => {
    const file = join(root, 'shipped.yaml');
    writeFileSync(file, 'prometheus: { url: "http://127.0.0.1:9090" }\nsuites:\n  - use: benchmark\n    params: { istioVersion: "1.24.0" }\n');
    const c = await loadConfig(file, { suitesDir: SUITES, env: {} });
    const b = c.suites[0]?.benchmark;
    expect(b).toMatchObject({
      modes: ['both', 'clientsidecar', 'baseline'],
      fortioUrl: 'http://fortioclient.twopods:8080',
      istioVersion: '1.24.0',
      durationMs: 240_000,
      warmupMs: 62_000,
      cooldownMs: 30_000,
      schedule: { cron: '0 3 * * *' },
      regression: { baseline: { kind: 'median', lastN: 5 }, thresholds: { p99Percent: 10, cpuPercent: 15 } },
    });
  });

  it('defaults: both and baseline, 1024 bytes, 240 s, 15 s step; the entry schedule overrides', async () => {
    const c = await loadConfig(write(minimal, '', '    schedule: { every: 6h }\n'), { env: {} });
    expect(c.suites[0]?.benchmark).toMatchObject({
      modes: ['both', 'baseline'], payloadBytes: [1024], qps: [10, 'max'], stepMs: 15_000, keepRuns: 200, schedule: { every: 6 * 3600_000 },
    });
  });

  it('a pinned baseline', async () => {
    const c = await loadConfig(write(`${minimal}  regression: { baseline: { pinned: "run-7" }, mem: 20 }\n`), { env: {} });
    expect(c.suites[0]?.benchmark?.regression).toEqual({ baseline: { kind: 'pinned', runId: 'run-7' }, thresholds: { p99Percent: 10, cpuPercent: 15, memPercent: 20 } });
  });

  it.each([
    ['a load no longer than warm-up + cool-down', `${minimal}  duration: 92s\n`, /suite\.yaml:\d+:\d+: benchmark\.duration: the load \(92s\) must last longer than warmup \+ cooldown/],
    ['a mode without a target', `${minimal}  modes: [both, ingress]\n`, /benchmark\.modes: mode 'ingress' has no URL in benchmark\.targets\.ingress/],
    ['an unknown mode', `${minimal}  modes: [sidecars]\n`, /benchmark\.modes\.0: /],
    ['zero connections', minimal.replace('[2, 4]', '[0]'), /benchmark\.connections\.0: must be at least 1, got 0/],
    ['a qps word other than max', minimal.replace('max', 'lots'), /benchmark\.qps\.1: /],
    ['no Fortio URL', minimal.replace('  fortio: { url: "http://fortioclient:8080" }\n', ''), /benchmark\.fortio: /],
    ['a bad schedule', `${minimal}  schedule: { every: 1h, cron: "* * * * *" }\n`, /benchmark\.schedule: both every and cron are set/],
    ['a disruption beside it', minimal, /benchmark: a benchmark suite cannot also have a disruption/, 'disruption:\n  schedule: { every: 1m }\n  steps: [{ sleep: { duration: 1s } }]\n'],
  ])('refuses %s', async (_name, section, message, extra = '') => {
    expect(await problems(write(section, extra))).toMatch(message);
  });
});

describe('benchmark.fortio.via', () => {
  it('is direct unless apiserver is asked for', async () => {
    const direct = await loadConfig(write(minimal), { env: {} });
    expect(direct.suites[0]?.benchmark?.fortioVia).toBeUndefined();
    const proxied = await loadConfig(write(minimal.replace('url: "http://fortioclient:8080" }', 'url: "http://fortioclient:8080", via: apiserver }')), { env: {} });
    expect(proxied.suites[0]?.benchmark?.fortioVia).toBe('apiserver');
  });

  it('refuses another value, naming the file and field', async () => {
    const msg = await problems(write(minimal.replace('url: "http://fortioclient:8080" }', 'url: "http://fortioclient:8080", via: tunnel }')));
    expect(msg).toMatch(/suite\.yaml:4:\d+: benchmark\.fortio\.via: expected one of direct, apiserver; got "tunnel"$/);
  });
});
