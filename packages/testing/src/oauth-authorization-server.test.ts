import { createHash, createPublicKey, generateKeyPairSync, randomUUID, sign, verify } from 'node:crypto';
import type { JsonWebKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startMcpTestHttpServer } from './mcp-test-server-http.js';
import { startLocalAuthorizationServer, startProtectedResourceProxy } from './oauth-authorization-server.js';
import type { LocalAuthorizationServer } from './oauth-authorization-server.js';

const AUDIENCE = 'http://127.0.0.1:9/mcp';
const basic = (id: string, secret: string): string => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

function decode(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [header, payload] = token.split('.') as [string, string, string];
  return { header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')), payload: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) };
}

describe('startLocalAuthorizationServer', () => {
  let as: LocalAuthorizationServer;

  beforeAll(async () => {
    as = await startLocalAuthorizationServer({
      clients: [
        { clientId: 'caller', clientSecret: 'caller-secret', scopes: ['read', 'write'] },
        { clientId: 'resource-server', clientSecret: 'rs secret+1', scopes: [] },
      ],
    });
  });
  afterAll(async () => {
    await as.close();
  });

  const post = (url: string, form: Record<string, string>, authorization?: string): Promise<Response> =>
    fetch(url, { method: 'POST', headers: authorization === undefined ? {} : { authorization }, body: new URLSearchParams(form) });
  const introspect = async (token: string): Promise<Record<string, unknown>> => {
    const response = await post(as.introspectionEndpoint, { token }, basic('resource-server', encodeURIComponent('rs secret+1')));
    expect(response.status).toBe(200);
    return (await response.json()) as Record<string, unknown>;
  };

  it('serves RFC 8414 metadata naming its endpoints, at both well-known paths', async () => {
    expect(as.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      const metadata = (await (await fetch(`${as.issuer}${path}`)).json()) as Record<string, unknown>;
      expect(metadata).toMatchObject({
        issuer: as.issuer,
        jwks_uri: as.jwksUri,
        token_endpoint: as.tokenEndpoint,
        introspection_endpoint: as.introspectionEndpoint,
        authorization_endpoint: as.authorizationEndpoint,
        registration_endpoint: as.registrationEndpoint,
        grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
        response_types_supported: ['code'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
        scopes_supported: ['read', 'write'],
      });
    }
  });

  it('signs RS256 tokens that verify against the key its JWKS serves', async () => {
    const token = await as.issueToken({ audience: AUDIENCE, scopes: ['read'], subject: 'alice', clientId: 'caller' });
    const { header, payload } = decode(token);
    const jwks = (await (await fetch(as.jwksUri)).json()) as { keys: (JsonWebKey & { kid: string; alg: string })[] };
    expect(jwks.keys).toHaveLength(1);
    const key = jwks.keys[0]!;
    expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: header.kid });
    expect(key).not.toHaveProperty('d');
    const [h, p, s] = token.split('.') as [string, string, string];
    expect(verify('sha256', Buffer.from(`${h}.${p}`), createPublicKey({ key, format: 'jwk' }), Buffer.from(s, 'base64url'))).toBe(true);
    expect(header.alg).toBe('RS256');
    expect(payload).toMatchObject({ iss: as.issuer, aud: AUDIENCE, sub: 'alice', client_id: 'caller', scope: 'read' });
    expect(payload.exp).toBe((payload.iat as number) + 3600);
  });

  it('grants client_credentials with client_secret_basic or client_secret_post, with resource as the audience', async () => {
    const viaBasic = await post(as.tokenEndpoint, { grant_type: 'client_credentials', resource: AUDIENCE, scope: 'write' }, basic('caller', 'caller-secret'));
    expect(viaBasic.status).toBe(200);
    const granted = (await viaBasic.json()) as { access_token: string; token_type: string; scope: string; expires_in: number };
    expect(granted).toMatchObject({ token_type: 'Bearer', scope: 'write', expires_in: 3600 });
    expect(decode(granted.access_token).payload).toMatchObject({ aud: AUDIENCE, scope: 'write', client_id: 'caller', sub: 'caller' });

    const viaPost = await post(as.tokenEndpoint, { grant_type: 'client_credentials', audience: 'urn:other', client_id: 'caller', client_secret: 'caller-secret' });
    expect(viaPost.status).toBe(200);
    const all = (await viaPost.json()) as { access_token: string; scope: string };
    expect(all.scope).toBe('read write');
    expect(decode(all.access_token).payload.aud).toBe('urn:other');
  });

  it('refuses bad client credentials, other grants and scopes the client may not have', async () => {
    const wrongSecret = await post(as.tokenEndpoint, { grant_type: 'client_credentials', resource: AUDIENCE }, basic('caller', 'nope'));
    expect(wrongSecret.status).toBe(401);
    expect(await wrongSecret.json()).toMatchObject({ error: 'invalid_client' });
    const unknownClient = await post(as.tokenEndpoint, { grant_type: 'client_credentials', resource: AUDIENCE, client_id: 'ghost', client_secret: 'caller-secret' });
    expect(unknownClient.status).toBe(401);
    const grant = await post(as.tokenEndpoint, { grant_type: 'password', resource: AUDIENCE }, basic('caller', 'caller-secret'));
    expect(grant.status).toBe(400);
    expect(await grant.json()).toMatchObject({ error: 'unsupported_grant_type' });
    const scope = await post(as.tokenEndpoint, { grant_type: 'client_credentials', resource: AUDIENCE, scope: 'read admin' }, basic('caller', 'caller-secret'));
    expect(scope.status).toBe(400);
    expect(await scope.json()).toMatchObject({ error: 'invalid_scope' });
  });

  it('introspects per RFC 7662: active with claims, then inactive once revoked; expired and foreign tokens are inactive', async () => {
    const token = await as.issueToken({ audience: AUDIENCE, scopes: ['read', 'write'], subject: 'bob', clientId: 'caller' });
    expect(await introspect(token)).toMatchObject({ active: true, scope: 'read write', client_id: 'caller', sub: 'bob', aud: AUDIENCE, iss: as.issuer, token_type: 'Bearer' });
    as.revoke(token);
    expect(await introspect(token)).toEqual({ active: false });

    const expired = await as.issueToken({ audience: AUDIENCE, scopes: [], expiresInSeconds: -5 });
    expect(await introspect(expired)).toEqual({ active: false });
    expect(await introspect('not-a-jwt')).toEqual({ active: false });

    const other = await startLocalAuthorizationServer();
    try {
      expect(await introspect(await other.issueToken({ audience: AUDIENCE, scopes: [] }))).toEqual({ active: false });
    } finally {
      await other.close();
    }
  });

  it('revokes through POST /revoke too', async () => {
    const token = await as.issueToken({ audience: AUDIENCE, scopes: [] });
    const response = await post(`${as.issuer}/revoke`, { token, client_id: 'caller', client_secret: 'caller-secret' });
    expect(response.status).toBe(200);
    expect(await introspect(token)).toEqual({ active: false });
  });

  it('requires client authentication at the introspection endpoint', async () => {
    const token = await as.issueToken({ audience: AUDIENCE, scopes: [] });
    const anonymous = await post(as.introspectionEndpoint, { token });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic /);
  });

  it('has a default client, and refuses connections once closed', async () => {
    const local = await startLocalAuthorizationServer();
    expect(local.clients).toEqual([{ clientId: 'test-client', clientSecret: 'test-client-secret', scopes: [] }]);
    const granted = await post(local.tokenEndpoint, { grant_type: 'client_credentials', resource: AUDIENCE }, basic('test-client', 'test-client-secret'));
    expect(granted.status).toBe(200);
    await local.close();
    await local.close();
    await expect(fetch(local.jwksUri)).rejects.toThrow();
  });

  describe('authorization code with PKCE', () => {
    const verifier = 'a-verifier-of-enough-length-0123456789-abcdefghijk';
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const redirectUri = 'http://127.0.0.1:40123/callback';

    async function register(method = 'none'): Promise<{ client_id: string; client_secret?: string }> {
      const response = await fetch(as.registrationEndpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ redirect_uris: ['http://127.0.0.1/callback'], token_endpoint_auth_method: method, client_name: 'test' }),
      });
      expect(response.status).toBe(201);
      return (await response.json()) as { client_id: string; client_secret?: string };
    }

    async function authorize(clientId: string, extra: Record<string, string> = {}): Promise<URL> {
      const url = new URL(as.authorizationEndpoint);
      const params = {
        response_type: 'code',
        client_id: clientId,
        redirect_uri: redirectUri,
        code_challenge: challenge,
        code_challenge_method: 'S256',
        state: 's1',
        scope: 'read',
        resource: AUDIENCE,
        ...extra,
      };
      for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
      const response = await fetch(url, { redirect: 'manual' });
      expect(response.status).toBe(302);
      return new URL(response.headers.get('location') ?? '');
    }

    it('registers a public client, approves at once with a redirect, and exchanges the code with its verifier', async () => {
      const { client_id: clientId, client_secret: secret } = await register();
      expect(secret).toBeUndefined();
      const redirect = await authorize(clientId);
      expect(`${redirect.origin}${redirect.pathname}`).toBe(redirectUri);
      expect(redirect.searchParams.get('state')).toBe('s1');
      expect(redirect.searchParams.get('iss')).toBe(as.issuer);
      const code = redirect.searchParams.get('code') ?? '';
      const exchange = (form: Record<string, string>) => post(as.tokenEndpoint, { grant_type: 'authorization_code', client_id: clientId, redirect_uri: redirectUri, code, ...form });
      const granted = await exchange({ code_verifier: verifier });
      expect(granted.status).toBe(200);
      const tokens = (await granted.json()) as { access_token: string; refresh_token: string; scope: string };
      expect(tokens.scope).toBe('read');
      expect(decode(tokens.access_token).payload).toMatchObject({ aud: AUDIENCE, client_id: clientId, scope: 'read' });
      expect(as.verifyToken(tokens.access_token)?.client_id).toBe(clientId);
      // A code is good once.
      expect(await (await exchange({ code_verifier: verifier })).json()).toMatchObject({ error: 'invalid_grant' });

      // The refresh token rotates: the old one is refused after use; scope may narrow, not widen.
      const refreshed = await post(as.tokenEndpoint, { grant_type: 'refresh_token', client_id: clientId, refresh_token: tokens.refresh_token });
      expect(refreshed.status).toBe(200);
      const next = (await refreshed.json()) as { refresh_token: string };
      expect(next.refresh_token).not.toBe(tokens.refresh_token);
      expect(await (await post(as.tokenEndpoint, { grant_type: 'refresh_token', client_id: clientId, refresh_token: tokens.refresh_token })).json()).toMatchObject({
        error: 'invalid_grant',
      });
      expect(await (await post(as.tokenEndpoint, { grant_type: 'refresh_token', client_id: clientId, refresh_token: next.refresh_token, scope: 'read write' })).json()).toMatchObject({
        error: 'invalid_scope',
      });
      expect(as.requests.filter((request) => request.endpoint === 'token' && request.clientId === clientId).map((request) => request.grantType)).toEqual([
        'authorization_code',
        'authorization_code',
        'refresh_token',
        'refresh_token',
        'refresh_token',
      ]);
    });

    it('refuses a wrong verifier, another redirect URI, a missing PKCE challenge and a secret-less confidential client', async () => {
      const { client_id: clientId } = await register();
      const code = (await authorize(clientId)).searchParams.get('code') ?? '';
      const wrong = await post(as.tokenEndpoint, { grant_type: 'authorization_code', client_id: clientId, redirect_uri: redirectUri, code, code_verifier: 'x'.repeat(43) });
      expect(await wrong.json()).toMatchObject({ error: 'invalid_grant', error_description: 'the PKCE code_verifier does not match the code_challenge' });
      expect((await authorize(clientId, { code_challenge_method: 'plain' })).searchParams.get('error')).toBe('invalid_request');
      const elsewhere = await fetch(`${as.authorizationEndpoint}?response_type=code&client_id=${clientId}&redirect_uri=${encodeURIComponent('https://evil.example/cb')}`, {
        redirect: 'manual',
      });
      expect(elsewhere.status).toBe(400);
      const confidential = await register('client_secret_basic');
      expect(confidential.client_secret).toEqual(expect.any(String));
      const anonymous = await post(as.tokenEndpoint, { grant_type: 'client_credentials', client_id: confidential.client_id, resource: AUDIENCE });
      expect(anonymous.status).toBe(401);
      const basicAuth = await post(as.tokenEndpoint, { grant_type: 'client_credentials', resource: AUDIENCE }, basic(confidential.client_id, confidential.client_secret ?? ''));
      expect(basicAuth.status).toBe(200);
    });
  });

  it('authenticates private_key_jwt clients by a signed, single-use assertion', async () => {
    const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const local = await startLocalAuthorizationServer({
      clients: [
        { clientId: 'jwt-client', scopes: ['read'], tokenEndpointAuthMethod: 'private_key_jwt', publicKeyPem: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString() },
      ],
    });
    try {
      const assertion = (claims: Record<string, unknown> = {}): string => {
        const now = Math.floor(Date.now() / 1000);
        const header = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'JWT' })).toString('base64url');
        const payload = Buffer.from(JSON.stringify({ iss: 'jwt-client', sub: 'jwt-client', aud: local.issuer, iat: now, exp: now + 60, jti: randomUUID(), ...claims })).toString(
          'base64url',
        );
        const signature = sign('sha256', Buffer.from(`${header}.${payload}`), { key: keys.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
        return `${header}.${payload}.${signature}`;
      };
      const request = (clientAssertion: string) =>
        post(local.tokenEndpoint, {
          grant_type: 'client_credentials',
          resource: AUDIENCE,
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: clientAssertion,
        });
      const once = assertion();
      expect((await request(once)).status).toBe(200);
      expect((await request(once)).status).toBe(401);
      expect((await request(assertion({ aud: 'https://elsewhere.example' }))).status).toBe(401);
      expect((await request(assertion({ exp: Math.floor(Date.now() / 1000) - 5 }))).status).toBe(401);
      expect((await request(`${once.slice(0, -4)}AAAA`)).status).toBe(401);
      expect(local.requests.filter((entry) => entry.error === undefined).map((entry) => entry.clientAuthMethod)).toEqual(['private_key_jwt']);
    } finally {
      await local.close();
    }
  });

  it('plays the IdP and the authorization server of enterprise-managed authorization (SEP-990)', async () => {
    const local = await startLocalAuthorizationServer({
      clients: [
        { clientId: 'idp-app', scopes: [] },
        { clientId: 'app', clientSecret: 'app-secret', scopes: ['read'] },
        { clientId: 'other', clientSecret: 'other-secret', scopes: ['read'] },
      ],
      identityAssertionClients: { 'idp-app': 'app' },
    });
    try {
      const exchange = (subjectToken: string) =>
        post(local.tokenEndpoint, {
          grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
          client_id: 'idp-app',
          subject_token: subjectToken,
          subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
          requested_token_type: 'urn:ietf:params:oauth:token-type:id-jag',
          audience: local.issuer,
          resource: AUDIENCE,
        });
      const exchanged = await exchange(local.issueIdToken('alice', 'idp-app'));
      expect(exchanged.status).toBe(200);
      const { access_token: assertion, issued_token_type: type } = (await exchanged.json()) as { access_token: string; issued_token_type: string };
      expect(type).toBe('urn:ietf:params:oauth:token-type:id-jag');
      expect(decode(assertion)).toMatchObject({ header: { typ: 'oauth-id-jag+jwt' }, payload: { sub: 'alice', aud: local.issuer, resource: AUDIENCE, client_id: 'app' } });
      expect(await (await exchange(local.issueIdToken('alice', 'someone-else'))).json()).toMatchObject({ error: 'invalid_grant' });

      const bearer = (id: string, secret: string) => post(local.tokenEndpoint, { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }, basic(id, secret));
      expect(await (await bearer('other', 'other-secret')).json()).toMatchObject({ error: 'invalid_grant' });
      const granted = (await (await bearer('app', 'app-secret')).json()) as { access_token: string };
      expect(local.verifyToken(granted.access_token)).toMatchObject({ aud: AUDIENCE, client_id: 'app', scope: 'read' });
    } finally {
      await local.close();
    }
  });

  it('refuses resources it does not serve when given a list', async () => {
    const local = await startLocalAuthorizationServer({ resources: [AUDIENCE] });
    try {
      const refused = await post(local.tokenEndpoint, { grant_type: 'client_credentials', resource: 'http://127.0.0.1:9/other' }, basic('test-client', 'test-client-secret'));
      expect(await refused.json()).toMatchObject({ error: 'invalid_target' });
      expect((await post(local.tokenEndpoint, { grant_type: 'client_credentials', resource: AUDIENCE }, basic('test-client', 'test-client-secret'))).status).toBe(200);
    } finally {
      await local.close();
    }
  });

  it('puts a protected resource in front of an MCP server: metadata, 401 and 403 challenges, forwarding', async () => {
    const upstream = await startMcpTestHttpServer();
    const proxy = await startProtectedResourceProxy({
      upstream: upstream.url,
      authorizationServer: as,
      requiredScopes: (method) => (method === 'tools/call' ? ['read', 'write'] : ['read']),
      scopesSupported: ['read', 'write'],
    });
    try {
      const metadata = (await (await fetch(proxy.resourceMetadataUrl)).json()) as Record<string, unknown>;
      expect(metadata).toEqual({ resource: proxy.url, authorization_servers: [as.issuer], bearer_methods_supported: ['header'], scopes_supported: ['read', 'write'] });
      const initialize = JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
      });
      const send = (token: string | undefined, body: string) =>
        fetch(proxy.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
          body,
        });
      const anonymous = await send(undefined, initialize);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toBe(`Bearer error="invalid_token", resource_metadata="${proxy.resourceMetadataUrl}", scope="read"`);
      const otherAudience = await send(await as.issueToken({ audience: 'http://127.0.0.1:9/mcp', scopes: ['read'] }), initialize);
      expect(otherAudience.status).toBe(401);
      const reader = await as.issueToken({ audience: proxy.resource, scopes: ['read'] });
      const answered = await send(reader, initialize);
      expect(answered.status).toBe(200);
      expect(await answered.text()).toContain('"serverInfo"');
      const call = await send(reader, JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { text: 'x' } } }));
      expect(call.status).toBe(403);
      expect(call.headers.get('www-authenticate')).toBe(`Bearer error="insufficient_scope", resource_metadata="${proxy.resourceMetadataUrl}", scope="read write"`);
      expect(proxy.tokensSeen).toContain(reader);
    } finally {
      await proxy.close();
      await upstream.close();
    }
  });
});
