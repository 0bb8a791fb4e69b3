// Prometheus range queries (/api/v1/query_range) for the benchmark's CPU and memory columns:
// one POST per query, the answer size-bounded, a matrix result turned into RangeSeries
// (epoch ms, values as numbers, "NaN" kept as NaN). Errors are PrometheusErrors of the same
// kinds as the instant-query client's. Credentials in the URL become a header, never a message.

import type { RangeQuery, RangeSeries } from '../../benchmark/resources.js';
import { HttpJsonError, requestJson } from '../fortio/bounded-json.js';
import { PrometheusError } from './errors.js';

export interface RangeQueryOptions {
  url: string;
  timeoutMs: number;
  headers?: Record<string, string>;
  /** Largest answer read; default 16 MiB. */
  maxBytes?: number;
}

function parseMatrix(json: unknown): RangeSeries[] {
  const body = json as { status?: unknown; error?: unknown; data?: { resultType?: unknown; result?: unknown } } | null;
  if (!body || body.status !== 'success') throw new PrometheusError('execution', `query_range failed: ${typeof body?.error === 'string' ? body.error : 'no error message'}`);
  if (body.data?.resultType !== 'matrix' || !Array.isArray(body.data.result)) throw new PrometheusError('bad_data', 'query_range did not return a matrix');
  return body.data.result.map((item: unknown) => {
    const { metric, values } = (item ?? {}) as { metric?: unknown; values?: unknown };
    if (!Array.isArray(values)) throw new PrometheusError('bad_data', 'a matrix series has no values');
    const labels: Record<string, string> = {};
    if (metric && typeof metric === 'object') for (const [k, v] of Object.entries(metric)) if (typeof v === 'string') labels[k] = v;
    const points = values.map((pair: unknown): [number, number] => {
      if (!Array.isArray(pair) || typeof pair[0] !== 'number' || typeof pair[1] !== 'string') throw new PrometheusError('bad_data', 'a matrix point is not [time, "value"]');
      return [Math.round(pair[0] * 1000), Number(pair[1])];
    });
    return { labels, points };
  });
}

export function rangeQueryClient(o: RangeQueryOptions): RangeQuery {
  const url = new URL(o.url);
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  if (url.username || url.password) {
    headers['authorization'] ??= `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  const endpoint = `${url.origin}${url.pathname.replace(/\/+$/, '')}/api/v1/query_range`;
  return {
    async queryRange(expr, range, signal) {
      const form = new URLSearchParams({ query: expr, start: (range.startMs / 1000).toFixed(3), end: (range.endMs / 1000).toFixed(3), step: `${range.stepMs / 1000}s` });
      try {
        const { json } = await requestJson({
          method: 'POST', url: endpoint, body: form.toString(), contentType: 'application/x-www-form-urlencoded', headers,
          timeoutMs: o.timeoutMs, maxBytes: o.maxBytes ?? 16 * 1024 * 1024, what: 'prometheus query_range', ...(signal ? { signal } : {}),
        });
        return parseMatrix(json);
      } catch (err) {
        if (!(err instanceof HttpJsonError)) throw err;
        const kind = err.kind === 'timeout' || err.kind === 'aborted' ? 'timeout' : err.kind === 'unreachable' ? 'unreachable' : err.kind === 'http' ? 'http' : 'bad_data';
        throw new PrometheusError(kind, err.message, { cause: err });
      }
    },
  };
}
