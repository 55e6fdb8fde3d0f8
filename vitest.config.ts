import { defineConfig } from 'vitest/config';

// Medium tests talk to real databases; HC_TEST_SERVICES=1 points them at PostgreSQL, Redis and NATS.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    reporters: ['default'],
  },
});
