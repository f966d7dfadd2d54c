import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { startLocalAuthorizationServer } from '@mcp-agent/testing';
import type { LocalAuthorizationServer } from '@mcp-agent/testing';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { authOptionsFromSettings, createAuthGuard, toMcpAuthInfo } from './auth.js';
import type { AuthGuard, ServerAuthOptions } from './auth.js';

interface Served {
  origin: string;
  /** `<origin>/mcp`, the resource. */
  url: string;
  guard: AuthGuard;
  call(token?: string, path?: string): Promise<Response>;
}

const servers: Server[] = [];

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A tiny node:http server guarded as the agent server will be: metadata first, then authenticate, then the handler. */
async function serve(options: (resource: string) => ServerAuthOptions | undefined): Promise<Served> {
  let guard: AuthGuard | undefined;
  const server = createServer((request, response) => {
    void (async () => {
      if (guard!.handleMetadata(request, response)) return;
      const auth = await guard!.authenticate(request, response);
      if (auth === undefined) return;
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(auth));
    })();
  });
  const origin = await listen(server);
  const url = `${origin}/mcp`;
  guard = createAuthGuard(options(url));
  const call = (token?: string, path = '/mcp'): Promise<Response> =>
    fetch(`${origin}${path}`, { method: 'POST', headers: token === undefined ? {} : { authorization: `Bearer ${token}` }, body: '{}' });
  return { origin, url, guard, call };
}

/** A server that accepts connections and never answers. */
async function silentServer(): Promise<string> {
  return listen(createServer(() => undefined));
}

/** The auth-params of a `WWW-Authenticate: Bearer …` header. */
function challenge(response: Response): Record<string, string> {
  const header = response.headers.get('www-authenticate');
  expect(header).toMatch(/^Bearer /);
  const params: Record<string, string> = {};
  for (const match of header!.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) params[match[1]!] = match[2]!.replace(/\\(.)/g, '$1');
  return params;
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

describe('createAuthGuard: options', () => {
  it('is disabled without tokens or oauth, and lets requests in as anonymous', async () => {
    expect(createAuthGuard(undefined).enabled).toBe(false);
    expect(createAuthGuard({ tokens: [] }).enabled).toBe(false);
    const served = await serve(() => undefined);
    const response = await served.call();
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ token: '', scopes: [], via: 'anonymous' });
  });

  it('refuses bad options at creation, naming the setting and the fix', () => {
    expect(() => createAuthGuard({ tokens: ['good', ''] })).toThrow(/tokens\[1\] is empty; give every entry a long random value/);
    expect(() => createAuthGuard({ oauth: { resource: 'https://agents.example.com/mcp' } as never })).toThrow(/oauth\.issuer is missing; set it to an http\(s\) URL/);
    expect(() => createAuthGuard({ oauth: { issuer: 'https://auth.example.com' } as never })).toThrow(/oauth\.resource is missing/);
    expect(() => createAuthGuard({ oauth: { issuer: 'ftp://auth.example.com', resource: 'https://agents.example.com/mcp' } })).toThrow(
      /oauth\.issuer must be an http\(s\) URL, not ftp:; use https:\/\//,
    );
    expect(() => createAuthGuard({ oauth: { issuer: 'auth.example.com', resource: 'https://a.example.com' } })).toThrow(/oauth\.issuer is not a URL/);
    expect(() => createAuthGuard({ oauth: { issuer: 'https://auth.example.com', resource: 'https://a.example.com', jwksUri: 'file:///keys.json' } })).toThrow(/oauth\.jwks_uri/);
    expect(() => createAuthGuard({ oauth: { issuer: 'https://auth.example.com', resource: 'https://a.example.com', clientSecret: 'x' } })).toThrow(
      /oauth\.client_secret .* without oauth\.client_id/,
    );
    expect(() => createAuthGuard({ oauth: { issuer: 'https://auth.example.com', resource: 'https://a.example.com', requiredScopes: ['a b'] } })).toThrow(/oauth\.required_scopes\[0\]/);
  });

  it('converts YAML settings (snake_case) to options', () => {
    expect(authOptionsFromSettings(undefined)).toBeUndefined();
    expect(
      authOptionsFromSettings({
        tokens: ['t1'],
        oauth: {
          issuer: 'https://auth.example.com',
          resource: 'https://agents.example.com/mcp',
          audience: 'api://agents',
          jwks_uri: 'https://auth.example.com/keys',
          introspection_endpoint: 'https://auth.example.com/introspect',
          client_id: 'rs',
          client_secret: 'rs-secret',
          required_scopes: ['mcp:tools'],
        },
      }),
    ).toEqual({
      tokens: ['t1'],
      oauth: {
        issuer: 'https://auth.example.com',
        resource: 'https://agents.example.com/mcp',
        audience: 'api://agents',
        jwksUri: 'https://auth.example.com/keys',
        introspectionEndpoint: 'https://auth.example.com/introspect',
        clientId: 'rs',
        clientSecret: 'rs-secret',
        requiredScopes: ['mcp:tools'],
      },
    });
    expect(authOptionsFromSettings({ oauth: { issuer: 'https://a', resource: 'https://b', audience: null } })).toEqual({ oauth: { issuer: 'https://a', resource: 'https://b' } });
  });

  it('maps an accepted request to the MCP SDK auth info', () => {
    expect(toMcpAuthInfo({ token: 't', clientId: 'c', scopes: ['a'], subject: 's', expiresAt: 10, via: 'jwt' })).toEqual({
      token: 't',
      clientId: 'c',
      scopes: ['a'],
      expiresAt: 10,
      extra: { via: 'jwt', subject: 's' },
    });
    expect(toMcpAuthInfo({ token: 't', scopes: [], via: 'token' })).toEqual({ token: 't', clientId: '', scopes: [], extra: { via: 'token' } });
  });
});

describe('createAuthGuard: static tokens', () => {
  it('accepts a configured token and answers 401 invalid_token otherwise', async () => {
    const served = await serve(() => ({ tokens: ['first-token', 'second-token'] }));
    expect(served.guard.enabled).toBe(true);

    const ok = await served.call('second-token');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ token: 'second-token', scopes: [], via: 'token' });

    const none = await served.call();
    expect(none.status).toBe(401);
    expect(challenge(none)).toEqual({ realm: 'mcp-agent', error: 'invalid_token', error_description: 'no bearer token in the Authorization header' });

    for (const wrong of ['second-toke', 'second-tokenX', 'SECOND-TOKEN']) {
      const response = await served.call(wrong);
      expect(response.status).toBe(401);
      expect(challenge(response).error).toBe('invalid_token');
      expect(await response.json()).toMatchObject({ error: 'invalid_token' });
    }

    const basic = await fetch(served.url, { headers: { authorization: 'Basic Zmlyc3QtdG9rZW46' } });
    expect(basic.status).toBe(401);
    expect(challenge(basic).error_description).toBe('the Authorization header is not a Bearer token');
    // Without OAuth there is no metadata document.
    expect((await served.call('first-token', '/.well-known/oauth-protected-resource')).status).toBe(200);
  });
});

describe('createAuthGuard: OAuth with the local authorization server', () => {
  let as: LocalAuthorizationServer;

  beforeAll(async () => {
    as = await startLocalAuthorizationServer({
      clients: [
        { clientId: 'caller', clientSecret: 'caller-secret', scopes: ['mcp:tools', 'mcp:admin'] },
        { clientId: 'agent-server', clientSecret: 'agent-server-secret', scopes: [] },
      ],
    });
  });
  afterAll(async () => {
    await as.close();
  });

  it('answers 401 naming the resource metadata, which lists the authorization server and the resource', async () => {
    const served = await serve((resource) => ({ oauth: { issuer: as.issuer, resource, requiredScopes: ['mcp:tools'] } }));
    const response = await served.call();
    expect(response.status).toBe(401);
    const params = challenge(response);
    expect(params.resource_metadata).toBe(`${served.origin}/.well-known/oauth-protected-resource/mcp`);
    expect(params.error).toBe('invalid_token');

    for (const path of ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource']) {
      const metadata = await fetch(`${served.origin}${path}`);
      expect(metadata.status).toBe(200);
      expect(metadata.headers.get('access-control-allow-origin')).toBe('*');
      expect(await metadata.json()).toEqual({
        resource: served.url,
        authorization_servers: [as.issuer],
        bearer_methods_supported: ['header'],
        scopes_supported: ['mcp:tools'],
      });
    }
    // Other well-known paths fall through to the guarded handler.
    expect((await served.call(undefined, '/.well-known/oauth-protected-resource/other')).status).toBe(401);
  });

  it('accepts a JWT for this resource (found through the issuer metadata) and reads its scopes, subject and client', async () => {
    const served = await serve((resource) => ({ oauth: { issuer: as.issuer, resource } }));
    const token = await as.issueToken({ audience: served.url, scopes: ['mcp:tools', 'mcp:admin'], subject: 'alice', clientId: 'caller' });
    const response = await served.call(token);
    expect(response.status).toBe(200);
    const info = (await response.json()) as Record<string, unknown>;
    expect(info).toMatchObject({ token, via: 'jwt', scopes: ['mcp:tools', 'mcp:admin'], subject: 'alice', clientId: 'caller' });
    expect(info.expiresAt).toBeGreaterThan(Date.now() / 1000);

    // A token got through the client_credentials grant, as a real client would.
    const granted = await fetch(as.tokenEndpoint, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('caller:caller-secret').toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'client_credentials', resource: served.url, scope: 'mcp:tools' }),
    });
    const { access_token } = (await granted.json()) as { access_token: string };
    const viaGrant = await served.call(access_token);
    expect(viaGrant.status).toBe(200);
    expect(await viaGrant.json()).toMatchObject({ via: 'jwt', scopes: ['mcp:tools'], clientId: 'caller', subject: 'caller' });
  });

  it('refuses with 401 a JWT for another audience, an expired one, one signed by another key, and a non-JWT', async () => {
    const served = await serve((resource) => ({ oauth: { issuer: as.issuer, resource } }));
    const refused = async (token: string, description: string): Promise<void> => {
      const response = await served.call(token);
      expect(response.status).toBe(401);
      const params = challenge(response);
      expect(params).toMatchObject({ error: 'invalid_token', error_description: description, resource_metadata: `${served.origin}/.well-known/oauth-protected-resource/mcp` });
    };
    await refused(await as.issueToken({ audience: 'http://127.0.0.1:1/elsewhere', scopes: [] }), 'the token is for another audience');
    await refused(await as.issueToken({ audience: served.url, scopes: [], expiresInSeconds: -120 }), 'the token has expired');

    // Same issuer, audience and key id as the real server's tokens, signed with a key of our own.
    const { kid } = JSON.parse(Buffer.from((await as.issueToken({ audience: served.url, scopes: [] })).split('.')[0]!, 'base64url').toString('utf8')) as { kid: string };
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({ scope: 'mcp:tools' })
      .setProtectedHeader({ alg: 'RS256', kid })
      .setIssuer(as.issuer)
      .setAudience(served.url)
      .setSubject('mallory')
      .setExpirationTime('1h')
      .sign(privateKey);
    await refused(forged, 'the token is not signed by the authorization server');
    const { privateKey: otherKey } = await generateKeyPair('RS256');
    const unknownKid = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'unknown' }).setIssuer(as.issuer).setAudience(served.url).setExpirationTime('1h').sign(otherKey);
    await refused(unknownKid, 'the token is not signed by the authorization server');

    // Another authorization server's token, for this audience.
    const other = await startLocalAuthorizationServer();
    try {
      await refused(await other.issueToken({ audience: served.url, scopes: [] }), 'the token is not signed by the authorization server');
    } finally {
      await other.close();
    }
    await refused('opaque-token-value', 'the bearer token is not a JWT');
  });

  it('answers 403 insufficient_scope when a required scope is missing', async () => {
    const served = await serve((resource) => ({ oauth: { issuer: as.issuer, resource, requiredScopes: ['mcp:tools', 'mcp:admin'] } }));
    const partial = await served.call(await as.issueToken({ audience: served.url, scopes: ['mcp:tools'] }));
    expect(partial.status).toBe(403);
    expect(challenge(partial)).toMatchObject({ error: 'insufficient_scope', scope: 'mcp:tools mcp:admin', error_description: 'the token lacks the scope mcp:admin' });
    expect(await partial.json()).toMatchObject({ error: 'insufficient_scope' });
    const full = await served.call(await as.issueToken({ audience: served.url, scopes: ['mcp:admin', 'mcp:tools', 'extra'] }));
    expect(full.status).toBe(200);
  });

  it('uses `audience` instead of the resource when given, and takes a static token alongside OAuth', async () => {
    const served = await serve((resource) => ({ tokens: ['static-secret'], oauth: { issuer: as.issuer, resource, audience: 'api://agents', jwksUri: as.jwksUri } }));
    expect((await served.call(await as.issueToken({ audience: 'api://agents', scopes: [] }))).status).toBe(200);
    expect((await served.call(await as.issueToken({ audience: served.url, scopes: [] }))).status).toBe(401);
    const staticToken = await served.call('static-secret');
    expect(await staticToken.json()).toEqual({ token: 'static-secret', scopes: [], via: 'token' });
  });

  it('reads scopes from an `scp` list, with an explicit jwks_uri', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const keys = createServer((_request, response) => {
      void exportJWK(publicKey).then((jwk) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [{ ...jwk, kid: 'k1', alg: 'ES256' }] })));
    });
    const jwksUri = `${await listen(keys)}/keys`;
    const served = await serve((resource) => ({ oauth: { issuer: 'https://issuer.example.com', resource, jwksUri, requiredScopes: ['b'] } }));
    const token = await new SignJWT({ scp: ['a', 'b'], azp: 'spa' })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer('https://issuer.example.com/')
      .setAudience([served.url, 'other'])
      .setExpirationTime('5m')
      .sign(privateKey);
    const response = await served.call(token);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ via: 'jwt', scopes: ['a', 'b'], clientId: 'spa' });
    const noExp = await new SignJWT({ scp: 'b' }).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setIssuer('https://issuer.example.com').setAudience(served.url).sign(privateKey);
    const refused = await served.call(noExp);
    expect(refused.status).toBe(401);
    expect(challenge(refused).error_description).toMatch(/exp/);
  });

  it('verifies by introspection, and refuses a revoked token', async () => {
    const served = await serve((resource) => ({
      oauth: {
        issuer: as.issuer,
        resource,
        introspectionEndpoint: as.introspectionEndpoint,
        clientId: 'agent-server',
        clientSecret: 'agent-server-secret',
        introspectionCacheSeconds: 0,
      },
    }));
    const token = await as.issueToken({ audience: served.url, scopes: ['mcp:tools'], subject: 'carol', clientId: 'caller' });
    const ok = await served.call(token);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ token, via: 'introspection', scopes: ['mcp:tools'], subject: 'carol', clientId: 'caller' });

    as.revoke(token);
    const revoked = await served.call(token);
    expect(revoked.status).toBe(401);
    expect(challenge(revoked).error_description).toBe('the token is not active (expired, revoked or unknown)');

    const elsewhere = await served.call(await as.issueToken({ audience: 'http://127.0.0.1:1/elsewhere', scopes: [] }));
    expect(elsewhere.status).toBe(401);
    expect(challenge(elsewhere).error_description).toMatch(/another audience/);
    expect((await served.call('opaque-but-unknown')).status).toBe(401);
  });

  it('finds the introspection endpoint in the metadata when client credentials are given, and caches answers briefly', async () => {
    const served = await serve((resource) => ({ oauth: { issuer: as.issuer, resource, clientId: 'agent-server', clientSecret: 'agent-server-secret' } }));
    const token = await as.issueToken({ audience: served.url, scopes: ['mcp:tools'] });
    const first = await served.call(token);
    expect(await first.json()).toMatchObject({ via: 'introspection', scopes: ['mcp:tools'] });
    // The answer is reused for up to a minute: a revocation is seen after that.
    as.revoke(token);
    expect((await served.call(token)).status).toBe(200);
  });

  it('answers 503 with the reason when the introspection endpoint refuses the server credentials', async () => {
    const served = await serve((resource) => ({
      oauth: { issuer: as.issuer, resource, introspectionEndpoint: as.introspectionEndpoint, clientId: 'agent-server', clientSecret: 'wrong' },
    }));
    const response = await served.call(await as.issueToken({ audience: served.url, scopes: [] }));
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error_description: string }).error_description).toMatch(/refused this server's client credentials \(HTTP 401\); check oauth\.client_id/);
  });
});

describe('createAuthGuard: authorization server unavailable', () => {
  it('answers 503, not a crash, when the authorization server is down', async () => {
    const gone = await startLocalAuthorizationServer();
    const token = await gone.issueToken({ audience: 'x', scopes: [] });
    await gone.close();
    for (const oauth of [
      { issuer: gone.issuer },
      { issuer: gone.issuer, jwksUri: gone.jwksUri },
      { issuer: gone.issuer, introspectionEndpoint: gone.introspectionEndpoint, clientId: 'test-client', clientSecret: 'test-client-secret' },
    ]) {
      const served = await serve((resource) => ({ oauth: { ...oauth, resource, timeoutMs: 2000 } }));
      const response = await served.call(token);
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      const body = (await response.json()) as { error: string; error_description: string };
      expect(body.error).toBe('temporarily_unavailable');
      expect(body.error_description).toMatch(new RegExp(`cannot verify the token now: could not reach the authorization server's .* at ${gone.issuer}`));
      // A missing token is still a 401: nothing needs asking.
      expect((await served.call()).status).toBe(401);
    }
  });

  it('answers 503 within the timeout when the authorization server does not answer', async () => {
    const silent = await silentServer();
    const served = await serve((resource) => ({ oauth: { issuer: silent, resource, timeoutMs: 300 } }));
    const started = Date.now();
    const response = await served.call('a.b.c');
    expect(response.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(((await response.json()) as { error_description: string }).error_description).toMatch(/metadata at .* did not answer in time/);
  });

  it('reports an authorization server without metadata, and recovers once it is back', async () => {
    const first = await startLocalAuthorizationServer();
    const port = Number(new URL(first.issuer).port);
    await first.close();
    const broken = createServer((_request, response) => response.writeHead(500).end());
    await new Promise<void>((resolve) => broken.listen(port, '127.0.0.1', resolve));
    const served = await serve((resource) => ({ oauth: { issuer: first.issuer, resource, timeoutMs: 1000 } }));
    const down = await served.call('a.b.c');
    expect(down.status).toBe(503);
    expect(((await down.json()) as { error_description: string }).error_description).toMatch(/found no authorization server metadata .*HTTP 500.*check oauth\.issuer/);
    broken.closeAllConnections();
    await new Promise((resolve) => broken.close(resolve));

    const back = await startLocalAuthorizationServer({ port });
    try {
      expect(back.issuer).toBe(first.issuer);
      const response = await served.call(await back.issueToken({ audience: served.url, scopes: ['x'] }));
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ via: 'jwt', scopes: ['x'] });
    } finally {
      await back.close();
    }
  });
});
