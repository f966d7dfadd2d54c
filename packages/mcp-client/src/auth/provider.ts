/**
 * The SDK `OAuthClientProvider` of one configured server: which client it is (pre-registered,
 * registered dynamically, or a client ID metadata document), how it authenticates at the token
 * endpoint, which grant it runs, where its tokens are kept, and how an authorization URL reaches
 * the user. The SDK's `auth()` runs discovery, registration, the grants and refresh with it.
 * Internal to this package.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { McpClientError, messageOf } from '@mcp-agent/core';
import type { Logger } from '@mcp-agent/core';
import type { McpOAuthClientConfig, OAuthSettings } from '@mcp-agent/core/config';
import { auth, parseErrorResponse } from '@modelcontextprotocol/sdk/client/auth.js';
import type { AddClientAuthentication, OAuthClientProvider, OAuthDiscoveryState } from '@modelcontextprotocol/sdk/client/auth.js';
import { createPrivateKeyJwtAuth } from '@modelcontextprotocol/sdk/client/auth-extensions.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { checkResourceAllowed } from '@modelcontextprotocol/sdk/shared/auth-utils.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';

import { startLoopbackCallback } from './loopback.js';
import type { LoopbackCallback } from './loopback.js';
import type { OAuthStoreEntry, OAuthTokenStore } from './token-store.js';

/** The default `client_name` in dynamic registration. */
export const DEFAULT_CLIENT_NAME = 'mcp-agent';

/**
 * Shows the user an authorization URL. Resolve with the redirect URL the authorization server
 * sent back (it carries `code` and `state`) when the opener obtained it itself; resolve with
 * nothing to have the flow wait for the browser at its loopback callback.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: an opener that only shows the URL returns nothing (`async (url) => { ... }`).
export type OpenAuthorizationUrl = (url: URL) => Promise<URL | undefined | void>;

/** What {@link McpOAuthProvider} is made of. */
export interface McpOAuthProviderOptions {
  server: string;
  /** The server's URL. */
  url: string;
  oauth: McpOAuthClientConfig;
  settings: OAuthSettings;
  store: OAuthTokenStore;
  storeKey: string;
  openAuthorizationUrl: OpenAuthorizationUrl | undefined;
  logger: Logger;
  /** The fetch of the server's transport, for the code exchange after an interactive flow. */
  fetch?: FetchLike | undefined;
  /** The user's IdP ID token for the `identity_assertion` grant, when the config has no `id_token`. */
  identityToken?: ((server: string) => Promise<string>) | undefined;
}

/** RFC 8693 and SEP-990 names of the identity assertion grant. */
const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token';
const ID_JAG_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id-jag';
const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** Space-joined scopes without repeats, or undefined when there are none. */
export function joinScopes(...groups: (string | readonly string[] | undefined)[]): string | undefined {
  const scopes = new Set<string>();
  for (const group of groups) {
    if (group === undefined) continue;
    for (const scope of typeof group === 'string' ? group.split(' ') : group) if (scope !== '') scopes.add(scope);
  }
  return scopes.size === 0 ? undefined : [...scopes].join(' ');
}

/** The error of a server that needs a browser login the process cannot run. */
export function loginRequiredError(server: string, cause?: unknown): McpClientError {
  return new McpClientError(
    'MCP_AUTH_FAILED',
    server,
    `MCP server "${server}" needs an OAuth authorization (authorization code flow) that this process cannot run without a browser: run \`mcp-agent auth login ${server}\` once, then retry`,
    { retryable: false, ...(cause === undefined ? {} : { cause }) },
  );
}

/**
 * The `OAuthClientProvider` of one server. Tokens and a registered client live in the token
 * store under the server's key; the PKCE verifier, discovery results and a pending scope step-up
 * live in memory.
 */
export class McpOAuthProvider implements OAuthClientProvider {
  readonly server: string;
  readonly #options: McpOAuthProviderOptions;
  readonly #oauth: McpOAuthClientConfig;
  readonly #logger: Logger;
  /** All redirect URIs this client may use: the configured ones, else one per loopback port. */
  readonly #redirectUris: string[];
  #redirectUrl: string;
  /** PKCE verifiers of the authorization requests started, by their S256 challenge. */
  readonly #verifiers = new Map<string, string>();
  /** The verifier of the code being exchanged, or the last one saved. */
  #codeVerifier: string | undefined;
  /** The `state` values of the authorization requests started and not yet answered. */
  readonly #states = new Set<string>();
  #discovery: OAuthDiscoveryState | undefined;
  #loopback: LoopbackCallback | undefined;
  /** Scopes a server asked for in a 403 `insufficient_scope` challenge, until new tokens arrive. */
  #stepUpScope: string | undefined;
  /** The interactive flow in progress: a second request that needs one waits for it. */
  #flow: Promise<void> | undefined;
  /** When an interactive flow last stored tokens (epoch milliseconds). */
  #flowCompletedAt = -1;
  /** A refresh in progress, shared. */
  #refreshing: Promise<void> | undefined;
  readonly addClientAuthentication?: AddClientAuthentication;

  constructor(options: McpOAuthProviderOptions) {
    this.server = options.server;
    this.#options = options;
    this.#oauth = options.oauth;
    this.#logger = options.logger;
    const configured = options.oauth.redirect_uri_options ?? [];
    this.#redirectUris = configured.length > 0 ? [...configured] : options.settings.loopback_ports.map((port) => `http://127.0.0.1:${port}/callback`);
    this.#redirectUrl = this.#redirectUris[0] ?? 'http://127.0.0.1:33418/callback';
    const addClientAuthentication = this.#clientAuthentication();
    if (addClientAuthentication !== undefined) this.addClientAuthentication = addClientAuthentication;
  }

  /** The grant this server's client runs. */
  get grantType(): McpOAuthClientConfig['grant_type'] {
    return this.#oauth.grant_type;
  }

  /** True for the grants that need no user at all (client credentials, identity assertion). */
  get #machine(): boolean {
    return this.grantType !== 'authorization_code';
  }

  get redirectUrl(): string | undefined {
    return this.#machine ? undefined : this.#redirectUrl;
  }

  get clientMetadataUrl(): string | undefined {
    return this.#oauth.client_metadata_url;
  }

  get clientMetadata(): OAuthClientMetadata {
    const interactive = this.grantType === 'authorization_code';
    const method = this.#oauth.token_endpoint_auth_method ?? (this.#oauth.client_secret !== undefined ? 'client_secret_basic' : interactive ? 'none' : 'client_secret_basic');
    const scope = this.#requestScope();
    return {
      client_name: this.#oauth.client_name ?? DEFAULT_CLIENT_NAME,
      redirect_uris: interactive ? this.#redirectUris : [],
      grant_types: interactive ? ['authorization_code', 'refresh_token'] : [this.grantType === 'identity_assertion' ? JWT_BEARER_GRANT : 'client_credentials'],
      response_types: interactive ? ['code'] : [],
      token_endpoint_auth_method: method,
      ...(scope === undefined ? {} : { scope }),
    };
  }

  /** The scopes to ask for: the configured ones and a pending step-up's. */
  #requestScope(): string | undefined {
    return joinScopes(this.#oauth.scopes, this.#stepUpScope);
  }

  async state(): Promise<string> {
    const state = randomBytes(16).toString('base64url');
    this.#states.add(state);
    // The redirect URI must be final before the SDK builds the authorization URL: listen now.
    if (this.#options.openAuthorizationUrl !== undefined && this.#loopback === undefined) {
      const loopback = await startLoopbackCallback(this.#redirectUris);
      this.#loopback = loopback;
      if (loopback !== undefined) {
        this.#redirectUrl = loopback.redirectUrl;
        // Closed by the flow; and here if the flow failed before it reached the redirect.
        const unused = setTimeout(() => {
          if (this.#loopback !== loopback) return;
          this.#loopback = undefined;
          void loopback.close();
        }, 30_000);
        unused.unref();
      }
    }
    return state;
  }

  async #entry(): Promise<OAuthStoreEntry | undefined> {
    return this.#options.store.get(this.#options.storeKey);
  }

  async #update(change: (entry: OAuthStoreEntry) => void): Promise<void> {
    const entry: OAuthStoreEntry = (await this.#entry()) ?? { server: this.server, url: this.#options.url, updatedAt: '' };
    change(entry);
    entry.url = this.#options.url;
    entry.updatedAt = new Date().toISOString();
    await this.#options.store.set(this.#options.storeKey, entry);
  }

  async clientInformation(): Promise<OAuthClientInformationMixed | undefined> {
    const clientId = this.#oauth.client_id;
    if (clientId !== undefined) {
      return {
        client_id: clientId,
        ...(this.#oauth.client_secret === undefined ? {} : { client_secret: this.#oauth.client_secret }),
        ...(this.#oauth.token_endpoint_auth_method === undefined || this.#oauth.token_endpoint_auth_method === 'private_key_jwt'
          ? {}
          : { token_endpoint_auth_method: this.#oauth.token_endpoint_auth_method }),
      } as OAuthClientInformationMixed;
    }
    return (await this.#entry())?.clientInformation;
  }

  async saveClientInformation(clientInformation: OAuthClientInformationMixed): Promise<void> {
    // A pre-registered client is its config; only a registration of our own is stored.
    if (this.#oauth.client_id !== undefined) return;
    this.#logger.info(`registered OAuth client for MCP server "${this.server}"`, { server: this.server, clientId: clientInformation.client_id });
    await this.#update((entry) => {
      entry.clientInformation = clientInformation;
    });
  }

  async tokens(): Promise<OAuthTokens | undefined> {
    const entry = await this.#entry();
    let tokens = entry?.tokens;
    if (tokens === undefined && this.#oauth.access_token !== undefined) {
      const expiresIn = this.#oauth.expires_at === undefined ? undefined : Math.floor(this.#oauth.expires_at - Date.now() / 1000);
      tokens = {
        access_token: this.#oauth.access_token,
        token_type: this.#oauth.token_type ?? 'Bearer',
        ...(this.#oauth.refresh_token === undefined ? {} : { refresh_token: this.#oauth.refresh_token }),
        ...(expiresIn === undefined ? {} : { expires_in: expiresIn }),
      };
    }
    // During a step-up a refresh would only renew the old scopes: the SDK must authorize anew.
    if (tokens !== undefined && this.#stepUpScope !== undefined && tokens.refresh_token !== undefined) {
      const { refresh_token: _dropped, ...rest } = tokens;
      return rest;
    }
    return tokens;
  }

  async saveTokens(tokens: OAuthTokens): Promise<void> {
    const expiresAt = tokens.expires_in === undefined ? undefined : Math.floor(Date.now() / 1000) + tokens.expires_in;
    await this.#update((entry) => {
      // A refresh answer may leave out the refresh token: the old one stays valid then.
      const refreshToken = tokens.refresh_token ?? entry.tokens?.refresh_token;
      entry.tokens = { ...tokens, ...(refreshToken === undefined ? {} : { refresh_token: refreshToken }) };
      entry.expiresAt = expiresAt;
      const granted = (tokens.scope ?? '').split(' ');
      if (entry.requiredScope?.split(' ').every((scope) => granted.includes(scope))) entry.requiredScope = undefined;
    });
    this.#stepUpScope = undefined;
    this.#logger.info(`obtained OAuth tokens for MCP server "${this.server}"`, {
      server: this.server,
      ...(tokens.scope === undefined ? {} : { scopes: tokens.scope }),
      ...(expiresAt === undefined ? {} : { expiresAt: new Date(expiresAt * 1000).toISOString() }),
      refreshable: tokens.refresh_token !== undefined,
    });
  }

  saveCodeVerifier(codeVerifier: string): void {
    this.#verifiers.set(createHash('sha256').update(codeVerifier).digest('base64url'), codeVerifier);
    this.#codeVerifier = codeVerifier;
  }

  codeVerifier(): string {
    if (this.#codeVerifier === undefined) throw new Error(`no PKCE code verifier for MCP server "${this.server}": the authorization flow was not started in this process`);
    return this.#codeVerifier;
  }

  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.#discovery = state;
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    if (this.#discovery !== undefined) return this.#discovery;
    const configured = this.#oauth.authorization_server;
    return configured === undefined ? undefined : { authorizationServerUrl: configured };
  }

  async invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): Promise<void> {
    if (scope === 'verifier' || scope === 'all') {
      this.#codeVerifier = undefined;
      this.#verifiers.clear();
    }
    if (scope === 'discovery' || scope === 'all') this.#discovery = undefined;
    if (scope === 'verifier' || scope === 'discovery') return;
    this.#logger.debug(`dropping stored OAuth ${scope === 'all' ? 'client and tokens' : scope} of MCP server "${this.server}"`, { server: this.server });
    await this.#update((entry) => {
      if (scope === 'all' || scope === 'tokens') {
        entry.tokens = undefined;
        entry.expiresAt = undefined;
      }
      if (scope === 'all' || scope === 'client') entry.clientInformation = undefined;
    });
  }

  async validateResourceURL(serverUrl: string | URL, resource?: string): Promise<URL | undefined> {
    const configured = this.#oauth.resource;
    if (resource !== undefined) {
      if (!checkResourceAllowed({ requestedResource: serverUrl, configuredResource: resource })) {
        throw new McpClientError(
          'MCP_AUTH_FAILED',
          this.server,
          `the protected resource metadata of MCP server "${this.server}" names resource ${resource}, which does not cover its URL ${String(serverUrl)}; ` +
            `no token is requested for another resource. Check mcp.servers.${this.server}.url, or ask the server's operator to fix its metadata`,
          { retryable: false },
        );
      }
      if (configured !== undefined && !checkResourceAllowed({ requestedResource: configured, configuredResource: resource })) {
        throw new McpClientError(
          'MCP_AUTH_FAILED',
          this.server,
          `mcp.servers.${this.server}.auth.oauth.resource is ${configured}, but the server's protected resource metadata names ${resource}; fix or remove the resource setting`,
          { retryable: false },
        );
      }
    }
    if (this.#oauth.include_resource_parameter === false) return undefined;
    if (configured !== undefined) return new URL(configured);
    if (resource !== undefined) return new URL(resource);
    return this.#oauth.include_resource_parameter === true ? new URL(String(serverUrl)) : undefined;
  }

  async prepareTokenRequest(scope?: string): Promise<URLSearchParams | undefined> {
    if (!this.#machine) return undefined;
    const requested = joinScopes(scope, this.#requestScope());
    const params =
      this.grantType === 'identity_assertion'
        ? new URLSearchParams({ grant_type: JWT_BEARER_GRANT, assertion: await this.#identityAssertion(requested) })
        : new URLSearchParams({ grant_type: 'client_credentials' });
    if (requested !== undefined) params.set('scope', requested);
    for (const [name, value] of Object.entries(this.#oauth.extra_token_params ?? {})) params.set(name, String(value));
    return params;
  }

  /**
   * SEP-990: exchanges the user's IdP ID token at the IdP (RFC 8693) for an identity assertion
   * (ID-JAG) for this server's authorization server and resource.
   */
  async #identityAssertion(scope: string | undefined): Promise<string> {
    const endpoint = this.#oauth.idp_token_endpoint;
    const idpClientId = this.#oauth.idp_client_id;
    if (endpoint === undefined || idpClientId === undefined) throw this.#configError('grant_type identity_assertion needs "idp_token_endpoint" and "idp_client_id"');
    const idToken = this.#oauth.id_token ?? (await this.#options.identityToken?.(this.server));
    if (idToken === undefined || idToken === '') {
      throw this.#configError(
        'grant_type identity_assertion needs the user\'s IdP ID token: set "id_token" (e.g. ${IDP_ID_TOKEN}) or pass oauth.identityToken to the connection manager',
      );
    }
    const discovery = this.#discovery;
    const audience = discovery?.authorizationServerMetadata?.issuer ?? discovery?.authorizationServerUrl ?? this.#oauth.authorization_server;
    if (audience === undefined) throw new Error(`no authorization server known for MCP server "${this.server}" to ask an identity assertion for`);
    const resource = discovery?.resourceMetadata?.resource ?? this.#oauth.resource ?? this.#options.url;
    const body = new URLSearchParams({
      grant_type: TOKEN_EXCHANGE_GRANT,
      requested_token_type: ID_JAG_TOKEN_TYPE,
      subject_token: idToken,
      subject_token_type: ID_TOKEN_TYPE,
      audience,
      resource,
      client_id: idpClientId,
    });
    if (this.#oauth.idp_client_secret !== undefined) body.set('client_secret', this.#oauth.idp_client_secret);
    if (scope !== undefined) body.set('scope', scope);
    const response = await (this.#options.fetch ?? fetch)(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body,
    });
    if (!response.ok) throw await parseErrorResponse(response);
    const answer = (await response.json()) as { access_token?: unknown; issued_token_type?: unknown };
    if (typeof answer.access_token !== 'string' || (answer.issued_token_type !== undefined && answer.issued_token_type !== ID_JAG_TOKEN_TYPE)) {
      throw new Error(
        `the IdP at ${endpoint} answered the token exchange for MCP server "${this.server}" without an identity assertion (issued_token_type ${String(answer.issued_token_type)})`,
      );
    }
    this.#logger.debug(`obtained an identity assertion from the IdP for MCP server "${this.server}"`, { server: this.server });
    return answer.access_token;
  }

  async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    for (const [name, value] of Object.entries(this.#oauth.extra_authorize_params ?? {})) authorizationUrl.searchParams.set(name, String(value));
    const open = this.#options.openAuthorizationUrl;
    if (open === undefined) {
      const requiredScope = authorizationUrl.searchParams.get('scope') ?? undefined;
      if (requiredScope !== undefined && requiredScope !== joinScopes(this.#oauth.scopes)) {
        await this.#update((entry) => {
          entry.requiredScope = requiredScope;
        }).catch(() => undefined);
      }
      this.#logger.warn(`MCP server "${this.server}" needs an OAuth login: run \`mcp-agent auth login ${this.server}\``, {
        server: this.server,
        authorizationUrl: authorizationUrl.href,
      });
      throw loginRequiredError(this.server);
    }
    // Several requests may need the authorization at once (a POST and the SSE stream): the
    // first one runs it, the others wait for it and are then sent again with its tokens.
    if (this.#flow !== undefined) {
      await this.#flow;
      return;
    }
    const flow = this.#runFlow(open, authorizationUrl);
    this.#flow = flow;
    try {
      await flow;
    } finally {
      this.#flow = undefined;
    }
  }

  async #runFlow(open: OpenAuthorizationUrl, authorizationUrl: URL): Promise<void> {
    const loopback = this.#loopback;
    this.#loopback = undefined;
    try {
      const opened = await open(authorizationUrl);
      let callback: URL;
      if (opened instanceof URL) callback = opened;
      else if (loopback !== undefined) callback = await loopback.wait(this.#options.settings.flow_timeout_seconds * 1000);
      else {
        throw new McpClientError(
          'MCP_AUTH_FAILED',
          this.server,
          `could not listen for the OAuth callback of MCP server "${this.server}" on any of ${this.#redirectUris.join(', ')} (ports in use, or not loopback URIs); ` +
            'free one of them, or set oauth.loopback_ports (or auth.oauth.redirect_uri_options)',
          { retryable: false },
        );
      }
      await this.#finish(callback, authorizationUrl);
    } finally {
      await loopback?.close();
    }
  }

  /** Exchanges the code of a redirect for tokens (nested `auth()` with the code). */
  async #finish(callback: URL, authorizationUrl: URL): Promise<void> {
    const error = callback.searchParams.get('error');
    if (error !== null) {
      const description = callback.searchParams.get('error_description');
      throw new McpClientError(
        'MCP_AUTH_FAILED',
        this.server,
        `the authorization server refused the authorization of MCP server "${this.server}": ${error}${description === null ? '' : ` (${description})`}; check auth.oauth (scopes, client) and log in again`,
        { retryable: false },
      );
    }
    const code = callback.searchParams.get('code');
    if (code === null) throw new McpClientError('MCP_AUTH_FAILED', this.server, `the OAuth redirect for MCP server "${this.server}" has no code`, { retryable: false });
    const state = callback.searchParams.get('state');
    if (state === null || !this.#states.has(state) || state !== authorizationUrl.searchParams.get('state')) {
      throw new McpClientError(
        'MCP_AUTH_FAILED',
        this.server,
        `the OAuth redirect for MCP server "${this.server}" has a state that does not match the request (a forged or stale redirect); log in again`,
        {
          retryable: false,
        },
      );
    }
    this.#states.delete(state);
    const verifier = this.#verifiers.get(authorizationUrl.searchParams.get('code_challenge') ?? '');
    if (verifier !== undefined) this.#codeVerifier = verifier;
    const result = await auth(this, { serverUrl: this.#options.url, authorizationCode: code, ...(this.#options.fetch === undefined ? {} : { fetchFn: this.#options.fetch }) });
    if (result !== 'AUTHORIZED')
      throw new McpClientError('MCP_AUTH_FAILED', this.server, `exchanging the authorization code of MCP server "${this.server}" failed`, { retryable: false });
    this.#flowCompletedAt = Date.now();
    // Requests that waited for this flow started authorizations of their own, never answered.
    this.#states.clear();
    this.#verifiers.clear();
  }

  /** True when an interactive flow stored tokens at or after `since` (epoch milliseconds): a request refused before may be sent again. */
  completedFlowSince(since: number): boolean {
    return this.#flowCompletedAt >= since;
  }

  /** Notes the scopes of a 403 `insufficient_scope` challenge: the next authorization asks for them too. */
  noteInsufficientScope(scope: string | undefined): void {
    const current = this.#stepUpScope;
    this.#stepUpScope = joinScopes(this.#oauth.scopes, current, scope) ?? current;
    this.#logger.info(`MCP server "${this.server}" asks for more OAuth scopes${scope === undefined ? '' : `: ${scope}`}`, { server: this.server });
  }

  /**
   * Renews the access token ahead of expiry (within `oauth.token_store.refresh_leeway_seconds`,
   * default 60) when that needs no user: with a refresh token, or by client credentials. Failures
   * are left to the transport's own 401 handling.
   */
  async refreshIfExpiring(): Promise<void> {
    if (this.#refreshing !== undefined) return this.#refreshing;
    const entry = await this.#entry();
    if (entry?.tokens === undefined || entry.expiresAt === undefined) return;
    const leeway = this.#options.settings.token_store.refresh_leeway_seconds ?? 60;
    if (entry.expiresAt - Date.now() / 1000 > leeway) return;
    if (entry.tokens.refresh_token === undefined && !this.#machine) return;
    this.#refreshing = auth(this, { serverUrl: this.#options.url, ...(this.#options.fetch === undefined ? {} : { fetchFn: this.#options.fetch }) })
      .then(() => undefined)
      .catch((error: unknown) => {
        this.#logger.debug(`renewing the OAuth token of MCP server "${this.server}" ahead of expiry failed: ${messageOf(error)}`, { server: this.server });
      })
      .finally(() => {
        this.#refreshing = undefined;
      });
    return this.#refreshing;
  }

  /** The client authentication the config asks for, or undefined to let the SDK choose. */
  #clientAuthentication(): AddClientAuthentication | undefined {
    const { client_id: clientId, client_secret: secret, token_endpoint_auth_method: method } = this.#oauth;
    if (method === 'private_key_jwt') {
      if (clientId === undefined) throw this.#configError('private_key_jwt needs "client_id"');
      const privateKey = this.#privateKey();
      return createPrivateKeyJwtAuth({ issuer: clientId, subject: clientId, privateKey, alg: this.#oauth.signing_algorithm ?? 'RS256' });
    }
    if (clientId === undefined || secret === undefined) return undefined;
    // Basic credentials are form-urlencoded first (RFC 6749 §2.3.1), which the SDK's own does not do.
    const basic: AddClientAuthentication = (headers) => {
      const encode = (value: string): string => encodeURIComponent(value).replace(/%20/g, '+');
      headers.set('Authorization', `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}`);
    };
    const post: AddClientAuthentication = (_headers, params) => {
      params.set('client_id', clientId);
      params.set('client_secret', secret);
    };
    if (method === 'client_secret_basic') return basic;
    if (method === 'client_secret_post') return post;
    if (method === 'none') return undefined;
    // Not configured: basic when the server offers it (or says nothing: RFC 8414 §2), else post.
    return (headers, params, url, metadata) => {
      const supported = metadata?.token_endpoint_auth_methods_supported ?? [];
      const chosen = supported.length === 0 || supported.includes('client_secret_basic') || !supported.includes('client_secret_post') ? basic : post;
      return chosen(headers, params, url, metadata);
    };
  }

  #privateKey(): string {
    if (this.#oauth.private_key !== undefined) return this.#oauth.private_key;
    const file = this.#oauth.private_key_file;
    if (file === undefined) throw this.#configError('private_key_jwt needs "private_key" (PEM) or "private_key_file"');
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw this.#configError(`could not read private_key_file ${file}: ${messageOf(error)}`);
    }
  }

  #configError(problem: string): McpClientError {
    return new McpClientError('MCP_SERVER_CONFIG', this.server, `mcp.servers.${this.server}.auth.oauth: ${problem}`, { retryable: false });
  }
}
