// HTTP authentication for the agent server: static bearer tokens, and OAuth 2.1 resource-server mode
// (RFC 9728 protected resource metadata; access tokens verified as JWTs against the authorization
// server's JWKS, or by RFC 7662 introspection). For node:http request handlers.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { AuthInfo as McpAuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { createRemoteJWKSet, customFetch, errors, jwtVerify } from 'jose';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';

/**
 * How the agent server authenticates HTTP requests. With neither `tokens` nor `oauth`, it does not.
 *
 * @example
 * ```ts
 * const options: ServerAuthOptions = {
 *   tokens: [process.env.AGENT_TOKEN!],
 *   oauth: { issuer: 'https://auth.example.com', resource: 'https://agents.example.com/mcp', requiredScopes: ['mcp:tools'] },
 * };
 * ```
 */
export interface ServerAuthOptions {
  /** Bearer tokens accepted as they are (from mcp_agent.secrets.yaml). */
  tokens?: readonly string[];
  /** OAuth 2.1 resource-server mode (RFC 9728 protected resource metadata; tokens verified by JWKS or introspection). */
  oauth?: {
    /** The authorization server's issuer URL; its metadata is read from <issuer>/.well-known/oauth-authorization-server (then openid-configuration) for jwks_uri and introspection_endpoint when not given. */
    issuer: string;
    /** This server's canonical URL, the `resource` of the metadata and the expected audience unless `audience` is given. */
    resource: string;
    /** The expected `aud` of access tokens. Default `resource`. */
    audience?: string;
    /** Verify tokens as JWTs against this JWK Set. */
    jwksUri?: string;
    /** Verify tokens by RFC 7662 introspection at this endpoint (used in preference to a JWKS when given). */
    introspectionEndpoint?: string;
    /** Credentials for the introspection endpoint (client_secret_basic). */
    clientId?: string;
    clientSecret?: string;
    /** Scopes every OAuth access token must carry; a token without one of them is answered 403 insufficient_scope. */
    requiredScopes?: readonly string[];
    /** How long to wait for the authorization server (metadata, JWKS, introspection), in milliseconds. Default 5000. */
    timeoutMs?: number;
    /** How long an introspection answer is reused, in seconds (never past the token's `exp`). Default 60; 0 asks every time. */
    introspectionCacheSeconds?: number;
  };
}

/**
 * Who a request is, once {@link AuthGuard.authenticate} accepted it.
 *
 * `via` tells how: a static `token`, a verified `jwt`, an `introspection` answer, or `anonymous`
 * when authentication is not configured (then `token` is empty).
 *
 * @example
 * ```ts
 * const info: AuthInfo = { token: 'eyJ…', clientId: 'caller', scopes: ['mcp:tools'], subject: 'alice', expiresAt: 1767225600, via: 'jwt' };
 * ```
 */
export interface AuthInfo {
  token: string;
  clientId?: string;
  scopes: string[];
  subject?: string;
  /** Seconds since the epoch. */
  expiresAt?: number;
  via: 'token' | 'jwt' | 'introspection' | 'anonymous';
}

/**
 * Authentication for a node:http server, made by {@link createAuthGuard}.
 *
 * @example
 * ```ts
 * const guard: AuthGuard = createAuthGuard({ tokens: ['s3cret'] });
 * createServer(async (request, response) => {
 *   if (guard.handleMetadata(request, response)) return;
 *   const auth = await guard.authenticate(request, response);
 *   if (auth === undefined) return; // answered 401, 403 or 503
 *   response.end(`hello ${auth.subject ?? auth.clientId ?? 'caller'}`);
 * });
 * ```
 */
export interface AuthGuard {
  /** Answers GET /.well-known/oauth-protected-resource (and the path-suffixed form for the MCP endpoint path) when OAuth is configured; returns true when it answered. */
  handleMetadata(request: IncomingMessage, response: ServerResponse): boolean;
  /** The request's auth, or undefined after answering 401 (missing/invalid token, with `WWW-Authenticate: Bearer realm=..., error="invalid_token", error_description=..., resource_metadata="<url>"`) or 403 (insufficient_scope). Never throws for a bad token. */
  authenticate(request: IncomingMessage, response: ServerResponse): Promise<AuthInfo | undefined>;
  readonly enabled: boolean;
}

/**
 * The `auth` settings as written in YAML (snake_case keys); {@link authOptionsFromSettings} turns them into {@link ServerAuthOptions}.
 *
 * @example
 * ```ts
 * const settings: ServerAuthSettings = { oauth: { issuer: 'https://auth.example.com', resource: 'https://agents.example.com/mcp', required_scopes: ['mcp:tools'] } };
 * ```
 */
export interface ServerAuthSettings {
  tokens?: readonly string[] | null;
  oauth?: {
    issuer: string;
    resource: string;
    audience?: string | null;
    jwks_uri?: string | null;
    introspection_endpoint?: string | null;
    client_id?: string | null;
    client_secret?: string | null;
    required_scopes?: readonly string[] | null;
  } | null;
}

/**
 * Converts YAML-shaped {@link ServerAuthSettings} to {@link ServerAuthOptions}; `undefined` (or `null`) stays `undefined`.
 * Checking happens in {@link createAuthGuard}.
 *
 * @example
 * ```ts
 * const options = authOptionsFromSettings({ tokens: ['s3cret'], oauth: { issuer: 'https://auth.example.com', resource: 'https://agents.example.com/mcp', client_id: 'rs' } });
 * // { tokens: ['s3cret'], oauth: { issuer: 'https://auth.example.com', resource: 'https://agents.example.com/mcp', clientId: 'rs' } }
 * ```
 */
export function authOptionsFromSettings(settings: ServerAuthSettings | null | undefined): ServerAuthOptions | undefined {
  if (settings === undefined || settings === null) return undefined;
  const options: ServerAuthOptions = {};
  if (settings.tokens !== undefined && settings.tokens !== null) options.tokens = [...settings.tokens];
  const oauth = settings.oauth;
  if (oauth !== undefined && oauth !== null) {
    const converted: NonNullable<ServerAuthOptions['oauth']> = { issuer: oauth.issuer, resource: oauth.resource };
    if (oauth.audience != null) converted.audience = oauth.audience;
    if (oauth.jwks_uri != null) converted.jwksUri = oauth.jwks_uri;
    if (oauth.introspection_endpoint != null) converted.introspectionEndpoint = oauth.introspection_endpoint;
    if (oauth.client_id != null) converted.clientId = oauth.client_id;
    if (oauth.client_secret != null) converted.clientSecret = oauth.client_secret;
    if (oauth.required_scopes != null) converted.requiredScopes = [...oauth.required_scopes];
    options.oauth = converted;
  }
  return options;
}

/**
 * The MCP SDK's `AuthInfo` for an accepted request, to set as `request.auth` before handing the request
 * to the SDK's HTTP transports (tool handlers then see it as `extra.authInfo`).
 *
 * @example
 * ```ts
 * const auth = await guard.authenticate(request, response);
 * if (auth === undefined) return;
 * (request as IncomingMessage & { auth?: unknown }).auth = toMcpAuthInfo(auth);
 * await transport.handleRequest(request, response);
 * ```
 */
export function toMcpAuthInfo(info: AuthInfo): McpAuthInfo {
  const result: McpAuthInfo = { token: info.token, clientId: info.clientId ?? '', scopes: [...info.scopes], extra: { via: info.via } };
  if (info.expiresAt !== undefined) result.expiresAt = info.expiresAt;
  if (info.subject !== undefined) result.extra = { ...result.extra, subject: info.subject };
  return result;
}

const REALM = 'mcp-agent';
const WELL_KNOWN_RESOURCE = '/.well-known/oauth-protected-resource';
const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_INTROSPECTION_CACHE_SECONDS = 60;
const INTROSPECTION_CACHE_LIMIT = 10_000;

/** The authorization server could not be asked (down, slow, or answering nonsense): the request gets 503. */
class AuthorizationServerUnavailable extends Error {
  override name = 'AuthorizationServerUnavailable';
}

/** The token is not acceptable: the request gets 401 invalid_token. */
class InvalidToken extends Error {
  override name = 'InvalidToken';
}

type OAuthOptions = NonNullable<ServerAuthOptions['oauth']>;

function configError(setting: string, problem: string, fix: string): Error {
  return new Error(`server auth: ${setting} ${problem}; ${fix}`);
}

function checkUrl(setting: string, value: unknown, required: boolean): URL | undefined {
  if (value === undefined || value === null) {
    if (required) throw configError(setting, 'is missing', 'set it to an http(s) URL');
    return undefined;
  }
  if (typeof value !== 'string' || value.trim() === '') throw configError(setting, 'is empty', 'set it to an http(s) URL, or leave it out');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw configError(setting, `is not a URL (${JSON.stringify(value)})`, 'write it as an absolute http(s) URL, e.g. https://auth.example.com');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw configError(setting, `must be an http(s) URL, not ${url.protocol}`, 'use https:// (or http:// for a local server)');
  if (url.hash !== '') throw configError(setting, 'has a #fragment', 'remove it');
  return url;
}

function checkOptions(options: ServerAuthOptions): void {
  if (options.tokens !== undefined) {
    if (!Array.isArray(options.tokens)) throw configError('tokens', 'must be a list of strings', 'write it as a YAML list');
    options.tokens.forEach((token, index) => {
      if (typeof token !== 'string' || token.trim() === '') {
        throw configError(`tokens[${index}]`, 'is empty', 'give every entry a long random value (e.g. `openssl rand -hex 32`), or remove the entry');
      }
    });
  }
  const oauth = options.oauth;
  if (oauth === undefined) return;
  if (oauth === null || typeof oauth !== 'object') throw configError('oauth', 'must be a mapping', 'give it at least issuer and resource');
  checkUrl('oauth.issuer', oauth.issuer, true);
  checkUrl('oauth.resource', oauth.resource, true);
  checkUrl('oauth.jwks_uri (jwksUri)', oauth.jwksUri, false);
  checkUrl('oauth.introspection_endpoint (introspectionEndpoint)', oauth.introspectionEndpoint, false);
  if (oauth.audience !== undefined && (typeof oauth.audience !== 'string' || oauth.audience.trim() === '')) {
    throw configError('oauth.audience', 'is empty', 'set it to the audience your authorization server puts in tokens, or leave it out to expect oauth.resource');
  }
  if (oauth.clientId !== undefined && (typeof oauth.clientId !== 'string' || oauth.clientId === ''))
    throw configError('oauth.client_id (clientId)', 'is empty', 'set it or leave it out');
  if (oauth.clientSecret !== undefined && oauth.clientId === undefined) {
    throw configError('oauth.client_secret (clientSecret)', 'is set without oauth.client_id', 'set oauth.client_id to the client the secret belongs to');
  }
  if (oauth.requiredScopes !== undefined) {
    if (!Array.isArray(oauth.requiredScopes)) throw configError('oauth.required_scopes (requiredScopes)', 'must be a list of strings', 'write it as a YAML list');
    oauth.requiredScopes.forEach((scope, index) => {
      if (typeof scope !== 'string' || scope === '' || /\s/.test(scope)) {
        throw configError(`oauth.required_scopes[${index}]`, `is not a scope (${JSON.stringify(scope)})`, 'give one scope per entry, without spaces');
      }
    });
  }
  if (oauth.timeoutMs !== undefined && !(Number.isFinite(oauth.timeoutMs) && oauth.timeoutMs > 0)) {
    throw configError('oauth.timeoutMs', 'must be a positive number of milliseconds', 'e.g. 5000');
  }
  if (oauth.introspectionCacheSeconds !== undefined && !(Number.isFinite(oauth.introspectionCacheSeconds) && oauth.introspectionCacheSeconds >= 0)) {
    throw configError('oauth.introspectionCacheSeconds', 'must be zero or a positive number of seconds', 'e.g. 60');
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Constant-time membership: every candidate is compared, digests hide the lengths. */
function matchesAny(token: string, digests: readonly Buffer[]): boolean {
  const candidate = digest(token);
  let found = false;
  for (const known of digests) found = timingSafeEqual(candidate, known) || found;
  return found;
}

function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, '\\$&').replace(/[\r\n]/g, ' ')}"`;
}

function withoutTrailingSlash(value: string): string {
  return value.endsWith('/') ? value.slice(0, -1) : value;
}

/** RFC 9728 §3.1: the metadata path is the well-known prefix followed by the resource's path (none for `/`). */
function metadataPathFor(resource: URL): string {
  const path = resource.pathname === '/' ? '' : withoutTrailingSlash(resource.pathname);
  return `${WELL_KNOWN_RESOURCE}${path}`;
}

function bearerToken(request: IncomingMessage): { token: string } | { error: string } {
  const header = request.headers.authorization;
  if (header === undefined || header.trim() === '') return { error: 'no bearer token in the Authorization header' };
  const match = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)[ ]*$/i.exec(header);
  if (match === null) return { error: /^Bearer\b/i.test(header) ? 'the bearer token is malformed' : 'the Authorization header is not a Bearer token' };
  return { token: match[1] as string };
}

function scopesFrom(value: unknown): string[] {
  if (typeof value === 'string') return value.split(' ').filter((scope) => scope !== '');
  if (Array.isArray(value)) return value.filter((scope): scope is string => typeof scope === 'string' && scope !== '');
  return [];
}

function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
}

function describeFailure(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'it did not answer in time';
    if (cause instanceof Error && cause.message !== '') return cause.message;
    return error.message;
  }
  return String(error);
}

/** Fetch with a deadline; any failure to get an answer is AuthorizationServerUnavailable, naming what was asked. */
async function askAuthorizationServer(what: string, url: string, init: RequestInit, timeoutMs: number): Promise<Response> {
  try {
    return await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new AuthorizationServerUnavailable(`could not reach the authorization server's ${what} at ${url}: ${describeFailure(error)}`);
  }
}

async function readJson(what: string, url: string, response: Response): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    body = await response.json();
  } catch (error) {
    throw new AuthorizationServerUnavailable(`the authorization server's ${what} at ${url} did not answer JSON: ${describeFailure(error)}`);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new AuthorizationServerUnavailable(`the authorization server's ${what} at ${url} did not answer a JSON object`);
  return body as Record<string, unknown>;
}

interface Verifier {
  mode: 'jwt' | 'introspection';
  verify(token: string): Promise<Omit<AuthInfo, 'token'>>;
}

interface CachedIntrospection {
  until: number;
  result: Omit<AuthInfo, 'token'> | InvalidToken;
}

/** OAuth resource-server verification: endpoints from the options or the authorization server's metadata, found once. */
function createOAuthVerifier(oauth: OAuthOptions): () => Promise<Verifier> {
  const timeoutMs = oauth.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const cacheMs = (oauth.introspectionCacheSeconds ?? DEFAULT_INTROSPECTION_CACHE_SECONDS) * 1000;
  const audience = oauth.audience ?? oauth.resource;
  const issuers = [...new Set([oauth.issuer, withoutTrailingSlash(oauth.issuer), `${withoutTrailingSlash(oauth.issuer)}/`])];
  let pending: Promise<Verifier> | undefined;

  const discover = async (): Promise<{ jwks_uri?: string; introspection_endpoint?: string }> => {
    const issuer = new URL(oauth.issuer);
    const path = issuer.pathname === '/' ? '' : withoutTrailingSlash(issuer.pathname);
    const base = withoutTrailingSlash(oauth.issuer);
    // RFC 8414 §3 puts the well-known segment before the issuer's path; many servers serve it after, and OpenID Connect does.
    const candidates = [
      ...new Set([
        `${issuer.origin}/.well-known/oauth-authorization-server${path}`,
        `${base}/.well-known/oauth-authorization-server`,
        `${base}/.well-known/openid-configuration`,
        `${issuer.origin}/.well-known/openid-configuration${path}`,
      ]),
    ];
    const tried: string[] = [];
    for (const url of candidates) {
      const response = await askAuthorizationServer('metadata', url, { headers: { accept: 'application/json' } }, timeoutMs);
      if (!response.ok) {
        await response.body?.cancel();
        tried.push(`${url} (HTTP ${response.status})`);
        continue;
      }
      const metadata = await readJson('metadata', url, response);
      if (typeof metadata.issuer === 'string' && !issuers.includes(metadata.issuer)) {
        throw new AuthorizationServerUnavailable(`the authorization server metadata at ${url} names issuer ${metadata.issuer}, not ${oauth.issuer}; fix oauth.issuer`);
      }
      const result: { jwks_uri?: string; introspection_endpoint?: string } = {};
      if (typeof metadata.jwks_uri === 'string') result.jwks_uri = metadata.jwks_uri;
      if (typeof metadata.introspection_endpoint === 'string') result.introspection_endpoint = metadata.introspection_endpoint;
      return result;
    }
    throw new AuthorizationServerUnavailable(
      `found no authorization server metadata for ${oauth.issuer}: ${tried.join(', ')}; check oauth.issuer, or set oauth.jwks_uri or oauth.introspection_endpoint`,
    );
  };

  const jwtVerifier = (jwksUri: string): Verifier => {
    // Every failure to fetch the key set becomes AuthorizationServerUnavailable; jose sees only good answers.
    const fetchKeys = async (url: string, init: RequestInit): Promise<Response> => {
      const response = await askAuthorizationServer('JWKS', url, init, timeoutMs);
      if (response.status !== 200) {
        await response.body?.cancel();
        throw new AuthorizationServerUnavailable(`the authorization server's JWKS at ${url} answered HTTP ${response.status}`);
      }
      const body = await readJson('JWKS', url, response);
      if (!Array.isArray(body.keys)) throw new AuthorizationServerUnavailable(`the authorization server's JWKS at ${url} has no keys list`);
      return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
    };
    const keys: JWTVerifyGetKey = createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: timeoutMs, [customFetch]: fetchKeys });
    return {
      mode: 'jwt',
      async verify(token) {
        let payload: JWTPayload;
        try {
          ({ payload } = await jwtVerify(token, keys, { issuer: issuers, audience, requiredClaims: ['exp'] }));
        } catch (error) {
          if (error instanceof AuthorizationServerUnavailable) throw error;
          if (error instanceof errors.JWKSTimeout) throw new AuthorizationServerUnavailable(`the authorization server's JWKS at ${jwksUri} did not answer in time`);
          if (error instanceof errors.JOSEError) throw new InvalidToken(jwtFailure(error));
          throw new InvalidToken('the token could not be verified');
        }
        const info: Omit<AuthInfo, 'token'> = { scopes: scopesFrom(payload.scope ?? payload.scp), via: 'jwt' };
        const clientId = payload.client_id ?? payload.azp;
        if (typeof clientId === 'string') info.clientId = clientId;
        if (typeof payload.sub === 'string') info.subject = payload.sub;
        if (typeof payload.exp === 'number') info.expiresAt = payload.exp;
        return info;
      },
    };
  };

  const introspectionVerifier = (endpoint: string): Verifier => {
    const cache = new Map<string, CachedIntrospection>();
    const inFlight = new Map<string, Promise<Omit<AuthInfo, 'token'>>>();
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    if (oauth.clientId !== undefined) {
      const encode = (value: string): string => encodeURIComponent(value).replace(/%20/g, '+');
      headers.authorization = `Basic ${Buffer.from(`${encode(oauth.clientId)}:${encode(oauth.clientSecret ?? '')}`).toString('base64')}`;
    }
    const remember = (key: string, result: CachedIntrospection['result'], exp: number | undefined): void => {
      if (cacheMs <= 0) return;
      const until = Math.min(Date.now() + cacheMs, exp === undefined ? Number.POSITIVE_INFINITY : exp * 1000);
      if (cache.size >= INTROSPECTION_CACHE_LIMIT) {
        const now = Date.now();
        for (const [entry, cached] of cache) if (cached.until <= now) cache.delete(entry);
        while (cache.size >= INTROSPECTION_CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
      }
      cache.set(key, { until, result });
    };
    const ask = async (token: string, key: string): Promise<Omit<AuthInfo, 'token'>> => {
      const response = await askAuthorizationServer(
        'introspection endpoint',
        endpoint,
        { method: 'POST', headers, body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString() },
        timeoutMs,
      );
      if (response.status === 401 || response.status === 403) {
        await response.body?.cancel();
        throw new AuthorizationServerUnavailable(
          `the introspection endpoint ${endpoint} refused this server's client credentials (HTTP ${response.status}); check oauth.client_id and oauth.client_secret`,
        );
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new AuthorizationServerUnavailable(`the introspection endpoint ${endpoint} answered HTTP ${response.status}`);
      }
      const body = await readJson('introspection endpoint', endpoint, response);
      const exp = typeof body.exp === 'number' ? body.exp : undefined;
      const refuse = (reason: string): never => {
        const error = new InvalidToken(reason);
        remember(key, error, exp);
        throw error;
      };
      if (body.active !== true) refuse('the token is not active (expired, revoked or unknown)');
      if (exp !== undefined && exp * 1000 <= Date.now()) refuse('the token has expired');
      if (typeof body.iss === 'string' && !issuers.includes(body.iss)) refuse(`the token was issued by ${body.iss}, not ${oauth.issuer}`);
      if (body.aud !== undefined) {
        const audiences = Array.isArray(body.aud) ? body.aud : [body.aud];
        if (!audiences.includes(audience)) refuse(`the token is for another audience, not ${audience}`);
      }
      const info: Omit<AuthInfo, 'token'> = { scopes: scopesFrom(body.scope), via: 'introspection' };
      if (typeof body.client_id === 'string') info.clientId = body.client_id;
      if (typeof body.sub === 'string') info.subject = body.sub;
      if (exp !== undefined) info.expiresAt = exp;
      remember(key, info, exp);
      return info;
    };
    return {
      mode: 'introspection',
      async verify(token) {
        const key = digest(token).toString('base64');
        const cached = cache.get(key);
        if (cached !== undefined) {
          if (cached.until > Date.now()) {
            if (cached.result instanceof InvalidToken) throw cached.result;
            return cached.result;
          }
          cache.delete(key);
        }
        let asking = inFlight.get(key);
        if (asking === undefined) {
          asking = ask(token, key).finally(() => inFlight.delete(key));
          inFlight.set(key, asking);
        }
        return asking;
      },
    };
  };

  const resolve = async (): Promise<Verifier> => {
    if (oauth.introspectionEndpoint !== undefined) return introspectionVerifier(oauth.introspectionEndpoint);
    if (oauth.jwksUri !== undefined) return jwtVerifier(oauth.jwksUri);
    const metadata = await discover();
    // Client credentials say introspection is meant; otherwise JWTs are verified locally when the server publishes keys.
    if (oauth.clientId !== undefined && metadata.introspection_endpoint !== undefined) return introspectionVerifier(metadata.introspection_endpoint);
    if (metadata.jwks_uri !== undefined) return jwtVerifier(metadata.jwks_uri);
    if (metadata.introspection_endpoint !== undefined) return introspectionVerifier(metadata.introspection_endpoint);
    throw new AuthorizationServerUnavailable(
      `the authorization server metadata for ${oauth.issuer} names neither jwks_uri nor introspection_endpoint; set oauth.jwks_uri or oauth.introspection_endpoint`,
    );
  };

  // Found once; a failed discovery is tried again at the next request.
  return () => {
    pending ??= resolve().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

function jwtFailure(error: InstanceType<typeof errors.JOSEError>): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return 'the token is for another audience';
    if (error.claim === 'iss') return 'the token was issued by another authorization server';
    return `the token's ${error.claim} claim is not acceptable (${error.reason})`;
  }
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWSSignatureVerificationFailed) return 'the token is not signed by the authorization server';
  return 'the token is not a valid JWT';
}

/**
 * Makes the HTTP authentication of the agent server from its options (see {@link authOptionsFromSettings} for YAML settings).
 *
 * - Static `tokens`: `Authorization: Bearer <token>` is compared, in constant time, with each of them.
 * - `oauth`: the server is an OAuth 2.1 resource server. {@link AuthGuard.handleMetadata} serves its RFC 9728
 *   metadata; access tokens are verified by RFC 7662 introspection when `introspectionEndpoint` is given (or
 *   `clientId` is given and the metadata names one), and otherwise as JWTs against the JWKS (issuer, audience,
 *   expiry; scopes from `scope` or `scp`). Introspection answers are reused for `introspectionCacheSeconds`.
 *   If the authorization server can't be reached in `timeoutMs`, requests get 503.
 * - Both: a static token is accepted first, any other token goes to OAuth. `requiredScopes` apply to OAuth tokens only.
 * - Neither: `enabled` is false and every request is let in as `via: 'anonymous'`.
 *
 * Bad options throw here, naming the setting and the fix.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 *
 * const guard = createAuthGuard({ oauth: { issuer: 'https://auth.example.com', resource: 'https://agents.example.com/mcp' } });
 * createServer(async (request, response) => {
 *   if (guard.handleMetadata(request, response)) return;
 *   const auth = await guard.authenticate(request, response);
 *   if (auth === undefined) return;
 *   response.end(JSON.stringify({ scopes: auth.scopes }));
 * }).listen(3000);
 * ```
 */
export function createAuthGuard(options: ServerAuthOptions | undefined): AuthGuard {
  if (options !== undefined && options !== null) checkOptions(options);
  const tokenDigests = (options?.tokens ?? []).map(digest);
  const oauth = options?.oauth;
  const enabled = tokenDigests.length > 0 || oauth !== undefined;
  const resource = oauth === undefined ? undefined : new URL(oauth.resource);
  const metadataPaths = resource === undefined ? [] : [...new Set([WELL_KNOWN_RESOURCE, metadataPathFor(resource)])];
  const metadataUrl = resource === undefined ? undefined : `${resource.origin}${metadataPathFor(resource)}`;
  const verifier = oauth === undefined ? undefined : createOAuthVerifier(oauth);
  const requiredScopes = [...(oauth?.requiredScopes ?? [])];

  const challenge = (fields: Record<string, string>): string => {
    const parts = [`realm=${quote(REALM)}`, ...Object.entries(fields).map(([key, value]) => `${key}=${quote(value)}`)];
    if (metadataUrl !== undefined) parts.push(`resource_metadata=${quote(metadataUrl)}`);
    return `Bearer ${parts.join(', ')}`;
  };

  const answer = (response: ServerResponse, status: number, body: Record<string, string>, headers: Record<string, string>): undefined => {
    if (!response.headersSent) {
      response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
      response.end(JSON.stringify(body));
    }
    return undefined;
  };

  const unauthorized = (response: ServerResponse, description: string): undefined =>
    answer(response, 401, { error: 'invalid_token', error_description: description }, { 'www-authenticate': challenge({ error: 'invalid_token', error_description: description }) });

  return {
    enabled,

    handleMetadata(request, response) {
      if (oauth === undefined || resource === undefined) return false;
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      if (!metadataPaths.includes(path)) return false;
      const cors = { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, OPTIONS', 'access-control-allow-headers': 'mcp-protocol-version' };
      if (request.method === 'OPTIONS') {
        response.writeHead(204, cors).end();
        return true;
      }
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.writeHead(405, { ...cors, allow: 'GET, HEAD, OPTIONS' }).end();
        return true;
      }
      const document: Record<string, unknown> = {
        resource: oauth.resource,
        authorization_servers: [oauth.issuer],
        bearer_methods_supported: ['header'],
      };
      if (requiredScopes.length > 0) document.scopes_supported = requiredScopes;
      const body = JSON.stringify(document);
      response.writeHead(200, { ...cors, 'content-type': 'application/json', 'cache-control': 'public, max-age=300' });
      response.end(request.method === 'HEAD' ? undefined : body);
      return true;
    },

    async authenticate(request, response) {
      if (!enabled) return { token: '', scopes: [], via: 'anonymous' };
      const bearer = bearerToken(request);
      if ('error' in bearer) return unauthorized(response, bearer.error);
      const { token } = bearer;
      if (tokenDigests.length > 0 && matchesAny(token, tokenDigests)) return { token, scopes: [], via: 'token' };
      if (verifier === undefined) return unauthorized(response, 'the bearer token is not accepted');
      try {
        const verify = await verifier();
        if (verify.mode === 'jwt' && !looksLikeJwt(token)) return unauthorized(response, 'the bearer token is not a JWT');
        const info = await verify.verify(token);
        const missing = requiredScopes.filter((scope) => !info.scopes.includes(scope));
        if (missing.length > 0) {
          const description = `the token lacks the scope${missing.length > 1 ? 's' : ''} ${missing.join(' ')}`;
          return answer(
            response,
            403,
            { error: 'insufficient_scope', error_description: description },
            { 'www-authenticate': challenge({ error: 'insufficient_scope', scope: requiredScopes.join(' '), error_description: description }) },
          );
        }
        return { token, ...info };
      } catch (error) {
        if (error instanceof InvalidToken) return unauthorized(response, error.message);
        const description = error instanceof AuthorizationServerUnavailable ? `cannot verify the token now: ${error.message}` : `cannot verify the token now: ${describeFailure(error)}`;
        return answer(response, 503, { error: 'temporarily_unavailable', error_description: description }, { 'retry-after': '5' });
      }
    },
  };
}
