import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

// The app's tests deploy its workflow's two versions on one Temporal dev server, replay recorded
// histories, and run the current version in-process.
export default mergeConfig(shared, defineConfig({ test: { include: ['test/**/*.test.ts'], globalSetup: ['../../tools/vitest-temporal-setup.ts'], hookTimeout: 120_000 } }));
