// Reading the daemon's /metrics (Prometheus text format) in tests: the sum of a metric's
// samples whose labels match, with `!` for "label differs from".

import { scaledMs } from '../../../simulator/local/wait-for.js';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** Sum over samples of `name` matching every label; a value starting with `!` excludes it. */
export function sumOf(samples: Sample[], name: string, match: Record<string, string> = {}): number {
  let sum = 0;
  for (const s of samples) {
    if (s.name !== name) continue;
    const ok = Object.entries(match).every(([k, v]) => (v.startsWith('!') ? s.labels[k] !== v.slice(1) : s.labels[k] === v));
    if (ok) sum += s.value;
  }
  return sum;
}

export async function scrape(base: string): Promise<Sample[]> {
  const res = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(scaledMs(3000)) });
  return parseMetrics(await res.text());
}
