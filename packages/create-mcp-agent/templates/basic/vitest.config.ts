import { defineConfig } from 'vitest/config';

// The tests start the MCP server and a local model server as real processes and sockets.
export default defineConfig({ test: { include: ['test/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 } });
