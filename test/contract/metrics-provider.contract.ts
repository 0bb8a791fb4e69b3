// The MetricsProvider port's contract (src/checks/types.ts), one suite run against every
// implementation: what the check engine may rely on whichever provider answers. Always
// against a real Prometheus scraping a target of known series (startMetricsWorld), plus a
// port where nothing listens and a loopback server that never answers.
//
//   const world = await startMetricsWorld();           // beforeAll, one per test file
//   metricsProviderContract('PrometheusClient', ({ url, timeoutMs }) => new PrometheusClient({ url, timeoutMs }),
//     { capabilities: { talksToPrometheus: true, honoursTime: true, honoursSignal: true } }, () => world);
//
// The port promises: an instant vector comes back as one sample per series with all its
// labels; a scalar as one sample without labels; an empty result as []; NaN and ±Inf as
// those numbers; every failure as a rejection whose error carries a `kind` (the engine
// turns it into the check's error outcome); concurrent queries are answered each as if
// asked alone; close() resolves, twice, and waits for what is in flight.

import { afterAll, beforeAll, describe, expect } from 'vitest';
import { PrometheusClient } from '../../src/adapters/prometheus/client.js';
import type { MetricsProvider, Sample } from '../../src/checks/types.js';
import { freePort, startPrometheus, startSyntheticTarget, waitFor, type RunningPrometheus, type SyntheticTarget } from '../harness/index.js';
import { startLoopbackServer, type LoopbackServer } from '../integration/prometheus/loopback-server.js';
import { caseRegistrar, rejection } from './contract-case.js';

/** The series the target serves, constant for the whole run. */
const GAUGE = 'contract_gauge';
const SPECIAL = 'contract_special';

/** Every expression the data cases send (a recording fake is fed the answers to these). */
export const Q = {
  vector: GAUGE,
  aggregate: `sum by (ns) (${GAUGE})`,
  scalar: `scalar(sum(${GAUGE}))`,
  literal: '2 * 21',
  empty: `${GAUGE}{ns="none"}`,
  specials: SPECIAL,
  nanVector: 'vector(0) / 0',
  infScalar: '1 / 0',
  /** Runs, then fails: many series on both sides of a one-to-one match. */
  executionError: `${GAUGE} * on() ${GAUGE}`,
  parseError: `sum(${GAUGE}`,
} as const;
export const CONTRACT_QUERIES: readonly string[] = Object.values(Q);

export interface MetricsWorld {
  prometheusUrl: string;
  /** The target's `instance` label. */
  instance: string;
  /** A loopback port nothing listens on. */
  deadUrl: string;
  /** A loopback server that accepts requests and never answers. */
  silentUrl: string;
  /** Requests the silent server has received so far. */
  silentRequests(): number;
  /** Makes Prometheus re-read its rule files. */
  reloadPrometheus(): Promise<void>;
  stop(): Promise<void>;
}

/** `ruleFiles`: rule files the world's Prometheus loads (evaluated every second, like its scrapes). */
export async function startMetricsWorld(options: { ruleFiles?: string[] } = {}): Promise<MetricsWorld> {
  let target: SyntheticTarget | undefined;
  let prom: RunningPrometheus | undefined;
  let silent: LoopbackServer | undefined;
  let client: PrometheusClient | undefined;
  let received = 0;
  const stop = async (): Promise<void> => {
    await client?.close();
    await silent?.stop();
    await prom?.stop();
    await target?.stop();
  };
  try {
    target = await startSyntheticTarget();
    target.set(GAUGE, { ns: 'a', svc: 'one' }, 1.5);
    target.set(GAUGE, { ns: 'b', svc: 'two' }, 4);
    target.set(SPECIAL, { case: 'nan' }, NaN);
    target.set(SPECIAL, { case: 'pos_inf' }, Infinity);
    target.set(SPECIAL, { case: 'neg_inf' }, -Infinity);
    silent = await startLoopbackServer(() => {
      received++;
      // never answers
    });
    prom = await startPrometheus({ scrapeTargets: [target.hostPort], scrapeIntervalS: 1, ...(options.ruleFiles ? { ruleFiles: options.ruleFiles } : {}) });
    client = new PrometheusClient({ url: prom.url, timeoutMs: 5000 });
    const c = client;
    const running = prom;
    await waitFor(async () => (await c.query(`count({__name__=~"contract_.*"})`))[0]?.value === 5, {
      timeoutMs: 30_000,
      intervalMs: 250,
      what: 'Prometheus to scrape the contract target',
    });
    return {
      prometheusUrl: prom.url,
      instance: target.hostPort,
      deadUrl: `http://127.0.0.1:${await freePort()}`,
      silentUrl: silent.url,
      silentRequests: () => received,
      reloadPrometheus: () => running.reload(),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

export interface ProviderEndpoint {
  url: string;
  timeoutMs: number;
}

export interface MetricsProviderCapabilities {
  /** Sends its queries to the Prometheus at `url` (a scripted fake answers from a table). */
  talksToPrometheus: boolean;
  /** Evaluates at options.time. */
  honoursTime: boolean;
  /** Gives up when options.signal aborts. */
  honoursSignal: boolean;
}
type Capability = keyof MetricsProviderCapabilities;

export type MetricsCase =
  | 'vector'
  | 'aggregate'
  | 'scalar'
  | 'empty'
  | 'specials'
  | 'execution-error'
  | 'parse-error'
  | 'concurrent'
  | 'time'
  | 'time-epoch'
  | 'signal'
  | 'unreachable'
  | 'timeout'
  | 'close'
  | 'close-in-flight'
  | 'after-close';

export interface MetricsProviderContractOptions {
  capabilities: MetricsProviderCapabilities;
  /** Cases this implementation fails today, with the reason: registered as it.fails. */
  knownFailures?: Partial<Record<MetricsCase, string>>;
}

export type MakeProvider = (endpoint: ProviderEndpoint) => MetricsProvider | Promise<MetricsProvider>;

const SHORT_TIMEOUT_MS = 300;

interface Failure {
  kind?: unknown;
  message?: unknown;
}

/** Samples in a stable order, so results compare whatever order the series came in. */
function sorted(samples: Sample[]): Sample[] {
  const key = (s: Sample): string => JSON.stringify(Object.entries(s.labels).sort());
  return [...samples].sort((a, b) => key(a).localeCompare(key(b)));
}

export function metricsProviderContract(
  name: string,
  makeProvider: MakeProvider,
  options: MetricsProviderContractOptions,
  world: () => MetricsWorld,
): void {
  const test = caseRegistrar<MetricsCase, Capability>(options.capabilities, options.knownFailures);

  describe(`MetricsProvider contract: ${name}`, () => {
    let provider: MetricsProvider;
    /** Providers made by single cases (dead or silent endpoints), closed at the end. */
    const extra: MetricsProvider[] = [];
    const make = async (endpoint: ProviderEndpoint): Promise<MetricsProvider> => {
      const p = await makeProvider(endpoint);
      extra.push(p);
      return p;
    };

    beforeAll(async () => {
      provider = await makeProvider({ url: world().prometheusUrl, timeoutMs: 5000 });
    });
    afterAll(async () => {
      await Promise.allSettled([provider?.close(), ...extra.map((p) => p.close())]);
    });

    const gaugeSeries = (): Sample[] => {
      const base = { __name__: GAUGE, instance: world().instance, job: 'synthetic' };
      return [
        { labels: { ...base, ns: 'a', svc: 'one' }, value: 1.5 },
        { labels: { ...base, ns: 'b', svc: 'two' }, value: 4 },
      ];
    };

    test('vector', 'an instant vector is one sample per series, with every label', {}, async () => {
      expect(sorted(await provider.query(Q.vector))).toEqual(gaugeSeries());
    });

    test('aggregate', 'an aggregation keeps only the labels it groups by', {}, async () => {
      expect(sorted(await provider.query(Q.aggregate))).toEqual([
        { labels: { ns: 'a' }, value: 1.5 },
        { labels: { ns: 'b' }, value: 4 },
      ]);
    });

    test('scalar', 'a scalar is one sample without labels', {}, async () => {
      expect(await provider.query(Q.scalar)).toEqual([{ labels: {}, value: 5.5 }]);
      expect(await provider.query(Q.literal)).toEqual([{ labels: {}, value: 42 }]);
    });

    test('empty', 'an empty result is no samples, not an error', {}, async () => {
      expect(await provider.query(Q.empty)).toEqual([]);
    });

    test('specials', 'NaN, +Inf and -Inf come back as those numbers, from series and from arithmetic', {}, async () => {
      const byCase = Object.fromEntries((await provider.query(Q.specials)).map((s) => [s.labels.case, s.value]));
      expect(byCase.nan).toBeNaN();
      expect(byCase.pos_inf).toBe(Infinity);
      expect(byCase.neg_inf).toBe(-Infinity);
      const nan = await provider.query(Q.nanVector);
      expect(nan).toHaveLength(1);
      expect(nan[0]?.value).toBeNaN();
      expect(await provider.query(Q.infScalar)).toEqual([{ labels: {}, value: Infinity }]);
    });

    test('execution-error', "a query that fails while running rejects with kind 'execution'", {}, async () => {
      const err = (await rejection(provider.query(Q.executionError))) as Failure;
      expect(err).toMatchObject({ kind: 'execution' });
      expect(String(err.message)).toMatch(/found duplicate series for the match group/);
    });

    test('parse-error', "a query Prometheus cannot parse rejects with kind 'http' and Prometheus' message", {}, async () => {
      const err = (await rejection(provider.query(Q.parseError))) as Failure;
      expect(err).toMatchObject({ kind: 'http' });
      expect(String(err.message)).toMatch(/parse error/);
    });

    test('concurrent', 'queries in flight together are each answered as if asked alone', {}, async () => {
      const exprs = [Q.vector, Q.aggregate, Q.scalar, Q.empty, Q.executionError, Q.specials, Q.literal, Q.parseError, Q.vector];
      const settled = await Promise.allSettled(exprs.map((e) => provider.query(e)));
      const view = settled.map((r) =>
        r.status === 'fulfilled' ? sorted(r.value).map((s) => [s.labels, String(s.value)]) : { kind: (r.reason as Failure).kind },
      );
      const vector = gaugeSeries().map((s) => [s.labels, String(s.value)]);
      expect(view[0]).toEqual(vector);
      expect(view[1]).toEqual([[{ ns: 'a' }, '1.5'], [{ ns: 'b' }, '4']]);
      expect(view[2]).toEqual([[{}, '5.5']]);
      expect(view[3]).toEqual([]);
      expect(view[4]).toEqual({ kind: 'execution' });
      expect((view[5] as unknown[]).map((v) => (v as [unknown, string])[1]).sort()).toEqual(['-Infinity', 'Infinity', 'NaN']);
      expect(view[6]).toEqual([[{}, '42']]);
      expect(view[7]).toEqual({ kind: 'http' });
      expect(view[8]).toEqual(vector);
    });

    test('time', 'evaluates at options.time, each query at its own', { needs: ['honoursTime'] }, async () => {
      const t1 = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
      const t2 = t1 + 3_600_000;
      expect(await provider.query('time()', { time: t1 })).toEqual([{ labels: {}, value: t1 / 1000 }]);
      const [a, b] = await Promise.all([
        provider.query('vector(time())', { time: t1 }),
        provider.query('vector(time())', { time: t2 }),
      ]);
      expect(a).toEqual([{ labels: {}, value: t1 / 1000 }]);
      expect(b).toEqual([{ labels: {}, value: t2 / 1000 }]);
    });

    test('time-epoch', 'evaluates at options.time = 0 (the epoch), also for queries in flight together', { needs: ['honoursTime'] }, async () => {
      const answers = await Promise.all([
        provider.query('vector(time())', { time: 0 }),
        provider.query('vector(time() + 1)', { time: 0 }),
      ]);
      expect(answers).toEqual([[{ labels: {}, value: 0 }], [{ labels: {}, value: 1 }]]);
    });

    test('signal', "an aborted signal rejects the query with kind 'timeout'", { needs: ['honoursSignal'] }, async () => {
      const silent = await make({ url: world().silentUrl, timeoutMs: 60_000 });
      const controller = new AbortController();
      const pending = silent.query('up', { signal: controller.signal });
      controller.abort();
      expect(await rejection(pending)).toMatchObject({ kind: 'timeout' });
      expect(await rejection(silent.query('up', { signal: AbortSignal.abort() }))).toMatchObject({ kind: 'timeout' });
    });

    test('unreachable', "nothing listening: every query, alone or together, rejects with kind 'unreachable'", { needs: ['talksToPrometheus'] }, async () => {
      const dead = await make({ url: world().deadUrl, timeoutMs: 5000 });
      expect(await rejection(dead.query('sum(up)'))).toMatchObject({ kind: 'unreachable' });
      const together = await Promise.all(['sum(a)', 'sum(b)', 'scalar(sum(c))'].map((e) => rejection(dead.query(e))));
      expect(together.map((e) => (e as Failure).kind)).toEqual(['unreachable', 'unreachable', 'unreachable']);
    });

    test('timeout', "a server that never answers: the query rejects with kind 'timeout'", { needs: ['talksToPrometheus'] }, async () => {
      const silent = await make({ url: world().silentUrl, timeoutMs: SHORT_TIMEOUT_MS });
      const together = await Promise.all(['sum(a)', 'sum(b)'].map((e) => rejection(silent.query(e))));
      expect(together.map((e) => (e as Failure).kind)).toEqual(['timeout', 'timeout']);
    });

    test('close', 'close() resolves, and resolves again when called twice', {}, async () => {
      const p = await makeProvider({ url: world().prometheusUrl, timeoutMs: 5000 });
      expect(await p.query(Q.literal)).toEqual([{ labels: {}, value: 42 }]);
      await expect(p.close()).resolves.toBeUndefined();
      await expect(p.close()).resolves.toBeUndefined();
    });

    test('close-in-flight', 'close() waits for a query in flight, which settles with a kind', { needs: ['talksToPrometheus'] }, async () => {
      const p = await make({ url: world().silentUrl, timeoutMs: SHORT_TIMEOUT_MS });
      const before = world().silentRequests();
      const pending = rejection(p.query('sum(up)'));
      await waitFor(() => world().silentRequests() > before, { timeoutMs: 5000, intervalMs: 10, what: 'the query to reach the silent server' });
      // close() does not cut the request short (that would be 'unreachable'): the query
      // runs to its own timeout, and close() resolves.
      const [err] = await Promise.all([pending, p.close()]);
      expect((err as Failure).kind).toBe('timeout');
    });

    test('after-close', "a query after close() rejects with kind 'unreachable'", { needs: ['talksToPrometheus'] }, async () => {
      const p = await make({ url: world().prometheusUrl, timeoutMs: 5000 });
      await p.close();
      expect(await rejection(p.query(Q.literal))).toMatchObject({ kind: 'unreachable' });
    });
  });
}
