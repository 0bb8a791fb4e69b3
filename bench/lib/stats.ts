// Numbers the benchmarks report: exact quantiles of samples, and quantiles estimated from a
// Prometheus histogram's cumulative buckets as histogram_quantile() does (linear within the
// bucket), so the daemon's own tick_lag_seconds can be compared with the exact log values.

/** Nearest-rank quantile (q in [0, 1]) of unsorted samples; NaN when empty. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? NaN;
}

export interface Bucket {
  le: number;
  count: number;
}

/** Sums the cumulative buckets of every series of `metric` in a text exposition. */
export function histogramBuckets(exposition: string, metric: string): Bucket[] {
  const byLe = new Map<number, number>();
  const line = new RegExp(`^${metric}_bucket\\{([^}]*)\\}\\s+(\\S+)`);
  for (const text of exposition.split('\n')) {
    const m = line.exec(text);
    if (!m) continue;
    const le = /(?:^|,)le="([^"]+)"/.exec(m[1] ?? '')?.[1];
    if (le === undefined) continue;
    const bound = le === '+Inf' ? Infinity : Number(le);
    byLe.set(bound, (byLe.get(bound) ?? 0) + Number(m[2]));
  }
  return [...byLe.entries()].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le);
}

/** histogram_quantile() over cumulative buckets; the highest finite bound when it falls in +Inf. */
export function histogramQuantile(buckets: readonly Bucket[], q: number): number {
  const total = buckets[buckets.length - 1]?.count ?? 0;
  if (total === 0) return NaN;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of buckets) {
    if (b.count >= rank) {
      if (b.le === Infinity) return prevLe;
      if (b.count === prevCount) return b.le;
      return prevLe + ((b.le - prevLe) * (rank - prevCount)) / (b.count - prevCount);
    }
    prevLe = b.le;
    prevCount = b.count;
  }
  return prevLe;
}

/** The total observation count of a histogram (its +Inf bucket). */
export function histogramCount(buckets: readonly Bucket[]): number {
  return buckets[buckets.length - 1]?.count ?? 0;
}
