// Field selectors (`metadata.name=x,status.phase!=Running`) as the API server supports them:
// metadata.name and metadata.namespace on every kind, status.phase (and spec.nodeName) on
// pods, status.phase on namespaces; any other field is a 400 "field label not supported".

import { isObject, type JsonObject } from './json.js';
import type { ResourceType } from './resources.js';
import { ApiStatusError } from './status.js';

type FieldReq = { field: string; value: string; equal: boolean };

const EXTRA: Record<string, string[]> = { pods: ['status.phase', 'spec.nodeName', 'spec.serviceAccountName'], namespaces: ['status.phase'] };

function valueOf(obj: JsonObject, field: string): string {
  let cur: unknown = obj;
  for (const part of field.split('.')) cur = isObject(cur) ? cur[part] : undefined;
  return typeof cur === 'string' ? cur : '';
}

/** A predicate for `selector` on objects of `t`; throws 400 for syntax or an unsupported field. */
export function parseFieldSelector(t: ResourceType, selector: string | null): (obj: JsonObject) => boolean {
  if (selector === null || selector.trim() === '') return () => true;
  const allowed = new Set(['metadata.name', 'metadata.namespace', ...(t.group === '' ? (EXTRA[t.resource] ?? []) : [])]);
  const reqs: FieldReq[] = selector.split(',').map((term) => {
    const m = /^\s*([^!=\s]+)\s*(==|=|!=)\s*(\S*)\s*$/.exec(term);
    if (!m) throw new ApiStatusError(400, 'BadRequest', `invalid selector: '${selector}'; can't understand '${term}'`);
    const field = m[1] ?? '';
    if (!allowed.has(field)) throw new ApiStatusError(400, 'BadRequest', `field label not supported: ${field}`);
    return { field, value: m[3] ?? '', equal: m[2] !== '!=' };
  });
  return (obj) => reqs.every((r) => (valueOf(obj, r.field) === r.value) === r.equal);
}
