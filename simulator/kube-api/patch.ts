// The three classic PATCH flavours the API server accepts, as pure functions on JSON:
// RFC 7386 merge patch, RFC 6902 JSON patch, and strategic merge patch (lists of named
// things merged by key, as Kubernetes does for containers, env, volumes and ports).

import { ApiStatusError } from './status.js';
import { clone, isObject, jsonEqual, type JsonObject, type JsonValue } from './json.js';

/** RFC 7386: objects merge recursively, `null` deletes, anything else replaces. */
export function mergePatch(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isObject(patch)) return clone(patch);
  const out: JsonObject = isObject(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/**
 * The merge key of a list field, by the field's name and where it sits. Only the lists
 * Kubernetes marks `patchStrategy: merge` in the types mesh-soak touches; every other
 * list is replaced whole, as the real server does.
 */
export function mergeKeyFor(path: readonly string[], field: string): string | undefined {
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'ephemeralContainers':
    case 'env':
    case 'volumes':
    case 'imagePullSecrets':
    case 'hostAliases':
      return field === 'hostAliases' ? 'ip' : 'name';
    case 'volumeMounts':
      return 'mountPath';
    case 'ports':
      // Container ports are keyed by containerPort, Service ports by port.
      return path.includes('containers') || path.includes('initContainers') ? 'containerPort' : 'port';
    case 'tolerations':
      return undefined;
    default:
      return undefined;
  }
}

const DIRECTIVE_PREFIXES = ['$setElementOrder/', '$deleteFromPrimitiveList/', '$retainKeys'];

/** Strategic merge patch with the `$patch: delete|replace` directives and `null` deletes. */
export function strategicMergePatch(target: JsonValue | undefined, patch: JsonValue, path: string[] = []): JsonValue {
  if (!isObject(patch)) return clone(patch);
  if (patch.$patch === 'replace') {
    const copy = clone(patch);
    delete copy.$patch;
    return copy;
  }
  const out: JsonObject = isObject(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || DIRECTIVE_PREFIXES.some((p) => k.startsWith(p))) continue;
    if (v === null) {
      delete out[k];
      continue;
    }
    const key = Array.isArray(v) ? mergeKeyFor(path, k) : undefined;
    if (Array.isArray(v) && key !== undefined) {
      out[k] = mergeList(out[k], v, key, [...path, k]);
    } else if (isObject(v)) {
      out[k] = strategicMergePatch(out[k], v, [...path, k]);
    } else {
      out[k] = clone(v);
    }
  }
  return out;
}

function mergeList(target: JsonValue | undefined, patch: JsonValue[], key: string, path: string[]): JsonValue[] {
  const out: JsonValue[] = Array.isArray(target) ? clone(target) : [];
  for (const item of patch) {
    if (!isObject(item) || item[key] === undefined) {
      out.push(clone(item));
      continue;
    }
    const at = out.findIndex((x) => isObject(x) && jsonEqual(x[key], item[key]));
    if (item.$patch === 'delete') {
      if (at >= 0) out.splice(at, 1);
      continue;
    }
    if (at >= 0) out[at] = strategicMergePatch(out[at], item, path);
    else out.push(strategicMergePatch(undefined, item, path));
  }
  return out;
}

export interface JsonPatchOp {
  op: 'add' | 'remove' | 'replace' | 'test' | 'move' | 'copy';
  path: string;
  value?: JsonValue;
  from?: string;
}

function invalid(message: string): ApiStatusError {
  return new ApiStatusError(422, 'Invalid', message);
}

function pointer(p: string): string[] {
  if (p === '') return [];
  if (!p.startsWith('/')) throw invalid(`json patch: path "${p}" must start with "/"`);
  return p
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: JsonValue, segs: string[], p: string): { parent: JsonObject | JsonValue[]; last: string } {
  let cur: JsonValue = doc;
  for (const s of segs.slice(0, -1)) {
    const next: JsonValue | undefined = Array.isArray(cur) ? cur[Number(s)] : isObject(cur) ? cur[s] : undefined;
    if (next === undefined) throw invalid(`json patch: path "${p}" does not exist`);
    cur = next;
  }
  if (!Array.isArray(cur) && !isObject(cur)) throw invalid(`json patch: path "${p}" does not exist`);
  return { parent: cur, last: segs[segs.length - 1] ?? '' };
}

function getAt(doc: JsonValue, p: string): JsonValue {
  let cur: JsonValue | undefined = doc;
  for (const s of pointer(p)) {
    cur = Array.isArray(cur) ? cur[Number(s)] : isObject(cur) ? cur[s] : undefined;
    if (cur === undefined) throw invalid(`json patch: path "${p}" does not exist`);
  }
  return cur;
}

function removeAt(doc: JsonValue, p: string): JsonValue {
  const segs = pointer(p);
  const { parent, last } = parentOf(doc, segs, p);
  if (Array.isArray(parent)) {
    const i = Number(last);
    if (!Number.isInteger(i) || i < 0 || i >= parent.length) throw invalid(`json patch: path "${p}" does not exist`);
    return parent.splice(i, 1)[0] ?? null;
  }
  if (!(last in parent)) throw invalid(`json patch: path "${p}" does not exist`);
  const v = parent[last] ?? null;
  delete parent[last];
  return v;
}

function addAt(doc: JsonValue, p: string, value: JsonValue, replace: boolean): JsonValue {
  const segs = pointer(p);
  if (segs.length === 0) return clone(value);
  const { parent, last } = parentOf(doc, segs, p);
  if (Array.isArray(parent)) {
    const i = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(i) || i < 0 || i > parent.length || (replace && i >= parent.length)) {
      throw invalid(`json patch: index in "${p}" is out of range`);
    }
    parent.splice(i, replace ? 1 : 0, clone(value));
  } else {
    if (replace && !(last in parent)) throw invalid(`json patch: path "${p}" does not exist`);
    parent[last] = clone(value);
  }
  return doc;
}

/** RFC 6902; atomic: the first failing operation leaves the document untouched. */
export function jsonPatch(target: JsonValue, ops: JsonValue): JsonValue {
  if (!Array.isArray(ops)) throw new ApiStatusError(400, 'BadRequest', 'json patch must be an array of operations');
  let doc = clone(target);
  for (const raw of ops) {
    if (!isObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') {
      throw new ApiStatusError(400, 'BadRequest', 'json patch operation needs "op" and "path"');
    }
    const path = raw.path;
    const value = raw.value;
    switch (raw.op) {
      case 'add':
        if (value === undefined) throw invalid(`json patch: "add" at "${path}" needs a value`);
        doc = addAt(doc, path, value, false);
        break;
      case 'replace':
        if (value === undefined) throw invalid(`json patch: "replace" at "${path}" needs a value`);
        doc = addAt(doc, path, value, true);
        break;
      case 'remove':
        removeAt(doc, path);
        break;
      case 'test':
        if (!jsonEqual(getAt(doc, path), value ?? null)) throw invalid(`json patch: test at "${path}" failed`);
        break;
      case 'copy':
      case 'move': {
        if (typeof raw.from !== 'string') throw invalid(`json patch: "${raw.op}" needs "from"`);
        const v = raw.op === 'move' ? removeAt(doc, raw.from) : clone(getAt(doc, raw.from));
        doc = addAt(doc, path, v, false);
        break;
      }
      default:
        throw new ApiStatusError(400, 'BadRequest', `json patch: unknown op "${raw.op}"`);
    }
  }
  return doc;
}
