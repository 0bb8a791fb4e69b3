// The fast way to a YAML file's data, for files that are almost always right (the suite
// files, up to a hundred of them): js-yaml, about ten times faster than `yaml`, with no
// source positions. Used only when the result is what `yaml` (yaml-source.ts) would give:
// the same YAML 1.2 core scalars (the four types below are `yaml`'s own patterns, so
// `1_000`, `0b1` and `yes` stay strings as there), no anchors or aliases, no tags beyond
// the core ones, one document. Anything else — and any syntax error — answers undefined,
// and the caller parses with positions, as it does whenever a problem must be located.

import { FAILSAFE_SCHEMA, load, Type } from 'js-yaml';

/** One implicit type per tag (js-yaml keeps one per tag): the first pattern that matches constructs. */
const scalar = (tag: string, forms: Array<[RegExp, (s: string) => unknown]>): Type =>
  new Type(`tag:yaml.org,2002:${tag}`, {
    kind: 'scalar',
    resolve: (s: unknown) => typeof s === 'string' && forms.some(([re]) => re.test(s)),
    construct: (s: string) => forms.find(([re]) => re.test(s))?.[1](s),
  });

const special = (s: string): number => (/nan$/i.test(s) ? NaN : s.startsWith('-') ? -Infinity : Infinity);

// yaml's core schema (yaml/dist/schema/core): the same patterns, the same values.
const CORE_SCHEMA = FAILSAFE_SCHEMA.extend({
  implicit: [
    scalar('null', [[/^(?:~|[Nn]ull|NULL)?$/, () => null]]),
    scalar('bool', [[/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, (s) => s[0] === 't' || s[0] === 'T']]),
    scalar('int', [
      [/^0o[0-7]+$/, (s) => parseInt(s.slice(2), 8)],
      [/^[-+]?[0-9]+$/, (s) => parseInt(s, 10)],
      [/^0x[0-9a-fA-F]+$/, (s) => parseInt(s.slice(2), 16)],
    ]),
    scalar('float', [
      [/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/, special],
      [/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/, (s) => parseFloat(s)],
      [/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/, (s) => parseFloat(s)],
    ]),
  ],
});

/** A key js-yaml and yaml may read differently (a null key: "null" in js-yaml, "" in yaml). */
const NULL_KEY = /^(?:~|[Nn]ull|NULL)?$/;

function hasNullLikeKey(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(hasNullLikeKey);
  if (v === null || typeof v !== 'object') return false;
  return Object.keys(v).some((k) => NULL_KEY.test(k) || hasNullLikeKey((v as Record<string, unknown>)[k]));
}

/** The data of `text` when plain YAML gives it unambiguously; undefined: parse it with positions. */
export function fastYamlData(text: string): { data: unknown } | undefined {
  let plain = true;
  try {
    const data = load(text, {
      schema: CORE_SCHEMA,
      // An anchor (and so any alias) or a non-core tag: left to yaml-structure.ts's checks.
      listener: (event, state) => {
        if (event === 'close' && (state as { anchor?: string | null }).anchor != null) plain = false;
      },
    });
    return plain && data !== undefined && !hasNullLikeKey(data) ? { data } : undefined;
  } catch {
    return undefined;
  }
}
