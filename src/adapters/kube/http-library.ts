// The HTTP transport handed to @kubernetes/client-node. client-node 1.x's default
// transport (node-fetch) takes no timeout and no signal, so a hung API server would hang
// a disruption step forever; this one sends the same request through the agent the
// kubeconfig built (TLS, client certs, proxies) and destroys it after `timeoutMs`. It is
// also the one place that sees every request, so it reports each one for
// mesh_soak_kube_requests_total.

import http from 'node:http';
import https from 'node:https';
import { ResponseContext, type PromiseHttpLibrary, type RequestContext } from '@kubernetes/client-node';
import { KubeError } from './errors.js';
import { requestLabels } from './request-labels.js';

export type RequestReporter = (verb: string, resource: string, code: string) => void;

export class TimeoutHttpLibrary implements PromiseHttpLibrary {
  constructor(
    private readonly timeoutMs: () => number,
    private readonly report: () => RequestReporter | undefined,
  ) {}

  send(request: RequestContext): Promise<ResponseContext> {
    const url = new URL(request.getUrl());
    const method = request.getHttpMethod().toString();
    const headers = { ...request.getHeaders() };
    const raw = request.getBody();
    const body = raw === undefined ? undefined : typeof raw === 'string' ? raw : raw.toString();
    if (body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(body));
    const labels = requestLabels(method, url.pathname, headers['Content-Type']);
    const timeoutMs = this.timeoutMs();
    const reporter = this.report();
    const what = `${method} ${url.pathname}`;
    const transport = url.protocol === 'https:' ? https : http;

    return new Promise<ResponseContext>((resolve, reject) => {
      let settled = false;
      const finish = (err: KubeError | undefined, res?: ResponseContext): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reporter?.(labels.verb, labels.resource, err ? err.kind : String(res?.httpStatusCode ?? 0));
        if (err) reject(err);
        else if (res) resolve(res);
      };
      const req = transport.request(url, { method, headers, agent: request.getAgent() }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => finish(new KubeError('unreachable', `${what}: response broken: ${e.message}`, { cause: e })));
        res.on('end', () => {
          const buf = Buffer.concat(chunks);
          const h: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h[k] = Array.isArray(v) ? v.join(', ') : v;
          finish(undefined, new ResponseContext(res.statusCode ?? 0, h, { text: async () => buf.toString('utf8'), binary: async () => buf }));
        });
      });
      const timer = setTimeout(() => {
        finish(new KubeError('timeout', `${what}: no answer from the Kubernetes API within ${timeoutMs} ms`));
        req.destroy();
      }, timeoutMs);
      req.on('error', (e) => finish(new KubeError('unreachable', `${what}: ${e.message}`, { cause: e })));
      if (body !== undefined) req.write(body);
      req.end();
    });
  }
}
