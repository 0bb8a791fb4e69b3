// The test suite must pass on a loaded machine: no test asserts how long something took.
// Speed numbers live in bench/ (and its RESULTS.md); a test may measure and print a
// duration, but an upper bound on elapsed time, a throughput floor or a high-resolution
// timer in an assertion is refused here. Waits poll a condition with a deadline instead.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'fixtures' && name !== 'node_modules') out.push(...testFiles(p));
    } else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

const BOUND = /\.(toBeLessThan|toBeLessThanOrEqual)\(|\.(toBeGreaterThan|toBeGreaterThanOrEqual)\(/;
/** Names that carry a duration or a rate: an ordering or size bound on them is a timing bound. */
const TIMING_WORDS = /(?:[a-z](?:Ms|Seconds|Latency|Latencies|Elapsed|Duration|PerSecond)\b|_MS\b|\bms\b|\blatenc|\belapsed|\bduration|Date\.now\(\)|performance\.now|hrtime|\brps\b)/;
const HIGH_RES_TIMER = /performance\.now\(|process\.hrtime/;

export interface Finding {
  file: string;
  line: number;
  text: string;
}

/** Lines that assert on elapsed time; exported for its own test below. */
export function wallClockAssertions(file: string, source: string): Finding[] {
  const out: Finding[] = [];
  source.split('\n').forEach((text, i) => {
    const code = text.replace(/\/\/.*$/, '');
    const bounded = BOUND.test(code) && TIMING_WORDS.test(code);
    if (bounded || HIGH_RES_TIMER.test(code)) out.push({ file, line: i + 1, text: text.trim() });
  });
  return out;
}

describe('no wall-clock assertions in test/', () => {
  it('finds the kinds of bound that flaked on a loaded machine', () => {
    const src = [
      'for (const l of latencies) expect(l).toBeLessThanOrEqual(LOCK_TTL_MS + TICK_MS + 3000);',
      'expect(Date.now() - t0).toBeLessThan(500);',
      'expect(elapsedMs).toBeLessThan(2000);',
      'const t = performance.now();',
      'expect(afterKill.length).toBeGreaterThanOrEqual(Math.floor(AFTER_KILL_MS / TICK_MS) - 3);',
      'expect(writes.scaleDowns).toBeLessThanOrEqual(started.length);',
      'expect(o.maxRssKiB).toBeLessThan(MAX_RSS_KIB);',
    ].join('\n');
    expect(wallClockAssertions('x.ts', src).map((f) => f.line)).toEqual([1, 2, 3, 4, 5]);
  });

  it('has none', () => {
    const self = relative(ROOT, import.meta.filename);
    const found = testFiles(ROOT)
      .filter((f) => relative(ROOT, f) !== self)
      .flatMap((f) => wallClockAssertions(relative(ROOT, f), readFileSync(f, 'utf8')));
    expect(found.map((f) => `${f.file}:${f.line}: ${f.text}`)).toEqual([]);
  });
});
