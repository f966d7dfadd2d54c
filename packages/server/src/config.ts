/**
 * The `server` section of `mcp_agent.config.yaml`, which this package owns: how `mcp-agent serve`
 * serves the app (transport, address, endpoint path, the largest tool arguments) and who may call
 * it over HTTP (`auth`, usually kept in `mcp_agent.secrets.yaml`). Registered with core when this
 * package is loaded, so `parseSettings`, `loadSettings` and `mcp-agent config check` validate it,
 * and `settings.server` is typed as {@link ServerSettings}.
 */
import { describeValue, enumSetting, httpUrlSetting, numberSetting, positiveInteger, registerConfigSection, strictSection, type IssueInput } from '@mcp-agent/core/config';
import { z } from 'zod';

/** A string that is not empty, with a message naming what was given. */
function nonEmptyString(what: string) {
  const problem = (issue: IssueInput) => `expected ${what}, got ${describeValue(issue.input)}`;
  return z.string({ error: problem }).refine((value) => value.trim() !== '', { error: problem });
}

/**
 * The `server.auth.oauth` mapping: OAuth 2.1 resource-server mode. Access tokens are verified as
 * JWTs against the authorization server's keys, or by introspection when
 * `introspection_endpoint` is given. Unknown keys are errors.
 *
 * @example
 * ```ts
 * ServerOAuthSettingsSchema.parse({ issuer: 'https://auth.example.com', resource: 'https://agents.example.com/mcp', required_scopes: ['mcp:tools'] });
 * ```
 */
export const ServerOAuthSettingsSchema = strictSection({
  issuer: httpUrlSetting('https://auth.example.com'),
  resource: httpUrlSetting('https://agents.example.com/mcp'),
  audience: nonEmptyString('the audience the authorization server puts in tokens').optional(),
  jwks_uri: httpUrlSetting('https://auth.example.com/.well-known/jwks.json').optional(),
  introspection_endpoint: httpUrlSetting('https://auth.example.com/introspect').optional(),
  client_id: nonEmptyString('the client id this server introspects with').optional(),
  client_secret: nonEmptyString('the client secret of client_id').optional(),
  required_scopes: z
    .array(z.string().regex(/^\S+$/, { error: (issue: IssueInput) => `expected one scope without spaces, got ${describeValue(issue.input)}` }), {
      error: (issue: IssueInput) => `expected a list of scopes, got ${describeValue(issue.input)}`,
    })
    .optional(),
});

/**
 * The `server.auth` mapping: static bearer tokens, OAuth, or both. Without either, HTTP serves
 * anyone who can reach the port. Unknown keys are errors, so a misspelt key never turns auth off.
 *
 * @example
 * ```ts
 * ServerAuthSettingsSchema.parse({ tokens: ['${AGENT_SERVER_TOKEN}'] });
 * ```
 */
export const ServerAuthSettingsSchema = strictSection({
  tokens: z
    .array(nonEmptyString('a long random token (e.g. from `openssl rand -hex 32`)'), {
      error: (issue: IssueInput) => `expected a list of tokens, got ${describeValue(issue.input)}`,
    })
    .nullish(),
  oauth: ServerOAuthSettingsSchema.nullish(),
});

/** Paths the SSE transport uses, which the Streamable HTTP endpoint can't take. */
const RESERVED_PATHS = ['/sse', '/messages'];

/**
 * The `server` section: how `mcp-agent serve` serves the app. Command-line flags override it.
 * Every key is optional: the defaults are stdio, 127.0.0.1, port 8000, `/mcp` and 1 MiB.
 *
 * @example
 * ```ts
 * ServerSettingsSchema.parse({ transport: 'http', port: 8000, auth: { tokens: ['s3cret-token'] } });
 * ```
 */
export const ServerSettingsSchema = strictSection({
  transport: enumSetting(['stdio', 'http', 'sse']).optional(),
  host: nonEmptyString('an address to listen on, such as "127.0.0.1" or "0.0.0.0"').optional(),
  port: numberSetting({ integer: true, minimum: 0, maximum: 65535, noun: 'port number', note: '0 picks a free port' }).optional(),
  path: z
    .string({ error: (issue: IssueInput) => `expected a path such as "/mcp", got ${describeValue(issue.input)}` })
    .refine((value) => value.startsWith('/') && !RESERVED_PATHS.includes(value), {
      error: (issue: IssueInput) => `expected a path such as "/mcp" (not /sse or /messages, which the SSE transport uses), got ${describeValue(issue.input)}`,
    })
    .optional(),
  max_payload_bytes: positiveInteger().optional(),
  auth: ServerAuthSettingsSchema.nullish(),
});

/**
 * The validated `server` section.
 *
 * @example
 * ```ts
 * const server: ServerSettings = { transport: 'http', host: '127.0.0.1', port: 8000, path: '/mcp' };
 * ```
 */
export type ServerSettings = z.infer<typeof ServerSettingsSchema>;

declare module '@mcp-agent/core/config' {
  interface SettingsSections {
    server: ServerSettings;
  }
}

registerConfigSection({ key: 'server', schema: ServerSettingsSchema, owner: '@mcp-agent/server' });
