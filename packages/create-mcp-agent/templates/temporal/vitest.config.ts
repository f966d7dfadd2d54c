import { defineConfig } from 'vitest/config';

// The tests start the MCP server, a local model server and, on Temporal, a worker in the test process.
export default defineConfig({ test: { include: ['test/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 60_000 } });
