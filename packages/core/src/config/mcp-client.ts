/**
 * The MCP client's settings beyond connections: OAuth per server (`mcp.servers.<name>.auth`, the
 * Python project's `auth.oauth` where it means the same), the `oauth` section (token store,
 * callback), roots per server, and how the client answers servers' requests (`mcp.sampling`,
 * `mcp.elicitation`). `@mcp-agent/mcp-client` reads them.
 */
import { z } from 'zod';
import { booleanSetting, enumSetting, httpUrlSetting, positiveInteger, positiveNumber, StringLikeSchema } from './fields.js';

/** How a client proves itself at the token endpoint. */
export const OAUTH_CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'] as const;

/**
 * The grants the client can run. `identity_assertion` is enterprise-managed authorization
 * (SEP-990): the user's IdP ID token is exchanged at the IdP for an identity assertion (RFC 8693),
 * which the authorization server takes as a JWT bearer grant (RFC 7523).
 */
export const OAUTH_GRANT_TYPES = ['authorization_code', 'client_credentials', 'identity_assertion'] as const;

/**
 * OAuth 2.1 for one HTTP server (`mcp.servers.<name>.auth.oauth`). With no `client_id` the client
 * registers itself (a client ID metadata document when `client_metadata_url` is set and the
 * authorization server supports it, else dynamic registration). `access_token` seeds a token and
 * skips the flow until it expires.
 *
 * @example
 * ```ts
 * McpOAuthClientSchema.parse({ grant_type: 'client_credentials', client_id: 'agent', client_secret: '${AGENT_SECRET}', scopes: ['mcp'] });
 * ```
 */
export const McpOAuthClientSchema = z.looseObject({
  /** Off only when `false`: an `oauth` block is otherwise in effect. */
  enabled: booleanSetting().optional(),
  grant_type: enumSetting(OAUTH_GRANT_TYPES).default('authorization_code'),
  scopes: z.array(z.string()).optional(),
  /** The protected resource (RFC 8707); default: the one the server's metadata names. */
  resource: httpUrlSetting('https://mcp.example.com/mcp').optional(),
  /** The authorization server, when the server's metadata does not name one. */
  authorization_server: httpUrlSetting('https://auth.example.com').optional(),
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
  /** An https URL of this client's metadata document, used as its client_id where supported. */
  client_metadata_url: z.string().optional(),
  client_name: z.string().optional(),
  token_endpoint_auth_method: enumSetting(OAUTH_CLIENT_AUTH_METHODS).optional(),
  /** PEM private key for `private_key_jwt` (or `private_key_file`). */
  private_key: z.string().optional(),
  private_key_file: z.string().optional(),
  /** The JWT signing algorithm for `private_key_jwt`; default RS256. */
  signing_algorithm: z.string().optional(),
  access_token: z.string().optional(),
  refresh_token: z.string().optional(),
  /** Epoch seconds when a seeded `access_token` expires. */
  expires_at: positiveNumber().optional(),
  token_type: z.string().optional(),
  redirect_uri_options: z.array(z.string()).optional(),
  extra_authorize_params: z.record(z.string(), StringLikeSchema).optional(),
  extra_token_params: z.record(z.string(), StringLikeSchema).optional(),
  require_pkce: booleanSetting().optional(),
  include_resource_parameter: booleanSetting().optional(),
  /** `identity_assertion`: the IdP's token endpoint, where the ID token is exchanged for an identity assertion. */
  idp_token_endpoint: httpUrlSetting('https://idp.example.com/oauth2/token').optional(),
  /** `identity_assertion`: this client at the IdP (and its secret, when it has one). */
  idp_client_id: z.string().optional(),
  idp_client_secret: z.string().optional(),
  /** `identity_assertion`: the user's ID token from the IdP (or the app's `identityToken` callback). */
  id_token: z.string().optional(),
});

/** Validated `auth.oauth` of a server. */
export type McpOAuthClientConfig = z.infer<typeof McpOAuthClientSchema>;

/**
 * A server's `auth`: a static `api_key` (sent as a bearer token) or `oauth`.
 *
 * @example
 * ```ts
 * McpServerAuthSchema.parse({ api_key: '${SEARCH_KEY}' });
 * ```
 */
export const McpServerAuthSchema = z.looseObject({
  api_key: z.string().optional(),
  oauth: McpOAuthClientSchema.optional(),
});

/** Validated `auth` of a server. */
export type McpServerAuthConfig = z.infer<typeof McpServerAuthSchema>;

const notFileUri = (issue: { input: unknown }) => `expected a file:// URI such as "file:///srv/data", got ${JSON.stringify(issue.input)}`;

/**
 * A root the client offers a server (`roots/list`): a `file://` URI, a name, and optionally the
 * URI the server is shown instead (`server_uri_alias`).
 *
 * @example
 * ```ts
 * McpRootSchema.parse({ uri: 'file:///srv/data', name: 'data' });
 * ```
 */
export const McpRootSchema = z.looseObject({
  uri: z.string().startsWith('file://', { error: notFileUri }),
  name: z.string().optional(),
  server_uri_alias: z.string().startsWith('file://', { error: notFileUri }).optional(),
});

/** Validated root. */
export type McpRootConfig = z.infer<typeof McpRootSchema>;

/**
 * How servers' `sampling/createMessage` requests are answered (`mcp.sampling`): by the app's
 * model provider (`provider`, default the first installed) and `model` (default its default
 * model), after a human's approval when `approval: human`. Servers are offered sampling only when
 * this section is present (and not `enabled: false`) or the app supplies a handler.
 *
 * @example
 * ```ts
 * McpSamplingSchema.parse({ provider: 'openai', model: 'gpt-4o-mini', approval: 'human' });
 * ```
 */
export const McpSamplingSchema = z.looseObject({
  enabled: booleanSetting().optional(),
  provider: z.string().optional(),
  model: z.string().optional(),
  approval: enumSetting(['none', 'human'] as const).default('none'),
  /** The most tokens an answer may use when the server asks for more. */
  max_tokens: positiveInteger().optional(),
});

/** Validated `mcp.sampling`. */
export type McpSamplingConfig = z.infer<typeof McpSamplingSchema>;

/**
 * How servers' `elicitation/create` requests are answered (`mcp.elicitation`): `decline` (the
 * default: servers are not offered elicitation) or `console` (asked at the terminal). An app's
 * own handler (`new MCPApp({ elicitation })`) takes precedence.
 *
 * @example
 * ```ts
 * McpElicitationSchema.parse({ mode: 'console' });
 * ```
 */
export const McpElicitationSchema = z.looseObject({
  mode: enumSetting(['decline', 'console'] as const).default('decline'),
});

/** Validated `mcp.elicitation`. */
export type McpElicitationConfig = z.infer<typeof McpElicitationSchema>;

/**
 * The `oauth` section (the Python project's, plus a file store): where tokens are kept, how long
 * an authorization may take, and the loopback ports of the local callback.
 *
 * - `token_store.backend`: `file` (default: one file with mode 0600 under the user's data folder,
 *   `$XDG_DATA_HOME/mcp-agent/oauth-tokens.json` or `~/.local/share/...`; `path` overrides it) or
 *   `memory` (gone with the process).
 *
 * @example
 * ```ts
 * OAuthSettingsSchema.parse({ token_store: { backend: 'memory' }, loopback_ports: [33418] });
 * ```
 */
export const OAuthSettingsSchema = z.looseObject({
  token_store: z
    .looseObject({
      backend: enumSetting(['file', 'memory'] as const).default('file'),
      path: z.string().optional(),
      refresh_leeway_seconds: positiveNumber().optional(),
    })
    .prefault({}),
  flow_timeout_seconds: positiveNumber().default(300),
  callback_base_url: httpUrlSetting('https://agents.example.com').optional(),
  loopback_ports: z.array(positiveInteger()).default(() => [33418, 33419, 33420]),
});

/** Validated `oauth` section. */
export type OAuthSettings = z.infer<typeof OAuthSettingsSchema>;
