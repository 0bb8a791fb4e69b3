// A small seeded PRNG (mulberry32) so a randomised fault run can be replayed from its seed.

// The same generator the `choose` disruption step draws with.
export { seededRandom } from '../../../src/disruption/steps/choose.js';

/** The seed from env var `name`, else a fresh one; always printed by the caller. */
export function seedFrom(name: string): number {
  const v = process.env[name];
  const n = v === undefined ? NaN : Number(v);
  return Number.isInteger(n) ? n : Math.floor(Math.random() * 2 ** 31);
}
