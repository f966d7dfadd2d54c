// @mcp-agent/server: an app's workflows and tools as an MCP server. Registers this package's
// config section (`server`) with core.
import './config.js';
export { attachAppPrompts } from './app-prompts.js';
export { appTools } from './app-tools.js';
export type { AppToolsContext } from './app-tools.js';
export { createMcpServerForApp } from './app-server.js';
export { attachClientRequests, elicitingHumanInput, MCP_SAMPLING_PROVIDER, mcpSamplingProvider } from './client-requests.js';
export type { ClientRequestsOptions, ElicitingHumanInputOptions, McpSamplingProviderOptions, McpSamplingServerOptions } from './client-requests.js';
export type { AppMcpServer, McpServerForAppOptions, ServableApp } from './app-server.js';
export { serveApp } from './serve.js';
export type { RunningServer, ServeOptions, ServerTransport } from './serve.js';
export { ToolInputError } from './workflow-tools.js';
export type { ClientSession, RunStatus, ServedTool, StartedRun } from './workflow-tools.js';
export { authOptionsFromSettings, createAuthGuard, toMcpAuthInfo } from './auth.js';
export type { AuthGuard, AuthInfo, ServerAuthOptions, ServerAuthSettings } from './auth.js';
export type { ServerSettings } from './config.js';
