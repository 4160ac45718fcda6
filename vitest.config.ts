import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Suites share one Redis and one PostgreSQL; each test file isolates itself by key prefix or schema.
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
});
