/**
 * OAuth 2.1 for HTTP servers (`mcp.servers.<name>.auth`): the provider the SDK's transports use,
 * token stores, and the flows. Internal entry of this folder.
 */
import type { Logger } from '@mcp-agent/core';
import type { McpServerConfig, OAuthSettings } from '@mcp-agent/core/config';
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';

/** OAuth options of the connection manager. */
export interface McpOAuthOptions {
  /** The `oauth` section of the settings. */
  settings?: OAuthSettings | undefined;
}

/** The OAuth provider for a server's transport, or undefined when its config has no OAuth. */
export function authProviderFor(_server: string, _config: McpServerConfig, _options: McpOAuthOptions | undefined, _logger: Logger): OAuthClientProvider | undefined {
  return undefined;
}
