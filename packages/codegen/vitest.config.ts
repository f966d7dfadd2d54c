import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

// The end-to-end test runs a generated bundle on a Temporal dev server, shared by this package's test files.
export default mergeConfig(
  shared,
  defineConfig({ test: { include: ['src/**/*.test.ts', 'test/**/*.test.ts'], globalSetup: ['../../tools/vitest-temporal-setup.ts'], hookTimeout: 120_000 } }),
);
