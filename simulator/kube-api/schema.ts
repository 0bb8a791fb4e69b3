// Field schemas of the built-in kinds, read from @kubernetes/client-node's generated models
// (their attributeTypeMap is the API's own OpenAPI, Kubernetes v1.33), for what the API
// server does with fields: unknown ones are dropped from built-in objects, reported as a
// warning, or refused under fieldValidation=Strict; and for the /openapi/v3 documents.
// Kinds without a model (the CRD-backed Istio, Gateway API and Prometheus Operator kinds)
// keep every field, as a CRD with x-kubernetes-preserve-unknown-fields does.

import * as k8s from '@kubernetes/client-node';
import { isObject, type JsonObject, type JsonValue } from './json.js';
import type { ResourceType } from './resources.js';

export type FieldType =
  | { t: 'string' | 'boolean' | 'date' | 'any' | 'intOrString' }
  | { t: 'integer' | 'number'; format: string }
  | { t: 'array'; item: FieldType }
  | { t: 'map'; value: FieldType }
  | { t: 'model'; name: string };

interface Attribute {
  name: string;
  baseName: string;
  type: string;
  format: string;
}

const models = k8s as unknown as Record<string, { getAttributeTypeMap?: () => Attribute[] } | undefined>;
const cache = new Map<string, Map<string, FieldType> | undefined>();

export function parseType(type: string, format: string): FieldType {
  const arr = /^Array<(.+)>$/.exec(type);
  if (arr) return { t: 'array', item: parseType(arr[1] ?? 'any', '') };
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return { t: 'map', value: parseType(map[1] ?? 'any', '') };
  switch (type) {
    case 'string':
      return { t: 'string' };
    case 'boolean':
      return { t: 'boolean' };
    case 'Date':
      return { t: 'date' };
    case 'IntOrString':
      return { t: 'intOrString' };
    case 'number':
      return format === 'double' ? { t: 'number', format } : { t: 'integer', format: format || 'int64' };
    case 'any':
    case 'object':
      return { t: 'any' };
    default:
      return { t: 'model', name: type };
  }
}

/** The fields of a client-node model (by its class name), or undefined when there is none. */
export function modelFields(name: string): Map<string, FieldType> | undefined {
  if (cache.has(name)) return cache.get(name);
  const attrs = models[name]?.getAttributeTypeMap?.();
  const fields = attrs ? new Map(attrs.map((a) => [a.baseName, parseType(a.type, a.format)] as const)) : undefined;
  cache.set(name, fields);
  return fields;
}

const BUILT_IN = new Set(['', 'apps', 'batch', 'policy', 'autoscaling', 'rbac.authorization.k8s.io', 'networking.k8s.io']);

/** The model of a built-in kind (`V1Deployment`, `CoreV1Event`), undefined for CRD-backed kinds. */
export function modelForKind(t: ResourceType): string | undefined {
  if (!BUILT_IN.has(t.group)) return undefined;
  const v = t.version.charAt(0).toUpperCase() + t.version.slice(1);
  return [`${v}${t.kind}`, `Core${v}${t.kind}`].find((n) => modelFields(n) !== undefined);
}

/**
 * Removes the fields `model` does not declare, in place, and returns their paths as the
 * API server names them (`spec.template.spec.containers[0].imagee`).
 */
export function pruneUnknown(obj: JsonValue | undefined, type: FieldType, path = ''): string[] {
  if (obj === undefined || obj === null) return [];
  switch (type.t) {
    case 'array':
      return Array.isArray(obj) ? obj.flatMap((x, i) => pruneUnknown(x, type.item, `${path}[${i}]`)) : [];
    case 'map':
      return isObject(obj) ? Object.entries(obj).flatMap(([k, v]) => pruneUnknown(v, type.value, `${path}.${k}`)) : [];
    case 'model':
      return isObject(obj) ? pruneModel(obj, type.name, path) : [];
    default:
      return [];
  }
}

function pruneModel(obj: JsonObject, model: string, path: string): string[] {
  const fields = modelFields(model);
  if (!fields) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(obj)) {
    const here = path === '' ? k : `${path}.${k}`;
    const ft = fields.get(k);
    if (ft === undefined) {
      out.push(here);
      delete obj[k];
    } else out.push(...pruneUnknown(v, ft, here));
  }
  return out;
}

const GO_TYPE: Record<string, string> = { string: 'string', boolean: 'bool', date: 'Time', integer: 'int32', number: 'float64', intOrString: 'IntOrString' };

function jsonType(v: JsonValue): string {
  if (Array.isArray(v)) return 'array';
  if (isObject(v)) return 'object';
  return typeof v === 'number' ? `number ${v}` : typeof v;
}

function primitiveOk(v: JsonValue, t: FieldType): boolean {
  switch (t.t) {
    case 'string':
    case 'date':
      return typeof v === 'string';
    case 'boolean':
      return typeof v === 'boolean';
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number';
    case 'intOrString':
      return typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v));
    case 'array':
      return Array.isArray(v);
    case 'map':
    case 'model':
      return isObject(v);
    default:
      return true;
  }
}

/** The first value whose JSON type the model cannot decode, worded as Go's decoder does; undefined when none. */
export function typeProblem(obj: JsonValue | undefined, type: FieldType, path = ''): string | undefined {
  if (obj === undefined || obj === null) return undefined;
  if (!primitiveOk(obj, type)) {
    const go = type.t === 'integer' ? (type.format === 'int64' ? 'int64' : 'int32') : (GO_TYPE[type.t] ?? type.t);
    return `json: cannot unmarshal ${jsonType(obj)} into Go struct field .${path} of type ${go}`;
  }
  if (type.t === 'array' && Array.isArray(obj)) {
    for (const [i, x] of obj.entries()) {
      const p = typeProblem(x, type.item, `${path}[${i}]`);
      if (p) return p;
    }
  }
  if (type.t === 'map' && isObject(obj)) {
    for (const [k, x] of Object.entries(obj)) {
      const p = typeProblem(x, type.value, `${path}.${k}`);
      if (p) return p;
    }
  }
  if (type.t === 'model' && isObject(obj)) {
    const fields = modelFields(type.name);
    for (const [k, x] of Object.entries(obj)) {
      const ft = fields?.get(k);
      const p = ft && typeProblem(x, ft, path === '' ? k : `${path}.${k}`);
      if (p) return p;
    }
  }
  return undefined;
}
