// How many instances one check keeps. A query that returns thousands of series would make
// every tick rewrite a huge record in Redis and log a line per instance; past the cap the
// check keeps the instances that matter most and counts the rest. Kept first: series whose
// condition holds (what can fail is never hidden), then series the check already tracks
// (their `for` timers continue), then the rest in answer order. Pure.

import { conditionHolds } from './condition.js';
import { instanceKey } from './instance-key.js';
import type { CheckSpec } from './model.js';
import type { CheckRecord, Sample } from './types.js';

export const DEFAULT_MAX_INSTANCES = 1000;

export function capSamples(spec: CheckSpec, samples: Sample[], prev: CheckRecord | undefined, max: number): { kept: Sample[]; omitted: number } {
  if (samples.length <= max) return { kept: samples, omitted: 0 };
  const rank = (s: Sample): number => {
    if (!Number.isNaN(s.value) && conditionHolds(spec.fail, s.value)) return 0;
    return prev?.instances[instanceKey(s.labels)] !== undefined ? 1 : 2;
  };
  const ranked = samples.map((s, i) => ({ s, i, r: rank(s) })).sort((a, b) => a.r - b.r || a.i - b.i);
  return { kept: ranked.slice(0, max).map((x) => x.s), omitted: samples.length - max };
}
