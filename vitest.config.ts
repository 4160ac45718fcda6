import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Suites share one Redis and one PostgreSQL; each test file isolates itself by key prefix or schema.
    pool: 'forks',
    // A worker keeps the modules it loaded for the next file: loading the program's modules again
    // for each of a hundred files took about two minutes of CPU on a two-core machine. Files share
    // no state through modules (what src/ keeps in one is a cache keyed by what it caches), and
    // each closes what it opened.
    isolate: false,
    fileParallelism: true,
    maxWorkers: 2,
  },
});
