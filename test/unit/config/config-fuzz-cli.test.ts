// Generated configs, not mutated ones: random trees of mappings, lists and scalars whose
// keys are the config's real field names (from its JSON Schema, so the list cannot drift)
// plus a few hostile ones, with values a user or an attacker might write. load-config's
// existing property test edits a valid file; this one reaches shapes no edit of it would.
// Whatever comes in, loadConfig either returns a config or throws a UserError whose every
// problem points at a real line and column of the file it names.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { configJsonSchema } from '../../../src/config/json-schema.js';
import { UserError } from '../../../src/shared/errors.js';
import { writeTemp } from './temp-config.js';
import { scaledMs } from '../../../simulator/local/wait-for.js';

const SUITES = resolve(import.meta.dirname, '../../fixtures/suites');

function fieldNames(schema: unknown, into = new Set<string>()): Set<string> {
  if (schema && typeof schema === 'object') {
    const props = (schema as { properties?: Record<string, unknown> }).properties;
    if (props) for (const k of Object.keys(props)) into.add(k);
    for (const v of Object.values(schema)) fieldNames(v, into);
  }
  return into;
}

const FIELDS = [...fieldNames(configJsonSchema())];
const HOSTILE_KEYS = ['__proto__', 'constructor', 'toString', '<<', 'Tick', 'prоmetheus', '', ' ', 'a.b', '0', 'web', 'qps'];

type Tree = { map: [string, Tree][]; anchor?: string } | { list: Tree[]; anchor?: string } | { scalar: string };

/** Sometimes anchors a collection, so aliases elsewhere can point at it (or into it). */
const anchored = (t: fc.Arbitrary<Tree>): fc.Arbitrary<Tree> =>
  fc
    .tuple(t, fc.option(fc.constantFrom('a1', 'a2', 'a3'), { freq: 4 }))
    .map(([node, anchor]) => ('scalar' in node || anchor === null ? node : { ...node, anchor }));

/** A YAML scalar as text; JSON strings are valid YAML double-quoted scalars. */
const scalar: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'http://127.0.0.1:9090',
    'redis://127.0.0.1:6379',
    'file:///etc/passwd',
    '30s',
    '0s',
    '-1s',
    '1y1y',
    '99999999999999999999y',
    '"> 0"',
    '"outside 1..0"',
    '"> NaN"',
    'sum(up)',
    '"up) or vector(1"',
    '"*/5 * * * *"',
    '"*/0 * * * *"',
    'web',
    'quiet',
    '../../../etc',
    '/etc/passwd',
    '"${X}"',
    '"${MISSING}"',
    '"${}"',
    '"${A B}"',
    '"{{value}}"',
    '"{{__proto__}}"',
    '"{{labels.constructor}}"',
    'critical',
    'CRITICAL',
    'slack',
    'xml',
    '.nan',
    '.inf',
    '-.inf',
    '1e309',
    '-1',
    '0',
    '1.5',
    '65536',
    '9464',
    'true',
    'no',
    '~',
    '""',
    '!!binary aGVsbG8=',
    '!!python/object:os.system x',
    '!custom 1',
    '!!str 30s',
    // Anchors and aliases: defined before use, after use, never, or inside themselves.
    '&a1 30s',
    '&a2 "> 0"',
    '*a1',
    '*a2',
    '*a3',
    '*nowhere',
  ),
  fc.string({ maxLength: 20 }).map((s) => JSON.stringify(s)),
  fc.integer().map(String),
  fc.double().map((d) => (Number.isNaN(d) ? '.nan' : d === Infinity ? '.inf' : d === -Infinity ? '-.inf' : String(d))),
);

const key = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...FIELDS) }, { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_KEYS) });

const { tree } = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar.map((s): Tree => ({ scalar: s })),
    anchored(fc.uniqueArray(fc.tuple(key, tie('tree')), { maxLength: 5, selector: ([k]) => k }).map((map): Tree => ({ map }))),
    anchored(fc.array(tie('tree'), { maxLength: 4 }).map((list): Tree => ({ list }))),
  ),
}));

/** Flow-style YAML; the top-level mapping in block style so positions span lines. */
function flow(t: Tree): string {
  if ('scalar' in t) return t.scalar;
  const anchor = t.anchor ? `&${t.anchor} ` : '';
  if ('list' in t) return `${anchor}[${t.list.map(flow).join(', ')}]`;
  return `${anchor}{${t.map.map(([k, v]) => `${JSON.stringify(k)}: ${flow(v)}`).join(', ')}}`;
}

function block(entries: [string, Tree][]): string {
  return entries.map(([k, v]) => `${JSON.stringify(k)}: ${flow(v)}\n`).join('');
}

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  enum?: unknown[];
  required?: string[];
}

const uniqueEntries = (entry: fc.Arbitrary<[string, Tree]>, maxLength: number) =>
  fc.uniqueArray(entry, { maxLength, selector: ([k]) => k });

/**
 * Mostly the shape the schema asks for (so validation reaches every section, suite entry
 * and check), with wrong values, missing fields and stray keys mixed in; sometimes any tree.
 */
function guided(schema: JsonSchema): fc.Arbitrary<Tree> {
  let shaped: fc.Arbitrary<Tree>;
  if (schema.properties) {
    const props = Object.entries(schema.properties).map(([k, sub]) => fc.tuple(fc.constant(k), guided(sub)));
    const stray = fc.tuple(key, tree);
    const required = new Set(schema.required ?? []);
    shaped = anchored(fc
      .tuple(fc.subarray(props.map((_p, i) => i)), fc.tuple(...props), fc.option(stray, { freq: 8 }), fc.nat({ max: 7 }))
      .map(([picked, all, extra, dropRequired]): Tree => {
        // Required fields are there seven times in eight, so validation goes past them.
        const entries = all.filter((e, i) => picked.includes(i) || (required.has(e[0]) && dropRequired > 0)) as [string, Tree][];
        if (extra && !entries.some(([k]) => k === extra[0])) entries.push(extra);
        return { map: entries };
      }));
  } else if (typeof schema.additionalProperties === 'object') {
    const value = guided(schema.additionalProperties);
    shaped = uniqueEntries(fc.tuple(fc.oneof(key, fc.string({ maxLength: 8 })), value), 3).map((map): Tree => ({ map }));
  } else if (schema.items) {
    shaped = anchored(fc.array(guided(schema.items), { maxLength: 3 }).map((list): Tree => ({ list })));
  } else if (schema.enum) {
    shaped = fc.oneof(fc.constantFrom(...schema.enum.map((v) => JSON.stringify(v))), scalar).map((s): Tree => ({ scalar: s }));
  } else {
    shaped = scalar.map((s): Tree => ({ scalar: s }));
  }
  return fc.oneof({ weight: 8, arbitrary: shaped }, { weight: 1, arbitrary: tree });
}

const CONFIG_SCHEMA = configJsonSchema() as JsonSchema;

const document = fc.oneof(
  { weight: 6, arbitrary: guided(CONFIG_SCHEMA).map((t) => ('map' in t ? block(t.map) : flow(t))) },
  { weight: 1, arbitrary: uniqueEntries(fc.tuple(key, tree), 6).map(block) },
  { weight: 1, arbitrary: tree.map(flow) },
);

it('a generated config loads, or is refused with problems at real positions of the files it names', async () => {
  await fc.assert(
    fc.asyncProperty(document, async (text) => {
      const file = await writeTemp(text);
      let result: unknown;
      try {
        result = await loadConfig(file, { suitesDir: SUITES, env: { X: 'http://127.0.0.1:9090' } });
      } catch (e) {
        expect(e).toBeInstanceOf(UserError);
        const problems = (e as UserError).problems;
        expect(problems.length).toBeGreaterThan(0);
        for (const p of problems) {
          expect(p.message).not.toBe('');
          expect(p.message).not.toMatch(/internal/i);
          expect(p.col).toBeGreaterThanOrEqual(1);
          expect(p.line).toBeGreaterThanOrEqual(1);
          // A position inside the file it names (the config or a suite file).
          const lines = (p.file === file ? text : readFileSync(p.file, 'utf8')).split('\n').length;
          expect(p.line).toBeLessThanOrEqual(lines);
        }
        return;
      }
      expect(result).toMatchObject({ file, prometheus: { url: expect.stringMatching(/^https?:\/\//) as unknown } });
    }),
    { numRuns: 500 },
  );
}, scaledMs(120_000));
