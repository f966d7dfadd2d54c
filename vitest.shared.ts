import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources through the `mcp-agent-source` export condition,
// so tests need no build step.
export default defineConfig({
  resolve: { conditions: ['mcp-agent-source', 'import', 'module', 'node', 'default'] },
  ssr: { resolve: { conditions: ['mcp-agent-source', 'import', 'module', 'node', 'default'] } },
  test: { include: ['src/**/*.test.ts'] },
});
