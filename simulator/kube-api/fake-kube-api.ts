// The fake Kubernetes API server: node:https on loopback (TLS, see tls.ts), speaking enough of the real
// API's wire protocol for @kubernetes/client-node (discovery, CRUD, the four PATCH
// content types, the deployments/scale subresource, Status errors, optimistic
// concurrency) with a simulated deployment controller behind it. Used by tests and by
// `mesh-soak demo`; every request is recorded so tests can assert what was sent, in order.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { recordUpdate, serverSideApply } from './apply.js';
import { FaultInjector } from './faults.js';
import { clone, isObject, type JsonObject, type JsonValue } from './json.js';
import { fakeKubeconfigYaml } from './kubeconfig.js';
import { jsonPatch, mergePatch, strategicMergePatch } from './patch.js';
import { crdTypes, type ResourceType } from './resources.js';
import { groupVersionDocument, openApiRoot, openApiV2 } from './openapi.js';
import { podSuffix, RolloutController } from './rollout-controller.js';
import { admit } from './admission.js';
import { parseFieldSelector } from './field-selector.js';
import { ApiStatusError, statusBody, successStatus, notFound } from './status.js';
import { servePodLog } from './pod-logs.js';
import { FakeStore, labelsOf, metaOf } from './store.js';
import { WatchHub, type WatchSpec } from './watch.js';
import { parseLabelSelector } from './label-selector.js';
import { servingCert } from './tls.js';
import { createServiceProxy, type ServiceProxy } from './service-proxy.js';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType: string | undefined;
  /** Parsed JSON/YAML body, the raw text when it did not parse, undefined when empty. */
  body: JsonValue | string | undefined;
}

export interface FakeKubeApiOptions {
  /** Interval of the simulated deployment controller; default 50 ms. */
  rolloutStepMs?: number;
  /** How long a new pod takes to turn Ready; default three controller steps. */
  podReadyMs?: number;
  /** Scales pods' termination grace periods; default 0.01 (30 s → 300 ms); 1 is a real cluster's time. */
  gracePeriodScale?: number;
  /** Scales progressDeadlineSeconds; default 1 (real seconds). */
  progressDeadlineScale?: number;
  /** Port on 127.0.0.1; default: a free one. */
  port?: number;
  /** Most requests kept in `requests` (oldest dropped), so a long demo does not grow; default 100,000. */
  maxRecorded?: number;
}

export interface FakeKubeApi {
  url: string;
  kubeconfigPath: string;
  kubeconfigYaml: string;
  /** The CA (the server's self-signed certificate) a client must trust, PEM. */
  caPem: string;
  store: FakeStore;
  faults: FaultInjector;
  requests: RecordedRequest[];
  controller: RolloutController;
  /** The services/NAME:PORT/proxy route (service-proxy.ts): register where a service answers. */
  serviceProxy: ServiceProxy;
  stop(): Promise<void>;
}

const MAX_BODY = 8 * 1024 * 1024;

interface Route {
  type: ResourceType;
  ns: string; // '' for cluster-scoped or all namespaces
  name?: string;
  sub?: string;
}

export async function startFakeKubeApi(options: FakeKubeApiOptions = {}): Promise<FakeKubeApi> {
  const store = new FakeStore();
  for (const ns of ['default', 'kube-system', 'istio-system']) store.ensureNamespace(ns);
  // An established CRD serves its kind, as the apiextensions server does.
  store.onChange((t, obj, event) => {
    if (t.group === 'apiextensions.k8s.io' && event !== 'deleted') for (const ct of crdTypes(obj)) store.catalogue.add(ct);
  });
  const faults = new FaultInjector();
  const requests: RecordedRequest[] = [];
  store.gracePeriodScale = options.gracePeriodScale ?? 0.01;
  const controller = new RolloutController(store, options.rolloutStepMs ?? 50, {
    ...(options.podReadyMs !== undefined ? { podReadyMs: options.podReadyMs } : {}),
    progressDeadlineScale: options.progressDeadlineScale ?? 1,
  });
  const maxRecorded = options.maxRecorded ?? 100_000;
  const token = randomBytes(16).toString('hex');
  const hangs = new Set<NodeJS.Timeout>();
  /** Warnings of the request being answered (routing is synchronous). */
  let warnings: string[] = [];
  let agentManager = 'unknown';
  let pendingWatch: WatchSpec | undefined;
  const watches = new WatchHub(store);
  let serviceIps = 0;
  const clusterIp = (): string => `10.96.${Math.floor(++serviceIps / 250)}.${(serviceIps % 250) + 1}`;
  const admitWrite = (type: ResourceType, obj: JsonObject, old: JsonObject | undefined, q: URLSearchParams): JsonObject => {
    const a = admit(type, obj, old, q, clusterIp);
    warnings.push(...a.warnings);
    return a.obj;
  };
  const serviceProxy = createServiceProxy();

  const cert = await servingCert();
  const server = createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
    void handle(req, res).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) send(res, 500, statusBody(500, 'InternalError', String(err)));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    const contentType = req.headers['content-type']?.split(';')[0]?.trim();
    const raw = await readBody(req);
    const rec: RecordedRequest = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      contentType,
      body: raw === '' ? undefined : parseBody(raw, contentType),
    };
    requests.push(rec);
    if (requests.length > maxRecorded) requests.splice(0, requests.length - maxRecorded);

    if (req.headers.authorization !== `Bearer ${token}`) {
      send(res, 401, statusBody(401, 'Unauthorized', 'Unauthorized'));
      return;
    }
    const fault = faults.take(method, url.pathname);
    if (fault && 'status' in fault) {
      const reason = fault.status === 429 ? 'TooManyRequests' : fault.status === 503 ? 'ServiceUnavailable' : 'InternalError';
      const headers: Record<string, string> = fault.status === 429 ? { 'Retry-After': '0' } : {};
      send(res, fault.status, statusBody(fault.status, reason, `injected fault: ${reason}`), headers);
      return;
    }
    if (fault && 'delayMs' in fault) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          hangs.delete(t);
          resolve();
        }, fault.delayMs);
        hangs.add(t);
      });
      if (res.destroyed) return;
    }
    if (url.pathname === '/openapi/v2' && method === 'GET') {
      const doc = openApiV2((req.headers.accept ?? '').includes('protobuf'));
      res.writeHead(200, { 'Content-Type': doc.contentType });
      res.end(doc.body);
      return;
    }
    if (await serviceProxy.handle(method, url, raw, req.headers, res)) return;
    try {
      if (servePodLog(method, url, store, res)) return;
      if (contentType === 'application/vnd.kubernetes.protobuf' && raw !== '') {
        throw new ApiStatusError(415, 'UnsupportedMediaType', 'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml');
      }
      warnings = [];
      pendingWatch = undefined;
      // As the API server: without a fieldManager, the User-Agent's product names the manager.
      agentManager = (req.headers['user-agent'] ?? '').split('/')[0]?.trim() || 'unknown';
      const [code, body] = route(method, url, rec, contentType);
      if (pendingWatch) {
        watches.serve(res, pendingWatch);
        return;
      }
      send(res, code, body, warnings.length > 0 ? { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`) } : {});
    } catch (err) {
      if (err instanceof ApiStatusError) send(res, err.code, statusBody(err.code, err.reason, err.message, err.details));
      else throw err;
    }
  }

  function route(method: string, url: URL, rec: RecordedRequest, contentType: string | undefined): [number, JsonObject] {
    const segs = url.pathname.split('/').filter((s) => s !== '').map(decodeURIComponent);
    const cat = store.catalogue;
    if (segs.length === 1 && segs[0] === 'version') return [200, { major: '1', minor: '35', gitVersion: 'v1.35.0-mesh-soak-sim', platform: 'linux/amd64' }];
    if (segs[0] === 'api' && segs.length === 1) return [200, cat.coreVersions()];
    if (segs[0] === 'openapi' && segs[1] === 'v3' && method === 'GET') {
      const doc = segs.length === 2 ? openApiRoot(cat) : groupVersionDocument(cat, segs.slice(2).join('/'));
      if (doc) return [200, doc];
    }
    if (segs[0] === 'apis' && segs.length === 1) return [200, cat.groupList()];
    let group: string;
    let version: string;
    let rest: string[];
    if (segs[0] === 'api' && segs.length >= 2) [group, version, rest] = ['', segs[1] ?? '', segs.slice(2)];
    else if (segs[0] === 'apis' && segs.length >= 3) [group, version, rest] = [segs[1] ?? '', segs[2] ?? '', segs.slice(3)];
    else throw new ApiStatusError(404, 'NotFound', 'the server could not find the requested resource');
    if (rest.length === 0) {
      const list = cat.resourceList(group, version);
      if (!list || method !== 'GET') throw new ApiStatusError(404, 'NotFound', 'the server could not find the requested resource');
      return [200, list];
    }
    let ns = '';
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      ns = rest[1] ?? '';
      rest = rest.slice(2);
    }
    const type = cat.find(group, version, rest[0] ?? '');
    if (!type || rest.length > 3) throw new ApiStatusError(404, 'NotFound', 'the server could not find the requested resource');
    const r: Route = { type, ns, name: rest[1], sub: rest[2] };
    return resourceCall(method, r, url.searchParams, rec.body, contentType);
  }

  function resourceCall(method: string, r: Route, q: URLSearchParams, body: JsonValue | string | undefined, contentType: string | undefined): [number, JsonObject] {
    const { type } = r;
    const gv = type.group ? `${type.group}/${type.version}` : type.version;
    const present = (o: JsonObject): JsonObject => ({ ...o, apiVersion: gv, kind: type.kind });
    const manager = q.get('fieldManager') ?? agentManager;
    const dryRun = dryRunOf(q);
    if (type.namespaced && r.ns === '' && (r.name !== undefined || method !== 'GET')) {
      throw new ApiStatusError(404, 'NotFound', 'the server could not find the requested resource');
    }
    if (r.sub !== undefined) {
      if (type.group === 'apps' && type.resource === 'deployments' && r.sub === 'scale' && r.name !== undefined) {
        return scaleCall(method, r.ns, r.name, body, contentType, manager);
      }
      if (r.sub === 'status' && method === 'GET' && r.name !== undefined) {
        const o = store.get(type, r.ns, r.name);
        if (!o) throw notFound(type.resource, type.group, r.name);
        return [200, present(o)];
      }
      throw new ApiStatusError(404, 'NotFound', 'the server could not find the requested resource');
    }
    if (r.name === undefined) {
      switch (method) {
        case 'GET':
          if (q.get('watch') === 'true' || q.get('watch') === '1') {
            const rv = q.get('resourceVersion');
            const timeout = Number(q.get('timeoutSeconds') ?? '1800');
            pendingWatch = {
              type,
              ns: type.namespaced && r.ns !== '' ? r.ns : undefined,
              match: matcherOf(type, q),
              sinceRv: rv === null || rv === '' || rv === '0' ? undefined : Number(rv),
              initialEvents: q.get('sendInitialEvents') === 'true',
              apiVersion: gv,
              kind: type.kind,
              present,
              timeoutMs: (Number.isFinite(timeout) && timeout > 0 ? timeout : 1800) * 1000,
            };
            return [200, {}];
          }
          return [200, listOf(type, gv, select(type, type.namespaced && r.ns !== '' ? r.ns : undefined, q).map(present), store.resourceVersion)];
        case 'POST': {
          const obj = clone(requireObject(body));
          const meta = metaOf(obj);
          if ((meta.name === undefined || meta.name === '') && typeof meta.generateName === 'string') meta.name = `${meta.generateName}${podSuffix()}`;
          recordUpdate({ metadata: {} }, obj, manager, new Date());
          return [201, present(store.create(type, r.ns, admitWrite(type, obj, undefined, q), { dryRun }))];
        }
        case 'DELETE': {
          const victims = select(type, r.ns, q);
          for (const v of victims) store.delete(type, r.ns, String(metaOf(v).name), { dryRun, ...graceOf(q, body) });
          return [200, listOf(type, gv, victims.map(present), store.resourceVersion)];
        }
        default:
          throw new ApiStatusError(405, 'MethodNotAllowed', `${method} is not supported on a collection`);
      }
    }
    const name = r.name;
    switch (method) {
      case 'GET': {
        const o = store.get(type, r.ns, name);
        if (!o) throw notFound(type.resource, type.group, name);
        return [200, present(o)];
      }
      case 'PUT': {
        const obj = requireObject(body);
        const bodyName = metaOf(obj).name;
        if (bodyName !== undefined && bodyName !== name) {
          throw new ApiStatusError(400, 'BadRequest', `the name of the object (${String(bodyName)}) does not match the name on the URL (${name})`);
        }
        const cur = store.get(type, r.ns, name);
        if (!cur) throw notFound(type.resource, type.group, name);
        const next = clone(obj);
        metaOf(next).name = name;
        if (metaOf(next).managedFields === undefined && metaOf(cur).managedFields !== undefined) metaOf(next).managedFields = clone(metaOf(cur).managedFields ?? null);
        recordUpdate(cur, next, manager, new Date());
        return [200, present(store.update(type, r.ns, admitWrite(type, next, cur, q), { keepStatus: hasStatusSubresource(type), dryRun }))];
      }
      case 'PATCH':
        return patchCall(type, r.ns, name, body, contentType, q).map((x, i) => (i === 1 ? present(x as JsonObject) : x)) as [number, JsonObject];
      case 'DELETE': {
        const gone = store.delete(type, r.ns, name, { dryRun, ...graceOf(q, body) });
        if (type.resource === 'pods' || type.resource === 'namespaces') return [200, present(gone)];
        return [200, successStatus({ name, group: type.group, kind: type.resource, uid: String(metaOf(gone).uid ?? '') })];
      }
      default:
        throw new ApiStatusError(405, 'MethodNotAllowed', `${method} is not supported`);
    }
  }

  function patchCall(type: ResourceType, ns: string, name: string, body: JsonValue | string | undefined, contentType: string | undefined, q: URLSearchParams): [number, JsonObject] {
    const manager = q.get('fieldManager') ?? undefined;
    const dryRun = dryRunOf(q);
    const cur = store.get(type, ns, name);
    if (contentType === 'application/apply-patch+yaml') {
      if (!manager) throw new ApiStatusError(422, 'Invalid', 'PatchOptions.meta.k8s.io "": fieldManager: Required value: is required for apply patch');
      const applied = requireObject(body);
      const am = metaOf(applied);
      if (am.name !== undefined && am.name !== name) throw new ApiStatusError(400, 'BadRequest', `the name of the object (${String(am.name)}) does not match the name on the URL (${name})`);
      const result = serverSideApply(cur, applied, manager, q.get('force') === 'true', new Date());
      metaOf(result).name = name;
      delete metaOf(result).resourceVersion;
      if (!cur) return [201, store.create(type, ns, admitWrite(type, result, undefined, q), { dryRun })];
      return [200, store.update(type, ns, admitWrite(type, result, cur, q), { keepStatus: hasStatusSubresource(type), dryRun })];
    }
    if (!cur) throw notFound(type.resource, type.group, name);
    const next = applyPatch(cur, body, contentType);
    metaOf(next).name = name;
    delete metaOf(next).resourceVersion; // patches are not subject to optimistic concurrency
    recordUpdate(cur, next, manager ?? agentManager, new Date());
    return [200, store.update(type, ns, admitWrite(type, next, cur, q), { keepStatus: hasStatusSubresource(type), dryRun })];
  }

  /** The label and field selectors of a list, watch or deletecollection, as one predicate (400 when malformed). */
  function matcherOf(type: ResourceType, q: URLSearchParams): (obj: JsonObject) => boolean {
    const labels = q.get('labelSelector') ?? undefined;
    const fields = q.get('fieldSelector');
    try {
      const byField = parseFieldSelector(type, fields);
      const byLabel = parseLabelSelector(labels);
      return (o) => byLabel(labelsOf(o)) && byField(o);
    } catch (e) {
      if (!(e instanceof ApiStatusError)) throw e;
      const gvr = `${type.group === '' ? '' : type.group}/${type.version}, Resource=${type.resource}`;
      throw new ApiStatusError(400, 'BadRequest', `Unable to find "${gvr}" that match label selector "${labels ?? ''}", field selector "${fields ?? ''}": ${e.message}`);
    }
  }

  function select(type: ResourceType, ns: string | undefined, q: URLSearchParams): JsonObject[] {
    return store.list(type, ns).filter(matcherOf(type, q));
  }

  function scaleCall(method: string, ns: string, name: string, body: JsonValue | string | undefined, contentType: string | undefined, manager: string): [number, JsonObject] {
    const type = store.type('apps', 'deployments');
    const d = store.get(type, ns, name);
    if (!d) throw notFound('deployments', 'apps', name);
    const scale = scaleOf(d);
    if (method === 'GET') return [200, scale];
    let wanted: JsonObject;
    if (method === 'PUT') {
      wanted = requireObject(body);
      const rv = metaOf(wanted).resourceVersion;
      if (rv !== undefined && rv !== '' && rv !== metaOf(d).resourceVersion) {
        throw new ApiStatusError(409, 'Conflict', `Operation cannot be fulfilled on deployments.apps "${name}": the object has been modified; please apply your changes to the latest version and try again`, { name, group: 'apps', kind: 'deployments' });
      }
    } else if (method === 'PATCH') {
      wanted = applyPatch(scale, body, contentType);
    } else throw new ApiStatusError(405, 'MethodNotAllowed', `${method} is not supported on scale`);
    const replicas = isObject(wanted.spec) ? wanted.spec.replicas : undefined;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      throw new ApiStatusError(422, 'Invalid', `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: must be a non-negative integer`);
    }
    const next = clone(d);
    const spec = isObject(next.spec) ? next.spec : (next.spec = {});
    spec.replicas = replicas;
    delete metaOf(next).resourceVersion;
    recordUpdate(d, next, manager, new Date());
    return [200, scaleOf(store.update(type, ns, next, { keepStatus: true }))];
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `https://127.0.0.1:${port}`;
  const dir = await mkdtemp(join(tmpdir(), 'mesh-soak-kube-'));
  const kubeconfigYaml = fakeKubeconfigYaml(url, token, cert.certPem);
  const kubeconfigPath = join(dir, 'kubeconfig');
  await writeFile(kubeconfigPath, kubeconfigYaml, { mode: 0o600 });
  controller.start();

  let stopped = false;
  return {
    url,
    kubeconfigPath,
    kubeconfigYaml,
    caPem: cert.certPem,
    store,
    faults,
    requests,
    controller,
    serviceProxy,
    async stop() {
      if (stopped) return;
      stopped = true;
      controller.stop();
      watches.closeAll();
      for (const t of hangs) clearTimeout(t);
      hangs.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** DeleteOptions' gracePeriodSeconds, from the query or the body. */
function graceOf(q: URLSearchParams, body: JsonValue | string | undefined): { graceSeconds?: number } {
  const fromBody = isObject(body) && typeof body.gracePeriodSeconds === 'number' ? body.gracePeriodSeconds : undefined;
  const fromQuery = q.get('gracePeriodSeconds');
  const g = fromQuery !== null ? Number(fromQuery) : fromBody;
  return g !== undefined && Number.isFinite(g) && g >= 0 ? { graceSeconds: g } : {};
}

function dryRunOf(q: URLSearchParams): boolean {
  const all = q.getAll('dryRun');
  if (all.some((v) => v !== 'All')) throw new ApiStatusError(400, 'BadRequest', `Invalid dry run value: ${all.join(', ')}; supported: All`);
  return all.length > 0;
}

function hasStatusSubresource(t: ResourceType): boolean {
  return t.group === 'apps' || t.resource === 'pods' || t.resource === 'namespaces';
}

function scaleOf(d: JsonObject): JsonObject {
  const m = metaOf(d);
  const spec = isObject(d.spec) ? d.spec : {};
  const status = isObject(d.status) ? d.status : {};
  const sel = isObject(spec.selector) && isObject(spec.selector.matchLabels) ? spec.selector.matchLabels : {};
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name ?? null, namespace: m.namespace ?? null, uid: m.uid ?? null, resourceVersion: m.resourceVersion ?? null, creationTimestamp: m.creationTimestamp ?? null },
    spec: { replicas: typeof spec.replicas === 'number' ? spec.replicas : 1 },
    status: {
      replicas: typeof status.replicas === 'number' ? status.replicas : 0,
      selector: Object.entries(sel).map(([k, v]) => `${k}=${String(v)}`).join(','),
    },
  };
}

function listOf(t: ResourceType, gv: string, items: JsonObject[], rv: number): JsonObject {
  return { apiVersion: gv, kind: `${t.kind}List`, metadata: { resourceVersion: String(rv) }, items };
}

function applyPatch(cur: JsonObject, body: JsonValue | string | undefined, contentType: string | undefined): JsonObject {
  if (body === undefined || typeof body === 'string') throw new ApiStatusError(400, 'BadRequest', 'patch body is not valid JSON');
  let out: JsonValue;
  switch (contentType) {
    case 'application/merge-patch+json':
      out = mergePatch(cur, body);
      break;
    case 'application/strategic-merge-patch+json':
      out = strategicMergePatch(cur, body);
      break;
    case 'application/json-patch+json':
      out = jsonPatch(cur, body);
      break;
    default:
      throw new ApiStatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got ${contentType ?? 'none'})`);
  }
  if (!isObject(out)) throw new ApiStatusError(422, 'Invalid', 'patch did not produce an object');
  return out;
}

function requireObject(body: JsonValue | string | undefined): JsonObject {
  if (!isObject(body)) throw new ApiStatusError(400, 'BadRequest', 'request body must be a JSON object');
  return body;
}

function parseBody(raw: string, contentType: string | undefined): JsonValue | string {
  try {
    if (contentType === 'application/apply-patch+yaml') return parseYaml(raw) as JsonValue;
    return JSON.parse(raw) as JsonValue;
  } catch {
    return raw;
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    const b = c as Buffer;
    size += b.length;
    if (size > MAX_BODY) throw new ApiStatusError(413, 'BadRequest', 'request body too large');
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, code: number, body: JsonObject, headers: Record<string, string | string[]> = {}): void {
  if (res.destroyed) return;
  res.writeHead(code, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
