import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

// Thirty days of hourly checks on Temporal's time-skipping test server and on the in-process
// engine's virtual clock; a short run against one Temporal dev server.
export default mergeConfig(shared, defineConfig({ test: { include: ['test/**/*.test.ts'], globalSetup: ['../../tools/vitest-temporal-setup.ts'], hookTimeout: 120_000 } }));
