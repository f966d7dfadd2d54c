import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

// Installs and runs the packed packages against one Temporal dev server.
export default mergeConfig(
  shared,
  defineConfig({ test: { include: ['test/**/*.test.ts'], globalSetup: ['../../tools/vitest-temporal-setup.ts'], testTimeout: 300_000, hookTimeout: 300_000 } }),
);
