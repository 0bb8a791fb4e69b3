// Coalesces the queries of one tick into a few HTTP requests. evaluateGroup issues every
// check's query at once; this provider collects the queries started in the same turn of
// the event loop and sends them as one `or` of `label_replace`d expressions per batch,
// tagging each expression's series with its index. Prometheus then evaluates a batch in
// one engine pass, so a tick costs about what the same expressions cost as a rule group,
// instead of paying HTTP, parsing and JSON per check.
//
// Correctness first: an expression whose result is not an instant vector (a scalar), or a
// batch that fails as a whole (one expression's runtime error, a type error, an answer too
// large), is retried expression by expression, so each check still gets its own result or
// its own error. A batch that times out is retried split into single queries, so one slow
// expression costs only its own check. A series that comes back without a valid batch label (a backend
// or proxy that drops or rewrites labels) makes the whole batch untrustworthy — it is never
// read as "no data" for some check — and the batch falls back to single queries. Only an
// unreachable Prometheus fails the whole batch at once.

import type { Sample } from '../../checks/types.js';
import type { InstantQueryOptions, MetricsProvider } from './types.js';

/** The label that carries an expression's index through the combined query. */
export const BATCH_LABEL = 'mesh_soak_batch_index';

interface Pending {
  expr: string;
  options?: InstantQueryOptions;
  resolve(samples: Sample[]): void;
  reject(err: unknown): void;
}

/** Expressions that are scalars (or may be) cannot go through label_replace. */
export function batchable(expr: string): boolean {
  const e = expr.trim();
  return !/^(scalar|time|vector\s*\(\s*\)|pi)\s*\(/.test(e) && !/^[-+]?[\d.]/.test(e) && !e.includes(BATCH_LABEL);
}

/** The `kind` of a provider's rejection (PrometheusError and the like), if it has one. */
export function errorKind(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'kind' in err ? String((err as { kind: unknown }).kind) : undefined;
}

/** Each expression's samples, or undefined when any series lacks a valid batch index. */
function splitByIndex(samples: Sample[], size: number): Sample[][] | undefined {
  const results: Sample[][] = Array.from({ length: size }, () => []);
  for (const s of samples) {
    const { [BATCH_LABEL]: index, ...labels } = s.labels;
    const i = index === undefined || !/^\d+$/.test(index) ? -1 : Number(index);
    if (i < 0 || i >= size) return undefined;
    results[i]!.push({ labels, value: s.value });
  }
  return results;
}

export class BatchingProvider implements MetricsProvider {
  private pending: Pending[] = [];
  private scheduled = false;
  private readonly maxBatch: number;
  /** Requests sent to the inner provider; for benchmarks and tests. */
  requests = 0;
  /** Batches whose answer had a series without a valid batch label (fell back to single queries). */
  labelsLost = 0;

  constructor(
    private readonly inner: MetricsProvider,
    options: { maxBatch?: number } = {},
  ) {
    this.maxBatch = Math.max(1, options.maxBatch ?? 25);
  }

  query(expr: string, options?: InstantQueryOptions): Promise<Sample[]> {
    return new Promise<Sample[]>((resolve, reject) => {
      this.pending.push({ expr, ...(options ? { options } : {}), resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const all = this.pending;
    this.pending = [];
    // Queries with their own time or signal keep their own request.
    const batchableQueries = all.filter((p) => p.options?.time === undefined && !p.options?.signal && batchable(p.expr));
    for (const p of all.filter((q) => !batchableQueries.includes(q))) this.single(p);
    for (let i = 0; i < batchableQueries.length; i += this.maxBatch) {
      const batch = batchableQueries.slice(i, i + this.maxBatch);
      if (batch.length === 1) this.single(batch[0] as Pending);
      else void this.batch(batch);
    }
  }

  private single(p: Pending): void {
    this.requests++;
    this.inner.query(p.expr, p.options).then(p.resolve, p.reject);
  }

  private async batch(batch: Pending[]): Promise<void> {
    const combined = batch.map((p, i) => `label_replace((${p.expr}), "${BATCH_LABEL}", "${i}", "", "")`).join(' or ');
    this.requests++;
    let samples: Sample[];
    try {
      samples = await this.inner.query(combined);
    } catch (err) {
      const kind = errorKind(err);
      if (kind === 'unreachable') {
        for (const p of batch) p.reject(err);
      } else {
        // One expression spoiled the batch (an error, an answer too large, or too slow: a
        // timeout): split it down to single queries, so each answers for itself in at most
        // one more timeout and a slow expression costs only its own check.
        for (const p of batch) this.single(p);
      }
      return;
    }
    const results = splitByIndex(samples, batch.length);
    if (!results) {
      this.labelsLost++;
      for (const p of batch) this.single(p);
      return;
    }
    batch.forEach((p, i) => p.resolve(results[i] as Sample[]));
  }

  /**
   * A provider that batches only its own queries (one tick's), over the same connection:
   * a slow suite's batch never holds another suite's checks. Closing it closes nothing.
   */
  scoped(): MetricsProvider {
    const inner = this.inner;
    return new BatchingProvider({ query: (e, o) => inner.query(e, o), close: () => Promise.resolve() }, { maxBatch: this.maxBatch });
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
