import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

// The replay and history commands talk to a Temporal dev server, shared by this package's test files.
export default mergeConfig(
  shared,
  defineConfig({ test: { include: ['test/**/*.test.ts'], globalSetup: ['../../tools/vitest-temporal-setup.ts'], testTimeout: 60_000, hookTimeout: 120_000 } }),
);
