import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // cdk synth and DynamoDB servers are heavy; two cores on CI.
    pool: 'forks',
  },
});
