// Server-side apply and field ownership (metadata.managedFields), simplified but with the
// behaviour a client notices: an apply merges into the live object, fields the same
// manager applied before and now omits are removed, fields owned by others are kept, and
// changing a field another manager owns is a 409 Conflict unless `force=true`.

import { ApiStatusError, type StatusCause } from './status.js';
import { mergeKeyFor, strategicMergePatch } from './patch.js';
import { clone, isObject, jsonEqual, type JsonObject, type JsonValue } from './json.js';

/** A field path in managedFields notation: `f:spec`, `k:{"name":"app"}`, ... */
type Path = string[];

const IGNORED_TOP = new Set(['apiVersion', 'kind', 'status']);
const IGNORED_META = new Set(['name', 'namespace', 'resourceVersion', 'managedFields', 'uid', 'generation', 'creationTimestamp']);

/** Every path a configuration sets: leaves, and list items of keyed lists. */
export function fieldPaths(obj: JsonObject): Path[] {
  const out: Path[] = [];
  for (const [k, v] of Object.entries(obj)) {
    if (IGNORED_TOP.has(k)) continue;
    if (k === 'metadata' && isObject(v)) {
      for (const [mk, mv] of Object.entries(v)) {
        if (!IGNORED_META.has(mk)) walk(mv, ['f:metadata', `f:${mk}`], ['metadata', mk], out);
      }
      continue;
    }
    walk(v, [`f:${k}`], [k], out);
  }
  return out;
}

function walk(v: JsonValue, path: Path, names: string[], out: Path[]): void {
  const field = names[names.length - 1] ?? '';
  if (isObject(v) && Object.keys(v).length > 0) {
    for (const [k, c] of Object.entries(v)) walk(c, [...path, `f:${k}`], [...names, k], out);
    return;
  }
  const key = Array.isArray(v) ? mergeKeyFor(names.slice(0, -1), field) : undefined;
  if (Array.isArray(v) && key !== undefined) {
    for (const item of v) {
      if (!isObject(item) || item[key] === undefined) continue;
      const itemPath = [...path, `k:${JSON.stringify({ [key]: item[key] })}`];
      out.push(itemPath);
      for (const [k, c] of Object.entries(item)) {
        if (k !== key) walk(c, [...itemPath, `f:${k}`], [...names, k], out);
      }
    }
    return;
  }
  out.push(path);
}

export function valueAt(obj: JsonValue, path: Path): JsonValue | undefined {
  let cur: JsonValue | undefined = obj;
  for (const seg of path) {
    if (seg.startsWith('f:')) cur = isObject(cur) ? cur[seg.slice(2)] : undefined;
    else {
      const want = JSON.parse(seg.slice(2)) as JsonObject;
      cur = Array.isArray(cur) ? cur.find((x) => isObject(x) && Object.entries(want).every(([k, w]) => jsonEqual(x[k], w))) : undefined;
    }
    if (cur === undefined) return undefined;
  }
  return cur;
}

function removeAt(obj: JsonObject, path: Path): void {
  const parent = valueAt(obj, path.slice(0, -1));
  const last = path[path.length - 1];
  if (last === undefined) return;
  if (last.startsWith('f:') && isObject(parent)) {
    delete parent[last.slice(2)];
  } else if (last.startsWith('k:') && Array.isArray(parent)) {
    const item = valueAt(obj, path);
    const i = parent.indexOf(item ?? null);
    if (i >= 0) parent.splice(i, 1);
  }
}

export function toFieldsV1(paths: Path[]): JsonObject {
  const root: JsonObject = {};
  for (const p of paths) {
    let node = root;
    for (const seg of p) {
      const next = node[seg];
      node = isObject(next) ? next : (node[seg] = {});
    }
    if (p[p.length - 1]?.startsWith('k:')) node['.'] = {};
  }
  return root;
}

export function fromFieldsV1(f: JsonValue | undefined, prefix: Path = []): Path[] {
  if (!isObject(f)) return [];
  const out: Path[] = [];
  for (const [k, v] of Object.entries(f)) {
    if (k === '.') {
      out.push(prefix);
      continue;
    }
    if (isObject(v) && Object.keys(v).length === 0) out.push([...prefix, k]);
    else out.push(...fromFieldsV1(v, [...prefix, k]));
  }
  return out;
}

interface ManagerEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  paths: Path[];
}

function readManaged(obj: JsonObject | undefined): ManagerEntry[] {
  const list = isObject(obj?.metadata) ? obj.metadata.managedFields : undefined;
  if (!Array.isArray(list)) return [];
  return list.filter(isObject).map((e) => ({
    manager: typeof e.manager === 'string' ? e.manager : '',
    operation: e.operation === 'Apply' ? 'Apply' : 'Update',
    apiVersion: typeof e.apiVersion === 'string' ? e.apiVersion : '',
    paths: fromFieldsV1(e.fieldsV1),
  }));
}

function writeManaged(obj: JsonObject, entries: ManagerEntry[], now: Date, before: JsonObject | undefined): void {
  const meta = isObject(obj.metadata) ? obj.metadata : (obj.metadata = {});
  const old = isObject(before?.metadata) && Array.isArray(before.metadata.managedFields) ? before.metadata.managedFields.filter(isObject) : [];
  meta.managedFields = entries
    .filter((e) => e.paths.length > 0)
    .map((e) => {
      const fieldsV1 = toFieldsV1(e.paths);
      // An unchanged entry keeps its time, so a no-op write stays a no-op.
      const same = old.find((o) => o.manager === e.manager && o.operation === e.operation && jsonEqual(o.fieldsV1, fieldsV1));
      const time = typeof same?.time === 'string' ? same.time : now.toISOString().replace(/\.\d+Z$/, 'Z');
      return { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion, time, fieldsType: 'FieldsV1', fieldsV1 };
    });
  if (meta.managedFields.length === 0) delete meta.managedFields;
}

const key = (p: Path): string => JSON.stringify(p);

/**
 * Applies `applied` as `manager` on top of `live` (undefined: create). Returns the new
 * object; metadata other than labels/annotations is the caller's business.
 */
export function serverSideApply(
  live: JsonObject | undefined,
  applied: JsonObject,
  manager: string,
  force: boolean,
  now: Date,
): JsonObject {
  const entries = readManaged(live);
  const mine = fieldPaths(applied);
  const mineKeys = new Set(mine.map(key));
  const conflicts: StatusCause[] = [];
  for (const e of entries) {
    if (e.manager === manager && e.operation === 'Apply') continue;
    // A keyed list item's own path only says the item exists: never a conflict by value.
    const contested = e.paths.filter(
      (p) => !p[p.length - 1]?.startsWith('k:') && mineKeys.has(key(p)) && live !== undefined && !jsonEqual(valueAt(live, p), valueAt(applied, p)),
    );
    if (contested.length === 0) continue;
    const who = e.operation === 'Update' ? `"${e.manager}" using ${e.apiVersion}` : `"${e.manager}"`;
    if (!force) conflicts.push(...contested.map((p): StatusCause => ({ reason: 'FieldManagerConflict', message: `conflict with ${who}`, field: pathText(p) })));
    else {
      const lost = new Set(contested.map(key));
      e.paths = e.paths.filter((p) => !lost.has(key(p)));
    }
  }
  if (conflicts.length > 0) throw conflictError(conflicts);
  const prev = entries.find((e) => e.manager === manager && e.operation === 'Apply');
  const appliedClean = clone(applied);
  const result = strategicMergePatch(live === undefined ? {} : live, appliedClean) as JsonObject;
  if (prev) {
    const others = new Set(entries.filter((e) => e !== prev).flatMap((e) => e.paths.map(key)));
    const stale = prev.paths.filter((p) => !mineKeys.has(key(p)) && !others.has(key(p)));
    // Deepest first, so an item is emptied before the list loses it.
    stale.sort((a, b) => b.length - a.length).forEach((p) => removeAt(result, p));
  }
  const apiVersion = typeof applied.apiVersion === 'string' ? applied.apiVersion : '';
  const next = entries.filter((e) => e !== prev);
  next.push({ manager, operation: 'Apply', apiVersion, paths: mine });
  writeManaged(result, next, now, live);
  return result;
}

/**
 * Records a non-apply write (PUT, PATCH) by `manager`: the fields it changed become its
 * own and leave every other manager's set, as the real server does for updates.
 */
export function recordUpdate(before: JsonObject, after: JsonObject, manager: string, now: Date): void {
  const entries = readManaged(before);
  const changed = fieldPaths(after).filter((p) => !jsonEqual(valueAt(before, p), valueAt(after, p)));
  if (changed.length === 0) {
    writeManaged(after, entries, now, before);
    return;
  }
  const taken = new Set(changed.map(key));
  for (const e of entries) e.paths = e.paths.filter((p) => !taken.has(key(p)));
  let mine = entries.find((e) => e.manager === manager && e.operation === 'Update');
  if (!mine) {
    mine = { manager, operation: 'Update', apiVersion: typeof after.apiVersion === 'string' ? after.apiVersion : '', paths: [] };
    entries.push(mine);
  }
  const have = new Set(mine.paths.map(key));
  mine.paths.push(...changed.filter((p) => !have.has(key(p))));
  writeManaged(after, entries, now, before);
}

/** A field path as the API server prints it: `.spec.template.spec.containers[name="web"].image`. */
function pathText(p: Path): string {
  return p
    .map((s) => {
      if (s.startsWith('f:')) return `.${s.slice(2)}`;
      const k = JSON.parse(s.slice(2)) as JsonObject;
      return `[${Object.entries(k).map(([n, v]) => `${n}=${JSON.stringify(v)}`).join(',')}]`;
    })
    .join('');
}

/** 409 Conflict worded as the API server words it (one line, or grouped by manager). */
function conflictError(conflicts: StatusCause[]): ApiStatusError {
  const n = conflicts.length;
  let text: string;
  if (n === 1) text = `${conflicts[0]?.message ?? ''}: ${conflicts[0]?.field ?? ''}`;
  else {
    const by = new Map<string, string[]>();
    for (const c of conflicts) by.set(c.message, [...(by.get(c.message) ?? []), c.field]);
    text = [...by]
      .sort(([a], [b]) => a.localeCompare(b))
      .flatMap(([who, fields]) => [`${who.replace(/^conflict with/, 'conflicts with')}:`, ...fields.map((f) => `- ${f}`)])
      .join('\n');
  }
  return new ApiStatusError(409, 'Conflict', `Apply failed with ${n} conflict${n === 1 ? '' : 's'}: ${text}`, { causes: conflicts });
}
