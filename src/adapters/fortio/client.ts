// Fortio's REST API in the client pod (fortio server, port 8080), on undici: start a load
// with POST /fortio/rest/run (JSON options, every value a string, "async": "on", "save":
// "on"; Fortio ≥ 1.35 answers {"message": "started", "RunID", "Count", "ResultID",
// "ResultURL"}, older ones only {"started": N}, which is refused with the reason), poll GET /fortio/rest/status?runid=N until the run leaves the table (Fortio removes
// a finished run), read the saved result at /fortio/data/<ResultID>.json, and stop a run
// with /fortio/rest/stop?runid=N. Every answer is size-bounded. The base URL is the client's
// service in-cluster, or the API server's service proxy path from outside.

import { z } from 'zod';
import type { Dispatcher } from 'undici';
import { parseFortioResult, type FortioResult } from '../../benchmark/fortio-json.js';
import { sleep } from '../../shared/time.js';
import { HttpJsonError, requestJson } from './bounded-json.js';
import type { FortioLoad, FortioPort } from '../../benchmark/run-benchmark.js';

export type { FortioLoad } from '../../benchmark/run-benchmark.js';

export interface StartedRun {
  runId: number;
  resultId: string;
}

/** Where requests go and with what: resolved per request (a service proxy's token rotates). */
export interface FortioConnection {
  baseUrl: string;
  headers: Record<string, string>;
  /** TLS to the API server (its CA, client certificates). */
  dispatcher?: Dispatcher;
}

export interface FortioClientOptions {
  /** Base URL of the Fortio server (`http://fortioclient.twopods:8080`, or a service proxy URL). */
  baseUrl: string;
  /** Overrides baseUrl and headers: through the API server's service proxy (service-proxy.ts). */
  connect?: () => Promise<FortioConnection>;
  /** Per-request limit. */
  timeoutMs?: number;
  /** Largest answer read (a result JSON is some 10 kB; histograms of slow runs more). */
  maxResultBytes?: number;
  /** Sent on every request (e.g. the API server's Authorization). Never logged. */
  headers?: Record<string, string>;
}

const startReply = z.looseObject({ RunID: z.number().int().positive(), ResultID: z.string().default(''), message: z.string().optional() });
/** Fortio before 1.35 answered an async run with only its number. */
const oldStartReply = z.looseObject({ started: z.number().int() });
const statusReply = z.looseObject({ Statuses: z.record(z.string(), z.unknown()).nullable().optional() });
const errorReply = z.looseObject({ error: z.literal(true), message: z.string().optional(), exception: z.string().optional() });

/** The run's options as Fortio's REST API reads them: all strings. */
export function runOptions(load: FortioLoad): Record<string, string | string[]> {
  const body: Record<string, string | string[]> = {
    url: load.url,
    qps: load.qps === 'max' ? '-1' : String(load.qps),
    c: String(load.connections),
    t: `${Math.round(load.durationMs / 1000)}s`,
    r: '0.00005',
    labels: load.labels,
    save: 'on',
    async: 'on',
  };
  if (load.headers && load.headers.length > 0) body['headers'] = load.headers;
  return body;
}

export class FortioClient implements FortioPort {
  private readonly connect: () => Promise<FortioConnection>;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;

  constructor(o: FortioClientOptions) {
    const fixed: FortioConnection = { baseUrl: o.baseUrl, headers: o.headers ?? {} };
    this.connect = o.connect ?? (() => Promise.resolve(fixed));
    this.timeoutMs = o.timeoutMs ?? 10_000;
    this.maxBytes = o.maxResultBytes ?? 4 * 1024 * 1024;
  }

  /** One request to PATH on the Fortio server, however it is reached. */
  private async send(r: { method: 'GET' | 'POST'; path: string; what: string; maxBytes: number; body?: string; signal?: AbortSignal | undefined }) {
    const c = await this.connect();
    return requestJson({
      method: r.method, url: `${c.baseUrl.replace(/\/+$/, '')}${r.path}`, headers: c.headers, timeoutMs: this.timeoutMs, maxBytes: r.maxBytes, what: r.what,
      ...(r.body !== undefined ? { body: r.body, contentType: 'application/json' } : {}), ...(c.dispatcher ? { dispatcher: c.dispatcher } : {}), ...(r.signal ? { signal: r.signal } : {}),
    });
  }

  private get(path: string, what: string, signal?: AbortSignal) {
    return this.send({ method: 'GET', path, what, maxBytes: this.maxBytes, signal });
  }

  async start(load: FortioLoad, signal?: AbortSignal): Promise<StartedRun> {
    const { json } = await this.send({ method: 'POST', path: '/fortio/rest/run', body: JSON.stringify(runOptions(load)), what: 'fortio run', maxBytes: 64 * 1024, signal });
    const err = errorReply.safeParse(json);
    if (err.success) throw new HttpJsonError('http', `fortio run: refused: ${err.data.message ?? ''} ${err.data.exception ?? ''}`.trim());
    const r = startReply.safeParse(json);
    if (!r.success && oldStartReply.safeParse(json).success) {
      throw new HttpJsonError('bad-json', 'fortio run: this Fortio answers {"started": N} (before 1.35): no result id and no status API; use Fortio 1.35 or later (suites/benchmark ships 1.69.0)');
    }
    if (!r.success) throw new HttpJsonError('bad-json', 'fortio run: the answer has no RunID');
    return { runId: r.data.RunID, resultId: r.data.ResultID };
  }

  /** True while Fortio still lists the run. */
  async running(runId: number, signal?: AbortSignal): Promise<boolean> {
    const { json } = await this.get(`/fortio/rest/status?runid=${runId}`, 'fortio status', signal);
    const r = statusReply.safeParse(json);
    if (!r.success) throw new HttpJsonError('bad-json', 'fortio status: unexpected answer');
    return r.data.Statuses != null && String(runId) in r.data.Statuses;
  }

  async result(resultId: string, signal?: AbortSignal): Promise<FortioResult> {
    if (!/^[A-Za-z0-9_.-]+$/.test(resultId)) throw new HttpJsonError('bad-json', 'fortio result: no usable ResultID (is the data directory set?)');
    const { text } = await this.get(`/fortio/data/${resultId}.json`, 'fortio result', signal);
    const parsed = parseFortioResult(text);
    if (parsed.kind === 'invalid') throw new HttpJsonError('bad-json', `fortio result: ${parsed.reason}`);
    return parsed.value;
  }

  /** Stops one run (idempotent: a finished run is simply not found). */
  async stop(runId: number, signal?: AbortSignal): Promise<void> {
    await this.get(`/fortio/rest/stop?runid=${runId}`, 'fortio stop', signal);
  }

  /** Polls until the run is gone from Fortio's table; rejects when `signal` aborts. */
  async waitDone(runId: number, o: { pollMs: number; signal?: AbortSignal; deadlineMs: number; now?: () => number }): Promise<void> {
    const now = o.now ?? Date.now;
    while (await this.running(runId, o.signal)) {
      if (now() > o.deadlineMs) throw new HttpJsonError('timeout', `fortio run ${runId}: still running past its deadline`);
      await sleep(o.pollMs, o.signal).catch((cause: unknown) => {
        throw new HttpJsonError('aborted', `fortio run ${runId}: wait aborted`, { cause });
      });
    }
  }
}
