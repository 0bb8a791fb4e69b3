// Answers a tick's queries from the results Prometheus' own rule evaluation recorded
// (`prometheus.recordingRules`; recording-rules.ts says what is recorded). The queries
// started in one turn of the event loop are read back with one selector per batch of
// expression hashes, so a tick costs a lookup instead of evaluating every expression again.
//
// Correctness does not depend on the rules being loaded or current: an expression whose
// marker is missing (no rule, a rule that failed, a check edited since the rules were
// applied) or older than maxAgeMs (Prometheus stopped evaluating its group) is asked
// directly, exactly as without recording rules, and counted through onDirect. Queries with
// their own time or signal, and scalar expressions, are always asked directly. Only an
// unreachable or timed-out Prometheus fails the batch's queries at once, as the direct
// provider would.

import type { Sample } from '../../checks/types.js';
import type { InstantQueryOptions, MetricsProvider } from './types.js';
import { errorKind } from './batching-provider.js';
import { EXPR_LABEL, MARKER_LABEL, NAME_LABEL, RECORDED_METRIC, exprHash, recordable } from './recording-rules.js';

/** Why an expression was asked directly although recording rules are on. */
export type DirectReason = 'missing' | 'stale' | 'failed';

export interface RecordedProviderOptions {
  /** A recorded result whose marker is older than this is not used. */
  maxAgeMs: number;
  /** The clock (epoch ms) the marker's age is measured with; default Date.now. */
  now?: () => number;
  /** Expression hashes per selector request; default 200. */
  maxBatch?: number;
  /** Once per expression asked directly, with the reason. */
  onDirect?: (reason: DirectReason) => void;
}

interface Pending {
  expr: string;
  resolve(samples: Sample[]): void;
  reject(err: unknown): void;
}

/** What one selector answer holds for one expression: its marker's time (s) and its series. */
interface Recorded {
  evaluatedAtS?: number;
  samples: Sample[];
}

/** The selector of these expression hashes' recorded series (and markers); `markersOnly`: the markers alone. */
export function recordedSelector(hashes: readonly string[], markersOnly = false): string {
  const marker = markersOnly ? `, ${MARKER_LABEL}="1"` : '';
  return `${RECORDED_METRIC}{${EXPR_LABEL}${hashes.length === 1 ? '=' : '=~'}"${hashes.join('|')}"${marker}}`;
}

/** The recorded series of a selector answer by expression hash, labels as a direct query gives them. */
export function splitRecorded(samples: readonly Sample[]): Map<string, Recorded> {
  const out = new Map<string, Recorded>();
  for (const s of samples) {
    const hash = s.labels[EXPR_LABEL];
    if (hash === undefined) continue;
    let entry = out.get(hash);
    if (!entry) out.set(hash, (entry = { samples: [] }));
    const labels = ownLabels(s.labels);
    if (s.labels[MARKER_LABEL] === '1' && labels === undefined) entry.evaluatedAtS = s.value;
    else entry.samples.push({ labels: labels ?? {}, value: s.value });
  }
  return out;
}

/** The labels a direct query gives (the recorded name back as __name__); undefined when there are none. */
function ownLabels(recorded: Record<string, string>): Record<string, string> | undefined {
  let labels: Record<string, string> | undefined;
  for (const key in recorded) {
    if (key === EXPR_LABEL || key === MARKER_LABEL || key === '__name__') continue;
    labels ??= {};
    labels[key === NAME_LABEL ? '__name__' : key] = recorded[key] as string;
  }
  return labels;
}

export class RecordedProvider implements MetricsProvider {
  private pending: Pending[] = [];
  private scheduled = false;
  private readonly maxBatch: number;
  private readonly now: () => number;

  /**
   * `client`: sends the selector (unbatched); `direct`: answers what is not recorded (the
   * batching provider over the same client). close() closes `direct`.
   */
  constructor(
    private readonly client: MetricsProvider,
    private readonly direct: MetricsProvider,
    private readonly options: RecordedProviderOptions,
  ) {
    this.maxBatch = Math.max(1, options.maxBatch ?? 200);
    this.now = options.now ?? Date.now;
  }

  query(expr: string, options?: InstantQueryOptions): Promise<Sample[]> {
    if (options?.time !== undefined || options?.signal !== undefined || !recordable(expr)) return this.direct.query(expr, options);
    return new Promise<Sample[]>((resolve, reject) => {
      this.pending.push({ expr, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const byHash = new Map<string, Pending[]>();
    for (const p of this.pending) {
      const hash = exprHash(p.expr);
      const waiting = byHash.get(hash);
      if (waiting) waiting.push(p);
      else byHash.set(hash, [p]);
    }
    this.pending = [];
    const hashes = [...byHash.keys()];
    for (let i = 0; i < hashes.length; i += this.maxBatch) void this.read(hashes.slice(i, i + this.maxBatch), byHash);
  }

  private async read(hashes: string[], byHash: Map<string, Pending[]>): Promise<void> {
    const selector = recordedSelector(hashes);
    let recorded: Map<string, Recorded>;
    try {
      recorded = splitRecorded(await this.client.query(selector));
    } catch (err) {
      const kind = errorKind(err);
      if (kind === 'unreachable' || kind === 'timeout') {
        for (const h of hashes) for (const p of byHash.get(h) ?? []) p.reject(err);
      } else if (kind === 'too_large' && hashes.length > 1) {
        const half = Math.ceil(hashes.length / 2);
        void this.read(hashes.slice(0, half), byHash);
        void this.read(hashes.slice(half), byHash);
      } else {
        for (const h of hashes) this.askDirectly(byHash.get(h) ?? [], 'failed');
      }
      return;
    }
    const nowS = this.now() / 1000;
    for (const h of hashes) {
      const waiting = byHash.get(h) ?? [];
      const r = recorded.get(h);
      if (r?.evaluatedAtS === undefined) this.askDirectly(waiting, 'missing');
      else if (nowS - r.evaluatedAtS > this.options.maxAgeMs / 1000) this.askDirectly(waiting, 'stale');
      else for (const p of waiting) p.resolve(r.samples.slice());
    }
  }

  /** One direct query for everyone waiting on the same expression. */
  private askDirectly(waiting: Pending[], reason: DirectReason): void {
    const first = waiting[0];
    if (!first) return;
    this.options.onDirect?.(reason);
    const answer = this.direct.query(first.expr);
    for (const p of waiting) answer.then((s) => p.resolve(s.slice()), p.reject);
  }

  /** A provider that batches only its own queries (one tick's); closing it closes nothing. */
  scoped(): MetricsProvider {
    const direct = (this.direct as { scoped?: () => MetricsProvider }).scoped?.() ?? { query: (e: string, o?: InstantQueryOptions) => this.direct.query(e, o), close: () => Promise.resolve() };
    return new RecordedProvider(this.client, direct, this.options);
  }

  close(): Promise<void> {
    return this.direct.close();
  }
}
