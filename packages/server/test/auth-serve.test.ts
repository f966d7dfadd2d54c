// The agent server with auth configured, end to end through the SDK's client: nothing is served
// without a valid token (401 with WWW-Authenticate, over Streamable HTTP and SSE alike), a static
// token or an OAuth access token from a local authorization server gets through, and the protected
// resource metadata tells a client where to get one.
import net from 'node:net';
import { createLogger, type Executor } from '@mcp-agent/core';
import { parseSettings } from '@mcp-agent/core/config';
import { createExecutorWithServices } from '@mcp-agent/core/engine';
import { createAsyncioEngine } from '@mcp-agent/executor-asyncio';
import { startLocalAuthorizationServer, type LocalAuthorizationServer } from '@mcp-agent/testing';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMcpServerForApp, serveApp, type RunningServer } from '../src/index.js';
import { app, INPUT_SCHEMAS } from './served-workflows.js';

const TOKEN = 'served-app-token-0123456789';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function listWith(url: string, token: string | undefined): Promise<string[]> {
  const client = new Client({ name: 'auth-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url), token === undefined ? {} : { requestInit: { headers: { authorization: `Bearer ${token}` } } });
  await client.connect(transport);
  try {
    return (await client.listTools()).tools.map((tool) => tool.name);
  } finally {
    await transport.terminateSession();
    await client.close();
  }
}

describe('the agent server with auth', () => {
  let executor: Executor;
  let authorization: LocalAuthorizationServer;
  let tokens: RunningServer;
  let oauth: RunningServer;
  let oauthUrl: string;

  beforeAll(async () => {
    executor = await createExecutorWithServices(createAsyncioEngine(), {
      appName: app.name,
      registry: app.registry,
      logger: createLogger({ transports: ['none'] }),
      settings: parseSettings({}, 'test'),
    });
    const servable = { name: app.name, registry: app.registry, initialize: async () => ({ executor }) };
    tokens = await serveApp(createMcpServerForApp(servable, { inputSchemas: INPUT_SCHEMAS }), { transport: 'http', port: 0, auth: { tokens: [TOKEN] } });
    authorization = await startLocalAuthorizationServer();
    const port = await freePort();
    oauthUrl = `http://127.0.0.1:${port}/mcp`;
    oauth = await serveApp(createMcpServerForApp(servable, { inputSchemas: INPUT_SCHEMAS }), {
      transport: 'http',
      port,
      auth: { oauth: { issuer: authorization.issuer, resource: oauthUrl, requiredScopes: ['workflows'] } },
    });
  });

  afterAll(async () => {
    await tokens?.close();
    await oauth?.close();
    await authorization?.close();
    await executor?.close();
  });

  it('refuses every request without a valid token, on each transport, and serves one with it', async () => {
    for (const url of [tokens.url as string, tokens.sseUrl as string]) {
      const refused = await fetch(url, { method: url.endsWith('/sse') ? 'GET' : 'POST', headers: { 'content-type': 'application/json' }, body: url.endsWith('/sse') ? undefined : '{}' });
      expect(refused.status, url).toBe(401);
      expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer /);
    }
    await expect(listWith(tokens.url as string, 'wrong-token')).rejects.toThrow(/invalid_token.*the bearer token is not accepted/);
    expect(await listWith(tokens.url as string, TOKEN)).toContain('workflows-run');
    expect(tokens.sessions()).toBe(0);
  });

  it('serves OAuth access tokens for this resource with the required scope, and tells clients where to get one', async () => {
    const metadata = await fetch(new URL('/.well-known/oauth-protected-resource/mcp', oauthUrl));
    expect(metadata.status).toBe(200);
    expect(await metadata.json()).toMatchObject({ resource: oauthUrl, authorization_servers: [authorization.issuer] });
    const unauthorized = await fetch(oauthUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('www-authenticate')).toContain('resource_metadata="http://127.0.0.1:');

    const good = await authorization.issueToken({ audience: oauthUrl, scopes: ['workflows'] });
    expect(await listWith(oauthUrl, good)).toContain('workflows-get_status');
    const otherAudience = await authorization.issueToken({ audience: 'http://127.0.0.1:1/mcp', scopes: ['workflows'] });
    await expect(listWith(oauthUrl, otherAudience)).rejects.toThrow(/invalid_token.*the token is for another audience/);
    const noScope = await authorization.issueToken({ audience: oauthUrl, scopes: [] });
    await expect(listWith(oauthUrl, noScope)).rejects.toThrow(/insufficient_scope/);
  });
});
