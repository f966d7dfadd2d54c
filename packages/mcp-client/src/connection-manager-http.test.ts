// Fault tests of the connection manager over Streamable HTTP and SSE: the in-repo MCP test server
// (@mcp-agent/testing), a proxy in front of it that can hang, fail or switch servers, and small
// HTTP servers that misbehave. Real sockets, no mocks. Every test has its own servers and manager.
import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingHttpHeaders, Server, ServerResponse } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';

import { startMcpTestHttpServer } from '@mcp-agent/testing';
import type { McpTestHttpServer } from '@mcp-agent/testing';
import { afterEach, describe, expect, it } from 'vitest';

import { startHttpProxy } from './__fixtures__/http-proxy.js';
import type { HttpProxy } from './__fixtures__/http-proxy.js';
import { collectingLogger, firstText, rejectionOf } from './__fixtures__/servers.js';
import { createMcpConnectionManager } from './index.js';
import type { McpConnectionManager, McpConnectionManagerOptions, McpServersInput } from './index.js';

/** What a test started; closed after it, managers first. */
const managers: McpConnectionManager[] = [];
const cleanups: Array<() => Promise<void>> = [];

function openManager(servers: McpServersInput, options: Omit<McpConnectionManagerOptions, 'servers'> = {}): McpConnectionManager {
  const manager = createMcpConnectionManager({ servers, logger: collectingLogger().logger, ...options });
  managers.push(manager);
  return manager;
}

async function testServer(transport: 'streamable_http' | 'sse'): Promise<McpTestHttpServer> {
  const server = await startMcpTestHttpServer({ transport });
  cleanups.push(() => server.close());
  return server;
}

async function proxyTo(server: McpTestHttpServer): Promise<HttpProxy> {
  const proxy = await startHttpProxy(new URL(server.url).origin);
  cleanups.push(() => proxy.close());
  return proxy;
}

/** An HTTP server on 127.0.0.1 with the handler; closed after the test. */
async function httpServer(handler: Parameters<typeof createHttpServer>[1]): Promise<{ server: Server; origin: string }> {
  const server = createHttpServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

afterEach(async () => {
  await Promise.all(managers.splice(0).map((manager) => manager.close()));
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

const PATH = { streamable_http: '/mcp', sse: '/sse' } as const;

describe.each([{ transport: 'streamable_http' as const }, { transport: 'sse' as const }])('McpConnectionManager with the $transport test server', ({ transport }) => {
  it('calls tools, keeps content, reports tool errors and protocol errors', async () => {
    const server = await testServer(transport);
    const manager = openManager({ test: { transport, url: server.url, headers: { 'X-Test': 'yes' }, read_timeout_seconds: 10 } });
    expect(firstText(await manager.callTool({ server: 'test', tool: 'echo', arguments: { text: transport } }))).toBe(transport);
    expect((await manager.callTool({ server: 'test', tool: 'image' })).content[0]).toMatchObject({ type: 'image', mimeType: 'image/png' });
    expect(await manager.callTool({ server: 'test', tool: 'fail', arguments: { message: 'nope' } })).toMatchObject({ isError: true });
    await expect(manager.callTool({ server: 'test', tool: 'add', arguments: { a: 1 } })).rejects.toMatchObject({ code: 'MCP_PROTOCOL_ERROR' });
    expect(firstText(await manager.callTool({ server: 'test', tool: 'progress', arguments: { steps: 2 } }))).toBe('done 2');
  });

  it('fails the call in flight when the server dies, and reports the refused reconnect', async () => {
    const server = await testServer(transport);
    const manager = openManager({ test: { transport, url: server.url, read_timeout_seconds: 10 } }, { reconnectInitialDelayMilliseconds: 50 });
    await manager.connect('test');
    const inFlight = rejectionOf(manager.callTool({ server: 'test', tool: 'hang' }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const startedAt = Date.now();
    server.kill();
    const error = await inFlight;
    expect(error).toMatchObject({ code: 'MCP_CONNECTION_LOST', server: 'test', retryable: true });
    // Well before the 10 s read timeout.
    expect(Date.now() - startedAt).toBeLessThan(5_000);

    const reconnect = await rejectionOf(manager.callTool({ server: 'test', tool: 'echo', arguments: { text: 'anyone?' } }));
    expect(reconnect).toMatchObject({ code: 'MCP_CONNECT_FAILED', server: 'test', retryable: true });
    expect(reconnect.message).toContain(`could not connect to MCP server "test" at ${server.url} (${transport})`);
  });

  it('times out a call to a server that stopped answering, at the call timeout', async () => {
    const server = await testServer(transport);
    const proxy = await proxyTo(server);
    const manager = openManager({ test: { transport, url: proxy.url(PATH[transport]), read_timeout_seconds: 10 } });
    await manager.connect('test');
    proxy.decide = (request) => (request.rpcMethod === 'tools/call' ? 'hang' : 'forward');
    const startedAt = Date.now();
    const error = await rejectionOf(manager.callTool({ server: 'test', tool: 'echo', arguments: { text: 'hello?' } }, { timeoutMilliseconds: 500 }));
    expect(error).toMatchObject({ code: 'MCP_TIMEOUT', server: 'test', retryable: true });
    expect(error.message).toContain(`did not answer tools/call "echo" within 500 ms (the call's timeoutMilliseconds)`);
    // Well before the 10 s read timeout.
    expect(Date.now() - startedAt).toBeLessThan(5_000);
  });

  it('raises a retryable MCP_TIMEOUT when a request gets no HTTP response within http_timeout_seconds', async () => {
    const server = await testServer(transport);
    const proxy = await proxyTo(server);
    const manager = openManager({ test: { transport, url: proxy.url(PATH[transport]), read_timeout_seconds: 10, http_timeout_seconds: 0.5 } });
    await manager.connect('test');
    proxy.decide = (request) => (request.rpcMethod === 'tools/call' ? 'hang' : 'forward');
    const error = await rejectionOf(manager.callTool({ server: 'test', tool: 'echo', arguments: { text: 'hello?' } }));
    expect(error).toMatchObject({ code: 'MCP_TIMEOUT', server: 'test', retryable: true });
    expect(error.message).toContain('MCP server "test" sent no HTTP response within 500 ms (http_timeout_seconds)');
  });

  it.each([408, 429, 503])('raises a retryable error for HTTP %i, and a non-retryable one for HTTP 400', async (status) => {
    const server = await testServer(transport);
    const proxy = await proxyTo(server);
    const manager = openManager({ test: { transport, url: proxy.url(PATH[transport]), read_timeout_seconds: 10 } });
    await manager.connect('test');
    let answer = status;
    proxy.decide = (request) => (request.rpcMethod === 'tools/call' ? { status: answer } : 'forward');
    const retryable = await rejectionOf(manager.callTool({ server: 'test', tool: 'echo', arguments: { text: 'busy?' } }));
    expect(retryable).toMatchObject({ code: 'MCP_PROTOCOL_ERROR', server: 'test', retryable: true });
    expect(retryable.message).toContain(`MCP server "test" failed tools/call "echo" with HTTP ${status}`);

    answer = 400;
    const final = await rejectionOf(manager.callTool({ server: 'test', tool: 'echo', arguments: { text: 'bad?' } }));
    expect(final).toMatchObject({ code: 'MCP_PROTOCOL_ERROR', server: 'test', retryable: false });
  });
});

describe('McpConnectionManager with a Streamable HTTP server that restarts', () => {
  it('drops the session the new server does not know (HTTP 404) and reconnects', async () => {
    const before = await testServer('streamable_http');
    const proxy = await proxyTo(before);
    const manager = openManager({ test: { transport: 'streamable_http', url: proxy.url('/mcp'), read_timeout_seconds: 10 } });
    expect(firstText(await manager.callTool({ server: 'test', tool: 'count' }))).toBe('1');

    // The "restarted" server listens behind the same URL and knows none of the old sessions.
    const after = await testServer('streamable_http');
    proxy.upstream = new URL(after.url).origin;
    const lost = await rejectionOf(manager.callTool({ server: 'test', tool: 'count' }));
    expect(lost).toMatchObject({ code: 'MCP_CONNECTION_LOST', server: 'test', retryable: true });
    expect(lost.message).toContain('the next call reconnects');

    // A new session with the new server, which counts its own calls.
    expect(firstText(await manager.callTool({ server: 'test', tool: 'count' }))).toBe('1');
  });
});

describe('McpConnectionManager with an SSE server that never sends its endpoint', () => {
  /** Answers GET /sse with an event stream that never names the endpoint; counts open streams. */
  async function silentSseServer(): Promise<{ url: string; openStreams: Set<ServerResponse> }> {
    const openStreams = new Set<ServerResponse>();
    const { origin } = await httpServer((request, response) => {
      if (request.method === 'GET' && request.url === '/sse') {
        response.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' }).write(': no endpoint for you\n\n');
        openStreams.add(response);
        response.on('close', () => openStreams.delete(response));
        return;
      }
      response.writeHead(404).end();
    });
    return { url: `${origin}/sse`, openStreams };
  }

  it('gives up at connectTimeoutMilliseconds, retryably, and closes the stream', async () => {
    const { url, openStreams } = await silentSseServer();
    const manager = openManager({ silent: { transport: 'sse', url } }, { connectTimeoutMilliseconds: 1_000 });
    const startedAt = Date.now();
    const error = await rejectionOf(manager.listTools('silent'));
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    expect(error).toMatchObject({ code: 'MCP_CONNECT_FAILED', server: 'silent', retryable: true });
    expect(error.message).toContain('MCP server "silent" did not send its "endpoint" event and answer initialize within 1000 ms (connectTimeoutMilliseconds)');
    await expect.poll(() => openStreams.size).toBe(0);
  });

  it('lets close() interrupt the connect, retryably', async () => {
    const { url, openStreams } = await silentSseServer();
    const manager = openManager({ silent: { transport: 'sse', url } }, { connectTimeoutMilliseconds: 60_000 });
    const call = rejectionOf(manager.listTools('silent'));
    await expect.poll(() => openStreams.size).toBe(1);
    const startedAt = Date.now();
    await manager.close();
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    expect(await call).toMatchObject({ code: 'MCP_CONNECTION_LOST', server: 'silent', retryable: true });
    await expect.poll(() => openStreams.size).toBe(0);
  });
});

describe('McpConnectionManager with HTTP servers that misbehave', () => {
  it.each(['streamable_http', 'sse'] as const)('sends the configured headers over %s and names them when the server refuses', async (transport) => {
    const seen: IncomingHttpHeaders[] = [];
    const { origin } = await httpServer((request, response) => {
      seen.push(request.headers);
      response.writeHead(401, { 'Content-Type': 'text/plain' }).end('missing or wrong API key');
    });
    const manager = openManager({ remote: { transport, url: `${origin}${PATH[transport]}`, headers: { 'X-Api-Key': 'secret-123', 'X-Retries': 3 } } });
    const error = await rejectionOf(manager.listTools('remote'));
    expect(error).toMatchObject({ code: 'MCP_AUTH_FAILED', server: 'remote', retryable: false });
    expect(error.message).toContain('check mcp.servers.remote.headers');
    expect(seen[0]).toMatchObject({ 'x-api-key': 'secret-123', 'x-retries': '3' });
  });

  it('gives up connecting to an HTTP server that sends no response within http_timeout_seconds', async () => {
    const sockets = new Set<Socket>();
    const silent = createTcpServer((socket) => {
      sockets.add(socket);
    });
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    cleanups.push(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    });
    const { port } = silent.address() as AddressInfo;
    const manager = openManager({ silent: { transport: 'streamable_http', url: `http://127.0.0.1:${port}/mcp`, http_timeout_seconds: 0.2 } });
    const error = await rejectionOf(manager.listTools('silent'));
    expect(error).toMatchObject({ code: 'MCP_CONNECT_FAILED', server: 'silent', retryable: true });
    expect(error.message).toContain('sent no HTTP response within 200 ms (http_timeout_seconds)');
  });
});
