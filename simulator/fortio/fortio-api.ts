// A Fortio server's REST API on loopback, as the simulated client pod: POST /fortio/rest/run
// (JSON options, every value a string; async answers {message:"started", RunID, ResultID,
// ResultURL}), GET /fortio/rest/status?runid=N (the run listed while it runs, gone when
// done, as Fortio does), /fortio/rest/stop?runid=N, and /fortio/data/<id>.json with the
// result in Fortio's exact JSON shape (histograms in seconds, ActualDuration in ns, RetCodes
// keyed by strings, Sizes in bytes). Latency follows model.ts; the mode is read from the
// run's labels (…_<mode>, as runner.py named runs). Loads last their real duration.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { medianLatencyS, PERCENTILE_SHAPE, type SimFaults, type SimLoad, type SimMode } from './model.js';

const MODES: SimMode[] = ['both', 'serversidecar', 'clientsidecar', 'baseline', 'ingress'];

export interface SimRun {
  id: number;
  resultId: string;
  load: SimLoad;
  labels: string;
  url: string;
  requestedQps: string;
  durationMs: number;
  startedAt: number;
  /** Ends the run; absent for a result computed without running (seed.ts). */
  timer?: NodeJS.Timeout;
}

export interface FortioSim {
  url: string;
  faults: SimFaults;
  /** The load running now, if any (for the simulated container metrics). */
  active(): SimLoad | undefined;
  /** Requests the API answered, by path (for tests). */
  calls: string[];
  stop(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) {
    text += String(chunk);
    if (text.length > 65_536) throw new Error('body too large');
  }
  return text;
}

function histogram(count: number, median: number, spread: number[]): Record<string, unknown> {
  const min = median * 0.45;
  const max = median * 5;
  const avg = median * 1.15;
  const data = spread.map((end, i, all) => ({ Start: i === 0 ? min : (all[i - 1] as number), End: end, Percent: ((i + 1) * 100) / all.length, Count: Math.round(count / all.length) }));
  return {
    Count: count, Min: min, Max: max, Sum: avg * count, Avg: avg, StdDev: median * 0.4, Data: data,
    Percentiles: PERCENTILE_SHAPE.map(([p, k]) => ({ Percentile: p, Value: median * k })),
  };
}

export function resultJson(run: SimRun, endedAt: number, faults: SimFaults): Record<string, unknown> {
  const elapsedS = (endedAt - run.startedAt) / 1000;
  const count = Math.max(1, Math.round(run.load.qps * elapsedS));
  const median = medianLatencyS(run.load, faults);
  const size = run.load.payloadBytes + 124;
  return {
    RunType: 'HTTP', Labels: run.labels, StartTime: new Date(run.startedAt).toISOString(), RequestedQPS: run.requestedQps,
    RequestedDuration: `${run.durationMs / 1000}s`, ActualQPS: count / elapsedS, ActualDuration: Math.round(elapsedS * 1e9),
    NumThreads: run.load.connections, Version: '1.69.0-sim',
    DurationHistogram: histogram(count, median, PERCENTILE_SHAPE.map(([, k]) => median * k)),
    ErrorsDurationHistogram: { Count: 0, Min: 0, Max: 0, Sum: 0, Avg: 0, StdDev: 0, Data: null },
    Exactly: 0, Jitter: false, Uniform: false, NoCatchUp: false, RunID: run.id, AccessLoggerInfo: '', ID: run.resultId,
    RetCodes: { '200': count }, IPCountMap: { '10.0.0.2:8080': run.load.connections }, URL: run.url, NumConnections: 1,
    HTTPReqTimeOut: 3_000_000_000, Payload: null,
    Sizes: { Count: count, Min: size, Max: size, Sum: size * count, Avg: size, StdDev: 0, Data: [{ Start: size, End: size, Percent: 100, Count: count }] },
    HeaderSizes: { Count: count, Min: 124, Max: 124, Sum: 124 * count, Avg: 124, StdDev: 0, Data: [{ Start: 124, End: 124, Percent: 100, Count: count }] },
    Sockets: Array.from({ length: run.load.connections }, () => 1), SocketCount: run.load.connections, AbortOn: 0,
  };
}

function loadOf(o: Record<string, unknown>): SimLoad | string {
  const labels = typeof o['labels'] === 'string' ? o['labels'] : '';
  const mode = MODES.find((m) => labels.endsWith(`_${m}`));
  if (!mode) return 'labels must end with _<mode>';
  const qps = Number(o['qps']);
  const connections = Number(o['c'] ?? '8');
  const url = typeof o['url'] === 'string' ? o['url'] : '';
  const size = Number(new URL(url || 'http://x').searchParams.get('size') ?? '0');
  if (!url) return 'URL is required';
  return { mode, qps: qps > 0 ? qps : 5000, connections, payloadBytes: size };
}

export async function startFortioSim(o: { port?: number; faults?: SimFaults } = {}): Promise<FortioSim> {
  const faults: SimFaults = o.faults ?? { slowProxy: false };
  const runs = new Map<number, SimRun>();
  const results = new Map<string, Record<string, unknown>>();
  const calls: string[] = [];
  let nextId = 1;
  const finish = (run: SimRun): void => {
    clearTimeout(run.timer);
    runs.delete(run.id);
    results.set(run.resultId, resultJson(run, Date.now(), faults));
  };
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://sim');
    calls.push(u.pathname);
    void handle(u, req, res).catch((err: unknown) => send(res, 400, { error: true, message: 'bad request', exception: String(err) }));
  });
  async function handle(u: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (u.pathname === '/fortio/rest/run' && req.method === 'POST') {
      const opts = JSON.parse(await readBody(req)) as Record<string, unknown>;
      const load = loadOf(opts);
      if (typeof load === 'string') return send(res, 400, { error: true, message: load });
      const durationMs = Number.parseFloat(String(opts['t'] ?? '5s')) * 1000;
      const id = nextId++;
      const resultId = `${new Date().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14)}_${id}`;
      const run: SimRun = { id, resultId, load, labels: String(opts['labels']), url: String(opts['url']), requestedQps: String(opts['qps'] === '-1' ? 'max' : opts['qps']), durationMs, startedAt: Date.now(), timer: setTimeout(() => finish(run), durationMs) };
      runs.set(id, run);
      return send(res, 200, { message: 'started', RunID: id, Count: 1, ResultID: resultId, ResultURL: `http://${req.headers.host}/fortio/data/${resultId}.json` });
    }
    if (u.pathname === '/fortio/rest/status') {
      const id = Number(u.searchParams.get('runid') ?? '0');
      const list = [...runs.values()].filter((r) => id === 0 || r.id === id);
      return send(res, 200, { Statuses: Object.fromEntries(list.map((r) => [String(r.id), { RunID: r.id, State: 2, RunnerOptions: { RunType: 'HTTP', Labels: r.labels } }])) });
    }
    if (u.pathname === '/fortio/rest/stop') {
      const id = Number(u.searchParams.get('runid') ?? '0');
      const list = [...runs.values()].filter((r) => id <= 0 || r.id === id);
      for (const r of list) finish(r);
      return send(res, 200, { message: 'stopped', RunID: id, Count: list.length, ResultID: list.length === 1 ? list[0]?.resultId : '' });
    }
    const m = /^\/fortio\/data\/([A-Za-z0-9_.-]+)\.json$/.exec(u.pathname);
    const found = m ? results.get(m[1] as string) : undefined;
    if (found) return send(res, 200, found);
    return send(res, 404, { error: true, message: 'not found' });
  }
  await new Promise<void>((resolve) => server.listen(o.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    faults,
    calls,
    active: () => [...runs.values()].at(-1)?.load,
    stop: async () => {
      for (const r of runs.values()) clearTimeout(r.timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
