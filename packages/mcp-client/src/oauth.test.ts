// OAuth 2.1 against real HTTP servers on 127.0.0.1: the local authorization server of
// @mcp-agent/testing, and MCP test servers (Streamable HTTP and SSE) behind a protected-resource
// front that checks bearer tokens against it. Every flow runs through the connection manager.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { createLogger, McpClientError } from '@mcp-agent/core';
import type { LogRecord } from '@mcp-agent/core';
import { OAuthSettingsSchema } from '@mcp-agent/core/config';
import { startLocalAuthorizationServer, startMcpTestHttpServer, startProtectedResourceProxy } from '@mcp-agent/testing';
import type { LocalAuthorizationServer, McpTestHttpServer, ProtectedResourceProxy, ProtectedResourceProxyOptions } from '@mcp-agent/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createFileTokenStore, createMemoryTokenStore, headlessAuthorizationOpener, loginToServer, oauthStoreKey, tokenStoreFromSettings } from './auth/index.js';
import type { McpOAuthOptions, OAuthTokenStore } from './auth/index.js';
import { createMcpConnectionManager } from './connection-manager.js';
import type { McpConnectionManager } from './connection-manager.js';
import { ServerRegistry } from './server-registry.js';
import type { McpServersInput } from './server-registry.js';

const SCOPES = ['mcp:tools', 'mcp:write'];
const jwtKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const directory = mkdtempSync(path.join(tmpdir(), 'mcp-agent-oauth-'));

/** Every log record of every manager in this file, to check that no token was logged. */
const records: LogRecord[] = [];
const logger = createLogger({ level: 'debug', sink: (record) => records.push(record) });
/** Every store used, to collect the tokens they hold at the end. */
const stores: OAuthTokenStore[] = [];

let as: LocalAuthorizationServer;
const upstreams: McpTestHttpServer[] = [];
const proxies: ProtectedResourceProxy[] = [];
const managers: McpConnectionManager[] = [];

async function protect(transport: 'streamable_http' | 'sse', options: Partial<ProtectedResourceProxyOptions> = {}, authorizationServer = as): Promise<ProtectedResourceProxy> {
  const upstream = await startMcpTestHttpServer({ transport });
  upstreams.push(upstream);
  const proxy = await startProtectedResourceProxy({ upstream: upstream.url, authorizationServer, ...options });
  proxies.push(proxy);
  return proxy;
}

function manager(servers: McpServersInput, oauth: McpOAuthOptions = {}): McpConnectionManager {
  const tokenStore = oauth.tokenStore ?? createMemoryTokenStore();
  stores.push(tokenStore);
  const created = createMcpConnectionManager({
    servers,
    logger,
    oauth: { ...oauth, tokenStore },
    connectTimeoutMilliseconds: 15_000,
    reconnectInitialDelayMilliseconds: 10,
    reconnectMaximumDelayMilliseconds: 20,
  });
  managers.push(created);
  return created;
}

async function echo(connections: McpConnectionManager, server: string, text = 'hi'): Promise<string> {
  const result = await connections.callTool({ server, tool: 'echo', arguments: { text } });
  expect(result.isError).toBeFalsy();
  return (result.content[0] as unknown as { text: string }).text;
}

function tokenRequests(since = 0) {
  return as.requests.slice(since).filter((request) => request.endpoint === 'token');
}

beforeAll(async () => {
  as = await startLocalAuthorizationServer({
    scopes: SCOPES,
    clients: [
      { clientId: 'cc-basic', clientSecret: 'basic secret+1', scopes: SCOPES, tokenEndpointAuthMethod: 'client_secret_basic' },
      { clientId: 'cc-post', clientSecret: 'post-secret', scopes: SCOPES, tokenEndpointAuthMethod: 'client_secret_post' },
      { clientId: 'cc-jwt', scopes: SCOPES, tokenEndpointAuthMethod: 'private_key_jwt', publicKeyPem: jwtKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString() },
      { clientId: 'pre-registered', clientSecret: 'pre-secret', scopes: SCOPES, tokenEndpointAuthMethod: 'client_secret_post', redirectUris: ['http://127.0.0.1/callback'] },
    ],
  });
});

afterAll(async () => {
  await Promise.all(managers.map((created) => created.close()));
  await Promise.all(proxies.map((proxy) => proxy.close()));
  await Promise.all(upstreams.map((upstream) => upstream.close()));
  await as?.close();
  rmSync(directory, { recursive: true, force: true });
});

describe('client credentials', () => {
  it.each([
    ['client_secret_basic', { client_id: 'cc-basic', client_secret: 'basic secret+1', token_endpoint_auth_method: 'client_secret_basic' }],
    ['client_secret_post', { client_id: 'cc-post', client_secret: 'post-secret', token_endpoint_auth_method: 'client_secret_post' }],
    [
      'private_key_jwt',
      {
        client_id: 'cc-jwt',
        token_endpoint_auth_method: 'private_key_jwt',
        private_key: jwtKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        signing_algorithm: 'ES256',
      },
    ],
  ] as const)('gets a token with %s and calls a Streamable HTTP server', async (method, oauth) => {
    const proxy = await protect('streamable_http', { requiredScopes: () => ['mcp:tools'] });
    const since = as.requests.length;
    const connections = manager({ api: { transport: 'streamable_http', url: proxy.url, auth: { oauth: { grant_type: 'client_credentials', scopes: ['mcp:tools'], ...oauth } } } });
    expect(await echo(connections, 'api')).toBe('hi');
    const requests = tokenRequests(since);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ grantType: 'client_credentials', clientId: oauth.client_id, clientAuthMethod: method, scope: 'mcp:tools', resource: proxy.resource });
    expect(requests[0]?.error).toBeUndefined();
  });

  it('fails with a non-retryable MCP_AUTH_FAILED naming the client settings when the secret is wrong', async () => {
    const proxy = await protect('streamable_http');
    const connections = manager({
      api: { transport: 'streamable_http', url: proxy.url, auth: { oauth: { grant_type: 'client_credentials', client_id: 'cc-basic', client_secret: 'wrong' } } },
    });
    const error = await connections.listTools('api').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(McpClientError);
    expect(error).toMatchObject({ code: 'MCP_AUTH_FAILED', retryable: false });
    expect((error as Error).message).toMatch(/invalid_client.*check mcp\.servers\.api\.auth\.oauth \(client_id, client_secret/);
  });

  it('gets a new token by itself after the server stops accepting the old one', async () => {
    const proxy = await protect('streamable_http');
    const connections = manager({
      api: {
        transport: 'streamable_http',
        url: proxy.url,
        auth: { oauth: { grant_type: 'client_credentials', client_id: 'cc-post', client_secret: 'post-secret', token_endpoint_auth_method: 'client_secret_post' } },
      },
    });
    expect(await echo(connections, 'api')).toBe('hi');
    as.revoke(proxy.tokensSeen.at(-1) ?? '');
    expect(await echo(connections, 'api', 'again')).toBe('again');
    expect(new Set(proxy.tokensSeen).size).toBe(2);
  });
});

describe('identity assertion (enterprise-managed authorization)', () => {
  it('exchanges the IdP ID token for an identity assertion, then that for an access token', async () => {
    const enterprise = await startLocalAuthorizationServer({
      scopes: SCOPES,
      clients: [
        { clientId: 'idp-app', scopes: [] },
        { clientId: 'xaa-client', clientSecret: 'xaa-secret', scopes: SCOPES, tokenEndpointAuthMethod: 'client_secret_basic' },
      ],
      identityAssertionClients: { 'idp-app': 'xaa-client' },
    });
    try {
      const proxy = await protect('streamable_http', {}, enterprise);
      const asked: string[] = [];
      const connections = manager(
        {
          api: {
            transport: 'streamable_http',
            url: proxy.url,
            auth: {
              oauth: {
                grant_type: 'identity_assertion',
                client_id: 'xaa-client',
                client_secret: 'xaa-secret',
                idp_client_id: 'idp-app',
                idp_token_endpoint: enterprise.tokenEndpoint,
                scopes: ['mcp:tools'],
              },
            },
          },
        },
        {
          identityToken: async (server) => {
            asked.push(server);
            return enterprise.issueIdToken('alice@example.com', 'idp-app');
          },
        },
      );
      expect(await echo(connections, 'api')).toBe('hi');
      expect(asked).toEqual(['api']);
      expect(enterprise.requests.map((request) => [request.grantType, request.clientId, request.clientAuthMethod, request.error])).toEqual([
        ['urn:ietf:params:oauth:grant-type:token-exchange', 'idp-app', 'none', undefined],
        ['urn:ietf:params:oauth:grant-type:jwt-bearer', 'xaa-client', 'client_secret_basic', undefined],
      ]);
      expect(enterprise.verifyToken(proxy.tokensSeen.at(-1) ?? '')).toMatchObject({ aud: proxy.resource, client_id: 'xaa-client', scope: 'mcp:tools' });
    } finally {
      await enterprise.close();
    }
  });
});

describe('authorization code with PKCE', () => {
  it.each(['streamable_http', 'sse'] as const)('registers dynamically, authorizes headlessly and calls a %s server', async (transport) => {
    const proxy = await protect(transport);
    const since = as.requests.length;
    const store = createMemoryTokenStore();
    const connections = manager(
      { api: { transport, url: proxy.url, auth: { oauth: { scopes: ['mcp:tools'] } } } },
      { tokenStore: store, openAuthorizationUrl: headlessAuthorizationOpener() },
    );
    expect(await echo(connections, 'api')).toBe('hi');
    const asked = as.requests.slice(since);
    expect(asked.map((request) => request.endpoint)).toEqual(['register', 'authorize', 'token']);
    expect(asked[1]).toMatchObject({ scope: 'mcp:tools', resource: proxy.resource });
    expect(asked[2]).toMatchObject({ grantType: 'authorization_code', clientAuthMethod: 'none', clientId: asked[0]?.clientId });
    const entry = await store.get(oauthStoreKey('api', proxy.url));
    expect(entry?.clientInformation?.client_id).toBe(asked[0]?.clientId);
    expect(entry?.tokens?.refresh_token).toEqual(expect.any(String));
    expect(entry?.expiresAt).toBeGreaterThan(Date.now() / 1000);
  });

  it('uses a client ID metadata document instead of registering, where the server supports them', async () => {
    const cimd = await startLocalAuthorizationServer({ scopes: SCOPES, clientIdMetadataDocuments: true });
    try {
      const proxy = await protect('streamable_http', {}, cimd);
      const documentUrl = 'https://agents.example.com/oauth/mcp-agent.json';
      const connections = manager(
        { api: { transport: 'streamable_http', url: proxy.url, auth: { oauth: { client_metadata_url: documentUrl } } } },
        { openAuthorizationUrl: headlessAuthorizationOpener() },
      );
      expect(await echo(connections, 'api')).toBe('hi');
      expect(cimd.requests.map((request) => [request.endpoint, request.clientId])).toEqual([
        ['authorize', documentUrl],
        ['token', documentUrl],
      ]);
    } finally {
      await cimd.close();
    }
  });

  it('uses a pre-registered client with its secret', async () => {
    const proxy = await protect('streamable_http');
    const since = as.requests.length;
    const connections = manager(
      {
        api: {
          transport: 'streamable_http',
          url: proxy.url,
          auth: { oauth: { client_id: 'pre-registered', client_secret: 'pre-secret', token_endpoint_auth_method: 'client_secret_post' } },
        },
      },
      { openAuthorizationUrl: headlessAuthorizationOpener() },
    );
    expect(await echo(connections, 'api')).toBe('hi');
    expect(as.requests.slice(since).map((request) => [request.endpoint, request.clientId, request.clientAuthMethod])).toEqual([
      ['authorize', 'pre-registered', undefined],
      ['token', 'pre-registered', 'client_secret_post'],
    ]);
  });

  it('waits for the browser at the loopback callback when the opener returns nothing', async () => {
    const proxy = await protect('streamable_http');
    const settings = OAuthSettingsSchema.parse({ loopback_ports: [39_417, 39_418] });
    const opened: URL[] = [];
    const connections = manager(
      { api: { transport: 'streamable_http', url: proxy.url, auth: { oauth: {} } } },
      {
        settings,
        // A browser: follows the authorization server's redirect to the loopback callback.
        openAuthorizationUrl: async (url) => {
          opened.push(url);
          const redirect = await headlessAuthorizationOpener()(url);
          void fetch(redirect).then((response) => response.text());
        },
      },
    );
    expect(await echo(connections, 'api')).toBe('hi');
    expect(opened).toHaveLength(1);
    expect(opened[0]?.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:3941[78]\/callback$/);
    expect(opened[0]?.searchParams.get('code_challenge_method')).toBe('S256');
  });

  it('renews an expired access token with the refresh token, without a new authorization', async () => {
    const shortLived = await startLocalAuthorizationServer({ scopes: SCOPES, accessTokenLifetimeSeconds: 2 });
    try {
      const proxy = await protect('streamable_http', {}, shortLived);
      const settings = OAuthSettingsSchema.parse({ token_store: { refresh_leeway_seconds: 0.5 } });
      const connections = manager({ api: { transport: 'streamable_http', url: proxy.url, auth: { oauth: {} } } }, { settings, openAuthorizationUrl: headlessAuthorizationOpener() });
      expect(await echo(connections, 'api')).toBe('hi');
      await new Promise((resolve) => setTimeout(resolve, 2_100));
      expect(await echo(connections, 'api', 'later')).toBe('later');
      expect(shortLived.requests.map((request) => request.grantType ?? request.endpoint)).toEqual(['register', 'authorize', 'authorization_code', 'refresh_token']);
    } finally {
      await shortLived.close();
    }
  });

  it('without an opener, fails at once with MCP_AUTH_FAILED saying to run mcp-agent auth login, and logs the URL', async () => {
    const proxy = await protect('streamable_http');
    const connections = manager({ api: { transport: 'streamable_http', url: proxy.url, auth: { oauth: {} } } });
    const started = Date.now();
    const error = await connections.listTools('api').catch((caught: unknown) => caught);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(error).toMatchObject({ code: 'MCP_AUTH_FAILED', retryable: false });
    expect((error as Error).message).toContain('run `mcp-agent auth login api` once, then retry');
    const warning = records.find((record) => record.level === 'warn' && record.message.includes('needs an OAuth login: run `mcp-agent auth login api`'));
    expect(String(warning?.data?.['authorizationUrl'])).toMatch(new RegExp(`^${as.authorizationEndpoint}\\?`));
  });
});

describe('scope step-up', () => {
  const requiredScopes = (method: string | undefined): string[] => (method === 'tools/call' ? ['mcp:tools', 'mcp:write'] : ['mcp:tools']);

  it('authorizes again with the scopes a 403 insufficient_scope asks for (authorization code)', async () => {
    const proxy = await protect('streamable_http', { requiredScopes });
    const since = as.requests.length;
    const connections = manager({ api: { transport: 'streamable_http', url: proxy.url, auth: { oauth: {} } } }, { openAuthorizationUrl: headlessAuthorizationOpener() });
    expect((await connections.listTools('api')).length).toBeGreaterThan(0);
    expect(await echo(connections, 'api')).toBe('hi');
    const authorizations = as.requests.slice(since).filter((request) => request.endpoint === 'authorize');
    expect(authorizations.map((request) => request.scope)).toEqual(['mcp:tools', 'mcp:tools mcp:write']);
  });

  it('asks for the challenged scopes with client credentials', async () => {
    const proxy = await protect('streamable_http', { requiredScopes });
    const since = as.requests.length;
    const connections = manager({
      api: {
        transport: 'streamable_http',
        url: proxy.url,
        auth: { oauth: { grant_type: 'client_credentials', client_id: 'cc-basic', client_secret: 'basic secret+1', scopes: ['mcp:tools'] } },
      },
    });
    expect(await echo(connections, 'api')).toBe('hi');
    expect(tokenRequests(since).map((request) => request.scope)).toEqual(['mcp:tools', 'mcp:tools mcp:write']);
  });
});

describe('a 401 in the middle of a session', () => {
  it('is a non-retryable MCP_AUTH_FAILED that says to log in again, not a lost connection', async () => {
    const proxy = await protect('streamable_http');
    const store = createMemoryTokenStore();
    const servers = { api: { transport: 'streamable_http' as const, url: proxy.url, auth: { oauth: {} } } };
    // What `mcp-agent auth login api` does, then a worker without a browser uses the tokens.
    const status = await loginToServer('api', new ServerRegistry(servers).get('api'), { tokenStore: store, openAuthorizationUrl: headlessAuthorizationOpener(), logger });
    expect(status).toMatchObject({ authorized: true, refreshable: true });
    const connections = manager(servers, { tokenStore: store });
    expect(await echo(connections, 'api')).toBe('hi');

    const entry = await store.get(oauthStoreKey('api', proxy.url));
    as.revoke(entry?.tokens?.access_token ?? '');
    as.revoke(entry?.tokens?.refresh_token ?? '');
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const error = await connections.callTool({ server: 'api', tool: 'echo', arguments: { text: 'x' } }).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'MCP_AUTH_FAILED', retryable: false, server: 'api' });
      expect((error as Error).message).toContain('run `mcp-agent auth login api`');
    }
  });

  it('keeps the session, with MCP_AUTH_FAILED, when the stream breaks after a revocation and the liveness ping is refused', async () => {
    const proxy = await protect('streamable_http');
    const key = await as.issueToken({ audience: proxy.resource, scopes: [] });
    const connections = manager({ api: { transport: 'streamable_http', url: proxy.url, auth: { api_key: key } } });
    const since = records.length;
    expect(await echo(connections, 'api')).toBe('hi');
    const inFlight = connections.callTool({ server: 'api', tool: 'slow', arguments: { milliseconds: 600 } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    as.revoke(key);
    // The SSE stream breaks: the client pings to learn whether the server is gone; it answers 401.
    // The server is there: the call in flight is not failed as a lost connection.
    proxy.dropStreams();
    expect((await inFlight).content).toEqual([{ type: 'text', text: 'slept 600' }]);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const error = await connections.callTool({ server: 'api', tool: 'echo', arguments: { text: 'x' } }).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'MCP_AUTH_FAILED', retryable: false });
      expect((error as Error).message).toMatch(/HTTP 401.*fix mcp\.servers\.api\.auth\.api_key$/);
    }
    const later = records.slice(since).map((record) => record.message);
    // One session throughout: not dropped as lost, not reconnected.
    expect(later.filter((message) => message.startsWith('connected to MCP server "api"') || message.includes('closed the connection'))).toEqual(['connected to MCP server "api"']);
    expect(later.some((message) => message.startsWith('MCP server "api": the server refused the credentials (HTTP 401') && message.endsWith('fix mcp.servers.api.auth.api_key'))).toBe(
      true,
    );
  });

  it('names the api_key for a server with a static key', async () => {
    const proxy = await protect('sse');
    const key = await as.issueToken({ audience: proxy.resource, scopes: [] });
    const connections = manager({ api: { transport: 'sse', url: proxy.url, auth: { api_key: key } } });
    expect(await echo(connections, 'api')).toBe('hi');
    expect(proxy.tokensSeen).toContain(key);
    as.revoke(key);
    const error = await connections.callTool({ server: 'api', tool: 'echo', arguments: { text: 'x' } }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'MCP_AUTH_FAILED', retryable: false });
    expect((error as Error).message).toMatch(/HTTP 401.*fix mcp\.servers\.api\.auth\.api_key$/);
  });
});

describe('resource indicators', () => {
  it('refuses to ask for a token when the protected resource metadata names another resource', async () => {
    const proxy = await protect('streamable_http', { resource: 'http://127.0.0.1:1/elsewhere' });
    const since = as.requests.length;
    const connections = manager({ api: { transport: 'streamable_http', url: proxy.url, auth: { oauth: {} } } }, { openAuthorizationUrl: headlessAuthorizationOpener() });
    const error = await connections.listTools('api').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'MCP_AUTH_FAILED', retryable: false });
    expect((error as Error).message).toContain('names resource http://127.0.0.1:1/elsewhere, which does not cover its URL');
    expect(as.requests.slice(since).filter((request) => request.endpoint !== 'register')).toEqual([]);
  });
});

describe('token store', () => {
  it('keeps tokens in a file only its owner can read, in a folder only its owner can enter', async () => {
    const proxy = await protect('streamable_http');
    const dataHome = path.join(directory, 'data');
    const store = tokenStoreFromSettings(OAuthSettingsSchema.parse({}), { XDG_DATA_HOME: dataHome });
    const connections = manager(
      {
        api: {
          transport: 'streamable_http',
          url: proxy.url,
          auth: { oauth: { grant_type: 'client_credentials', client_id: 'cc-post', client_secret: 'post-secret', token_endpoint_auth_method: 'client_secret_post' } },
        },
      },
      { tokenStore: store },
    );
    expect(await echo(connections, 'api')).toBe('hi');
    const file = path.join(dataHome, 'mcp-agent', 'oauth-tokens.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(await createFileTokenStore(file).keys()).toEqual([oauthStoreKey('api', proxy.url)]);
  });

  it('keys entries by server name and URL, keeps concurrent writes, and names a corrupt file', async () => {
    const file = path.join(directory, 'store', 'tokens.json');
    const store = createFileTokenStore(file);
    const entry = (server: string) => ({ server, url: `http://127.0.0.1/${server}`, updatedAt: new Date().toISOString() });
    await Promise.all(['a', 'b', 'c'].map((server) => store.set(oauthStoreKey(server, `http://127.0.0.1/${server}`), entry(server))));
    expect((await store.keys()).sort()).toEqual(['a http://127.0.0.1/a', 'b http://127.0.0.1/b', 'c http://127.0.0.1/c']);
    expect(await store.get(oauthStoreKey('a', 'http://127.0.0.1/other'))).toBeUndefined();
    await store.delete(oauthStoreKey('b', 'http://127.0.0.1/b'));
    expect((await store.keys()).sort()).toEqual(['a http://127.0.0.1/a', 'c http://127.0.0.1/c']);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, '{ not json');
    await expect(store.get('a')).rejects.toThrow(`the OAuth token file ${file} is not valid JSON; delete it`);
  });
});

describe('secrets', () => {
  it('never logs an access or refresh token (checked over every flow of this file)', async () => {
    const tokens = new Set<string>(proxies.flatMap((proxy) => proxy.tokensSeen));
    for (const store of stores) {
      for (const key of await store.keys().catch(() => [])) {
        const entry = await store.get(key).catch(() => undefined);
        if (entry?.tokens?.access_token !== undefined) tokens.add(entry.tokens.access_token);
        if (entry?.tokens?.refresh_token !== undefined) tokens.add(entry.tokens.refresh_token);
      }
    }
    expect(tokens.size).toBeGreaterThan(10);
    expect(records.length).toBeGreaterThan(10);
    const logged = records.map((record) => `${record.message} ${JSON.stringify(record.data ?? {})}`).join('\n');
    for (const token of tokens) expect(logged.includes(token), 'a token appears in the logs').toBe(false);
  });
});
