import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each test file runs in its own process against its own cloned database and queue prefix.
    pool: 'forks',
    globalSetup: ['test/support/globalSetup.ts'],
    setupFiles: ['test/support/leakGuard.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: more parallel files only queue on Postgres and Redis.
    maxWorkers: 2,
  },
});
