// @mcp-agent/testing: test servers for mcp-agent's own tests.
export { createMcpTestServer, MCP_TEST_SERVER_TOOL_NAMES } from './mcp-test-server.js';
export type { McpTestServerOptions, McpTestServerToolCalls, McpTestServerToolName } from './mcp-test-server.js';
export { mcpTestServerStdioCommand } from './mcp-test-server-command.js';
export type { McpTestServerCommand } from './mcp-test-server-command.js';
export { startMcpTestHttpServer } from './mcp-test-server-http.js';
export type { McpTestHttpServer, McpTestHttpServerOptions, McpTestHttpTransport } from './mcp-test-server-http.js';
export { startLocalLlmServer } from './llm/local-llm-server.js';
export type { LocalLlmServer, LocalLlmServerOptions } from './llm/local-llm-server.js';
export { DEFAULT_EMBEDDING_DIMENSIONS, localEmbedding } from './llm/local-embeddings.js';
export { replyWithText, replyWithToolCall } from './llm/llm-script.js';
export type {
  LlmProvider,
  LlmReply,
  LlmReplyError,
  LlmReplyToolCall,
  LlmReplyUsage,
  LlmRule,
  LlmScript,
  LlmStopReason,
  RecordedLlmRequest,
} from './llm/llm-script.js';
export { localLlmServerCommand } from './llm/local-llm-server-command.js';
export type { LocalLlmServerCommand } from './llm/local-llm-server-command.js';
export {
  startLocalAuthorizationServer,
  startProtectedResourceProxy,
  type LocalAuthorizationServer,
  type LocalAuthorizationServerOptions,
  type LocalAuthorizationServerRequest,
  type LocalClientAuthMethod,
  type LocalOAuthClient,
  type LocalTokenClaims,
  type LocalTokenRequest,
  type ProtectedResourceProxy,
  type ProtectedResourceProxyOptions,
} from './oauth-authorization-server.js';
