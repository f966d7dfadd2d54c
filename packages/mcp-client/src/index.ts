// The public API of @mcp-agent/mcp-client. Re-exports by name only.
export { ServerRegistry, importClaudeDesktopConfig } from './server-registry.js';
export type { McpServerConfigInput, McpServersInput } from './server-registry.js';
export { McpConnectionManager, createMcpConnectionManager, expandUriTemplate } from './connection-manager.js';
export type { McpCallOptions, McpConnectionManagerOptions, McpListChange, McpResourceSubscription, McpResourceUpdate } from './connection-manager.js';
export type { McpListName } from './server-connection.js';
export type { McpSessionInfo, McpSessionScope } from './session-scopes.js';
export { createSamplingHandler, USER_REJECTED_SAMPLING_CODE } from './sampling.js';
export type { SamplingHandlerOptions, SamplingUsage } from './sampling.js';
export { createConsoleElicitationHandler } from './elicitation.js';
export type { ConsoleElicitationOptions } from './elicitation.js';
export type { ClientRequestContext, ElicitationHandler, McpRootInput, SamplingHandler } from './client-requests.js';
export {
  createFileTokenStore,
  createMemoryTokenStore,
  defaultTokenStorePath,
  headlessAuthorizationOpener,
  loginToServer,
  logoutFromServer,
  oauthStatus,
  oauthStoreKey,
  tokenStoreFromSettings,
} from './auth/index.js';
export type { LoginOptions, McpOAuthOptions, OAuthStatus, OAuthStoreEntry, OAuthTokenStore, OpenAuthorizationUrl } from './auth/index.js';
