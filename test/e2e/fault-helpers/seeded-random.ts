// A small seeded PRNG (mulberry32) so a randomised fault run can be replayed from its seed.

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

/** The seed from env var `name`, else a fresh one; always printed by the caller. */
export function seedFrom(name: string): number {
  const v = process.env[name];
  const n = v === undefined ? NaN : Number(v);
  return Number.isInteger(n) ? n : Math.floor(Math.random() * 2 ** 31);
}
