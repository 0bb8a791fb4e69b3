// Turns zod issues into the user's language and positions: "missing required field
// 'query'" at the parent mapping, "unknown field 'tik'; did you mean 'tick'?" at the key,
// "expected a number, got string" at the value.

import type { z } from 'zod';
import { didYouMean } from './suggest.js';
import type { Path, PathSegment, YamlSource } from './yaml-source.js';

/** Validates `value` (found at `base` in `source`); reports every issue; returns the output or undefined. */
export function validateAt<S extends z.ZodType>(
  source: YamlSource,
  schema: S,
  value: unknown,
  base: Path = [],
): z.output<S> | undefined {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues;
  for (const issue of issues) if (!redundant(issue, issues)) reportIssue(source, schema, value, base, issue);
  return undefined;
}

const key = (issue: z.core.$ZodIssue): string => issue.path.map(String).join('.');

/**
 * z.int() adds its own safe-integer bound to the field's: `port: 1e23` would be told both
 * "at most 9007199254740991" and "at most 65535". The field's own bound is enough.
 */
function redundant(issue: z.core.$ZodIssue, all: readonly z.core.$ZodIssue[]): boolean {
  const safeBound =
    (issue.code === 'too_big' && Number(issue.maximum) === Number.MAX_SAFE_INTEGER) ||
    (issue.code === 'too_small' && Number(issue.minimum) === Number.MIN_SAFE_INTEGER);
  return safeBound && all.some((o) => o !== issue && o.code === issue.code && key(o) === key(issue));
}

function reportIssue(source: YamlSource, schema: z.ZodType, root: unknown, base: Path, issue: z.core.$ZodIssue): void {
  const rel = issue.path.filter((p): p is PathSegment => typeof p !== 'symbol');
  const path = [...base, ...rel];
  const value = valueAt(root, rel);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeys(schema, rel);
      for (const key of issue.keys) source.report([...path, key], `unknown field '${key}'${didYouMean(key, known)}`, 'key');
      return;
    }
    case 'invalid_type':
      if (value === undefined) {
        source.report(path, `missing required field '${String(path[path.length - 1] ?? '')}'`);
      } else if (issue.message.startsWith('Invalid input')) {
        source.report(path, `expected ${article(issue.expected)}, got ${describe(value)}`);
      } else {
        source.report(path, `${issue.message}, got ${describe(value)}`);
      }
      return;
    case 'invalid_value':
      source.report(path, `expected one of ${issue.values.map((v) => String(v)).join(', ')}; got ${describe(value)}`);
      return;
    case 'too_small':
      if (issue.origin === 'array') source.report(path, `needs at least ${String(issue.minimum)} item(s)`);
      else if (issue.origin === 'string') source.report(path, 'must not be empty');
      else source.report(path, `must be at least ${String(issue.minimum)}, got ${describe(value)}`);
      return;
    case 'too_big':
      source.report(path, `must be at most ${String(issue.maximum)}, got ${describe(value)}`);
      return;
    case 'invalid_key': {
      // A mapping key the user chose (a header name, a label): pointed at the key itself.
      const why = issue.issues[0]?.message ?? issue.message;
      source.report(path, why.startsWith('Invalid') ? 'not a valid name here' : why, 'key');
      return;
    }
    case 'invalid_union':
      source.report(path, `expected a string, number or boolean, got ${describe(value)}`);
      return;
    case 'invalid_format':
      source.report(path, issue.message.startsWith('Invalid') ? `does not match ${String(issue.pattern ?? issue.format)}` : issue.message);
      return;
    default:
      source.report(path, issue.message);
  }
}

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let v: unknown = root;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[String(seg)];
  }
  return v;
}

function article(type: string): string {
  if (type === 'int') return 'an integer';
  if (type === 'record' || type === 'object') return 'a mapping';
  if (type === 'array') return 'a list';
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** A short description of what the user wrote; strings are quoted, long ones cut. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return v.length > 40 ? `"${v.slice(0, 37)}..."` : `"${v}"`;
  if (typeof v === 'number' && !Number.isInteger(v)) return `${v}`;
  return String(v);
}

type Def = { type: string; shape?: Record<string, z.ZodType>; element?: z.ZodType; innerType?: z.ZodType; in?: z.ZodType; valueType?: z.ZodType };

/** Field names the object schema at `path` accepts (for suggestions). */
function knownKeys(schema: z.ZodType, path: readonly PathSegment[]): string[] {
  let s: z.ZodType | undefined = unwrap(schema);
  for (const seg of path) {
    if (!s) return [];
    const def = s._zod.def as unknown as Def;
    if (def.type === 'object') s = def.shape?.[String(seg)];
    else if (def.type === 'array') s = def.element;
    else if (def.type === 'record') s = def.valueType;
    else return [];
    s = s ? unwrap(s) : undefined;
  }
  const def = s?._zod.def as unknown as Def | undefined;
  return def?.type === 'object' ? Object.keys(def.shape ?? {}) : [];
}

function unwrap(s: z.ZodType): z.ZodType {
  let cur = s;
  for (let i = 0; i < 10; i++) {
    const def = cur._zod.def as unknown as Def;
    const next = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
    if (!next) return cur;
    cur = next;
  }
  return cur;
}
