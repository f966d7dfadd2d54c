import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

// The analyst workflow runs on the in-process engine and, against one Temporal dev server, on Temporal.
export default mergeConfig(shared, defineConfig({ test: { include: ['test/**/*.test.ts'], globalSetup: ['../../tools/vitest-temporal-setup.ts'], hookTimeout: 120_000 } }));
