import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

// The tests on Temporal get one dev server for every test file of this package.
export default mergeConfig(
  shared,
  defineConfig({
    test: { include: ['src/**/*.test.ts', 'test/**/*.test.ts'], globalSetup: ['../../tools/vitest-temporal-setup.ts'], testTimeout: 60_000, hookTimeout: 120_000 },
  }),
);
