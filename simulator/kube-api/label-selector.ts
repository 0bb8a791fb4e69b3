// Kubernetes label selector strings (`app=x,tier!=db,env in (a,b),!legacy,gpu`) as the
// API server's `labelSelector` query parameter understands them.

import { ApiStatusError } from './status.js';
import { labelKeyProblem, labelValueProblem } from './validation.js';

type Requirement =
  | { op: 'eq' | 'ne'; key: string; value: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'exists' | 'absent'; key: string };

export type LabelMatcher = (labels: Record<string, string>) => boolean;

/** Splits on commas that are not inside a parenthesised value set. */
function splitTop(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

function checked(r: Requirement): Requirement {
  const kp = labelKeyProblem(r.key);
  if (kp) throw new ApiStatusError(400, 'BadRequest', `unable to parse requirement: key: Invalid value: ${JSON.stringify(r.key)}: ${kp}`);
  const values = 'values' in r ? r.values : 'value' in r ? [r.value] : [];
  values.forEach((v, i) => {
    const vp = labelValueProblem(v);
    if (vp) throw new ApiStatusError(400, 'BadRequest', `unable to parse requirement: values[${i}][${r.key}]: Invalid value: ${JSON.stringify(v)}: ${vp}`);
  });
  return r;
}

function parseOne(term: string): Requirement {
  return checked(parseTerm(term));
}

function parseTerm(term: string): Requirement {
  const set = /^([^\s!=]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
  if (set) {
    const values = (set[3] ?? '').split(',').map((v) => v.trim()).filter((v) => v !== '');
    return { op: set[2] === 'in' ? 'in' : 'notin', key: set[1] ?? '', values };
  }
  const ne = /^([^\s!=]+)\s*!=\s*(\S*)$/.exec(term);
  if (ne) return { op: 'ne', key: ne[1] ?? '', value: ne[2] ?? '' };
  const eq = /^([^\s!=]+)\s*==?\s*(\S*)$/.exec(term);
  if (eq) return { op: 'eq', key: eq[1] ?? '', value: eq[2] ?? '' };
  const absent = /^!\s*([^\s!=]+)$/.exec(term);
  if (absent) return { op: 'absent', key: absent[1] ?? '' };
  if (/^[^\s!=(),]+$/.test(term)) return { op: 'exists', key: term };
  throw new ApiStatusError(400, 'BadRequest', `unable to parse requirement: "${term}"`);
}

export function parseLabelSelector(selector: string | undefined): LabelMatcher {
  if (selector === undefined || selector.trim() === '') return () => true;
  const reqs = splitTop(selector).map(parseOne);
  return (labels) =>
    reqs.every((r) => {
      const v = labels[r.key];
      switch (r.op) {
        case 'eq':
          return v === r.value;
        case 'ne':
          return v !== r.value;
        case 'in':
          return v !== undefined && r.values.includes(v);
        case 'notin':
          return v === undefined || !r.values.includes(v);
        case 'exists':
          return v !== undefined;
        case 'absent':
          return v === undefined;
      }
    });
}
