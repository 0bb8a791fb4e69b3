// The /openapi/v3 documents kubectl reads: the root (one entry per group/version) and per
// group/version a document with each kind's paths and schemas. kubectl uses them to learn
// that the server validates fields itself (the PATCH operation's `fieldValidation`
// parameter, so `--validate=strict` becomes `fieldValidation=Strict`), and `kubectl
// explain` renders the schemas. Schemas come from client-node's models (schema.ts);
// CRD-backed kinds are open objects, as a CRD with x-kubernetes-preserve-unknown-fields is.
// The PATCH operations list no strategic-merge content type, so kubectl's client-side apply
// computes strategic patches from its own compiled-in types, and plain merge patches for CRDs.

import { createHash } from 'node:crypto';
import type { JsonObject } from './json.js';
import type { ResourceCatalogue, ResourceType } from './resources.js';
import { modelFields, modelForKind, type FieldType } from './schema.js';

const SCHEMA_PREFIX = 'io.k8s.api.';

function schemaName(model: string): string {
  const m = /^(Core)?(V\d+(?:alpha\d+|beta\d+)?)(.+)$/.exec(model);
  return m ? `${SCHEMA_PREFIX}${(m[2] ?? '').toLowerCase()}.${m[3] ?? model}` : `${SCHEMA_PREFIX}${model}`;
}

function fieldSchema(f: FieldType, need: Set<string>): JsonObject {
  switch (f.t) {
    case 'string':
      return { type: 'string' };
    case 'boolean':
      return { type: 'boolean' };
    case 'date':
      return { type: 'string', format: 'date-time' };
    case 'integer':
    case 'number':
      return { type: f.t, format: f.format };
    case 'intOrString':
      return { 'x-kubernetes-int-or-string': true };
    case 'any':
      return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    case 'array':
      return { type: 'array', items: fieldSchema(f.item, need) };
    case 'map':
      return { type: 'object', additionalProperties: fieldSchema(f.value, need) };
    case 'model':
      need.add(f.name);
      return { allOf: [{ $ref: `#/components/schemas/${schemaName(f.name)}` }] };
  }
}

function modelSchema(model: string, need: Set<string>): JsonObject {
  const properties: JsonObject = {};
  for (const [k, f] of modelFields(model) ?? []) properties[k] = fieldSchema(f, need);
  return { type: 'object', properties };
}

function gvk(t: ResourceType): JsonObject {
  return { group: t.group, version: t.version, kind: t.kind };
}

function kindSchema(t: ResourceType, need: Set<string>): JsonObject {
  const model = modelForKind(t);
  if (model) return { ...modelSchema(model, need), 'x-kubernetes-group-version-kind': [gvk(t)] };
  need.add('V1ObjectMeta');
  return {
    type: 'object',
    'x-kubernetes-group-version-kind': [gvk(t)],
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { allOf: [{ $ref: `#/components/schemas/${schemaName('V1ObjectMeta')}` }] },
      spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    },
  };
}

const QUERY = ['dryRun', 'fieldManager', 'fieldValidation', 'force', 'pretty'].map((name) => ({ name, in: 'query', schema: { type: 'string' } }));

function paths(t: ResourceType, ref: JsonObject): JsonObject {
  const base = t.group === '' ? `/api/${t.version}` : `/apis/${t.group}/${t.version}`;
  const coll = t.namespaced ? `${base}/namespaces/{namespace}/${t.resource}` : `${base}/${t.resource}`;
  const ok = { '200': { description: 'OK', content: { 'application/json': { schema: ref } } } };
  const body = (types: string[]): JsonObject => ({ content: Object.fromEntries(types.map((c) => [c, { schema: ref }])) });
  const op = (action: string, extra: JsonObject = {}): JsonObject => ({
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk(t),
    parameters: QUERY,
    responses: ok,
    ...extra,
  });
  return {
    [coll]: { get: op('list'), post: op('post', { requestBody: body(['application/json']) }) },
    [`${coll}/{name}`]: {
      get: op('get'),
      put: op('put', { requestBody: body(['application/json']) }),
      delete: op('delete'),
      patch: op('patch', { requestBody: body(['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml']) }),
    },
  };
}

function gvPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

/** GET /openapi/v3/<api/v1 | apis/GROUP/VERSION>; undefined when unknown. */
export function groupVersionDocument(cat: ResourceCatalogue, path: string): JsonObject | undefined {
  const types = cat.all().filter((t) => gvPath(t.group, t.version) === path);
  if (types.length === 0) return undefined;
  const need = new Set<string>();
  const schemas: JsonObject = {};
  let allPaths: JsonObject = {};
  for (const t of types) {
    const model = modelForKind(t);
    const name = model !== undefined ? schemaName(model) : `${t.group}.${t.version}.${t.kind}`;
    schemas[name] = kindSchema(t, need);
    const ref = { $ref: `#/components/schemas/${name}` };
    allPaths = { ...allPaths, ...paths(t, ref) };
  }
  const done = new Set<string>();
  // The closure of referenced models, bounded by the number of models client-node has.
  for (let guard = 0; guard < 5000; guard++) {
    const next = [...need].find((m) => !done.has(m));
    if (next === undefined) break;
    done.add(next);
    schemas[schemaName(next)] = modelSchema(next, need);
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.35.0' }, paths: allPaths, components: { schemas } };
}

/** GET /openapi/v3 */
export function openApiRoot(cat: ResourceCatalogue): JsonObject {
  const out: JsonObject = {};
  for (const t of cat.all()) {
    const p = gvPath(t.group, t.version);
    const hash = createHash('sha256').update(p).digest('hex').slice(0, 16).toUpperCase();
    out[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hash}` };
  }
  return { paths: out };
}

/**
 * GET /openapi/v2: kubectl reads it (as protobuf) only to validate kinds the v3 documents do
 * not have; an empty document lets it go on to its own "no matches for kind" error, as
 * against a real server. Encoded by hand: gnostic's Document{swagger=1, info=2{title=1, version=2}}.
 */
export function openApiV2(protobuf: boolean): { body: Buffer; contentType: string } {
  if (!protobuf) {
    return { body: Buffer.from(JSON.stringify({ swagger: '2.0', info: { title: 'Kubernetes', version: 'v1.35.0' }, paths: {}, definitions: {} })), contentType: 'application/json' };
  }
  const field = (n: number, bytes: Buffer): Buffer => Buffer.concat([Buffer.from([(n << 3) | 2, bytes.length]), bytes]);
  const info = Buffer.concat([field(1, Buffer.from('Kubernetes')), field(2, Buffer.from('v1.35.0'))]);
  return { body: Buffer.concat([field(1, Buffer.from('2.0')), field(2, info)]), contentType: 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf' };
}
