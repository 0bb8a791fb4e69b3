// A check's `fail` condition: parsing the user's text and testing a value against it.
// NaN never satisfies a condition (as in PromQL comparisons); ±Inf compare as numbers,
// so `> 0` holds for +Inf and `outside 0..1` holds for both infinities.

import type { Condition } from './model.js';

const NUM = String.raw`[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|[-+]?Inf`;
const COMPARE = new RegExp(String.raw`^(>=|<=|==|!=|>|<)\s*(${NUM})$`);
const OUTSIDE = new RegExp(String.raw`^outside\s+(${NUM})\s*\.\.\s*(${NUM})$`);

function toNumber(s: string): number {
  if (/^[-+]?Inf$/.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  return Number(s);
}

/** Parses `> 0`, `<= 0.5`, `outside 1..10`; returns an error message when it cannot. */
export function parseCondition(input: string | number): Condition | { error: string } {
  const text = String(input).trim();
  const cmp = COMPARE.exec(text);
  if (cmp) {
    const op = cmp[1] as '>' | '>=' | '<' | '<=' | '==' | '!=';
    return { op, value: toNumber(cmp[2] as string), text };
  }
  const out = OUTSIDE.exec(text);
  if (out) {
    const low = toNumber(out[1] as string);
    const high = toNumber(out[2] as string);
    if (low > high) return { error: `"${text}": the range's low end ${low} is above its high end ${high}` };
    return { op: 'outside', low, high, text };
  }
  return {
    error: `"${text}" is not a condition; use one of "> N", ">= N", "< N", "<= N", "== N", "!= N", "outside A..B"`,
  };
}

/** True when `value` meets the failure condition. */
export function conditionHolds(c: Condition, value: number): boolean {
  if (Number.isNaN(value)) return false;
  switch (c.op) {
    case '>':
      return value > c.value;
    case '>=':
      return value >= c.value;
    case '<':
      return value < c.value;
    case '<=':
      return value <= c.value;
    case '==':
      return value === c.value;
    case '!=':
      return value !== c.value;
    case 'outside':
      return value < c.low || value > c.high;
  }
}
