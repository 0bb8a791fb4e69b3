// What the API server checks before it stores an object, for the kinds the suites and
// deploy/ use: names (DNS-1123), labels, required fields, the workload selector (present,
// not empty, matching the template's labels, immutable), containers, replica counts and
// Service ports. Failures come back as the API server's causes, so the caller can answer
// 422 Invalid with the same message and `details.causes` a real cluster sends.

import { isObject, jsonEqual, type JsonObject, type JsonValue } from './json.js';
import type { ResourceType } from './resources.js';
import { ApiStatusError, type StatusCause } from './status.js';

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
export const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

/** Kinds whose names are DNS-1123 labels (no dots, at most 63 characters). */
const LABEL_NAMED = new Set(['namespaces', 'services']);
const WORKLOADS = new Set(['deployments', 'statefulsets', 'daemonsets', 'replicasets']);

export function show(v: JsonValue | undefined): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (isObject(v) && Object.values(v).every((x) => typeof x === 'string')) {
    return `map[string]string{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${JSON.stringify(x)}`).join(', ')}}`;
  }
  return JSON.stringify(v ?? null);
}

const required = (field: string, detail = ''): StatusCause => ({ reason: 'FieldValueRequired', field, message: `Required value${detail ? `: ${detail}` : ''}` });
const invalid = (field: string, value: JsonValue | undefined, detail: string): StatusCause => ({
  reason: 'FieldValueInvalid',
  field,
  message: `Invalid value: ${show(value)}: ${detail}`,
});

/** A label key: an optional DNS subdomain prefix and a name of at most 63 characters. */
export function labelKeyProblem(key: string): string | undefined {
  const [prefix, name] = key.includes('/') ? [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)] : [undefined, key];
  if (prefix !== undefined && (!SUBDOMAIN.test(prefix) || prefix.length > 253)) return `prefix part ${SUBDOMAIN_MSG}`;
  if (name.length === 0 || name.length > 63 || !QUALIFIED.test(name)) {
    return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
  }
  return undefined;
}

export function labelValueProblem(value: string): string | undefined {
  if (value.length > 63) return 'must be no more than 63 characters';
  return LABEL_VALUE.test(value) ? undefined : LABEL_VALUE_MSG;
}

function labelCauses(labels: JsonValue | undefined, field: string): StatusCause[] {
  if (!isObject(labels)) return [];
  const out: StatusCause[] = [];
  for (const [k, v] of Object.entries(labels)) {
    const kp = labelKeyProblem(k);
    if (kp) out.push(invalid(field, k, kp));
    const vp = typeof v === 'string' ? labelValueProblem(v) : 'must be a string';
    if (vp) out.push(invalid(`${field}`, v, vp));
  }
  return out;
}

function metaCauses(t: ResourceType, obj: JsonObject): StatusCause[] {
  const meta = isObject(obj.metadata) ? obj.metadata : {};
  const name = meta.name;
  const out: StatusCause[] = [];
  if (typeof name !== 'string' || name === '') out.push(required('metadata.name', 'name or generateName is required'));
  else if (LABEL_NAMED.has(t.resource) && (!LABEL.test(name) || name.length > 63)) out.push(invalid('metadata.name', name, LABEL_MSG));
  else if (!SUBDOMAIN.test(name) || name.length > 253) out.push(invalid('metadata.name', name, SUBDOMAIN_MSG));
  out.push(...labelCauses(meta.labels, 'metadata.labels'));
  return out;
}

function containerCauses(podSpec: JsonValue | undefined, field: string): StatusCause[] {
  const spec = isObject(podSpec) ? podSpec : {};
  const containers = spec.containers;
  if (!Array.isArray(containers) || containers.length === 0) return [required(`${field}.containers`)];
  const out: StatusCause[] = [];
  const seen = new Set<string>();
  containers.forEach((c, i) => {
    const at = `${field}.containers[${i}]`;
    const cn = isObject(c) ? c.name : undefined;
    if (typeof cn !== 'string' || cn === '') out.push(required(`${at}.name`));
    else if (!LABEL.test(cn) || cn.length > 63) out.push(invalid(`${at}.name`, cn, LABEL_MSG));
    else if (seen.has(cn)) out.push({ reason: 'FieldValueDuplicate', field: `${at}.name`, message: `Duplicate value: ${show(cn)}` });
    if (typeof cn === 'string') seen.add(cn);
    const image = isObject(c) ? c.image : undefined;
    if (typeof image !== 'string' || image.trim() === '') out.push(required(`${at}.image`));
  });
  return out;
}

function selectorMatches(selector: JsonObject, labels: JsonValue | undefined): boolean {
  const have = isObject(labels) ? labels : {};
  const ml = isObject(selector.matchLabels) ? selector.matchLabels : {};
  if (!Object.entries(ml).every(([k, v]) => have[k] === v)) return false;
  const exprs = Array.isArray(selector.matchExpressions) ? selector.matchExpressions.filter(isObject) : [];
  return exprs.every((e) => {
    const v = have[String(e.key)];
    const values = Array.isArray(e.values) ? e.values : [];
    if (e.operator === 'In') return typeof v === 'string' && values.includes(v);
    if (e.operator === 'NotIn') return typeof v !== 'string' || !values.includes(v);
    if (e.operator === 'Exists') return v !== undefined;
    return v === undefined;
  });
}

function workloadCauses(t: ResourceType, obj: JsonObject, old: JsonObject | undefined): StatusCause[] {
  const spec = isObject(obj.spec) ? obj.spec : {};
  const out: StatusCause[] = [];
  const replicas = spec.replicas;
  if (typeof replicas === 'number' && replicas < 0) out.push(invalid('spec.replicas', replicas, 'must be greater than or equal to 0'));
  const template = isObject(spec.template) ? spec.template : {};
  const tlabels = isObject(template.metadata) ? template.metadata.labels : undefined;
  const selector = spec.selector;
  if (!isObject(selector)) out.push(required('spec.selector'));
  else if (Object.keys(isObject(selector.matchLabels) ? selector.matchLabels : {}).length === 0 && !(Array.isArray(selector.matchExpressions) && selector.matchExpressions.length > 0)) {
    out.push(invalid('spec.selector', selector, `empty selector is invalid for ${t.kind.toLowerCase()}`));
  } else if (!selectorMatches(selector, tlabels)) {
    out.push(invalid('spec.template.metadata.labels', tlabels ?? {}, '`selector` does not match template `labels`'));
  }
  const oldSel = isObject(old?.spec) ? old.spec.selector : undefined;
  if (old !== undefined && t.group === 'apps' && !jsonEqual(oldSel, selector)) out.push(invalid('spec.selector', selector, 'field is immutable'));
  out.push(...labelCauses(tlabels, 'spec.template.metadata.labels'));
  out.push(...containerCauses(template.spec, 'spec.template.spec'));
  return out;
}

function portCauses(spec: JsonObject): StatusCause[] {
  const ports = Array.isArray(spec.ports) ? spec.ports : [];
  const headless = spec.clusterIP === 'None';
  if (ports.length === 0) return headless || spec.type === 'ExternalName' ? [] : [required('spec.ports')];
  const out: StatusCause[] = [];
  const seen = new Set<string>();
  ports.forEach((p, i) => {
    const at = `spec.ports[${i}]`;
    const port = isObject(p) ? p.port : undefined;
    if (port === undefined) out.push(required(`${at}.port`));
    else if (typeof port !== 'number' || port < 1 || port > 65535) out.push(invalid(`${at}.port`, port, 'must be between 1 and 65535, inclusive'));
    const name = isObject(p) ? p.name : undefined;
    if (ports.length > 1 && (typeof name !== 'string' || name === '')) out.push(required(`${at}.name`));
    const key = `${String(port)}/${isObject(p) && typeof p.protocol === 'string' ? p.protocol : 'TCP'}`;
    if (seen.has(key)) out.push({ reason: 'FieldValueDuplicate', field: at, message: `Duplicate value: ${show(key)}` });
    seen.add(key);
    const target = isObject(p) ? p.targetPort : undefined;
    if (typeof target === 'number' && (target < 1 || target > 65535)) out.push(invalid(`${at}.targetPort`, target, 'must be between 1 and 65535, inclusive'));
  });
  const type = spec.type;
  if (type !== undefined && !['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'].includes(String(type))) {
    out.push({ reason: 'FieldValueNotSupported', field: 'spec.type', message: `Unsupported value: ${show(type)}: supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"` });
  }
  return out;
}

/** The causes a real API server would refuse `obj` with (empty: valid). */
export function validateObject(t: ResourceType, obj: JsonObject, old?: JsonObject): StatusCause[] {
  const out = metaCauses(t, obj);
  const spec = isObject(obj.spec) ? obj.spec : {};
  if (t.group === 'apps' && WORKLOADS.has(t.resource)) out.push(...workloadCauses(t, obj, old));
  if (t.group === '' && t.resource === 'pods') out.push(...containerCauses(spec, 'spec'));
  if (t.group === '' && t.resource === 'services') out.push(...portCauses(spec));
  return out;
}

/** 422 Invalid, worded as the API server words it. */
export function invalidError(t: ResourceType, name: string, causes: StatusCause[]): ApiStatusError {
  const what = t.group ? `${t.kind}.${t.group}` : t.kind;
  const list = causes.map((c) => `${c.field}: ${c.message}`);
  const text = list.length === 1 ? (list[0] ?? '') : `[${list.join(', ')}]`;
  return new ApiStatusError(422, 'Invalid', `${what} "${name}" is invalid: ${text}`, { name, group: t.group, kind: t.kind, causes });
}
