// @mcp-agent/server: an app's workflows and tools as an MCP server.
export { createMcpServerForApp } from './app-server.js';
export type { AppMcpServer, McpServerForAppOptions, ServableApp } from './app-server.js';
export { serveApp } from './serve.js';
export type { RunningServer, ServeOptions, ServerTransport } from './serve.js';
export { ToolInputError } from './workflow-tools.js';
export type { ClientSession, RunStatus, ServedTool, StartedRun } from './workflow-tools.js';
export { authOptionsFromSettings, createAuthGuard, toMcpAuthInfo } from './auth.js';
export type { AuthGuard, AuthInfo, ServerAuthOptions, ServerAuthSettings } from './auth.js';
