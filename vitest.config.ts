import { defineConfig } from 'vitest/config';

// One run covers unit, integration (DynamoDB Local), stack, e2e and browser tests.
// Integration/e2e tests share one DynamoDB Local started by the global setup.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/setup/global.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
    // Handler tests run the real Powertools logger; the log test raises the level itself.
    env: { POWERTOOLS_LOG_LEVEL: 'WARN', POWERTOOLS_METRICS_DISABLED: 'true' },
  },
});
