import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The CLI tests spawn the bundle (bin/cloudtap.js runs dist/); build it from the sources as they are now.
    globalSetup: ['scripts/build-cli.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // cdk synth and DynamoDB servers are heavy; two cores on CI.
    pool: 'forks',
    // The SDK warns once per process that Node 20 support ends. The spawned CLI handles that itself
    // (bin/cloudtap.js); this is for the tests that build SDK clients in their own process, on Node 20
    // on purpose (CI runs the suite on 20 and 24), where nine lines per test file are noise.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
