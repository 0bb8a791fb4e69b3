import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // Integration tests start real servers; two cores, so keep the pool small.
    pool: 'forks',
    maxWorkers: 2,
  },
});
