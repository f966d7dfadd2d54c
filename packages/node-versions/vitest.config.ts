import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

// The suites run on each Node line share one Temporal dev server, passed to them by address.
export default mergeConfig(
  shared,
  defineConfig({ test: { include: ['test/**/*.test.ts'], globalSetup: ['../../tools/vitest-temporal-setup.ts'], testTimeout: 300_000, hookTimeout: 300_000 } }),
);
