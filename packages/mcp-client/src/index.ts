// The public API of @mcp-agent/mcp-client. Re-exports by name only.
export { ServerRegistry, importClaudeDesktopConfig } from './server-registry.js';
export type { McpServerConfigInput, McpServersInput } from './server-registry.js';
export { McpConnectionManager, createMcpConnectionManager } from './connection-manager.js';
export type { McpCallOptions, McpConnectionManagerOptions } from './connection-manager.js';
export { McpAggregator, createMcpAggregator } from './aggregator.js';
export type { AggregatedPrompt, AggregatedResource, AggregatedTool, McpAggregatorOptions } from './aggregator.js';
