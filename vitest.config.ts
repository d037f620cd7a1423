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
    // Handler tests run the real Powertools logger at INFO through the global console (POWERTOOLS_DEV),
    // so the log test can capture it; the pipeline's own log lines are kept out of the test output.
    env: { POWERTOOLS_LOG_LEVEL: 'INFO', POWERTOOLS_METRICS_DISABLED: 'true', POWERTOOLS_DEV: 'true' },
    onConsoleLog: (log) => !/"service":\s*"impact"/.test(log),
  },
});
