import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

// Unit tests run the patterns on the in-process engine; the conformance suite in test/ runs them on
// both engines, against one Temporal dev server for the package.
export default mergeConfig(
  shared,
  defineConfig({
    test: { include: ['src/**/*.test.ts', 'test/**/*.test.ts'], globalSetup: ['../../tools/vitest-temporal-setup.ts'], testTimeout: 60_000, hookTimeout: 120_000 },
  }),
);
