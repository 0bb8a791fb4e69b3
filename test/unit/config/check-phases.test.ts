// A check's `phases:` in the config: resolved to conditions and milliseconds, and every mistake
// refused with the file, line, field and problem.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { UserError } from '../../../src/shared/errors.js';
import { writeTemp } from './temp-config.js';

const suitesDir = resolve(import.meta.dirname, '../../fixtures/suites');

function config(phases: string): string {
  return `prometheus: { url: http://127.0.0.1:9090 }
suites: []
checks:
  - name: five-xx
    query: sum(rate(istio_requests_total{response_code=~"5.."}[1m]))
    fail: "> 0"
    phases:
${phases}
`;
}

async function errorOf(text: string): Promise<string> {
  const file = await writeTemp(text);
  const err = await loadConfig(file, { suitesDir, env: {} }).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(UserError);
  return (err as UserError).message;
}

describe('check phases in the config', () => {
  it('resolves during, after (grace in ms) and steady to conditions', async () => {
    const file = await writeTemp(config(`      during: { fail: "> 0.05" }\n      after: { grace: 60s, fail: "> 0.01" }\n      steady: { fail: ">= 0.001" }`));
    const c = await loadConfig(file, { suitesDir, env: {} });
    expect(c.checks[0]?.phases).toEqual({
      during: { fail: { op: '>', value: 0.05, text: '> 0.05' } },
      after: { graceMs: 60_000, fail: { op: '>', value: 0.01, text: '> 0.01' } },
      steady: { fail: { op: '>=', value: 0.001, text: '>= 0.001' } },
    });
  });

  it('a check without phases has none', async () => {
    const file = await writeTemp(config('      {}').replace('    phases:\n      {}\n', ''));
    expect((await loadConfig(file, { suitesDir, env: {} })).checks[0]?.phases).toBeUndefined();
  });

  const mistakes: Array<{ name: string; phases: string; want: RegExp }> = [
    { name: 'a bad condition', phases: '      during: { fail: "~ 3" }', want: /mesh-soak\.yaml:8:23: checks\.0\.phases\.during\.fail: "~ 3" is not a condition/ },
    { name: 'after without grace', phases: '      after: { fail: "> 0" }', want: /mesh-soak\.yaml:8:\d+: checks\.0\.phases\.after\.grace: missing required field .grace./ },
    { name: 'a bad grace', phases: '      after: { grace: soon, fail: "> 0" }', want: /checks\.0\.phases\.after\.grace: / },
    { name: 'an unknown phase', phases: '      recovery: { fail: "> 0" }', want: /checks\.0\.phases.*recovery/ },
  ];
  for (const m of mistakes) {
    it(`refuses ${m.name}, located`, async () => {
      expect(await errorOf(config(m.phases))).toMatch(m.want);
    });
  }
});

describe('suite entry locks, overlap and missedRunDeadline', () => {
  const SUITES = resolve(import.meta.dirname, '../../fixtures/suites');
  const entry = (extra: string) => `prometheus: { url: http://127.0.0.1:9090 }\nsuites:\n  - use: web\n${extra}\n`;
  it('resolves to the suite\'s exclusive section', async () => {
    const file = await writeTemp(entry('    locks: [istio-system]\n    overlap: { wait: 5m }\n    missedRunDeadline: 2m'));
    const c = await loadConfig(file, { suitesDir: SUITES, env: {} });
    expect(c.suites[0]?.exclusive).toEqual({ locks: ['istio-system'], waitMs: 300_000, missedRunDeadlineMs: 120_000 });
  });
  it('skip is the default overlap; no locks, no section', async () => {
    const file = await writeTemp(entry('    locks: [istio-system]\n    overlap: skip'));
    expect((await loadConfig(file, { suitesDir: SUITES, env: {} })).suites[0]?.exclusive).toEqual({ locks: ['istio-system'], waitMs: 0 });
    const plain = await writeTemp(entry(''));
    expect((await loadConfig(plain, { suitesDir: SUITES, env: {} })).suites[0]?.exclusive).toBeUndefined();
  });
  it('refuses a bad lock name and a bad overlap, located', async () => {
    expect(await errorOf(entry('    locks: ["Istio System"]'))).toMatch(/mesh-soak\.yaml:4:\d+: suites\.0\.locks\.0: a lock is a resource name/);
    expect(await errorOf(entry('    overlap: queue'))).toMatch(/mesh-soak\.yaml:4:\d+: suites\.0\.overlap: /);
  });
});
