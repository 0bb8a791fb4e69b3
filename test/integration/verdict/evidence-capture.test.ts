// Evidence when a check starts failing, end to end below the daemon: the tick (runTick with
// the real check engine, CheckStore and RunLedger over real Redis) hands its state changes to
// the evidence recorder, which reads the suite namespace's events and pod statuses from the
// stand-in API server through the real client (adapters/kube/evidence.ts) and writes one
// bounded `evidence` entry to the ledger. A flapping check captures once per interval; an API
// that is down or hangs gives an entry saying why, and the tick never waits for it.
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubernetesObject } from '@kubernetes/client-node';
import { startFakeKubeApi, type FakeKubeApi } from '../../../simulator/kube-api/index.js';
import { applyManifests, createKubeClients, type KubeContext } from '../../../src/adapters/kube/index.js';
import { captureEvidence } from '../../../src/adapters/kube/evidence.js';
import { parseCondition } from '../../../src/checks/condition.js';
import { evaluateGroup, type CheckGroup } from '../../../src/checks/evaluate-group.js';
import type { CheckSpec } from '../../../src/config/model.js';
import { CheckStore } from '../../../src/adapters/redis/check-store.js';
import { History } from '../../../src/adapters/redis/history.js';
import { RunLedger, type LedgerEntry } from '../../../src/adapters/redis/ledger.js';
import { stateKeys } from '../../../src/adapters/redis/keys.js';
import { PauseFlags } from '../../../src/adapters/redis/pause-flags.js';
import { runTick, type TickDeps } from '../../../src/daemon/tick.js';
import { evidenceRecorder, type EvidenceRecorder } from '../../../src/daemon/evidence.js';
import { DEFAULT_EVIDENCE_BOUNDS, type EvidenceBounds } from '../../../src/verdict/evidence.js';
import { createMetrics, type Metrics } from '../../../src/telemetry/metrics.js';
import { useRedis } from '../../contract/redis-fixture.js';
import { tableProvider } from '../../fakes/table-provider.js';
import { waitFor } from '../../harness/index.js';
import { scaledMs } from '../../../simulator/local/wait-for.js';

const NS = 'web-ns';
const SEC = 1000;
const shared = useRedis();
let api: FakeKubeApi;
let kube: KubeContext;

function spec(name: string): CheckSpec {
  const fail = parseCondition('> 0');
  if ('error' in fail) throw new Error(fail.error);
  return { name, query: `q_${name}`, fail, forMs: 0, keepFiringForMs: 0, noData: 'unknown', errorLimit: 3, severity: 'critical', labels: {} };
}

beforeAll(async () => {
  api = await startFakeKubeApi({ rolloutStepMs: 10 });
  kube = createKubeClients(api.kubeconfigPath, { retry: { attempts: 1, requestTimeoutMs: 30_000, totalMs: 30_000 } });
  const deployment = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'httpbin', namespace: NS },
    spec: { replicas: 2, selector: { matchLabels: { app: 'httpbin' } }, template: { metadata: { labels: { app: 'httpbin' } }, spec: { containers: [{ name: 'httpbin', image: 'kennethreitz/httpbin' }] } } },
  };
  await applyManifests(kube, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }, deployment as KubernetesObject]);
  await waitFor(async () => (await kube.core.listNamespacedPod({ namespace: NS })).items.filter((p) => p.status?.phase === 'Running').length === 2, {
    timeoutMs: 30_000, intervalMs: 50, what: 'two running httpbin pods',
  });
  // 30 events, one a second apart, with messages far longer than the bound.
  const base = Date.UTC(2026, 11, 1, 12, 0, 0);
  for (let i = 0; i < 30; i++) {
    await kube.core.createNamespacedEvent({
      namespace: NS,
      body: {
        metadata: { name: `httpbin.${i}`, namespace: NS },
        involvedObject: { kind: 'Pod', name: `httpbin-${i}`, namespace: NS },
        reason: i % 2 ? 'Killing' : 'Unhealthy',
        type: i % 2 ? 'Normal' : 'Warning',
        message: `event ${i}: ${'readiness probe failed: connection refused '.repeat(20)}`,
        lastTimestamp: new Date(base + i * SEC),
        count: 1,
      },
    });
  }
}, scaledMs(120_000));

afterAll(async () => {
  await api?.stop();
});

interface World {
  values: Record<string, number>;
  tick(): Promise<void>;
  ledger: RunLedger;
  recorder: EvidenceRecorder;
  metrics: Metrics;
  evidence(): Promise<Array<LedgerEntry & { kind: 'evidence' }>>;
}

function world(prefix: string, ctx: KubeContext, over: Partial<EvidenceBounds> = {}): World {
  const keys = stateKeys(prefix);
  const redis = shared.client();
  const bounds: EvidenceBounds = { ...DEFAULT_EVIDENCE_BOUNDS, maxEvents: 5, maxPods: 10, maxTextBytes: 64, minIntervalMs: 60_000, ...over };
  const values: Record<string, number> = { q_5xx: 0 };
  const provider = {
    query: (expr: string) => tableProvider({ [expr]: [{ labels: {}, value: values[expr] ?? 0 }] }).provider.query(expr),
    close: () => Promise.resolve(),
  };
  const metrics = createMetrics(new Registry(), 'test');
  const logger = pino({ level: 'silent' });
  const ledger = new RunLedger(redis, keys);
  const groups = new Map<string, CheckGroup>([['web', { suite: 'web', checks: [spec('5xx')] }]]);
  const recorder = evidenceRecorder({ capture: (ns, b, signal) => captureEvidence(ctx, ns, b, signal), ledger, namespacesOf: (s) => (s === 'web' ? [NS] : []), bounds, logger, metrics });
  const deps: TickDeps = {
    groups, store: new CheckStore(redis, keys), history: new History(redis, keys), pause: new PauseFlags(redis, keys), provider, evaluate: evaluateGroup, metrics, logger,
    prometheusUrl: 'http://127.0.0.1:9', worker: 'w',
    impact: { ledger, metrics, logger, groups, meshSuite: 'mesh', recoveryBoundMs: 300 * SEC, settleMs: 20 * SEC },
    evidence: recorder,
  };
  let seq = 0;
  return {
    values, ledger, recorder, metrics,
    tick: async () => {
      await runTick(deps, { id: `t${++seq}`, suite: 'web', scheduledAt: Date.now() });
    },
    evidence: async () => (await ledger.range('web', 0, Date.now() + 3600 * SEC, 1000)).filter((e): e is LedgerEntry & { kind: 'evidence' } => e.kind === 'evidence'),
  };
}

/** A tick with the check ok, then one with it failing. */
async function startFailing(w: World, value: number): Promise<void> {
  await w.tick();
  w.values.q_5xx = value;
  await w.tick();
}

async function limited(m: Metrics): Promise<number> {
  return (await m.evidenceCaptures.get()).values.find((v) => v.labels.outcome === 'limited')?.value ?? 0;
}

describe('evidence when a check starts failing', () => {
  it('captures the namespace\'s newest events and its pod statuses once, bounded, and not again while the check flaps', async () => {
    const w = world(`evidence-${process.pid}-1`, kube);
    await startFailing(w, 3);
    await w.recorder.idle();
    const [entry, ...more] = await w.evidence();
    expect(more).toEqual([]);
    expect(entry).toMatchObject({ kind: 'evidence', suite: 'web', check: '5xx' });
    const e = entry!.evidence;
    expect(e.namespaces).toEqual([NS]);
    // The five newest of 30 events, newest first, each text within 64 bytes.
    expect(e.events.map((x) => x.object)).toEqual(['Pod/httpbin-29', 'Pod/httpbin-28', 'Pod/httpbin-27', 'Pod/httpbin-26', 'Pod/httpbin-25']);
    expect(e.events[0]).toMatchObject({ at: '2026-12-01T12:00:29.000Z', type: 'Normal', reason: 'Killing' });
    for (const x of e.events) expect(Buffer.byteLength(x.message)).toBeLessThanOrEqual(64);
    expect(e.events[0]?.message.startsWith('event 29: readiness probe failed')).toBe(true);
    expect(e.pods).toHaveLength(2);
    for (const p of e.pods) expect(p).toMatchObject({ name: expect.stringMatching(/^httpbin-/), phase: 'Running', ready: 'ready', restarts: 0 });
    expect(e.note).toBe('25 older event(s) left out');
    // The entry as stored stays small.
    expect(JSON.stringify(entry).length).toBeLessThan(2500);

    // Flapping: ok, then failing again within the interval — no second capture, counted as limited.
    w.values.q_5xx = 0;
    await w.tick();
    w.values.q_5xx = 5;
    await w.tick();
    await w.recorder.idle();
    expect(await w.evidence()).toHaveLength(1);
    expect(await limited(w.metrics)).toBe(1);
  });

  it('an API that is down gives an entry that says why', async () => {
    const down = await startFakeKubeApi({ rolloutStepMs: 1000 });
    const ctx = createKubeClients(down.kubeconfigPath, { retry: { attempts: 1, requestTimeoutMs: 5000, totalMs: 5000 } });
    await down.stop();
    const w = world(`evidence-${process.pid}-2`, ctx);
    await startFailing(w, 1);
    await w.recorder.idle();
    const [entry, ...more] = await w.evidence();
    expect(more).toEqual([]);
    expect(entry?.evidence).toMatchObject({ events: [], pods: [], namespaces: [NS] });
    expect(entry?.evidence.note).toMatch(/^not captured: .*(ECONNREFUSED|unreachable|connect)/i);
  });

  it('an API that hangs: the tick goes on, and the entry says the capture timed out', async () => {
    api.faults.inject({ method: 'GET', pathPrefix: `/api/v1/namespaces/${NS}/`, delayMs: 60_000, times: 2 });
    const w = world(`evidence-${process.pid}-3`, kube, { timeoutMs: 15_000 });
    await startFailing(w, 1);
    // The tick has returned while the capture still waits for the API.
    expect(await w.evidence()).toEqual([]);
    await w.recorder.idle();
    const [entry] = await w.evidence();
    expect(entry?.evidence).toEqual({ events: [], pods: [], note: 'not captured: no answer from the Kubernetes API within 15s', namespaces: [NS] });
    api.faults.clear();
  }, scaledMs(120_000));
});
