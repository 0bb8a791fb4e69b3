import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';
import { parse } from 'yaml';
import { configJsonSchema } from '../../../src/config/index.js';

type Schema = { type?: string; properties?: Record<string, Schema>; items?: Schema; required?: string[]; pattern?: string; default?: unknown; enum?: unknown[]; additionalProperties?: unknown };

const FIXTURES = resolve(import.meta.dirname, '../../fixtures');

/** Every key of `value` must be a property the schema knows, recursively. */
function unknownKeys(schema: Schema, value: unknown, path: string): string[] {
  if (Array.isArray(value)) return schema.items ? value.flatMap((v, i) => unknownKeys(schema.items as Schema, v, `${path}.${i}`)) : [];
  if (value === null || typeof value !== 'object' || !schema.properties) return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const sub = schema.properties?.[k];
    return sub ? unknownKeys(sub, v, `${path}.${k}`) : [`${path}.${k}`];
  });
}

it('describes every field of the DESIGN.md example config', () => {
  const schema = configJsonSchema() as Schema;
  const example = parse(readFileSync(resolve(FIXTURES, 'config/design-example.yaml'), 'utf8')) as Record<string, unknown>;
  expect(schema.type).toBe('object');
  for (const key of Object.keys(example)) expect(schema.properties).toHaveProperty(key);
  expect(unknownKeys(schema, example, '')).toEqual([]);
  // prometheus, or (issue 15) clusters: with one per cluster.
  expect((schema as { anyOf?: unknown }).anyOf).toEqual([{ required: ['prometheus'] }, { required: ['clusters'] }]);
  // Unknown fields are errors in the loader; editors should flag them too.
  expect(schema.additionalProperties).toBe(false);
});

it('gives editors duration patterns, defaults and enums', () => {
  const schema = configJsonSchema() as Schema;
  const tick = schema.properties?.['tick'] as Schema;
  expect(tick.type).toBe('string');
  expect(tick.default).toBe('30s');
  const pattern = new RegExp(tick.pattern as string);
  for (const ok of ['30s', '500ms', '1h30m', '0']) expect(pattern.test(ok)).toBe(true);
  for (const bad of ['30', '5 m', 'soon']) expect(pattern.test(bad)).toBe(false);
  const check = schema.properties?.['checks']?.items as Schema;
  // query is required unless the check is a `logs` check (the schema's refinement says which).
  expect(check.required).toEqual(['name', 'fail']);
  expect(Object.keys(check.properties ?? {})).toEqual(expect.arrayContaining(['query', 'logs']));
  expect(check.properties?.['severity']?.enum).toEqual(['info', 'warning', 'critical']);
  expect(schema.properties?.['http']?.properties?.['port']?.default).toBe(9464);
  expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
});
