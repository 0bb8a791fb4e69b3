// Evidence beside the tick: when a check of a suite starts failing, the events and pod
// statuses of the suite's namespaces are captured through the Kubernetes API (the capture
// port, filled by adapters/kube/evidence.ts) and written to the run ledger as an `evidence`
// entry for that check. The tick never waits for it: onChanges returns at once, the capture
// runs beside it, bounded by a timeout, at most one per suite at a time and a few in all, and
// at most one per check per EvidenceBounds.minIntervalMs (claimed in Redis, so replicas
// agree). Failures are data: an API that does not answer gives an entry saying why.
//
// May import: verdict/, config/ (types), adapters/redis/ (the ledger), telemetry/, shared/.

import type { Logger } from 'pino';
import type { StateChange } from '../verdict/impact.js';
import { evidenceFailure, evidenceNamespaces, type Evidence, type EvidenceBounds } from '../verdict/evidence.js';
import type { Suite } from '../config/model.js';
import type { RunLedger } from '../adapters/redis/ledger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { messageOf } from '../shared/errors.js';

/**
 * Reads the evidence of `namespaces` within `bounds`; rejects when nothing could be read.
 * `suite`: the suite instance id (`cluster/suite` with config clusters:), whose cluster's API is read.
 */
export type CaptureEvidence = (namespaces: string[], bounds: EvidenceBounds, signal: AbortSignal, suite: string) => Promise<Evidence>;

/** Captures running at once across suites (each suite has at most one). */
const MAX_IN_FLIGHT = 4;

export interface EvidenceDeps {
  capture: CaptureEvidence;
  ledger: Pick<RunLedger, 'append' | 'claimEvidence'>;
  /** The namespaces of a suite's evidence; none (mesh-wide checks): nothing is captured. */
  namespacesOf: (suite: string) => string[];
  bounds: EvidenceBounds;
  logger: Logger;
  metrics?: Pick<Metrics, 'evidenceCaptures'>;
}

export interface EvidenceRecorder {
  /** After a tick: starts a capture when some check started failing; returns at once. */
  onChanges(suite: string, changes: StateChange[]): void;
  /** Settles once every capture started so far has been written (or given up). */
  idle(): Promise<void>;
  /** No capture starts after this; waits for those in flight (they are bounded by the timeout). */
  close(): Promise<void>;
}

/** A suite's evidence namespaces: its own, then those its disruption steps name (templated ones left out). */
export function suiteEvidenceNamespaces(suite: Pick<Suite, 'namespace' | 'disruption'>, max: number): string[] {
  const fromSteps = (suite.disruption?.steps ?? []).map((step) => (Object.values(step)[0] as { namespace?: string } | undefined)?.namespace);
  return evidenceNamespaces(suite.namespace, fromSteps, max);
}

export function evidenceRecorder(deps: EvidenceDeps): EvidenceRecorder {
  const running = new Map<string, Promise<void>>();
  let closed = false;
  return {
    onChanges(suite, changes) {
      if (closed) return;
      const failing = changes.filter((c) => c.to === 'failing' && c.from !== 'failing');
      const first = failing[0];
      if (!first) return;
      const namespaces = deps.namespacesOf(suite);
      if (namespaces.length === 0) return;
      if (running.has(suite) || running.size >= MAX_IN_FLIGHT) {
        deps.metrics?.evidenceCaptures.inc({ outcome: 'limited' });
        deps.logger.debug({ suite, checks: failing.map((c) => c.check) }, 'evidence not captured: a capture is still running');
        return;
      }
      const task = record(deps, suite, namespaces, failing.map((c) => c.check), first.at).finally(() => running.delete(suite));
      running.set(suite, task);
    },
    idle: async () => {
      while (running.size > 0) await Promise.allSettled([...running.values()]);
    },
    async close() {
      closed = true;
      await Promise.allSettled([...running.values()]);
    },
  };
}

/** Claims, captures within the timeout, and writes one entry per claimed check; never rejects. */
async function record(deps: EvidenceDeps, suite: string, namespaces: string[], checks: string[], at: number): Promise<void> {
  try {
    const claimed = await deps.ledger.claimEvidence(suite, checks, deps.bounds.minIntervalMs);
    if (claimed.length < checks.length) deps.metrics?.evidenceCaptures.inc({ outcome: 'limited' }, checks.length - claimed.length);
    if (claimed.length === 0) return;
    const { evidence, outcome } = await captureBounded(deps, suite, namespaces);
    await deps.ledger.append(suite, claimed.map((check) => ({ kind: 'evidence' as const, suite, check, at, evidence })));
    deps.metrics?.evidenceCaptures.inc({ outcome }, claimed.length);
    deps.logger.info({ suite, checks: claimed, namespaces, events: evidence.events.length, pods: evidence.pods.length, outcome, note: evidence.note }, 'evidence captured');
  } catch (err) {
    deps.logger.warn({ suite, checks, err: messageOf(err) }, 'evidence not recorded');
  }
}

type Outcome = 'captured' | 'partial' | 'failed';

async function captureBounded(deps: EvidenceDeps, suite: string, namespaces: string[]): Promise<{ evidence: Evidence; outcome: Outcome }> {
  const { bounds } = deps;
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), bounds.timeoutMs);
  });
  try {
    const got = await Promise.race([deps.capture(namespaces, bounds, abort.signal, suite), timeout]);
    if (got === 'timeout') {
      abort.abort();
      return { evidence: evidenceFailure(namespaces, `no answer from the Kubernetes API within ${Math.round(bounds.timeoutMs / 1000)}s`, bounds), outcome: 'failed' };
    }
    return { evidence: got, outcome: got.note ? 'partial' : 'captured' };
  } catch (err) {
    return { evidence: evidenceFailure(namespaces, messageOf(err), bounds), outcome: 'failed' };
  } finally {
    clearTimeout(timer);
  }
}
