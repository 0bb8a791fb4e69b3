// The API server's write path before storage, in its order: decode (a value of the wrong
// JSON type is a 400), unknown fields (dropped from built-in kinds; a warning by default,
// 400 under fieldValidation=Strict, silent under Ignore), defaults, then validation (422
// Invalid with causes). Pure apart from the Service address counter passed in.

import { applyDefaults } from './defaults.js';
import { clone, type JsonObject } from './json.js';
import type { ResourceType } from './resources.js';
import { modelForKind, pruneUnknown, typeProblem } from './schema.js';
import { ApiStatusError } from './status.js';
import { invalidError, validateObject } from './validation.js';

export interface Admitted {
  obj: JsonObject;
  /** Warning texts for the response's `Warning: 299 - "..."` headers. */
  warnings: string[];
}

export function fieldValidationMode(q: URLSearchParams): 'Strict' | 'Warn' | 'Ignore' {
  const v = q.get('fieldValidation');
  if (v === null || v === '' || v === 'Warn') return 'Warn';
  if (v === 'Strict' || v === 'Ignore') return v;
  throw new ApiStatusError(400, 'BadRequest', `fieldValidation must be one of "Ignore", "Warn", or "Strict", got "${v}"`);
}

function cannotHandle(t: ResourceType, detail: string): ApiStatusError {
  return new ApiStatusError(400, 'BadRequest', `${t.kind} in version "${t.version}" cannot be handled as a ${t.kind}: ${detail}`);
}

/** Decodes, prunes, defaults and validates `obj` (a copy is returned) as a write of type `t`. */
export function admit(t: ResourceType, input: JsonObject, old: JsonObject | undefined, q: URLSearchParams, clusterIp: () => string): Admitted {
  const mode = fieldValidationMode(q);
  const obj = clone(input);
  const model = modelForKind(t);
  const warnings: string[] = [];
  if (model) {
    const problem = typeProblem(obj, { t: 'model', name: model });
    if (problem) throw cannotHandle(t, problem);
    const unknown = pruneUnknown(obj, { t: 'model', name: model });
    if (unknown.length > 0 && mode === 'Strict') throw cannotHandle(t, `strict decoding error: ${unknown.map((u) => `unknown field "${u}"`).join(', ')}`);
    if (mode === 'Warn') warnings.push(...unknown.map((u) => `unknown field "${u}"`));
  }
  applyDefaults(t, obj, clusterIp);
  const meta = obj.metadata;
  const causes = validateObject(t, obj, old);
  if (causes.length > 0) throw invalidError(t, typeof meta === 'object' && meta !== null && !Array.isArray(meta) && typeof meta.name === 'string' ? meta.name : '', causes);
  return { obj, warnings };
}
