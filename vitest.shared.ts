import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources through the `mcp-agent-source` export condition,
// so tests need no build step. Vitest hands these conditions to Node for external packages too, so
// `import` must not be among them: Node would then load a dual package's ESM build from `require`
// (the `long` package, which protobufjs in the Temporal SDK needs as a class).
export default defineConfig({
  resolve: { conditions: ['mcp-agent-source', 'node', 'default'] },
  ssr: { resolve: { conditions: ['mcp-agent-source', 'node', 'default'] } },
  // Integration tests start real servers and processes; on a loaded 2-core machine that takes seconds.
  // MCP_AGENT_SOURCE_CONDITION: the framework's own loaders (engines, providers, the workflow
  // bundler) resolve the sources too, in the tests and in the processes they start.
  test: { include: ['src/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 30_000, env: { MCP_AGENT_SOURCE_CONDITION: '1' } },
});
