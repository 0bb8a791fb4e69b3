// The fast YAML path (src/config/yaml-fast.ts, js-yaml without positions) must give exactly
// what `yaml` gives (yaml-source.ts's parse), or give up (undefined) so the file is parsed
// with positions: checked on every shipped suite file and the example config, on scalars
// where YAML 1.1 and 1.2 or the two libraries could differ, on what yaml-structure.ts
// refuses, and on random data written by `yaml` in block and flow style.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { fastYamlData } from '../../../src/config/yaml-fast.js';

const root = join(import.meta.dirname, '..', '..', '..');
const sameAsYaml = (text: string): void => {
  const fast = fastYamlData(text);
  if (fast) expect(fast.data).toEqual(parse(text, { maxAliasCount: -1 }));
};

describe('fastYamlData', () => {
  it('reads every shipped suite file and the example config as yaml does', () => {
    const files = readdirSync(join(root, 'suites')).map((d) => join(root, 'suites', d, 'suite.yaml'));
    for (const file of [...files, join(root, 'examples', 'mesh-soak.yaml')]) {
      const text = readFileSync(file, 'utf8');
      const fast = fastYamlData(text);
      expect(fast, file).toBeDefined();
      expect(fast?.data, file).toEqual(parse(text));
    }
  });

  it.each([
    'a: yes', 'a: no', 'a: on', 'a: off', 'a: y', 'a: 1_000', 'a: 0b101', 'a: 0755', 'a: 0o17', 'a: 0x1F', 'a: +12', 'a: -0',
    'a: 1e3', 'a: .5', 'a: 1.', 'a: .inf', 'a: -.Inf', 'a: .NaN', 'a: ~', 'a: Null', 'a:', 'a: 2024-01-01', 'a: 12:30:00',
    'a: True', 'a: tRUE', "a: '1'", 'a: "0x1F"', 'a: 1e', 'a: 0.1.2', 'null: 1', '1: x', 'true: x', '"__proto__": 1',
    'a: |\n  x\n  y\n', 'a: >-\n  x\n  y\n\n', 'a: [1, "b", {c: d}]', 'a: "\\u00e9\\t"', 'a: x # comment', 'a: b\n  c\n',
  ])('%j: as yaml, or left to it', (text) => sameAsYaml(text));

  it.each([
    ['an anchor and alias', 'a: &x 1\nb: *x\n'],
    ['a non-core tag', 'a: !!binary aGk=\n'],
    ['a local tag', 'a: !foo 1\n'],
    ['a timestamp tag', 'a: !!timestamp 2024-01-01\n'],
    ['two documents', 'a: 1\n---\nb: 2\n'],
    ['a duplicate key', 'a: 1\na: 2\n'],
    ['a syntax error', 'a: [1, 2\n'],
    ['an empty file', ''],
  ])('leaves %s to yaml', (_name, text) => {
    expect(fastYamlData(text)).toBeUndefined();
  });

  it('reads random data written by yaml, in block and flow style, as yaml does', () => {
    const value = fc.dictionary(fc.string({ minLength: 1 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 });
    fc.assert(
      fc.property(value, fc.boolean(), (v, flow) => {
        sameAsYaml(stringify(v, flow ? { collectionStyle: 'flow' } : {}));
      }),
      { numRuns: 300 },
    );
  });
});
