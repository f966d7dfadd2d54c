// A local OAuth 2.1 authorization server for tests, with node:http and node:crypto only: RFC 8414
// metadata, a JWKS, the client_credentials grant and RFC 7662 introspection, on 127.0.0.1.
// Tokens are RS256 JWTs signed by a key pair made at start. Not for production use.
import { createHash, generateKeyPairSync, randomUUID, sign, timingSafeEqual, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A client registered with the {@link startLocalAuthorizationServer | local authorization server}.
 *
 * @example
 * ```ts
 * const client: LocalOAuthClient = { clientId: 'agent-caller', clientSecret: 's3cret', scopes: ['mcp:tools'] };
 * ```
 */
export interface LocalOAuthClient {
  clientId: string;
  clientSecret: string;
  /** The scopes this client may ask for at the token endpoint; a request without `scope` gets all of them. */
  scopes: readonly string[];
}

/**
 * Options of {@link startLocalAuthorizationServer}.
 *
 * @example
 * ```ts
 * const options: LocalAuthorizationServerOptions = { clients: [{ clientId: 'c', clientSecret: 's', scopes: ['read'] }] };
 * ```
 */
export interface LocalAuthorizationServerOptions {
  /** The port on 127.0.0.1. Default 0 (an ephemeral port). */
  port?: number;
  /** The registered clients. Default one client, `test-client` / `test-client-secret`, with no scopes. */
  clients?: readonly LocalOAuthClient[];
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
  /** `<issuer>/token`: the client_credentials grant. */
  tokenEndpoint: string;
  /** `<issuer>/introspect`: RFC 7662, client authentication required. */
  introspectionEndpoint: string;
  /** The registered clients. */
  clients: readonly LocalOAuthClient[];
  /** Signs an RS256 JWT access token with the server's key. */
  issueToken(request: LocalTokenRequest): Promise<string>;
  /** Marks a token revoked: introspection answers `{ "active": false }` for it from now on. */
  revoke(token: string): void;
  /** Stops listening and drops open connections; later requests are refused. Safe to call twice. */
  close(): Promise<void>;
}

const DEFAULT_CLIENTS: readonly LocalOAuthClient[] = [{ clientId: 'test-client', clientSecret: 'test-client-secret', scopes: [] }];

interface TokenClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  jti: string;
  client_id: string;
  scope: string;
}

function base64url(input: Buffer | string): string {
  return Buffer.from(input).toString('base64url');
}

function sameSecret(a: string, b: string): boolean {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right);
}

function signJwt(claims: TokenClaims, privateKey: KeyObject, kid: string): string {
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid }));
  const payload = base64url(JSON.stringify(claims));
  const signature = sign('sha256', Buffer.from(`${header}.${payload}`), privateKey);
  return `${header}.${payload}.${base64url(signature)}`;
}

/** The claims of a token this server signed, or undefined when it did not sign it (or it is not a JWT). */
function verifyOwnJwt(token: string, publicKey: KeyObject, kid: string): TokenClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [header, payload, signature] = parts as [string, string, string];
  try {
    const decodedHeader = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: unknown; kid?: unknown };
    if (decodedHeader.alg !== 'RS256' || decodedHeader.kid !== kid) return undefined;
    if (!verify('sha256', Buffer.from(`${header}.${payload}`), publicKey, Buffer.from(signature, 'base64url'))) return undefined;
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenClaims;
  } catch {
    return undefined;
  }
}

/** RFC 6749 §2.3.1: Basic credentials are form-urlencoded first. */
function formDecode(value: string): string | null {
  try {
    return decodeURIComponent(value.replaceAll('+', ' '));
  } catch {
    return null;
  }
}

async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  response.end(JSON.stringify(body));
}

/**
 * Starts a local OAuth 2.1 authorization server on 127.0.0.1, a test server for resource servers that
 * verify access tokens (by JWKS or by introspection). It serves:
 *
 * - `GET /.well-known/oauth-authorization-server` (and `/.well-known/openid-configuration`): RFC 8414 metadata;
 * - `GET /jwks`: the public key of its RS256 signing key;
 * - `POST /token`: the `client_credentials` grant, with `client_secret_basic` or `client_secret_post`;
 *   `scope` (a subset of the client's scopes, default all of them) and `resource` or `audience` (the `aud`);
 * - `POST /introspect`: RFC 7662 introspection, for registered clients only;
 * - `POST /revoke`: RFC 7009 revocation, for registered clients only.
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
  const clients = options.clients ?? DEFAULT_CLIENTS;
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomUUID();
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  const revoked = new Set<string>();
  let issuer = '';

  const metadata = (): Record<string, unknown> => ({
    issuer,
    token_endpoint: `${issuer}/token`,
    jwks_uri: `${issuer}/jwks`,
    introspection_endpoint: `${issuer}/introspect`,
    revocation_endpoint: `${issuer}/revoke`,
    grant_types_supported: ['client_credentials'],
    response_types_supported: [],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    scopes_supported: [...new Set(clients.flatMap((client) => client.scopes))],
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

  /** The client a request authenticates as (Basic header or form fields), or undefined. */
  const authenticateClient = (request: IncomingMessage, form: URLSearchParams): LocalOAuthClient | undefined => {
    let id: string | null = null;
    let secret: string | null = null;
    const header = request.headers.authorization;
    if (header?.toLowerCase().startsWith('basic ')) {
      const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon >= 0) {
        id = formDecode(decoded.slice(0, colon));
        secret = formDecode(decoded.slice(colon + 1));
      }
    } else {
      id = form.get('client_id');
      secret = form.get('client_secret');
    }
    if (id === null || secret === null) return undefined;
    const client = clients.find((candidate) => candidate.clientId === id);
    // Compare even for an unknown client, so timing does not tell which ids exist.
    const ok = sameSecret(secret, client?.clientSecret ?? randomUUID());
    return ok ? client : undefined;
  };

  const invalidClient = (response: ServerResponse): void =>
    sendJson(response, 401, { error: 'invalid_client', error_description: 'client authentication failed' }, { 'www-authenticate': 'Basic realm="local-authorization-server"' });

  const handleToken = (request: IncomingMessage, response: ServerResponse, form: URLSearchParams): void => {
    const client = authenticateClient(request, form);
    if (client === undefined) return invalidClient(response);
    const grantType = form.get('grant_type');
    if (grantType !== 'client_credentials') {
      return sendJson(response, 400, { error: 'unsupported_grant_type', error_description: `grant_type ${JSON.stringify(grantType)} is not supported; use client_credentials` });
    }
    const requested = form.get('scope');
    const scopes = requested === null ? [...client.scopes] : requested.split(' ').filter((scope) => scope !== '');
    const unknown = scopes.filter((scope) => !client.scopes.includes(scope));
    if (unknown.length > 0) return sendJson(response, 400, { error: 'invalid_scope', error_description: `client ${client.clientId} may not ask for: ${unknown.join(' ')}` });
    const audience = form.get('resource') ?? form.get('audience');
    if (audience === null || audience === '') return sendJson(response, 400, { error: 'invalid_target', error_description: 'give the resource (or audience) the token is for' });
    const expiresIn = 3600;
    const token = issue({ audience, scopes, clientId: client.clientId, expiresInSeconds: expiresIn });
    sendJson(response, 200, { access_token: token, token_type: 'Bearer', expires_in: expiresIn, scope: scopes.join(' ') });
  };

  const handleIntrospect = (request: IncomingMessage, response: ServerResponse, form: URLSearchParams): void => {
    if (authenticateClient(request, form) === undefined) return invalidClient(response);
    const token = form.get('token');
    if (token === null) return sendJson(response, 400, { error: 'invalid_request', error_description: 'the token parameter is missing' });
    const claims = verifyOwnJwt(token, publicKey, kid);
    const now = Math.floor(Date.now() / 1000);
    if (claims === undefined || claims.exp <= now || revoked.has(claims.jti)) return sendJson(response, 200, { active: false });
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
    const claims = verifyOwnJwt(token, publicKey, kid);
    if (claims !== undefined) revoked.add(claims.jti);
  };

  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    void (async () => {
      if (request.method === 'GET' && (path === '/.well-known/oauth-authorization-server' || path === '/.well-known/openid-configuration')) return sendJson(response, 200, metadata());
      if (request.method === 'GET' && path === '/jwks') return sendJson(response, 200, { keys: [jwk] });
      if (request.method === 'POST' && (path === '/token' || path === '/introspect' || path === '/revoke')) {
        const form = await readForm(request);
        if (path === '/token') return handleToken(request, response, form);
        if (path === '/introspect') return handleIntrospect(request, response, form);
        if (authenticateClient(request, form) === undefined) return invalidClient(response);
        revokeToken(form.get('token') ?? '');
        response.writeHead(200).end();
        return;
      }
      sendJson(response, 404, { error: 'not_found', error_description: `${request.method} ${path} is not served here` });
    })().catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { error: 'server_error', error_description: String(error) });
      else response.destroy();
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
    tokenEndpoint: `${issuer}/token`,
    introspectionEndpoint: `${issuer}/introspect`,
    clients,
    issueToken: async (request) => issue(request),
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
