import { cpus, loadavg } from 'node:os';
import { defineConfig } from 'vitest/config';

// Per-test bounds stretch with the load at start (as waitFor's deadlines do, see
// simulator/local/wait-for.ts): up to 3× on a machine already busy with something else.
const fixed = Number(process.env.MESH_SOAK_TEST_TIME_SCALE);
const scale = Number.isFinite(fixed) && fixed > 0 ? fixed : Math.min(3, Math.max(1, (loadavg()[0] ?? 0) / Math.max(1, cpus().length)));

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: Math.round(180_000 * scale),
    hookTimeout: Math.round(180_000 * scale),
    // Integration tests start real servers; two cores, so keep the pool small.
    pool: 'forks',
    maxWorkers: 2,
  },
});
