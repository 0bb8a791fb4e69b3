// The kubeconfig's view of the API server for the service proxy (service-proxy.ts): its URL,
// TLS material, and fresh auth headers per request (tokens from files, exec plugins and
// cloud auth providers rotate). Loads @kubernetes/client-node, so callers import this module
// lazily, only when a suite uses `via: apiserver`.

import type { RequestOptions } from 'node:https';
import { loadKubeConfig } from '../kube/index.js';
import { UserError } from '../../shared/errors.js';
import type { KubeAccess } from './service-proxy.js';

function headersOf(o: RequestOptions): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o.headers ?? {})) {
    if (typeof v === 'string' || typeof v === 'number') out[k] = String(v);
    else if (Array.isArray(v)) out[k] = v.join(', ');
  }
  if (o.auth) out['Authorization'] = `Basic ${Buffer.from(o.auth).toString('base64')}`;
  return out;
}

/** `context`: a clusters[] entry's kubeconfig context (absent: the kubeconfig's current one). */
export async function kubeAccess(kubeconfigPath?: string, context?: string): Promise<KubeAccess> {
  const kc = loadKubeConfig(kubeconfigPath);
  if (context !== undefined) {
    if (!kc.getContextObject(context)) throw new UserError(`kubernetes.context: no context '${context}' in the kubeconfig (contexts: ${kc.getContexts().map((c) => c.name).join(', ')})`);
    kc.setCurrentContext(context);
  }
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new UserError('kubernetes: the current cluster has no server URL');
  const probe: RequestOptions = {};
  await kc.applyToHTTPSOptions(probe);
  const tls: KubeAccess['tls'] = {};
  const material = (v: unknown): string | Buffer | undefined => (typeof v === 'string' || Buffer.isBuffer(v) ? v : undefined);
  const [ca, cert, key] = [material(probe.ca), material(probe.cert), material(probe.key)];
  if (ca !== undefined) tls.ca = ca;
  if (cert !== undefined) tls.cert = cert;
  if (key !== undefined) tls.key = key;
  if (probe.servername) tls.servername = probe.servername;
  if (probe.rejectUnauthorized !== undefined) tls.rejectUnauthorized = probe.rejectUnauthorized;
  return {
    server,
    tls,
    async headers() {
      const o: RequestOptions = {};
      await kc.applyToHTTPSOptions(o);
      return headersOf(o);
    },
  };
}
