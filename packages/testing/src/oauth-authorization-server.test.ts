import { createPublicKey, verify } from 'node:crypto';
import type { JsonWebKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startLocalAuthorizationServer } from './oauth-authorization-server.js';
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
        grant_types_supported: ['client_credentials'],
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
});
