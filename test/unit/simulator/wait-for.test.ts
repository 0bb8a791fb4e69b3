// waitFor's deadline stretches with the machine's load; the factor can be set outright.
import { describe, expect, it } from 'vitest';
import { loadScale, scaledMs, waitFor } from '../../../simulator/local/wait-for.js';

describe('loadScale', () => {
  it('is the factor the environment sets, when it sets a positive number', () => {
    expect(loadScale({ MESH_SOAK_TEST_TIME_SCALE: '2.5' })).toBe(2.5);
  });

  it('otherwise stays between 1 (idle) and 4 (overloaded), whatever the load', () => {
    for (const env of [{}, { MESH_SOAK_TEST_TIME_SCALE: '0' }, { MESH_SOAK_TEST_TIME_SCALE: 'lots' }]) {
      const s = loadScale(env);
      expect(s).toBeGreaterThanOrEqual(1);
      expect(s).toBeLessThanOrEqual(4);
    }
  });
});

describe('scaledMs', () => {
  it.each([
    [{ MESH_SOAK_TEST_TIME_SCALE: '1' }, 60_000, 60_000],
    [{ MESH_SOAK_TEST_TIME_SCALE: '2.5' }, 40_000, 100_000],
    [{ MESH_SOAK_TEST_TIME_SCALE: '3' }, 333, 999],
  ])('stretches a bound by the load factor (%o, %i ms → %i ms)', (env, ms, want) => {
    expect(scaledMs(ms, env)).toBe(want);
  });
});

describe('waitFor', () => {
  it('names the stretched deadline and what it last saw when it gives up', async () => {
    const prev = process.env.MESH_SOAK_TEST_TIME_SCALE;
    process.env.MESH_SOAK_TEST_TIME_SCALE = '2';
    try {
      const err = await waitFor(() => false, { timeoutMs: 30, intervalMs: 10, what: 'never', seen: () => 'nothing' }).catch((e: unknown) => e);
      expect((err as Error).message).toMatch(/^timed out after 60 ms \(\d+ attempts\) waiting for never; last saw: nothing$/);
    } finally {
      if (prev === undefined) delete process.env.MESH_SOAK_TEST_TIME_SCALE;
      else process.env.MESH_SOAK_TEST_TIME_SCALE = prev;
    }
  });
});
