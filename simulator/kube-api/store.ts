// The fake API server's object store: every object by group/resource/namespace/name, one
// global resourceVersion counter bumped by every write, uid/creationTimestamp on create,
// and metadata.generation bumped when anything outside metadata and status changes.
// Tests use it directly to seed and inspect the simulated cluster.

import { randomUUID } from 'node:crypto';
import { clone, isObject, jsonEqual, type JsonObject } from './json.js';
import { parseLabelSelector } from './label-selector.js';
import { ResourceCatalogue, type ResourceType } from './resources.js';
import { ApiStatusError, notFound } from './status.js';

export type ChangeListener = (type: ResourceType, obj: JsonObject, event: 'added' | 'modified' | 'deleted') => void;

function specOf(obj: JsonObject): JsonObject {
  const { metadata: _m, status: _s, ...rest } = obj;
  return rest;
}

export function labelsOf(obj: JsonObject): Record<string, string> {
  const meta = obj.metadata;
  const labels = isObject(meta) ? meta.labels : undefined;
  const out: Record<string, string> = {};
  if (isObject(labels)) for (const [k, v] of Object.entries(labels)) if (typeof v === 'string') out[k] = v;
  return out;
}

function podGrace(pod: JsonObject): number {
  const spec = isObject(pod.spec) ? pod.spec : {};
  return typeof spec.terminationGracePeriodSeconds === 'number' ? spec.terminationGracePeriodSeconds : 30;
}

export function metaOf(obj: JsonObject): JsonObject {
  return isObject(obj.metadata) ? obj.metadata : (obj.metadata = {});
}

export class FakeStore {
  private readonly objects = new Map<string, JsonObject>();
  private rv = 1;
  private readonly listeners: ChangeListener[] = [];
  readonly catalogue: ResourceCatalogue;

  constructor(catalogue = new ResourceCatalogue()) {
    this.catalogue = catalogue;
  }

  get resourceVersion(): number {
    return this.rv;
  }

  onChange(l: ChangeListener): void {
    this.listeners.push(l);
  }

  private key(t: ResourceType, ns: string, name: string): string {
    return `${t.group}|${t.resource}|${t.namespaced ? ns : ''}|${name}`;
  }

  private emit(t: ResourceType, obj: JsonObject, event: 'added' | 'modified' | 'deleted'): void {
    for (const l of this.listeners) l(t, obj, event);
  }

  /** The stored object (a copy), or undefined. */
  get(t: ResourceType, ns: string, name: string): JsonObject | undefined {
    const o = this.objects.get(this.key(t, ns, name));
    return o && clone(o);
  }

  /** Objects of one type, in one namespace (or all when ns is undefined), sorted by name. */
  list(t: ResourceType, ns?: string, labelSelector?: string): JsonObject[] {
    const match = parseLabelSelector(labelSelector);
    const prefix = `${t.group}|${t.resource}|`;
    const out: JsonObject[] = [];
    for (const [k, o] of this.objects) {
      if (!k.startsWith(prefix)) continue;
      const m = metaOf(o);
      if (t.namespaced && ns !== undefined && m.namespace !== ns) continue;
      if (match(labelsOf(o))) out.push(clone(o));
    }
    return out.sort((a, b) => String(metaOf(a).name).localeCompare(String(metaOf(b).name)));
  }

  /** Inserts a new object; 409 AlreadyExists when the name is taken. */
  create(t: ResourceType, ns: string, obj: JsonObject, opts: { dryRun?: boolean } = {}): JsonObject {
    const m = metaOf(obj);
    const name = typeof m.name === 'string' ? m.name : '';
    if (name === '') throw new ApiStatusError(422, 'Invalid', `${t.kind}: metadata.name: Required value`, { kind: t.resource });
    if (t.namespaced && t.resource !== 'namespaces' && !this.get(this.type('', 'namespaces'), '', ns)) {
      throw notFound('namespaces', '', ns);
    }
    if (t.namespaced && this.terminating(ns)) {
      throw new ApiStatusError(403, 'Forbidden', `${t.resource}${t.group ? `.${t.group}` : ''} "${name}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`, {
        name,
        group: t.group,
        kind: t.resource,
        causes: [{ reason: 'NamespaceTerminating', message: `namespace ${ns} is being terminated`, field: 'metadata.namespace' }],
      });
    }
    const k = this.key(t, ns, name);
    if (this.objects.has(k)) {
      const what = t.group ? `${t.resource}.${t.group}` : t.resource;
      throw new ApiStatusError(409, 'AlreadyExists', `${what} "${name}" already exists`, { name, group: t.group, kind: t.resource });
    }
    const stored = clone(obj);
    const sm = metaOf(stored);
    if (t.namespaced) sm.namespace = ns;
    else delete sm.namespace;
    sm.uid = randomUUID();
    sm.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    sm.generation = 1;
    sm.resourceVersion = opts.dryRun ? '' : String(++this.rv);
    if (t.resource === 'namespaces' && !isObject(stored.status)) stored.status = { phase: 'Active' };
    if (opts.dryRun) return stored;
    this.objects.set(k, stored);
    this.emit(t, stored, 'added');
    return clone(stored);
  }

  /**
   * Replaces an existing object. A resourceVersion in `obj` must match the stored one
   * (optimistic concurrency); `keepStatus` keeps the stored status, as the main resource
   * endpoint of a type with a status subresource does.
   */
  update(t: ResourceType, ns: string, obj: JsonObject, opts: { keepStatus?: boolean; dryRun?: boolean } = {}): JsonObject {
    const m = metaOf(obj);
    const name = typeof m.name === 'string' ? m.name : '';
    const k = this.key(t, ns, name);
    const cur = this.objects.get(k);
    if (!cur) throw notFound(t.resource, t.group, name);
    const cm = metaOf(cur);
    if (m.resourceVersion !== undefined && m.resourceVersion !== '' && m.resourceVersion !== cm.resourceVersion) {
      const what = t.group ? `${t.resource}.${t.group}` : t.resource;
      throw new ApiStatusError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${what} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
        { name, group: t.group, kind: t.resource },
      );
    }
    const next = clone(obj);
    const nm = metaOf(next);
    nm.name = name;
    if (t.namespaced) nm.namespace = ns;
    nm.uid = cm.uid ?? randomUUID();
    nm.creationTimestamp = cm.creationTimestamp ?? null;
    const gen = typeof cm.generation === 'number' ? cm.generation : 1;
    nm.generation = jsonEqual(specOf(cur), specOf(next)) ? gen : gen + 1;
    if (opts.keepStatus) {
      if (cur.status !== undefined) next.status = clone(cur.status);
      else delete next.status;
    }
    nm.resourceVersion = cm.resourceVersion ?? null;
    if (jsonEqual(next, cur)) return clone(cur); // a no-op write keeps its resourceVersion, as on the real server
    if (opts.dryRun) return next;
    nm.resourceVersion = String(++this.rv);
    this.objects.set(k, next);
    this.emit(t, next, 'modified');
    return clone(next);
  }

  /** Writes only `.status` (the controller's path); generation is untouched. */
  setStatus(t: ResourceType, ns: string, name: string, status: JsonObject): JsonObject | undefined {
    const cur = this.objects.get(this.key(t, ns, name));
    if (!cur) return undefined;
    if (jsonEqual(cur.status, status)) return clone(cur);
    cur.status = clone(status);
    metaOf(cur).resourceVersion = String(++this.rv);
    this.emit(t, cur, 'modified');
    return clone(cur);
  }

  /**
   * Deletes an object as a cluster does: a pod with a grace period gets a deletionTimestamp
   * and stays (Terminating) until `finalizeExpired` removes it; a namespace turns Terminating,
   * its contents are deleted, and it goes once they are gone (`finalizeExpired`); an object
   * with finalizers is marked and goes once they are removed. Anything else goes at once. Returns the object as the DELETE answers it. 404 when missing.
   */
  delete(t: ResourceType, ns: string, name: string, opts: { graceSeconds?: number; dryRun?: boolean } = {}): JsonObject {
    const k = this.key(t, ns, name);
    const cur = this.objects.get(k);
    if (!cur) throw notFound(t.resource, t.group, name);
    if (opts.dryRun) return clone(cur);
    const meta = metaOf(cur);
    if (t.resource === 'pods' || t.resource === 'namespaces') {
      const grace = t.resource === 'namespaces' ? 0 : (opts.graceSeconds ?? podGrace(cur));
      if (t.resource === 'namespaces' || grace > 0) {
        if (meta.deletionTimestamp !== undefined) {
          if (t.resource === 'pods') return clone(cur);
          // As the namespace registry answers while its finalizer still holds it.
          throw new ApiStatusError(
            409,
            'Conflict',
            `Operation cannot be fulfilled on namespaces "${name}": The system is ensuring all content is removed from this namespace.  Upon completion, this namespace will automatically be purged by the system.`,
            { name, kind: 'namespaces' },
          );
        }
        meta.deletionTimestamp = new Date(Date.now() + grace * 1000 * this.gracePeriodScale).toISOString();
        if (t.resource === 'pods') meta.deletionGracePeriodSeconds = grace;
        else {
          cur.status = { ...(isObject(cur.status) ? cur.status : {}), phase: 'Terminating' };
          this.deleteContents(name);
        }
        meta.resourceVersion = String(++this.rv);
        this.emit(t, cur, 'modified');
        return clone(cur);
      }
    }
    if (Array.isArray(meta.finalizers) && meta.finalizers.length > 0) {
      // Finalizers only mark the object; it goes once they are removed (`finalizeExpired`).
      if (meta.deletionTimestamp === undefined) {
        meta.deletionTimestamp = new Date().toISOString();
        meta.resourceVersion = String(++this.rv);
        this.emit(t, cur, 'modified');
      }
      return clone(cur);
    }
    return this.remove(t, k, cur);
  }

  /** Scales every pod grace period (1: real seconds; tests use less). */
  gracePeriodScale = 1;

  private remove(t: ResourceType, k: string, cur: JsonObject): JsonObject {
    this.objects.delete(k);
    metaOf(cur).resourceVersion = String(++this.rv);
    this.emit(t, cur, 'deleted');
    return clone(cur);
  }

  private deleteContents(ns: string): void {
    for (const [ok, o] of [...this.objects]) {
      const t = this.catalogue.findAnyVersion(ok.split('|')[0] ?? '', ok.split('|')[1] ?? '');
      if (t && t.namespaced && metaOf(o).namespace === ns) this.delete(t, ns, String(metaOf(o).name));
    }
  }

  /**
   * Ends what has waited long enough: Terminating pods past their deletionTimestamp, Terminating
   * namespaces with nothing left in them, deleted objects whose finalizers are gone, and
   * objects whose owner (by uid) is gone (garbage
   * collection, background propagation). Returns how many objects it removed or deleted.
   */
  finalizeExpired(nowMs: number): number {
    let n = 0;
    const types = new Map<string, ResourceType | undefined>();
    const typeOfKey = (group: string, resource: string): ResourceType | undefined => {
      const k = `${group}|${resource}`;
      if (!types.has(k)) types.set(k, this.catalogue.findAnyVersion(group, resource));
      return types.get(k);
    };
    const uids = new Set([...this.objects.values()].map((o) => String(metaOf(o).uid)));
    const byNs = new Set([...this.objects.entries()].filter(([k]) => !k.startsWith('|namespaces|')).map(([, o]) => String(metaOf(o).namespace ?? '')));
    for (const [k, o] of [...this.objects]) {
      const [group = '', resource = ''] = k.split('|');
      const t = typeOfKey(group, resource);
      if (!t) continue;
      const m = metaOf(o);
      // metadata.finalizers hold a deleted object until whoever set them removes them.
      const held = Array.isArray(m.finalizers) && m.finalizers.length > 0;
      const due = typeof m.deletionTimestamp === 'string' && Date.parse(m.deletionTimestamp) <= nowMs && !held;
      if (resource === 'pods' && due) {
        this.remove(t, k, o);
        n++;
      } else if (resource === 'namespaces' && group === '' && m.deletionTimestamp !== undefined && !held && !byNs.has(String(m.name))) {
        this.remove(t, k, o);
        n++;
      } else if (resource !== 'pods' && resource !== 'namespaces' && m.deletionTimestamp !== undefined && !held) {
        // A deleted object whose last finalizer was removed.
        this.remove(t, k, o);
        n++;
      } else if (m.deletionTimestamp === undefined && Array.isArray(m.ownerReferences) && m.ownerReferences.length > 0) {
        const owners = m.ownerReferences.filter(isObject);
        if (owners.every((r) => !uids.has(String(r.uid)))) {
          this.delete(t, String(m.namespace ?? ''), String(m.name));
          n++;
        }
      }
    }
    return n;
  }

  /** Whether namespace `ns` is being deleted (creates in it are refused). */
  terminating(ns: string): boolean {
    const o = this.objects.get(`|namespaces||${ns}`);
    return o !== undefined && metaOf(o).deletionTimestamp !== undefined;
  }

  /** The resource type for a group and plural (first version found); throws when unknown. */
  type(group: string, resource: string): ResourceType {
    const t = this.catalogue.findAnyVersion(group, resource);
    if (!t) throw new Error(`fake kube api: unknown resource ${resource}.${group}`);
    return t;
  }

  // Conveniences for tests, by apiVersion/kind as written in manifests.

  /** Creates an object written as in a manifest (`apiVersion`, `kind`, `metadata`). */
  put(obj: JsonObject): JsonObject {
    const t = this.typeOf(obj);
    return this.create(t, String(metaOf(obj).namespace ?? 'default'), obj);
  }

  /** Reads by apiVersion/kind; undefined when absent. */
  read(apiVersion: string, kind: string, ns: string, name: string): JsonObject | undefined {
    const t = this.catalogue.byKind(apiVersion, kind);
    if (!t) throw new Error(`fake kube api: unknown kind ${apiVersion} ${kind}`);
    return this.get(t, ns, name);
  }

  ensureNamespace(name: string): void {
    const t = this.type('', 'namespaces');
    if (!this.get(t, '', name)) this.create(t, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }

  private typeOf(obj: JsonObject): ResourceType {
    const t = this.catalogue.byKind(String(obj.apiVersion ?? ''), String(obj.kind ?? ''));
    if (!t) throw new Error(`fake kube api: unknown kind ${String(obj.apiVersion)} ${String(obj.kind)}`);
    return t;
  }
}
