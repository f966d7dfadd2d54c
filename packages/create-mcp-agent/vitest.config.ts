import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

// The scaffolder's tests write projects into temporary folders and run the CLI as a process.
export default mergeConfig(shared, defineConfig({ test: { include: ['src/**/*.test.ts'] } }));
