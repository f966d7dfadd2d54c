/**
 * OAuth 2.1 for HTTP servers (`mcp.servers.<name>.auth`): the provider the SDK's transports use,
 * token stores, the openers of authorization URLs, and the login, status and logout the
 * `mcp-agent auth` commands run. Internal entry of this folder.
 */
import type { Logger } from '@mcp-agent/core';
import { McpClientError } from '@mcp-agent/core';
import { OAuthSettingsSchema } from '@mcp-agent/core/config';
import type { McpOAuthClientConfig, McpServerConfig, OAuthSettings } from '@mcp-agent/core/config';
import { auth } from '@modelcontextprotocol/sdk/client/auth.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';

import { authFailureError } from '../error-classification.js';
import { McpOAuthProvider } from './provider.js';
import type { OpenAuthorizationUrl } from './provider.js';
import { oauthStoreKey, tokenStoreFromSettings } from './token-store.js';
import type { OAuthStoreEntry, OAuthTokenStore } from './token-store.js';

export { McpOAuthProvider, loginRequiredError } from './provider.js';
export type { OpenAuthorizationUrl } from './provider.js';
export { createFileTokenStore, createMemoryTokenStore, defaultTokenStorePath, oauthStoreKey, tokenStoreFromSettings } from './token-store.js';
export type { OAuthStoreEntry, OAuthTokenStore } from './token-store.js';

/**
 * OAuth options of the connection manager (`createMcpConnectionManager({ oauth })`).
 *
 * @example
 * ```ts
 * const oauth: McpOAuthOptions = { settings: settings.oauth, tokenStore: createMemoryTokenStore(), openAuthorizationUrl: headlessAuthorizationOpener() };
 * ```
 */
export interface McpOAuthOptions {
  /** The `oauth` section of the settings: token store, loopback ports, flow timeout. */
  settings?: OAuthSettings | undefined;
  /** Where tokens and registered clients are kept. Default: the store `settings.token_store` names (a 0600 file). */
  tokenStore?: OAuthTokenStore | undefined;
  /**
   * How an authorization URL (authorization code grant) reaches the user. Resolve with the
   * redirect URL the authorization server sent back (with `code` and `state`) when the opener got
   * it itself ({@link headlessAuthorizationOpener}); resolve with nothing to have the flow wait for
   * the browser at the loopback callback (`oauth.loopback_ports`, `oauth.flow_timeout_seconds`).
   *
   * Default (absent): no interactive flow. The URL is logged at warn level and the connect fails
   * with a non-retryable `MCP_AUTH_FAILED` saying to run `mcp-agent auth login <server>`; a worker
   * never waits for a browser.
   */
  openAuthorizationUrl?: OpenAuthorizationUrl | undefined;
  /**
   * The user's IdP ID token, for servers with `grant_type: identity_assertion` and no `id_token`
   * in their config (enterprise-managed authorization, SEP-990): called at every token request.
   */
  identityToken?: ((server: string) => Promise<string>) | undefined;
}

/** The `auth.oauth` block of a server when it is in effect (present and not `enabled: false`). */
export function oauthConfigOf(config: McpServerConfig): McpOAuthClientConfig | undefined {
  const oauth = config.auth?.oauth;
  return oauth === undefined || oauth.enabled === false ? undefined : oauth;
}

/** The `oauth` settings with their defaults. */
export function oauthSettingsOf(options: McpOAuthOptions | undefined): OAuthSettings {
  return options?.settings ?? OAuthSettingsSchema.parse({});
}

/** One token store per settings object, so that every server of a manager shares it. */
const defaultStores = new WeakMap<object, OAuthTokenStore>();
const NO_SETTINGS = {};

function storeOf(options: McpOAuthOptions | undefined): OAuthTokenStore {
  if (options?.tokenStore !== undefined) return options.tokenStore;
  const key = options?.settings ?? NO_SETTINGS;
  let store = defaultStores.get(key);
  if (store === undefined) {
    store = tokenStoreFromSettings(options?.settings);
    defaultStores.set(key, store);
  }
  return store;
}

/**
 * The OAuth provider for a server's transport, or undefined when its config has no `auth.oauth`
 * (or `enabled: false`), or is not an HTTP server.
 *
 * @param fetch The fetch of the server's transport, used for the code exchange of an interactive flow.
 * @example
 * ```ts
 * const provider = authProviderFor('search', registry.get('search'), { settings: settings.oauth }, logger);
 * const transport = new StreamableHTTPClientTransport(new URL(url), { authProvider: provider });
 * ```
 */
export function authProviderFor(server: string, config: McpServerConfig, options: McpOAuthOptions | undefined, logger: Logger, fetch?: FetchLike): McpOAuthProvider | undefined {
  const oauth = oauthConfigOf(config);
  if (oauth === undefined || config.url === undefined || config.transport === 'stdio') return undefined;
  return new McpOAuthProvider({
    server,
    url: config.url,
    oauth,
    settings: oauthSettingsOf(options),
    store: storeOf(options),
    storeKey: oauthStoreKey(server, config.url),
    openAuthorizationUrl: options?.openAuthorizationUrl,
    identityToken: options?.identityToken,
    logger,
    fetch,
  });
}

/**
 * An opener for authorization servers that approve at once (tests, conformance suites, CI):
 * it fetches the authorization URL without following redirects and resolves with the `Location`
 * it answers, the redirect URI with `code` and `state`, which the flow then uses. Nothing needs to
 * listen on the redirect URI.
 *
 * @throws Error when the answer is not a redirect.
 * @example
 * ```ts
 * const manager = createMcpConnectionManager({ servers, oauth: { tokenStore: createMemoryTokenStore(), openAuthorizationUrl: headlessAuthorizationOpener() } });
 * ```
 */
export function headlessAuthorizationOpener(options: { fetch?: FetchLike } = {}): (url: URL) => Promise<URL> {
  const fetchFn = options.fetch ?? fetch;
  return async (url) => {
    const response = await fetchFn(url, { redirect: 'manual' });
    await response.body?.cancel();
    const location = response.headers.get('location');
    if (response.status < 300 || response.status > 399 || location === null) {
      throw new Error(
        `the authorization endpoint ${url.origin}${url.pathname} answered HTTP ${response.status} without a redirect; a headless opener needs a server that approves at once`,
      );
    }
    return new URL(location, url);
  };
}

/** What {@link loginToServer} needs besides the server. */
export interface LoginOptions extends McpOAuthOptions {
  logger: Logger;
}

/** What a login or a status shows of a server's stored authorization (never the tokens). */
export interface OAuthStatus {
  server: string;
  url: string;
  /** Whether tokens are stored. */
  authorized: boolean;
  /** When the access token expires, epoch seconds. */
  expiresAt?: number | undefined;
  scopes?: string | undefined;
  /** Whether a refresh token is stored. */
  refreshable: boolean;
  /** The client id in use (registered dynamically or configured). */
  clientId?: string | undefined;
  /** Scopes a server asked for that the next login requests. */
  requiredScope?: string | undefined;
  updatedAt?: string | undefined;
}

/** The status of a store entry, without secrets. */
export function statusOf(server: string, url: string, entry: OAuthStoreEntry | undefined, config?: McpServerConfig): OAuthStatus {
  const clientId = config === undefined ? entry?.clientInformation?.client_id : (oauthConfigOf(config)?.client_id ?? entry?.clientInformation?.client_id);
  return {
    server,
    url,
    authorized: entry?.tokens !== undefined,
    expiresAt: entry?.expiresAt,
    scopes: entry?.tokens?.scope,
    refreshable: entry?.tokens?.refresh_token !== undefined,
    clientId,
    requiredScope: entry?.requiredScope,
    updatedAt: entry?.updatedAt,
  };
}

/** The HTTP server config with OAuth in effect, or a config error naming what is missing. */
function oauthServer(server: string, config: McpServerConfig): { url: string; oauth: McpOAuthClientConfig } {
  const oauth = oauthConfigOf(config);
  if (config.transport === 'stdio' || config.url === undefined) {
    throw new McpClientError('MCP_SERVER_CONFIG', server, `MCP server "${server}" is a stdio server; OAuth applies to streamable_http and sse servers only`, { retryable: false });
  }
  if (oauth === undefined) {
    throw new McpClientError(
      'MCP_SERVER_CONFIG',
      server,
      `MCP server "${server}" has no auth.oauth in its config (or it is enabled: false); add mcp.servers.${server}.auth.oauth to use OAuth`,
      {
        retryable: false,
      },
    );
  }
  return { url: config.url, oauth };
}

/**
 * Authorizes the client for one server now and stores its tokens: what `mcp-agent auth login`
 * runs. Discovery, registration (dynamic, a client ID metadata document, or the configured
 * client), then the authorization code grant with PKCE through `openAuthorizationUrl` and the
 * loopback callback, or the client credentials grant. Scopes a server asked for earlier
 * (`insufficient_scope`) are requested too. Existing tokens are not reused: the login is fresh.
 *
 * @throws McpClientError `MCP_SERVER_CONFIG` for a server without OAuth, `MCP_AUTH_FAILED` when the authorization fails.
 * @example
 * ```ts
 * const status = await loginToServer('search', registry.get('search'), { settings: settings.oauth, logger, openAuthorizationUrl: openInBrowser });
 * console.log(`authorized, scopes ${status.scopes}`);
 * ```
 */
export async function loginToServer(server: string, config: McpServerConfig, options: LoginOptions): Promise<OAuthStatus> {
  const { url } = oauthServer(server, config);
  const store = storeOf(options);
  const key = oauthStoreKey(server, url);
  const previous = await store.get(key);
  const provider = authProviderFor(server, config, { ...options, tokenStore: store }, options.logger);
  if (provider === undefined) throw new Error(`unreachable: no OAuth provider for "${server}"`);
  // A fresh login: old tokens would be refreshed instead of asking the user.
  await provider.invalidateCredentials('tokens');
  if (previous?.requiredScope !== undefined) provider.noteInsufficientScope(previous.requiredScope);
  let result: 'AUTHORIZED' | 'REDIRECT';
  const started = Date.now();
  try {
    result = await auth(provider, { serverUrl: url, ...(previous?.requiredScope === undefined ? {} : { scope: previous.requiredScope }) });
  } catch (error) {
    throw authFailureError(server, error, config);
  }
  if (result === 'REDIRECT' && !provider.completedFlowSince(started)) {
    throw new McpClientError('MCP_AUTH_FAILED', server, `the OAuth login of MCP server "${server}" did not complete`, { retryable: false });
  }
  return statusOf(server, url, await store.get(key), config);
}

/**
 * The stored authorization of every OAuth server of `servers` (or of the one named), without secrets.
 *
 * @example
 * ```ts
 * for (const status of await oauthStatus(settings.mcp.servers, { settings: settings.oauth })) console.log(status.server, status.authorized);
 * ```
 */
export async function oauthStatus(servers: Readonly<Record<string, McpServerConfig>>, options: McpOAuthOptions = {}): Promise<OAuthStatus[]> {
  const store = storeOf(options);
  const statuses: OAuthStatus[] = [];
  for (const [server, config] of Object.entries(servers)) {
    if (oauthConfigOf(config) === undefined || config.url === undefined) continue;
    statuses.push(statusOf(server, config.url, await store.get(oauthStoreKey(server, config.url)), config));
  }
  return statuses;
}

/**
 * Forgets a server's tokens and registered client (what `mcp-agent auth logout` runs). Entries
 * of the server under an older URL go too.
 *
 * @returns How many store entries were removed.
 * @example
 * ```ts
 * await logoutFromServer('search', registry.get('search'), { settings: settings.oauth });
 * ```
 */
export async function logoutFromServer(server: string, config: McpServerConfig, options: McpOAuthOptions = {}): Promise<number> {
  oauthServer(server, config);
  const store = storeOf(options);
  const prefix = oauthStoreKey(server, '');
  const keys = (await store.keys()).filter((key) => key.startsWith(prefix));
  for (const key of keys) await store.delete(key);
  return keys.length;
}
