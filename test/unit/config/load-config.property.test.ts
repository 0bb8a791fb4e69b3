import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { UserError } from '../../../src/shared/errors.js';
import { writeTemp } from './temp-config.js';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures');
const valid = readFileSync(resolve(FIXTURES, 'config/valid.yaml'), 'utf8');
const lines = valid.split('\n');

// Edits a user might make by mistake: a line lost, a character changed, text pasted in,
// a value replaced by something of another type.
const mutation = fc.oneof(
  fc.nat({ max: lines.length - 1 }).map((i) => (t: string) => t.split('\n').filter((_, j) => j !== i).join('\n')),
  fc
    .tuple(fc.nat({ max: valid.length - 1 }), fc.constantFrom(...':{}[]-"\'#&*!|>% \t\n$x0'.split('')))
    .map(([i, ch]) => (t: string) => t.slice(0, i) + ch + t.slice(i + 1)),
  fc.tuple(fc.nat({ max: valid.length }), fc.string({ maxLength: 12 })).map(([i, s]) => (t: string) => t.slice(0, i) + s + t.slice(i)),
  fc
    .tuple(fc.nat({ max: lines.length - 1 }), fc.constantFrom('~', '[]', '{}', '-1', '1.5', 'true', '"${X}"', '"{{x}}"', 'a: b'))
    .map(([i, v]) => (t: string) =>
      t
        .split('\n')
        .map((l, j) => (j === i ? l.replace(/:\s.*$/, `: ${v}`) : l))
        .join('\n'),
    ),
);

it('a mutated config either loads or is refused with positioned problems, never anything else', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (edits) => {
      const text = edits.reduce((t, edit) => edit(t), valid);
      const file = await writeTemp(text);
      try {
        await loadConfig(file, { suitesDir: resolve(FIXTURES, 'suites'), env: {} });
      } catch (e) {
        expect(e).toBeInstanceOf(UserError);
        const problems = (e as UserError).problems;
        expect(problems.length).toBeGreaterThan(0);
        for (const p of problems) {
          expect(p.file).not.toBe('');
          expect(p.line).toBeGreaterThanOrEqual(1);
          expect(p.col).toBeGreaterThanOrEqual(1);
          expect(p.message).not.toBe('');
        }
      }
    }),
    { numRuns: 300 },
  );
});
