// Reaching the client pod's Fortio server through the Kubernetes API server's service proxy
// (`/api/v1/namespaces/NS/services/NAME:PORT/proxy/…`), for `benchmark.fortio.via: apiserver`:
// the daemon then needs a route to the API server only, not to the pod network. The
// service comes from the configured Fortio URL's host (`NAME[.NS[.svc…]]:PORT`, NS defaulting
// to the suite's namespace); credentials and TLS come from the kubeconfig (the same one the
// cluster operations use), applied per request so rotating tokens keep working. Credentials
// are never logged nor put in messages.

import { Agent, type Dispatcher } from 'undici';
import { UserError } from '../../shared/errors.js';
import type { FortioConnection } from './client.js';

export interface ServiceRef {
  namespace: string;
  name: string;
  /** Port number or name, as the service proxy path takes it. */
  port: string;
}

/** The service a Fortio URL names; a UserError naming the field when it names none. */
export function serviceOf(fortioUrl: string, defaultNamespace: string, field = 'benchmark.fortio.url'): ServiceRef {
  const u = new URL(fortioUrl);
  const labels = u.hostname.split('.');
  const [name, ns] = labels;
  const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
  if (!name || !dnsLabel.test(name) || (ns !== undefined && !dnsLabel.test(ns)) || /^\d+$/.test(labels.at(-1) ?? '')) {
    throw new UserError(`${field}: with via: apiserver the host must be a service (NAME or NAME.NAMESPACE), not "${u.hostname}"`);
  }
  const port = u.port !== '' ? u.port : u.protocol === 'https:' ? '443' : '80';
  return { namespace: ns ?? defaultNamespace, name, port };
}

/** The service proxy base of a service: `SERVER/api/v1/namespaces/NS/services/[https:]NAME:PORT/proxy`. */
export function serviceProxyUrl(apiServer: string, s: ServiceRef, scheme: 'http' | 'https' = 'http'): string {
  const service = `${scheme === 'https' ? 'https:' : ''}${s.name}:${s.port}`;
  // Names are DNS labels and the port a number or name: nothing to escape (kubectl sends ':' as is).
  return `${apiServer.replace(/\/+$/, '')}/api/v1/namespaces/${s.namespace}/services/${service}/proxy`;
}

/** What the kubeconfig gives a request: the API server, TLS material and the auth header. */
export interface KubeAccess {
  server: string;
  tls: { ca?: Buffer | string; cert?: Buffer | string; key?: Buffer | string; rejectUnauthorized?: boolean; servername?: string };
  /** Fresh headers (Authorization) for one request. */
  headers(): Promise<Record<string, string>>;
}

/** A connection to the Fortio server behind `fortioUrl` through the API server of `access`. */
export function serviceProxyConnection(fortioUrl: string, defaultNamespace: string, access: () => Promise<KubeAccess>): () => Promise<FortioConnection> {
  const service = serviceOf(fortioUrl, defaultNamespace);
  const scheme = new URL(fortioUrl).protocol === 'https:' ? 'https' : 'http';
  let ready: Promise<{ access: KubeAccess; dispatcher: Dispatcher | undefined }> | undefined;
  return async () => {
    ready ??= access().then((a) => {
      const needsAgent = a.server.startsWith('https:') && Object.values(a.tls).some((v) => v !== undefined);
      return { access: a, dispatcher: needsAgent ? new Agent({ connect: { ...a.tls } }) : undefined };
    });
    const { access: a, dispatcher } = await ready.catch((err: unknown) => {
      ready = undefined;
      throw err;
    });
    return { baseUrl: serviceProxyUrl(a.server, service, scheme), headers: await a.headers(), ...(dispatcher ? { dispatcher } : {}) };
  };
}
