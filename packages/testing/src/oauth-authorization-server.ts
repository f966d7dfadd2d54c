// A local OAuth 2.1 authorization server for tests, with node:http and node:crypto only: RFC 8414
// metadata, a JWKS, the authorization code grant with PKCE (auto-approved), refresh tokens, the
// client_credentials grant, dynamic client registration (RFC 7591), client authentication by
// secret (basic, post), by signed JWT (private_key_jwt) or none, resource indicators (RFC 8707),
// RFC 7662 introspection and RFC 7009 revocation, on 127.0.0.1. Tokens are RS256 JWTs signed by a
// key pair made at start. Also a protected-resource front for MCP test servers
// ({@link startProtectedResourceProxy}). Not for production use.
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, randomUUID, sign, timingSafeEqual, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** How a client proves itself at the token endpoint. */
export type LocalClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';

/**
 * A client registered with the {@link startLocalAuthorizationServer | local authorization server}.
 *
 * @example
 * ```ts
 * const client: LocalOAuthClient = { clientId: 'agent-caller', clientSecret: 's3cret', scopes: ['mcp:tools'] };
 * const browserApp: LocalOAuthClient = { clientId: 'cli', scopes: ['mcp:tools'], tokenEndpointAuthMethod: 'none', redirectUris: ['http://127.0.0.1:33418/callback'] };
 * ```
 */
export interface LocalOAuthClient {
  clientId: string;
  /** Its secret, for `client_secret_basic` and `client_secret_post`; absent for public and JWT clients. */
  clientSecret?: string;
  /** The scopes this client may ask for; a request without `scope` gets all of them. */
  scopes: readonly string[];
  /**
   * How it must authenticate at the token endpoint. Default: `client_secret_basic` or
   * `client_secret_post` (either) with a secret, `none` without one.
   */
  tokenEndpointAuthMethod?: LocalClientAuthMethod;
  /** Its redirect URIs, for the authorization code grant. A loopback URI matches on any port (RFC 8252 §7.3). */
  redirectUris?: readonly string[];
  /** The public key (PEM) that verifies its `private_key_jwt` assertions (RS256 or ES256). */
  publicKeyPem?: string;
}

/**
 * Options of {@link startLocalAuthorizationServer}.
 *
 * @example
 * ```ts
 * const options: LocalAuthorizationServerOptions = { clients: [{ clientId: 'c', clientSecret: 's', scopes: ['read'] }], accessTokenLifetimeSeconds: 2 };
 * ```
 */
export interface LocalAuthorizationServerOptions {
  /** The port on 127.0.0.1. Default 0 (an ephemeral port). */
  port?: number;
  /** The registered clients. Default one client, `test-client` / `test-client-secret`, with no scopes. */
  clients?: readonly LocalOAuthClient[];
  /** Scopes it offers beyond its clients' (`scopes_supported`), and what a registered client may ask for. */
  scopes?: readonly string[];
  /** Lifetime of its access tokens. Default 3600. */
  accessTokenLifetimeSeconds?: number;
  /** Whether `POST /register` (RFC 7591) registers clients. Default true. */
  dynamicRegistration?: boolean;
  /**
   * Whether it takes an https URL as a client id (a client ID metadata document) without
   * registration. The document is not fetched: such a client is public and may use any loopback
   * redirect URI. Default false.
   */
  clientIdMetadataDocuments?: boolean;
  /**
   * The resource indicators (RFC 8707) it issues tokens for. When set, an authorization or token
   * request naming another resource is refused with `invalid_target`. Default: any.
   */
  resources?: readonly string[];
  /** Whether the token endpoint issues tokens without a `resource` (or `audience`) parameter, with no audience. Default false. */
  allowMissingResource?: boolean;
  /**
   * Enterprise-managed authorization (SEP-990): the server also plays the IdP. Maps an IdP client
   * id (which may exchange ID tokens from {@link LocalAuthorizationServer.issueIdToken} for identity
   * assertions) to the client id at the authorization server the assertion is for.
   */
  identityAssertionClients?: Readonly<Record<string, string>>;
}

/**
 * What {@link LocalAuthorizationServer.issueToken} puts in a token.
 *
 * @example
 * ```ts
 * const request: LocalTokenRequest = { audience: 'http://127.0.0.1:3000/mcp', scopes: ['read'], expiresInSeconds: -60 };
 * ```
 */
export interface LocalTokenRequest {
  /** The `aud` claim: the resource server's canonical URL. */
  audience: string;
  /** The `scope` claim (space-separated in the token). */
  scopes: readonly string[];
  /** The `sub` claim. Default the client id. */
  subject?: string;
  /** Seconds until `exp`. Default 3600; zero or negative makes an already expired token. */
  expiresInSeconds?: number;
  /** The `client_id` claim. Default `test-client`. */
  clientId?: string;
}

/**
 * The claims of an access token the server signed.
 *
 * @example
 * ```ts
 * const claims: LocalTokenClaims | undefined = as.verifyToken(token);
 * if (claims?.scope.split(' ').includes('mcp:tools')) allow();
 * ```
 */
export interface LocalTokenClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  jti: string;
  client_id: string;
  scope: string;
}

/**
 * A request the server received at its authorization or token endpoint, for assertions.
 *
 * @example
 * ```ts
 * expect(as.requests.filter((r) => r.endpoint === 'token').map((r) => r.clientAuthMethod)).toEqual(['private_key_jwt']);
 * ```
 */
export interface LocalAuthorizationServerRequest {
  endpoint: 'authorize' | 'token' | 'register';
  /** The grant type at the token endpoint. */
  grantType?: string;
  clientId?: string;
  /** How the client authenticated at the token endpoint. */
  clientAuthMethod?: LocalClientAuthMethod;
  scope?: string;
  resource?: string;
  /** The OAuth error it answered, if any. */
  error?: string;
}

/**
 * A running local authorization server, for tests only.
 *
 * @example
 * ```ts
 * const as: LocalAuthorizationServer = await startLocalAuthorizationServer();
 * const token = await as.issueToken({ audience: 'http://127.0.0.1:3000/mcp', scopes: [] });
 * await as.close();
 * ```
 */
export interface LocalAuthorizationServer {
  /** `http://127.0.0.1:<port>`: the `iss` of its tokens and the base of its metadata URL. */
  issuer: string;
  /** `<issuer>/jwks`. */
  jwksUri: string;
  /** `<issuer>/authorize`: the authorization code grant, approved at once (a redirect with `code` and `state`). */
  authorizationEndpoint: string;
  /** `<issuer>/token`: the authorization_code, refresh_token and client_credentials grants. */
  tokenEndpoint: string;
  /** `<issuer>/register`: dynamic client registration. */
  registrationEndpoint: string;
  /** `<issuer>/introspect`: RFC 7662, client authentication required. */
  introspectionEndpoint: string;
  /** The registered clients, those registered dynamically included. */
  readonly clients: readonly LocalOAuthClient[];
  /** What it was asked at its authorization, token and registration endpoints, oldest first. */
  readonly requests: readonly LocalAuthorizationServerRequest[];
  /** Signs an ID token for `subject`, for the IdP client `audience` (the subject token of SEP-990's token exchange). */
  issueIdToken(subject: string, audience: string): string;
  /** Signs an RS256 JWT access token with the server's key. */
  issueToken(request: LocalTokenRequest): Promise<string>;
  /** The claims of an access token it signed that has not expired nor been revoked, else undefined. */
  verifyToken(token: string): LocalTokenClaims | undefined;
  /** Marks an access or refresh token revoked: introspection answers `{ "active": false }` for it, a refresh is refused. */
  revoke(token: string): void;
  /** Stops listening and drops open connections; later requests are refused. Safe to call twice. */
  close(): Promise<void>;
}

const DEFAULT_CLIENTS: readonly LocalOAuthClient[] = [{ clientId: 'test-client', clientSecret: 'test-client-secret', scopes: [] }];

const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token';
const ID_JAG_TYPE = 'urn:ietf:params:oauth:token-type:id-jag';

/** How long an authorization code may wait for its exchange. */
const CODE_LIFETIME_MILLISECONDS = 60_000;

interface PendingCode {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  scopes: string[];
  resource: string | undefined;
  expiresAt: number;
}

interface RefreshGrant {
  clientId: string;
  scopes: string[];
  resource: string | undefined;
}

/** An OAuth error answer: status, code and description. */
class OAuthProblem extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    description: string,
  ) {
    super(description);
  }
}

function base64url(input: Buffer | string): string {
  return Buffer.from(input).toString('base64url');
}

function sameSecret(a: string, b: string): boolean {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right);
}

function signJwt(claims: LocalTokenClaims, privateKey: KeyObject, kid: string): string {
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid }));
  const payload = base64url(JSON.stringify(claims));
  const signature = sign('sha256', Buffer.from(`${header}.${payload}`), privateKey);
  return `${header}.${payload}.${base64url(signature)}`;
}

/** The parts of a compact JWS, decoded, or undefined when it is not one. */
function decodeJws(token: string): { header: Record<string, unknown>; payload: Record<string, unknown>; signingInput: Buffer; signature: Buffer } | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [header, payload, signature] = parts as [string, string, string];
  try {
    return {
      header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<string, unknown>,
      payload: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>,
      signingInput: Buffer.from(`${header}.${payload}`),
      signature: Buffer.from(signature, 'base64url'),
    };
  } catch {
    return undefined;
  }
}

/** The claims of a token this server signed, or undefined when it did not sign it (or it is not a JWT). */
function verifyOwnJwt(token: string, publicKey: KeyObject, kid: string): LocalTokenClaims | undefined {
  const decoded = decodeJws(token);
  if (decoded === undefined || decoded.header['alg'] !== 'RS256' || decoded.header['kid'] !== kid) return undefined;
  try {
    if (!verify('sha256', decoded.signingInput, publicKey, decoded.signature)) return undefined;
  } catch {
    return undefined;
  }
  return decoded.payload as unknown as LocalTokenClaims;
}

/** RFC 6749 §2.3.1: Basic credentials are form-urlencoded first. */
function formDecode(value: string): string | null {
  try {
    return decodeURIComponent(value.replaceAll('+', ' '));
  } catch {
    return null;
  }
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  response.end(JSON.stringify(body));
}

function isLoopback(url: URL): boolean {
  return url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === '[::1]' || url.hostname === 'localhost');
}

/** Whether `given` is one of `registered`; a loopback URI matches on any port (RFC 8252 §7.3). */
function redirectUriAllowed(given: string, registered: readonly string[]): boolean {
  if (registered.includes(given)) return true;
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    return false;
  }
  if (!isLoopback(url)) return false;
  return registered.some((candidate) => {
    try {
      const other = new URL(candidate);
      return isLoopback(other) && other.hostname === url.hostname && other.pathname === url.pathname;
    } catch {
      return false;
    }
  });
}

function isHttpsUrlClientId(clientId: string): boolean {
  try {
    const url = new URL(clientId);
    return url.protocol === 'https:' && url.pathname !== '/';
  } catch {
    return false;
  }
}

/** The PKCE S256 challenge of a verifier. */
function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/**
 * Starts a local OAuth 2.1 authorization server on 127.0.0.1, a test server for OAuth clients and
 * for resource servers that verify access tokens (by JWKS or by introspection). It serves:
 *
 * - `GET /.well-known/oauth-authorization-server` (and `/.well-known/openid-configuration`): RFC 8414 metadata;
 * - `GET /jwks`: the public key of its RS256 signing key;
 * - `GET /authorize`: the authorization code grant with PKCE (S256 required), approved at once: it
 *   redirects to the client's `redirect_uri` with `code`, `state` and `iss`, or with `error`;
 * - `POST /token`: the `authorization_code` grant (with `code_verifier`), `refresh_token` (rotating
 *   refresh tokens; `scope` may narrow) and `client_credentials`; client authentication by
 *   `client_secret_basic`, `client_secret_post`, `private_key_jwt` (RS256 or ES256 assertions,
 *   `aud` its issuer or token endpoint) or `none` for public clients; `scope` a subset of the
 *   client's scopes (default all of them) and `resource` or `audience` (the `aud`);
 * - `POST /register`: RFC 7591 dynamic client registration;
 * - `POST /introspect`: RFC 7662 introspection, for clients with credentials only;
 * - `POST /revoke`: RFC 7009 revocation, for clients with credentials only.
 *
 * The signing key lives in memory and is new at every start. This is a test server, not for production.
 *
 * @example
 * ```ts
 * const as = await startLocalAuthorizationServer({ clients: [{ clientId: 'c', clientSecret: 's', scopes: ['read'] }] });
 * const response = await fetch(as.tokenEndpoint, {
 *   method: 'POST',
 *   headers: { authorization: `Basic ${Buffer.from('c:s').toString('base64')}` },
 *   body: new URLSearchParams({ grant_type: 'client_credentials', resource: 'http://127.0.0.1:3000/mcp' }),
 * });
 * const { access_token } = (await response.json()) as { access_token: string };
 * await as.close();
 * ```
 */
export async function startLocalAuthorizationServer(options: LocalAuthorizationServerOptions = {}): Promise<LocalAuthorizationServer> {
  const clients: LocalOAuthClient[] = [...(options.clients ?? DEFAULT_CLIENTS)];
  const offeredScopes = (): string[] => [...new Set([...(options.scopes ?? []), ...clients.flatMap((client) => client.scopes)])];
  const accessTokenLifetime = options.accessTokenLifetimeSeconds ?? 3600;
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomUUID();
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  const revoked = new Set<string>();
  const codes = new Map<string, PendingCode>();
  const refreshTokens = new Map<string, RefreshGrant>();
  const usedAssertions = new Set<string>();
  const requests: LocalAuthorizationServerRequest[] = [];
  let issuer = '';

  const metadata = (): Record<string, unknown> => ({
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    jwks_uri: `${issuer}/jwks`,
    introspection_endpoint: `${issuer}/introspect`,
    revocation_endpoint: `${issuer}/revoke`,
    ...(options.dynamicRegistration === false ? {} : { registration_endpoint: `${issuer}/register` }),
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials', ...(options.identityAssertionClients === undefined ? [] : [TOKEN_EXCHANGE, JWT_BEARER])],
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
    token_endpoint_auth_signing_alg_values_supported: ['RS256', 'ES256'],
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    authorization_response_iss_parameter_supported: true,
    client_id_metadata_document_supported: options.clientIdMetadataDocuments === true,
    scopes_supported: offeredScopes(),
  });

  const issue = (request: LocalTokenRequest): string => {
    const now = Math.floor(Date.now() / 1000);
    const clientId = request.clientId ?? 'test-client';
    return signJwt(
      {
        iss: issuer,
        sub: request.subject ?? clientId,
        aud: request.audience,
        iat: now,
        exp: now + (request.expiresInSeconds ?? 3600),
        jti: randomUUID(),
        client_id: clientId,
        scope: request.scopes.join(' '),
      },
      privateKey,
      kid,
    );
  };

  const verifyToken = (token: string): LocalTokenClaims | undefined => {
    const claims = verifyOwnJwt(token, publicKey, kid);
    if (claims === undefined || claims.exp <= Math.floor(Date.now() / 1000) || revoked.has(claims.jti)) return undefined;
    return claims;
  };

  /** The client an id names: registered, or an https client ID metadata document when those are on. */
  const findClient = (clientId: string): LocalOAuthClient | undefined => {
    const found = clients.find((candidate) => candidate.clientId === clientId);
    if (found !== undefined) return found;
    if (options.clientIdMetadataDocuments === true && isHttpsUrlClientId(clientId)) {
      return { clientId, scopes: offeredScopes(), tokenEndpointAuthMethod: 'none', redirectUris: ['http://127.0.0.1/callback', 'http://localhost/callback'] };
    }
    return undefined;
  };

  /** Checks a `private_key_jwt` assertion of `client`: signature, `iss`/`sub`, `aud`, `exp`, single use. */
  const checkAssertion = (client: LocalOAuthClient, assertion: string): boolean => {
    if (client.publicKeyPem === undefined) return false;
    const decoded = decodeJws(assertion);
    if (decoded === undefined) return false;
    const key = createPublicKey(client.publicKeyPem);
    const alg = decoded.header['alg'];
    let valid = false;
    try {
      if (alg === 'RS256') valid = verify('sha256', decoded.signingInput, key, decoded.signature);
      else if (alg === 'ES256') valid = verify('sha256', decoded.signingInput, { key, dsaEncoding: 'ieee-p1363' }, decoded.signature);
    } catch {
      valid = false;
    }
    if (!valid) return false;
    const claims = decoded.payload;
    const audiences = Array.isArray(claims['aud']) ? claims['aud'] : [claims['aud']];
    const audienceOk = audiences.some((aud) => aud === issuer || aud === `${issuer}/` || aud === `${issuer}/token`);
    const now = Math.floor(Date.now() / 1000);
    const jti = typeof claims['jti'] === 'string' ? claims['jti'] : '';
    if (claims['iss'] !== client.clientId || claims['sub'] !== client.clientId || !audienceOk) return false;
    if (typeof claims['exp'] !== 'number' || claims['exp'] <= now || jti === '' || usedAssertions.has(jti)) return false;
    usedAssertions.add(jti);
    return true;
  };

  /**
   * The client a token-endpoint request authenticates as, and how; throws `invalid_client` when
   * it does not. A confidential client must use a method that fits it (its own when registered with one).
   */
  const authenticateClient = (request: IncomingMessage, form: URLSearchParams): { client: LocalOAuthClient; method: LocalClientAuthMethod } => {
    const invalid = (why: string): OAuthProblem => new OAuthProblem(401, 'invalid_client', why);
    let id: string | null = null;
    let secret: string | null = null;
    let method: LocalClientAuthMethod;
    const header = request.headers.authorization;
    if (header?.toLowerCase().startsWith('basic ')) {
      const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon >= 0) {
        id = formDecode(decoded.slice(0, colon));
        secret = formDecode(decoded.slice(colon + 1));
      }
      method = 'client_secret_basic';
    } else if (form.get('client_assertion_type') === JWT_BEARER_ASSERTION) {
      const assertion = form.get('client_assertion') ?? '';
      const claims = decodeJws(assertion)?.payload;
      id = form.get('client_id') ?? (typeof claims?.['sub'] === 'string' ? claims['sub'] : null);
      method = 'private_key_jwt';
      const client = id === null ? undefined : findClient(id);
      if (client === undefined || !checkAssertion(client, assertion)) throw invalid('the client assertion is not valid for this client');
      if (client.tokenEndpointAuthMethod !== undefined && client.tokenEndpointAuthMethod !== 'private_key_jwt')
        throw invalid(`client ${client.clientId} must use ${client.tokenEndpointAuthMethod}`);
      return { client, method };
    } else {
      id = form.get('client_id');
      secret = form.get('client_secret');
      method = secret === null ? 'none' : 'client_secret_post';
    }
    if (id === null) throw invalid('no client authentication');
    const client = findClient(id);
    if (method === 'none') {
      if (client === undefined || client.clientSecret !== undefined || (client.tokenEndpointAuthMethod !== undefined && client.tokenEndpointAuthMethod !== 'none')) {
        throw invalid('client authentication failed');
      }
      return { client, method };
    }
    // Compare even for an unknown client, so timing does not tell which ids exist.
    const ok = sameSecret(secret ?? '', client?.clientSecret ?? randomUUID());
    if (client === undefined || !ok) throw invalid('client authentication failed');
    if (client.tokenEndpointAuthMethod !== undefined && client.tokenEndpointAuthMethod !== method) throw invalid(`client ${client.clientId} must use ${client.tokenEndpointAuthMethod}`);
    return { client, method };
  };

  const checkedScopes = (client: LocalOAuthClient, requested: string | null, allowed: readonly string[] = client.scopes): string[] => {
    const scopes = requested === null ? [...allowed] : requested.split(' ').filter((scope) => scope !== '');
    const unknown = scopes.filter((scope) => !allowed.includes(scope));
    if (unknown.length > 0) throw new OAuthProblem(400, 'invalid_scope', `client ${client.clientId} may not ask for: ${unknown.join(' ')}`);
    return scopes;
  };

  const checkedResource = (resource: string | null): string | undefined => {
    if (resource === null || resource === '') return undefined;
    if (options.resources !== undefined && !options.resources.includes(resource)) {
      throw new OAuthProblem(400, 'invalid_target', `resource ${resource} is not served by this authorization server (it serves ${options.resources.join(', ')})`);
    }
    return resource;
  };

  const tokenResponse = (client: LocalOAuthClient, scopes: string[], audience: string | undefined, withRefresh: boolean): Record<string, unknown> => {
    if (audience === undefined && options.allowMissingResource !== true) throw new OAuthProblem(400, 'invalid_target', 'give the resource (or audience) the token is for');
    const token = issue({ audience: audience ?? '', scopes, clientId: client.clientId, expiresInSeconds: accessTokenLifetime });
    const body: Record<string, unknown> = { access_token: token, token_type: 'Bearer', expires_in: accessTokenLifetime, scope: scopes.join(' ') };
    if (withRefresh) {
      const refreshToken = randomBytes(32).toString('base64url');
      refreshTokens.set(refreshToken, { clientId: client.clientId, scopes, resource: audience });
      body['refresh_token'] = refreshToken;
    }
    return body;
  };

  const handleToken = (request: IncomingMessage, form: URLSearchParams, record: LocalAuthorizationServerRequest): Record<string, unknown> => {
    const grantType = form.get('grant_type');
    record.grantType = grantType ?? undefined;
    const { client, method } = authenticateClient(request, form);
    record.clientId = client.clientId;
    record.clientAuthMethod = method;
    const requestedResource = form.get('resource') ?? form.get('audience');
    record.resource = requestedResource ?? undefined;
    record.scope = form.get('scope') ?? undefined;
    if (grantType === 'client_credentials') {
      if (method === 'none') throw new OAuthProblem(401, 'invalid_client', 'client_credentials needs a confidential client');
      return tokenResponse(client, checkedScopes(client, form.get('scope')), checkedResource(requestedResource), false);
    }
    if (grantType === 'authorization_code') {
      const code = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      if (code === undefined || code.expiresAt < Date.now() || code.clientId !== client.clientId)
        throw new OAuthProblem(400, 'invalid_grant', 'the authorization code is unknown, used or expired');
      if (code.redirectUri !== form.get('redirect_uri')) throw new OAuthProblem(400, 'invalid_grant', 'redirect_uri differs from the authorization request');
      const verifier = form.get('code_verifier');
      if (verifier === null || s256(verifier) !== code.codeChallenge) throw new OAuthProblem(400, 'invalid_grant', 'the PKCE code_verifier does not match the code_challenge');
      const resource = checkedResource(requestedResource) ?? code.resource;
      if (code.resource !== undefined && resource !== code.resource) throw new OAuthProblem(400, 'invalid_target', `the code was issued for ${code.resource}`);
      return tokenResponse(client, code.scopes, resource, true);
    }
    if (grantType === 'refresh_token') {
      const refreshToken = form.get('refresh_token') ?? '';
      const grant = refreshTokens.get(refreshToken);
      if (grant === undefined || grant.clientId !== client.clientId || revoked.has(refreshToken))
        throw new OAuthProblem(400, 'invalid_grant', 'the refresh token is unknown, revoked or not this client’s');
      refreshTokens.delete(refreshToken);
      const resource = checkedResource(requestedResource) ?? grant.resource;
      return tokenResponse(client, checkedScopes(client, form.get('scope'), grant.scopes), resource, true);
    }
    const assertionClients = options.identityAssertionClients;
    if (grantType === TOKEN_EXCHANGE && assertionClients !== undefined) {
      const target = assertionClients[client.clientId];
      if (target === undefined) throw new OAuthProblem(400, 'unauthorized_client', `IdP client ${client.clientId} may not exchange tokens`);
      if (form.get('subject_token_type') !== ID_TOKEN_TYPE || form.get('requested_token_type') !== ID_JAG_TYPE) {
        throw new OAuthProblem(400, 'invalid_request', `exchange an ID token (${ID_TOKEN_TYPE}) for an identity assertion (${ID_JAG_TYPE})`);
      }
      const idToken = decodeJws(form.get('subject_token') ?? '');
      const claims = idToken?.payload;
      const valid = idToken !== undefined && verifyOwnJwt(form.get('subject_token') ?? '', publicKey, kid) !== undefined;
      if (!valid || claims?.['aud'] !== client.clientId || typeof claims['exp'] !== 'number' || claims['exp'] <= Date.now() / 1000) {
        throw new OAuthProblem(400, 'invalid_grant', 'the subject token is not a valid ID token of this IdP for this client');
      }
      const audience = form.get('audience');
      const resource = form.get('resource');
      if (audience === null || resource === null) throw new OAuthProblem(400, 'invalid_request', 'audience and resource are required');
      const now = Math.floor(Date.now() / 1000);
      const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'oauth-id-jag+jwt', kid }));
      const payload = base64url(
        JSON.stringify({
          iss: issuer,
          sub: claims['sub'],
          aud: audience,
          resource,
          client_id: target,
          scope: form.get('scope') ?? undefined,
          iat: now,
          exp: now + 300,
          jti: randomUUID(),
        }),
      );
      const assertion = `${header}.${payload}.${base64url(sign('sha256', Buffer.from(`${header}.${payload}`), privateKey))}`;
      return { access_token: assertion, issued_token_type: ID_JAG_TYPE, token_type: 'N_A', expires_in: 300 };
    }
    if (grantType === JWT_BEARER && assertionClients !== undefined) {
      if (method === 'none') throw new OAuthProblem(401, 'invalid_client', 'the jwt-bearer grant needs a confidential client');
      const assertion = form.get('assertion') ?? '';
      const decoded = decodeJws(assertion);
      const claims = decoded?.payload;
      const audiences = Array.isArray(claims?.['aud']) ? claims['aud'] : [claims?.['aud']];
      if (
        decoded?.header['typ'] !== 'oauth-id-jag+jwt' ||
        verifyOwnJwt(assertion, publicKey, kid) === undefined ||
        !audiences.some((aud) => aud === issuer || aud === `${issuer}/`) ||
        typeof claims?.['exp'] !== 'number' ||
        claims['exp'] <= Date.now() / 1000
      ) {
        throw new OAuthProblem(400, 'invalid_grant', 'the assertion is not a valid identity assertion for this authorization server');
      }
      if (claims['client_id'] !== client.clientId) throw new OAuthProblem(400, 'invalid_grant', `the assertion is for client ${String(claims['client_id'])}, not ${client.clientId}`);
      const resource = typeof claims['resource'] === 'string' ? checkedResource(claims['resource']) : undefined;
      return tokenResponse(client, checkedScopes(client, form.get('scope')), resource, false);
    }
    throw new OAuthProblem(400, 'unsupported_grant_type', `grant_type ${JSON.stringify(grantType)} is not supported; use authorization_code, refresh_token or client_credentials`);
  };

  /** The redirect of an authorization request, approved at once; or a 400 when there is nowhere safe to redirect. */
  const handleAuthorize = (url: URL, response: ServerResponse, record: LocalAuthorizationServerRequest): void => {
    const params = url.searchParams;
    const clientId = params.get('client_id') ?? '';
    const redirectUri = params.get('redirect_uri') ?? '';
    record.clientId = clientId;
    record.scope = params.get('scope') ?? undefined;
    record.resource = params.get('resource') ?? undefined;
    const client = findClient(clientId);
    if (client === undefined) throw new OAuthProblem(400, 'invalid_client', `unknown client_id ${JSON.stringify(clientId)}`);
    if (!redirectUriAllowed(redirectUri, client.redirectUris ?? []))
      throw new OAuthProblem(400, 'invalid_request', `redirect_uri ${JSON.stringify(redirectUri)} is not registered for ${clientId}`);
    const target = new URL(redirectUri);
    const state = params.get('state');
    if (state !== null) target.searchParams.set('state', state);
    target.searchParams.set('iss', issuer);
    try {
      if (params.get('response_type') !== 'code') throw new OAuthProblem(400, 'unsupported_response_type', 'only response_type=code is supported');
      const challenge = params.get('code_challenge');
      if (challenge === null || params.get('code_challenge_method') !== 'S256') throw new OAuthProblem(400, 'invalid_request', 'PKCE with code_challenge_method=S256 is required');
      const scopes = checkedScopes(client, params.get('scope'));
      const resource = checkedResource(params.get('resource'));
      const code = randomBytes(24).toString('base64url');
      codes.set(code, { clientId, redirectUri, codeChallenge: challenge, scopes, resource, expiresAt: Date.now() + CODE_LIFETIME_MILLISECONDS });
      target.searchParams.set('code', code);
    } catch (error) {
      if (!(error instanceof OAuthProblem)) throw error;
      record.error = error.error;
      target.searchParams.set('error', error.error);
      target.searchParams.set('error_description', error.message);
    }
    response.writeHead(302, { location: target.href, 'cache-control': 'no-store' }).end();
  };

  const handleRegister = (body: Buffer, record: LocalAuthorizationServerRequest): Record<string, unknown> => {
    if (options.dynamicRegistration === false) throw new OAuthProblem(404, 'not_found', 'dynamic registration is off');
    let metadataIn: Record<string, unknown>;
    try {
      metadataIn = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    } catch {
      throw new OAuthProblem(400, 'invalid_client_metadata', 'the body is not JSON');
    }
    const redirectUris = metadataIn['redirect_uris'];
    if (!Array.isArray(redirectUris) || redirectUris.some((uri) => typeof uri !== 'string'))
      throw new OAuthProblem(400, 'invalid_redirect_uri', 'redirect_uris must be an array of URIs');
    const method = (metadataIn['token_endpoint_auth_method'] as LocalClientAuthMethod | undefined) ?? 'client_secret_basic';
    if (!['client_secret_basic', 'client_secret_post', 'none'].includes(method))
      throw new OAuthProblem(400, 'invalid_client_metadata', `token_endpoint_auth_method ${method} cannot be registered here`);
    const requestedScope = typeof metadataIn['scope'] === 'string' ? (metadataIn['scope'] as string).split(' ').filter((scope) => scope !== '') : undefined;
    const offered = offeredScopes();
    const scopes = requestedScope === undefined ? offered : [...new Set([...requestedScope, ...offered])];
    const clientId = `dcr-${randomUUID()}`;
    const secret = method === 'none' ? undefined : randomBytes(24).toString('base64url');
    clients.push({ clientId, scopes, tokenEndpointAuthMethod: method, redirectUris: redirectUris as string[], ...(secret === undefined ? {} : { clientSecret: secret }) });
    record.clientId = clientId;
    return {
      ...metadataIn,
      client_id: clientId,
      client_id_issued_at: Math.floor(Date.now() / 1000),
      token_endpoint_auth_method: method,
      ...(secret === undefined ? {} : { client_secret: secret, client_secret_expires_at: 0 }),
    };
  };

  const handleIntrospect = (request: IncomingMessage, response: ServerResponse, form: URLSearchParams): void => {
    const { method } = authenticateClient(request, form);
    if (method === 'none') throw new OAuthProblem(401, 'invalid_client', 'introspection needs client credentials');
    const token = form.get('token');
    if (token === null) throw new OAuthProblem(400, 'invalid_request', 'the token parameter is missing');
    const claims = verifyToken(token);
    if (claims === undefined) return sendJson(response, 200, { active: false });
    sendJson(response, 200, {
      active: true,
      token_type: 'Bearer',
      scope: claims.scope,
      client_id: claims.client_id,
      sub: claims.sub,
      aud: claims.aud,
      iss: claims.iss,
      exp: claims.exp,
      iat: claims.iat,
      jti: claims.jti,
    });
  };

  const revokeToken = (token: string): void => {
    if (refreshTokens.has(token)) revoked.add(token);
    const claims = verifyOwnJwt(token, publicKey, kid);
    if (claims !== undefined) revoked.add(claims.jti);
  };

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const path = url.pathname;
    void (async () => {
      if (request.method === 'GET' && (path === '/.well-known/oauth-authorization-server' || path === '/.well-known/openid-configuration')) return sendJson(response, 200, metadata());
      if (request.method === 'GET' && path === '/jwks') return sendJson(response, 200, { keys: [jwk] });
      if (request.method === 'GET' && path === '/authorize') {
        const record: LocalAuthorizationServerRequest = { endpoint: 'authorize' };
        requests.push(record);
        try {
          return handleAuthorize(url, response, record);
        } catch (error) {
          if (error instanceof OAuthProblem) record.error = error.error;
          throw error;
        }
      }
      if (request.method === 'POST' && path === '/register') {
        const record: LocalAuthorizationServerRequest = { endpoint: 'register' };
        requests.push(record);
        try {
          return sendJson(response, 201, handleRegister(await readBody(request), record));
        } catch (error) {
          if (error instanceof OAuthProblem) record.error = error.error;
          throw error;
        }
      }
      if (request.method === 'POST' && (path === '/token' || path === '/introspect' || path === '/revoke')) {
        const form = new URLSearchParams((await readBody(request)).toString('utf8'));
        if (path === '/token') {
          const record: LocalAuthorizationServerRequest = { endpoint: 'token' };
          requests.push(record);
          try {
            return sendJson(response, 200, handleToken(request, form, record));
          } catch (error) {
            if (error instanceof OAuthProblem) record.error = error.error;
            throw error;
          }
        }
        if (path === '/introspect') return handleIntrospect(request, response, form);
        if (authenticateClient(request, form).method === 'none') throw new OAuthProblem(401, 'invalid_client', 'revocation needs client credentials');
        revokeToken(form.get('token') ?? '');
        response.writeHead(200).end();
        return;
      }
      sendJson(response, 404, { error: 'not_found', error_description: `${request.method} ${path} is not served here` });
    })().catch((error: unknown) => {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      if (error instanceof OAuthProblem) {
        const challenge: Record<string, string> = error.status === 401 ? { 'www-authenticate': 'Basic realm="local-authorization-server"' } : {};
        return sendJson(response, error.status, { error: error.error, error_description: error.message }, challenge);
      }
      sendJson(response, 500, { error: 'server_error', error_description: String(error) });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let closing: Promise<void> | undefined;

  return {
    issuer,
    jwksUri: `${issuer}/jwks`,
    authorizationEndpoint: `${issuer}/authorize`,
    tokenEndpoint: `${issuer}/token`,
    registrationEndpoint: `${issuer}/register`,
    introspectionEndpoint: `${issuer}/introspect`,
    clients,
    requests,
    issueIdToken: (subject, audience) => {
      const now = Math.floor(Date.now() / 1000);
      return signJwt({ iss: issuer, sub: subject, aud: audience, iat: now, exp: now + 3600, jti: randomUUID(), client_id: audience, scope: 'openid' }, privateKey, kid);
    },
    issueToken: async (request) => issue(request),
    verifyToken,
    revoke: revokeToken,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/**
 * Options of {@link startProtectedResourceProxy}.
 *
 * @example
 * ```ts
 * const options: ProtectedResourceProxyOptions = { upstream: mcp.url, authorizationServer: as, requiredScopes: (method) => (method === 'tools/call' ? ['mcp:write'] : []) };
 * ```
 */
export interface ProtectedResourceProxyOptions {
  /** The MCP endpoint to protect: `http://127.0.0.1:<port>/mcp` or `.../sse`. Its path is served under the proxy's origin. */
  upstream: string;
  /** The authorization server whose tokens it accepts (checked in-process with {@link LocalAuthorizationServer.verifyToken}). */
  authorizationServer: LocalAuthorizationServer;
  /** The scopes a JSON-RPC method needs (`undefined` for GET streams and unparsable bodies). Default none. */
  requiredScopes?: (method: string | undefined) => readonly string[];
  /** `scopes_supported` of its protected resource metadata. Default: not given. */
  scopesSupported?: readonly string[];
  /** Whether its 401 challenges name the scopes the request needs. Default true. */
  scopeInChallenge?: boolean;
  /** The resource its metadata names and its tokens' audience must be. Default its own URL (a different one tests clients' resource checks). */
  resource?: string;
}

/**
 * A running protected-resource front, for tests only.
 *
 * @example
 * ```ts
 * const proxy: ProtectedResourceProxy = await startProtectedResourceProxy({ upstream: mcp.url, authorizationServer: as });
 * await proxy.close();
 * ```
 */
export interface ProtectedResourceProxy {
  /** The protected endpoint: the upstream's path on the proxy's origin. */
  url: string;
  /** The resource identifier in its metadata and the audience its tokens must have (default `url`). */
  resource: string;
  /** `<origin>/.well-known/oauth-protected-resource<path>`. */
  resourceMetadataUrl: string;
  /** The bearer tokens it was sent, oldest first. */
  readonly tokensSeen: readonly string[];
  /** Breaks the SSE streams (GET) it is forwarding, as a network failure would; clients see them end abruptly. */
  dropStreams(): void;
  /** Stops listening and drops open connections. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Puts an OAuth protected resource (RFC 9728) in front of an HTTP MCP test server: it serves the
 * protected resource metadata at `/.well-known/oauth-protected-resource<path>` (and at the root
 * well-known path), answers requests without a valid bearer token for its resource with 401 and a
 * `WWW-Authenticate: Bearer resource_metadata="...", scope="..."` challenge, requests whose token
 * lacks the method's scopes with 403 `error="insufficient_scope"`, and forwards the rest (SSE
 * streams included) to the upstream server.
 *
 * @example
 * ```ts
 * const mcp = await startMcpTestHttpServer();
 * const as = await startLocalAuthorizationServer();
 * const proxy = await startProtectedResourceProxy({ upstream: mcp.url, authorizationServer: as });
 * // connect an OAuth client to proxy.url
 * await proxy.close();
 * ```
 */
export async function startProtectedResourceProxy(options: ProtectedResourceProxyOptions): Promise<ProtectedResourceProxy> {
  const upstream = new URL(options.upstream);
  const as = options.authorizationServer;
  const tokensSeen: string[] = [];
  const sockets = new Set<Socket>();
  /** The SSE streams (GET) it is forwarding. */
  const streams = new Set<ServerResponse>();
  let base = '';
  const resourcePath = upstream.pathname;
  const resource = (): string => options.resource ?? `${base}${resourcePath}`;
  const resourceMetadataPath = `/.well-known/oauth-protected-resource${resourcePath === '/' ? '' : resourcePath}`;

  const challenge = (response: ServerResponse, status: 401 | 403, error: string, scopes: readonly string[]): void => {
    const parts = [`error="${error}"`, `resource_metadata="${base}${resourceMetadataPath}"`];
    if (scopes.length > 0 && (status === 403 || options.scopeInChallenge !== false)) parts.push(`scope="${scopes.join(' ')}"`);
    response.writeHead(status, { 'content-type': 'application/json', 'www-authenticate': `Bearer ${parts.join(', ')}` });
    response.end(JSON.stringify({ error, error_description: status === 401 ? 'a valid bearer token is required' : 'the token lacks a required scope' }));
  };

  const server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      if (request.method === 'GET' && (url.pathname === resourceMetadataPath || url.pathname === '/.well-known/oauth-protected-resource')) {
        return sendJson(response, 200, {
          resource: resource(),
          authorization_servers: [as.issuer],
          bearer_methods_supported: ['header'],
          ...(options.scopesSupported === undefined ? {} : { scopes_supported: [...options.scopesSupported] }),
        });
      }
      const body = request.method === 'POST' ? await readBody(request) : undefined;
      let method: string | undefined;
      try {
        const parsed = body === undefined ? undefined : (JSON.parse(body.toString('utf8')) as { method?: unknown });
        method = typeof parsed?.method === 'string' ? parsed.method : undefined;
      } catch {
        method = undefined;
      }
      const required = options.requiredScopes?.(method) ?? [];
      const header = request.headers.authorization ?? '';
      const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
      if (token !== undefined) tokensSeen.push(token);
      const claims = token === undefined ? undefined : as.verifyToken(token);
      const audiences = claims === undefined ? [] : Array.isArray(claims.aud) ? claims.aud : [claims.aud];
      if (claims === undefined || !audiences.includes(resource())) return challenge(response, 401, 'invalid_token', required);
      const granted = claims.scope.split(' ');
      if (!required.every((scope) => granted.includes(scope))) return challenge(response, 403, 'insufficient_scope', required);

      const headers = { ...request.headers, host: upstream.host };
      delete headers.authorization;
      if (body !== undefined) headers['content-length'] = String(body.length);
      const forwarded = httpRequest({ host: upstream.hostname, port: upstream.port, path: request.url, method: request.method, headers }, (upstreamResponse) => {
        response.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
        upstreamResponse.pipe(response);
        if (request.method === 'GET') {
          streams.add(response);
          response.once('close', () => streams.delete(response));
        }
      });
      forwarded.on('error', () => response.destroy());
      response.on('close', () => forwarded.destroy());
      forwarded.end(body);
    })().catch(() => {
      if (!response.headersSent) response.writeHead(502).end();
      else response.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let closing: Promise<void> | undefined;
  return {
    url: `${base}${resourcePath}`,
    resource: resource(),
    resourceMetadataUrl: `${base}${resourceMetadataPath}`,
    tokensSeen,
    dropStreams: () => {
      for (const stream of streams) stream.destroy();
      streams.clear();
    },
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}
