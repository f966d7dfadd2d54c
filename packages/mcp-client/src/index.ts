// The public API of @mcp-agent/mcp-client. Re-exports by name only.
export { ServerRegistry, importClaudeDesktopConfig } from './server-registry.js';
export type { McpServerConfigInput, McpServersInput } from './server-registry.js';
export { McpConnectionManager, createMcpConnectionManager } from './connection-manager.js';
export type { McpCallOptions, McpConnectionManagerOptions } from './connection-manager.js';
