import { defineConfig } from 'vitest/config';

// Every test file runs in its own process: chdb allows one data directory per
// process, and embedded PostgreSQL / Redis children must die with their file.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'strategies/**/*.test.ts', 'scenarios/**/*.test.ts', 'runner/**/*.test.ts', 'reports/**/*.test.ts', 'results/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: true,
    maxWorkers: 2,
  },
});
