// The `choose` step (a seeded random pick among values, e.g. which control-plane components a
// chaos disruption hits) and `{{choice.NAME}}` in the steps after it. The seed is the step's
// own, or derived from the suite and job id, so the same job always picks the same; the pick
// is recorded in the restore journal (HSETNX: an earlier attempt's pick stands) and logged
// with its seed before any later step acts on it. A step naming a pick of several values
// runs once per value, in the pick's order.

import type { Step } from '../../config/model.js';
import type { StepContext } from './execute-step.js';

const CHOICE = /\{\{\s*choice\.([A-Za-z0-9_]+)\s*\}\}/g;

/** FNV-1a (32 bit) of suite and job id: the seed of a choose step without its own. */
export function seedFor(suite: string, jobId: string): number {
  let h = 0x811c9dc5;
  for (const ch of `${suite}\u0000${jobId}`) {
    h ^= ch.codePointAt(0) ?? 0;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** mulberry32: a small, fast PRNG whose whole state is the 32-bit seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `min..max` distinct values of `from`: how many, then which (a partial Fisher–Yates shuffle). Pure. */
export function pick(from: readonly string[], min: number, max: number, seed: number): string[] {
  const next = seededRandom(seed);
  const count = Math.min(from.length, min + Math.floor(next() * (max - min + 1)));
  const pool = [...from];
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(next() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j] as string, pool[i] as string];
  }
  return pool.slice(0, count);
}

export async function runChoose(step: Extract<Step, { choose: unknown }>['choose'], ctx: StepContext): Promise<void> {
  const seed = step.seed ?? seedFor(ctx.suite.name, ctx.job.id);
  const standing = await ctx.journal.record({
    kind: 'choice',
    key: `${ctx.job.id}/${step.name}`,
    name: step.name,
    seed,
    values: pick(step.from, step.countMin, step.countMax, seed),
    suite: ctx.suite.name,
    jobId: ctx.job.id,
    at: ctx.now(),
  });
  ctx.choices?.set(step.name, standing.values);
  ctx.logger?.info({ suite: ctx.suite.name, jobId: ctx.job.id, choice: step.name, seed: standing.seed, values: standing.values }, 'disruption choice');
}

/** Replaces `{{choice.NAME}}` in every string of the step; one step per combination of picked values. */
export function expandChoices(step: Step, choices: ReadonlyMap<string, string[]> | undefined): Step[] {
  const names = [...new Set([...JSON.stringify(step).matchAll(CHOICE)].map((m) => m[1] ?? ''))];
  if (names.length === 0) return [step];
  let combos: Array<Record<string, string>> = [{}];
  for (const name of names) {
    const values = choices?.get(name);
    if (!values) throw new Error(`{{choice.${name}}} has not been chosen in this disruption`);
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [name]: v })));
  }
  return combos.map((c) => substitute(step, c) as Step);
}

function substitute(value: unknown, values: Record<string, string>): unknown {
  if (typeof value === 'string') return value.replace(CHOICE, (_m, name: string) => values[name] ?? '');
  if (Array.isArray(value)) return value.map((v) => substitute(v, values));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, values)]));
  }
  return value;
}
