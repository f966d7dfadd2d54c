import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources through the `mcp-agent-source` export condition,
// so tests need no build step.
export default defineConfig({
  resolve: { conditions: ['mcp-agent-source', 'import', 'module', 'node', 'default'] },
  ssr: { resolve: { conditions: ['mcp-agent-source', 'import', 'module', 'node', 'default'] } },
  // Integration tests start real servers and processes; on a loaded 2-core machine that takes seconds.
  test: { include: ['src/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 30_000 },
});
