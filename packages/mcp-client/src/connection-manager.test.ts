// Fault tests of the connection manager against the in-repo MCP test server (@mcp-agent/testing)
// over stdio and HTTP: real processes and sockets, no mocks.
import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

import { McpClientError } from '@mcp-agent/core';
import { mcpTestServerStdioCommand, startMcpTestHttpServer } from '@mcp-agent/testing';
import type { McpTestHttpServer } from '@mcp-agent/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { collectingLogger, processExists } from './__fixtures__/servers.js';

const STUBBORN_SERVER = fileURLToPath(new URL('./__fixtures__/stubborn-server.mjs', import.meta.url));
import { createMcpConnectionManager, ServerRegistry } from './index.js';
import type { McpConnectionManager, McpConnectionManagerOptions, McpServersInput } from './index.js';

/** The text of a result's first content item. */
function firstText(result: { content: Array<{ type: string; [key: string]: unknown }> }): string {
  return String(result.content[0]?.['text']);
}

/** The error a promise rejects with (fails the test when it resolves). */
async function rejectionOf(promise: Promise<unknown>): Promise<McpClientError> {
  try {
    await promise;
  } catch (error) {
    expect(McpClientError.is(error), `expected an McpClientError, got ${String(error)}`).toBe(true);
    return error as McpClientError;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

describe('McpConnectionManager with the stdio test server', () => {
  const managers: McpConnectionManager[] = [];
  const open = (servers: McpServersInput, options: Omit<McpConnectionManagerOptions, 'servers'> = {}): McpConnectionManager => {
    const manager = createMcpConnectionManager({ servers, logger: collectingLogger().logger, ...options });
    managers.push(manager);
    return manager;
  };

  afterEach(async () => {
    await Promise.all(managers.splice(0).map((manager) => manager.close()));
  });

  it('names the configured servers for an unknown server', async () => {
    const manager = open({ test: mcpTestServerStdioCommand(), other: mcpTestServerStdioCommand() });
    const error = await rejectionOf(manager.callTool({ server: 'fs', tool: 'echo' }));
    expect(error).toMatchObject({ code: 'MCP_UNKNOWN_SERVER', server: 'fs', retryable: false });
    expect(error.message).toMatch(/^unknown MCP server "fs"; configured: test, other/);
    expect(manager.serverNames()).toEqual(['test', 'other']);
  });

  it('fails at once, naming the command, when the command does not exist', async () => {
    const manager = open({ missing: { command: 'mcp-client-test-no-such-command', args: ['--stdio'] } });
    const error = await rejectionOf(manager.listTools('missing'));
    expect(error).toMatchObject({ code: 'MCP_CONNECT_FAILED', server: 'missing', retryable: false });
    expect(error.message).toContain('command "mcp-client-test-no-such-command" was not found');
  });

  it('names a missing working directory', async () => {
    const manager = open({ test: { ...mcpTestServerStdioCommand(), cwd: '/nonexistent/mcp-client-test' } });
    const error = await rejectionOf(manager.listTools('test'));
    expect(error).toMatchObject({ code: 'MCP_CONNECT_FAILED', server: 'test' });
    expect(error.message).toContain('working directory "/nonexistent/mcp-client-test" (mcp.servers.test.cwd) does not exist');
  });

  it('quotes the tail of stderr when the server exits during start', async () => {
    const manager = open({ broken: mcpTestServerStdioCommand(['--crash-on-start']) });
    const error = await rejectionOf(manager.listTools('broken'));
    expect(error).toMatchObject({ code: 'MCP_CONNECT_FAILED', server: 'broken' });
    expect(error.message).toContain('MCP server "broken"');
    expect(error.message).toContain('exited during start');
    expect(error.message).toMatch(/stderr:\n(?: {2}.*\n)*? {2}fatal: test server refused to start$/);
  });

  it('waits an exponentially growing delay between failed connects', async () => {
    const { logger, records } = collectingLogger();
    const manager = open(
      { broken: mcpTestServerStdioCommand(['--crash-on-start']) },
      { logger, reconnectInitialDelayMilliseconds: 100, reconnectMaximumDelayMilliseconds: 300 },
    );
    const startedAt = Date.now();
    for (let attempt = 0; attempt < 4; attempt += 1) {
      await rejectionOf(manager.listTools('broken'));
    }
    const delays = records.filter((record) => record.message.startsWith('could not connect')).map((record) => record.message.match(/next attempt in (\d+) ms/)?.[1]);
    expect(delays).toEqual(['100', '200', '300', '300']);
    // The 2nd, 3rd and 4th attempts waited 100 + 200 + 300 ms at least.
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(600);
  });

  it('shares one connection between concurrent first calls', async () => {
    const manager = open({ test: mcpTestServerStdioCommand() });
    const counts = await Promise.all(Array.from({ length: 5 }, () => manager.callTool({ server: 'test', tool: 'count' })));
    expect(counts.map(firstText).sort()).toEqual(['1', '2', '3', '4', '5']);
  });

  it('fails the call in flight when the server dies, retryably, and reconnects on the next call', async () => {
    const { logger, records } = collectingLogger();
    const manager = open({ test: mcpTestServerStdioCommand() }, { logger });
    expect(firstText(await manager.callTool({ server: 'test', tool: 'count' }))).toBe('1');
    const firstProcess = manager.processId('test');

    const error = await rejectionOf(manager.callTool({ server: 'test', tool: 'crash', arguments: { code: 7 } }));
    expect(error).toMatchObject({ code: 'MCP_CONNECTION_LOST', server: 'test', retryable: true });
    expect(error.message).toContain('the next call reconnects');
    expect(records.some((record) => record.level === 'warn' && record.message.includes('connection to MCP server "test" closed'))).toBe(true);

    expect(firstText(await manager.callTool({ server: 'test', tool: 'count' }))).toBe('1');
    expect(manager.processId('test')).not.toBe(firstProcess);
    expect(processExists(firstProcess ?? -1)).toBe(false);
  });

  it('times out a hung call at the configured read timeout, retryably, and keeps the connection', async () => {
    const manager = open({ test: { ...mcpTestServerStdioCommand(), read_timeout_seconds: 0.3 } });
    const error = await rejectionOf(manager.callTool({ server: 'test', tool: 'hang' }));
    expect(error).toMatchObject({ code: 'MCP_TIMEOUT', server: 'test', retryable: true });
    expect(error.message).toMatch(/did not answer tools\/call "hang" within 300 ms \(read_timeout_seconds: 0\.3\)/);
    expect(firstText(await manager.callTool({ server: 'test', tool: 'echo', arguments: { text: 'still here' } }))).toBe('still here');
  });

  it('takes a per-call timeout and an abort signal', async () => {
    const manager = open({ test: mcpTestServerStdioCommand() }, { requestTimeoutMilliseconds: 10_000 });
    const timedOut = await rejectionOf(manager.callTool({ server: 'test', tool: 'slow', arguments: { milliseconds: 5_000 } }, { timeoutMilliseconds: 200 }));
    expect(timedOut).toMatchObject({ code: 'MCP_TIMEOUT' });

    const controller = new AbortController();
    const reason = new Error('caller gave up');
    const call = manager.callTool({ server: 'test', tool: 'hang' }, { signal: controller.signal });
    setTimeout(() => controller.abort(reason), 100);
    await expect(call).rejects.toBe(reason);
  });

  it("returns the tool's own failure as an isError result", async () => {
    const manager = open({ test: mcpTestServerStdioCommand() });
    const result = await manager.callTool({ server: 'test', tool: 'fail', arguments: { message: 'disk full' } });
    expect(result).toEqual({ content: [{ type: 'text', text: 'disk full' }], isError: true });
  });

  it('raises MCP_PROTOCOL_ERROR naming the server and tool for invalid arguments', async () => {
    const manager = open({ test: mcpTestServerStdioCommand() });
    expect(firstText(await manager.callTool({ server: 'test', tool: 'add', arguments: { a: 2, b: 3 } }))).toBe('5');
    const error = await rejectionOf(manager.callTool({ server: 'test', tool: 'add', arguments: { a: 'two', b: 3 } }));
    expect(error).toMatchObject({ code: 'MCP_PROTOCOL_ERROR', server: 'test', retryable: false });
    expect(error.message).toContain('MCP server "test" rejected the arguments of tool "add"');
    expect(error.message).toMatch(/Input validation error: .*expected number/);
  });

  it('raises MCP_UNKNOWN_TOOL for a tool the server does not have', async () => {
    const manager = open({ test: mcpTestServerStdioCommand() });
    const error = await rejectionOf(manager.callTool({ server: 'test', tool: 'teleport' }));
    expect(error).toMatchObject({ code: 'MCP_UNKNOWN_TOOL', server: 'test' });
    expect(error.message).toContain('has no tool "teleport"');
  });

  it('keeps image and embedded resource content as sent', async () => {
    const manager = open({ test: mcpTestServerStdioCommand() });
    const image = await manager.callTool({ server: 'test', tool: 'image' });
    expect(image.content).toEqual([
      { type: 'image', data: expect.stringMatching(/^iVBORw0KGgo/), mimeType: 'image/png' },
      { type: 'text', text: 'a 1x1 transparent PNG' },
    ]);
    const embedded = await manager.callTool({ server: 'test', tool: 'embedded_resource' });
    expect(embedded.content).toEqual([{ type: 'resource', resource: { uri: 'test://embedded', mimeType: 'text/plain', text: 'embedded text' } }]);
  });

  it('lists tools, prompts and resources and reads them', async () => {
    const manager = open({ test: { ...mcpTestServerStdioCommand(), allowed_tools: ['echo', 'add'] } });
    const tools = await manager.listTools('test');
    expect(tools.map((tool) => tool.name)).toEqual(['echo', 'add']);
    expect(tools[1]).toMatchObject({
      server: 'test',
      description: 'Answers the sum of two numbers.',
      inputSchema: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] },
    });
    await expect(manager.callTool({ server: 'test', tool: 'count' })).rejects.toMatchObject({ code: 'MCP_UNKNOWN_TOOL' });

    expect(await manager.listPrompts('test')).toEqual([
      { server: 'test', name: 'greeting', description: 'Greets someone by name.', arguments: [{ name: 'name', required: true }] },
    ]);
    expect(await manager.getPrompt({ server: 'test', name: 'greeting', arguments: { name: 'Ada' } })).toEqual({
      messages: [{ role: 'user', content: { type: 'text', text: 'Hello, Ada!' } }],
    });
    expect(await manager.listResources('test')).toEqual([
      { server: 'test', uri: 'test://hello', name: 'hello', description: 'A fixed greeting.', mimeType: 'text/plain' },
    ]);
    expect(await manager.readResource({ server: 'test', uri: 'test://hello' })).toEqual({
      contents: [{ uri: 'test://hello', mimeType: 'text/plain', text: 'hello from the test server' }],
    });
  });

  it('passes progress and server log notifications to the logger', async () => {
    const { logger, records } = collectingLogger();
    const manager = open({ test: mcpTestServerStdioCommand() }, { logger });
    const progress: number[] = [];
    const result = await manager.callTool({ server: 'test', tool: 'progress', arguments: { steps: 3 } }, { onProgress: (update) => progress.push(update.progress) });
    expect(firstText(result)).toBe('done 3');
    expect(progress).toEqual([1, 2, 3]);
    expect(records.filter((record) => record.data?.['tool'] === 'progress')).toEqual([1, 2, 3].map((step) =>
      expect.objectContaining({
        level: 'info',
        message: `step ${step} of 3`,
        data: expect.objectContaining({ server: 'test', tool: 'progress', progress: step, total: 3 }),
      }),
    ));

    await manager.callTool({ server: 'test', tool: 'log', arguments: { level: 'warning', message: 'disk almost full' } });
    await manager.callTool({ server: 'test', tool: 'log', arguments: { level: 'error', message: 'disk full' } });
    await manager.callTool({ server: 'test', tool: 'log', arguments: { level: 'debug', message: 'below the requested level' } });
    const serverLogs = records.filter((record) => record.data?.['logger'] === 'test-server');
    expect(serverLogs).toEqual([
      expect.objectContaining({ level: 'warn', message: 'disk almost full', data: expect.objectContaining({ server: 'test', level: 'warning' }) }),
      expect.objectContaining({ level: 'error', message: 'disk full', data: expect.objectContaining({ server: 'test', level: 'error' }) }),
    ]);
  });

  it('asks the server for the configured logging level', async () => {
    const { logger, records } = collectingLogger();
    const manager = open({ test: mcpTestServerStdioCommand() }, { logger, serverLoggingLevel: 'debug' });
    await manager.callTool({ server: 'test', tool: 'log', arguments: { level: 'debug', message: 'details' } });
    expect(records.filter((record) => record.data?.['logger'] === 'test-server')).toEqual([
      expect.objectContaining({ level: 'debug', message: 'details', data: expect.objectContaining({ server: 'test' }) }),
    ]);
  });

  it('leaves no child process behind after close, even with a call in flight', async () => {
    const manager = open({ test: mcpTestServerStdioCommand() });
    await manager.connect('test');
    const processId = manager.processId('test');
    expect(processId).toBeTypeOf('number');
    expect(processExists(processId ?? -1)).toBe(true);

    const inFlight = manager.callTool({ server: 'test', tool: 'hang' });
    await manager.close();
    await expect(inFlight).rejects.toMatchObject({ code: 'MCP_CONNECTION_LOST' });
    expect(processExists(processId ?? -1)).toBe(false);
    await expect(manager.listTools('test')).rejects.toMatchObject({ code: 'MCP_CONNECTION_LOST', retryable: false });
  });

  it('kills a server that ignores stdin closing and SIGTERM', async () => {
    const manager = open({ stubborn: { command: process.execPath, args: [STUBBORN_SERVER] } });
    expect(firstText(await manager.callTool({ server: 'stubborn', tool: 'ping' }))).toBe('pong');
    const processId = manager.processId('stubborn');
    expect(processExists(processId ?? -1)).toBe(true);
    await manager.close();
    expect(processExists(processId ?? -1)).toBe(false);
  }, 15_000);

  it('accepts a ServerRegistry', async () => {
    const registry = new ServerRegistry({ test: mcpTestServerStdioCommand() });
    const manager = createMcpConnectionManager({ servers: registry, logger: collectingLogger().logger });
    managers.push(manager);
    expect(manager.registry).toBe(registry);
    expect(firstText(await manager.callTool({ server: 'test', tool: 'echo', arguments: { text: 'via registry' } }))).toBe('via registry');
  });
});

describe.each([{ transport: 'streamable_http' as const }, { transport: 'sse' as const }])('McpConnectionManager with the $transport test server', ({ transport }) => {
  let server: McpTestHttpServer;
  let manager: McpConnectionManager;

  beforeAll(async () => {
    server = await startMcpTestHttpServer({ transport });
    manager = createMcpConnectionManager({
      servers: { test: { transport, url: server.url, headers: { 'X-Test': 'yes' }, read_timeout_seconds: 10 } },
      logger: collectingLogger().logger,
      reconnectInitialDelayMilliseconds: 50,
    });
  });

  afterAll(async () => {
    await manager.close();
    await server.close();
  });

  it('calls tools, keeps content, reports tool errors and protocol errors', async () => {
    expect(firstText(await manager.callTool({ server: 'test', tool: 'echo', arguments: { text: transport } }))).toBe(transport);
    expect((await manager.callTool({ server: 'test', tool: 'image' })).content[0]).toMatchObject({ type: 'image', mimeType: 'image/png' });
    expect(await manager.callTool({ server: 'test', tool: 'fail', arguments: { message: 'nope' } })).toMatchObject({ isError: true });
    await expect(manager.callTool({ server: 'test', tool: 'add', arguments: { a: 1 } })).rejects.toMatchObject({ code: 'MCP_PROTOCOL_ERROR' });
    expect(firstText(await manager.callTool({ server: 'test', tool: 'progress', arguments: { steps: 2 } }))).toBe('done 2');
  });

  it('fails the call in flight when the server dies, and reports the refused reconnect', async () => {
    const inFlight = manager.callTool({ server: 'test', tool: 'hang' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const startedAt = Date.now();
    server.kill();
    const error = await rejectionOf(inFlight);
    expect(error).toMatchObject({ code: 'MCP_CONNECTION_LOST', server: 'test', retryable: true });
    // Well before the 10 s read timeout.
    expect(Date.now() - startedAt).toBeLessThan(5_000);

    const reconnect = await rejectionOf(manager.callTool({ server: 'test', tool: 'echo', arguments: { text: 'anyone?' } }));
    expect(reconnect).toMatchObject({ code: 'MCP_CONNECT_FAILED', server: 'test', retryable: true });
    expect(reconnect.message).toContain(`could not connect to MCP server "test" at ${server.url} (${transport})`);
  });
});

describe('McpConnectionManager with HTTP servers that misbehave', () => {
  it.each(['streamable_http', 'sse'] as const)('sends the configured headers over %s and names them when the server refuses', async (transport) => {
    const seen: IncomingHttpHeaders[] = [];
    const server = createHttpServer((request, response) => {
      seen.push(request.headers);
      response.writeHead(401, { 'Content-Type': 'text/plain' }).end('missing or wrong API key');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const manager = createMcpConnectionManager({
      servers: { remote: { transport, url: `http://127.0.0.1:${port}/${transport === 'sse' ? 'sse' : 'mcp'}`, headers: { 'X-Api-Key': 'secret-123', 'X-Retries': 3 } } },
      logger: collectingLogger().logger,
    });
    try {
      const error = await rejectionOf(manager.listTools('remote'));
      expect(error).toMatchObject({ code: 'MCP_CONNECT_FAILED', server: 'remote', retryable: false });
      expect(error.message).toContain('check mcp.servers.remote.headers');
      expect(seen[0]).toMatchObject({ 'x-api-key': 'secret-123', 'x-retries': '3' });
    } finally {
      await manager.close();
      server.closeAllConnections();
      server.close();
    }
  });

  it('gives up on an HTTP server that sends no response within http_timeout_seconds', async () => {
    const sockets = new Set<Socket>();
    const silent = createTcpServer((socket) => {
      sockets.add(socket);
    });
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const { port } = silent.address() as AddressInfo;
    const manager = createMcpConnectionManager({
      servers: { silent: { transport: 'streamable_http', url: `http://127.0.0.1:${port}/mcp`, http_timeout_seconds: 0.2 } },
      logger: collectingLogger().logger,
    });
    try {
      const error = await rejectionOf(manager.listTools('silent'));
      expect(error).toMatchObject({ code: 'MCP_CONNECT_FAILED', server: 'silent', retryable: true });
      expect(error.message).toContain('sent no HTTP response within 200 ms (http_timeout_seconds)');
    } finally {
      await manager.close();
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });
});
