import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

// Besides the unit and integration tests in src/, the official MCP client conformance suite in conformance/.
export default mergeConfig(shared, defineConfig({ test: { include: ['conformance/**/*.test.ts'] } }));
