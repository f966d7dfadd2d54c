// @mcp-agent/testing: test servers for mcp-agent's own tests.
export { createMcpTestServer, MCP_TEST_SERVER_TOOL_NAMES } from './mcp-test-server.js';
export type { McpTestServerOptions, McpTestServerToolCalls, McpTestServerToolName } from './mcp-test-server.js';
export { mcpTestServerStdioCommand } from './mcp-test-server-command.js';
export type { McpTestServerCommand } from './mcp-test-server-command.js';
export { startMcpTestHttpServer } from './mcp-test-server-http.js';
export type { McpTestHttpServer, McpTestHttpServerOptions, McpTestHttpTransport } from './mcp-test-server-http.js';
