import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import type { LoggingMessageNotification, Progress } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { MCP_TEST_SERVER_TOOL_NAMES, mcpTestServerStdioCommand, startMcpTestHttpServer } from './index.js';
import type { McpTestHttpServer, McpTestHttpTransport } from './index.js';

type TransportKind = 'stdio' | McpTestHttpTransport;

/** A connected client and what it takes to tear it (and its server) down. */
interface Connection {
  client: Client;
  close(): Promise<void>;
}

/** Things to close after each test, newest first. */
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

function newClient(): Client {
  return new Client({ name: 'mcp-test-server-test', version: '1.0.0' });
}

function stdioTransport(flags: string[] = []): StdioClientTransport {
  return new StdioClientTransport({ ...mcpTestServerStdioCommand(flags), stderr: 'pipe' });
}

function httpTransport(server: McpTestHttpServer): Transport {
  return server.transport === 'sse' ? new SSEClientTransport(new URL(server.url)) : new StreamableHTTPClientTransport(new URL(server.url));
}

async function connect(kind: TransportKind): Promise<Connection> {
  const client = newClient();
  if (kind === 'stdio') {
    await client.connect(stdioTransport());
    return { client, close: () => client.close() };
  }
  const server = await startMcpTestHttpServer({ transport: kind });
  await client.connect(httpTransport(server));
  return {
    client,
    close: async () => {
      await client.close();
      await server.close();
    },
  };
}

/** The text of the first content item of a tool result. */
function firstText(result: Awaited<ReturnType<Client['callTool']>>): string {
  const content = result.content as Array<{ type: string; text?: string }>;
  const first = content[0];
  if (first?.type !== 'text' || first.text === undefined) throw new Error(`expected a text item, got ${JSON.stringify(first)}`);
  return first.text;
}

/** Spawns the stdio entry directly, to see its exit code and stderr. */
function spawnStdioEntry(flags: string[] = []): ChildProcessWithoutNullStreams {
  const { command, args } = mcpTestServerStdioCommand(flags);
  const child = spawn(command, args, { stdio: 'pipe' });
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  });
  return child;
}

/** Sends JSON-RPC lines to a spawned stdio entry and reads its answers by id. */
function jsonRpcOver(child: ChildProcessWithoutNullStreams): {
  send(message: object): void;
  answer(id: number): Promise<unknown>;
} {
  const answers = new Map<number, (message: unknown) => void>();
  const received = new Map<number, unknown>();
  createInterface({ input: child.stdout }).on('line', (line) => {
    const message = JSON.parse(line) as { id?: number };
    if (typeof message.id !== 'number') return;
    received.set(message.id, message);
    answers.get(message.id)?.(message);
  });
  return {
    send: (message) => child.stdin.write(`${JSON.stringify(message)}\n`),
    answer: (id) => (received.has(id) ? Promise.resolve(received.get(id)) : new Promise((resolve) => answers.set(id, resolve))),
  };
}

/** Initializes a spawned stdio entry by hand. */
async function initialize(rpc: ReturnType<typeof jsonRpcOver>): Promise<void> {
  rpc.send({
    jsonrpc: '2.0',
    id: 0,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1.0.0' } },
  });
  await rpc.answer(0);
  rpc.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
}

describe.each<TransportKind>(['stdio', 'streamable_http', 'sse'])('the MCP test server over %s', (kind) => {
  let connection: Connection;
  let client: Client;
  beforeAll(async () => {
    connection = await connect(kind);
    client = connection.client;
  });
  afterAll(async () => {
    await connection?.close();
  });

  it('lists every tool with its input schema', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([...MCP_TEST_SERVER_TOOL_NAMES].sort());
    const schemaOf = (name: string) => tools.find((tool) => tool.name === name)?.inputSchema;
    expect(schemaOf('echo')).toMatchObject({ type: 'object', properties: { text: { type: 'string' } }, required: ['text'] });
    expect(schemaOf('add')).toMatchObject({
      properties: { a: { type: 'number' }, b: { type: 'number' } },
      required: ['a', 'b'],
    });
    expect(schemaOf('log')).toMatchObject({
      properties: { level: { enum: ['debug', 'info', 'warning', 'error'] }, message: { type: 'string' } },
    });
    expect(schemaOf('slow')).toMatchObject({ properties: { milliseconds: { type: 'integer' } } });
    expect(schemaOf('crash')).toMatchObject({ properties: { code: { type: 'integer' } } });
    expect(schemaOf('crash')?.required ?? []).toEqual([]);
    expect(schemaOf('hang')).toMatchObject({ type: 'object' });
  });

  it('echoes text and adds numbers', async () => {
    expect(firstText(await client.callTool({ name: 'echo', arguments: { text: 'ping' } }))).toBe('ping');
    expect(firstText(await client.callTool({ name: 'add', arguments: { a: 2, b: 3.5 } }))).toBe('5.5');
  });

  it('answers bad arguments with the SDK validation error', async () => {
    const result = await client.callTool({ name: 'add', arguments: { a: 'two', b: 3 } });
    expect(result.isError).toBe(true);
    expect(firstText(result)).toMatch(/Input validation error: Invalid arguments for tool add/);
  });

  it('answers fail with a tool error', async () => {
    const result = await client.callTool({ name: 'fail', arguments: { message: 'it broke' } });
    expect(result.isError).toBe(true);
    expect(firstText(result)).toBe('it broke');
  });

  it('answers slow after waiting', async () => {
    expect(firstText(await client.callTool({ name: 'slow', arguments: { milliseconds: 20 } }))).toBe('slept 20');
  });

  it('never answers hang, but keeps serving once the call is abandoned', async () => {
    const abandoned = client.callTool({ name: 'hang', arguments: {} }, undefined, { timeout: 200 });
    await expect(abandoned).rejects.toThrow(/timed out/i);
    expect(firstText(await client.callTool({ name: 'echo', arguments: { text: 'still here' } }))).toBe('still here');
  });

  it('keeps image and embedded resource content', async () => {
    const image = await client.callTool({ name: 'image', arguments: {} });
    expect(image.content).toEqual([
      { type: 'image', data: expect.any(String), mimeType: 'image/png' },
      { type: 'text', text: expect.any(String) },
    ]);
    const data = (image.content as Array<{ data?: string }>)[0]?.data ?? '';
    expect(Buffer.from(data, 'base64').subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));

    const embedded = await client.callTool({ name: 'embedded_resource', arguments: {} });
    expect(embedded.content).toEqual([{ type: 'resource', resource: { uri: 'test://embedded', mimeType: 'text/plain', text: 'embedded text' } }]);
  });

  it('sends progress notifications when asked', async () => {
    const received: Progress[] = [];
    const result = await client.callTool({ name: 'progress', arguments: { steps: 3 } }, undefined, {
      onprogress: (progress) => received.push(progress),
    });
    expect(firstText(result)).toBe('done 3');
    expect(received.map(({ progress, total }) => ({ progress, total }))).toEqual([
      { progress: 1, total: 3 },
      { progress: 2, total: 3 },
      { progress: 3, total: 3 },
    ]);
  });

  it('sends logging messages at or above the level set', async () => {
    const messages: Array<LoggingMessageNotification['params']> = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
      messages.push(notification.params);
    });
    try {
      await client.setLoggingLevel('debug');
      expect(firstText(await client.callTool({ name: 'log', arguments: { level: 'info', message: 'hello log' } }))).toBe('logged');
      expect(messages).toEqual([{ level: 'info', logger: 'test-server', data: 'hello log' }]);

      await client.setLoggingLevel('error');
      await client.callTool({ name: 'log', arguments: { level: 'warning', message: 'filtered out' } });
      await client.callTool({ name: 'log', arguments: { level: 'error', message: 'let through' } });
      expect(messages.map((message) => message.data)).toEqual(['hello log', 'let through']);
    } finally {
      client.removeNotificationHandler('notifications/message');
    }
  });

  it('serves the greeting prompt and the hello resource', async () => {
    const prompt = await client.getPrompt({ name: 'greeting', arguments: { name: 'Ada' } });
    expect(prompt.messages).toEqual([{ role: 'user', content: { type: 'text', text: 'Hello, Ada!' } }]);

    const { resources } = await client.listResources();
    expect(resources).toContainEqual(expect.objectContaining({ uri: 'test://hello', mimeType: 'text/plain' }));
    const resource = await client.readResource({ uri: 'test://hello' });
    expect(resource.contents).toEqual([{ uri: 'test://hello', mimeType: 'text/plain', text: 'hello from the test server' }]);
  });

  it('counts the tool calls served', async () => {
    const first = Number(firstText(await client.callTool({ name: 'count', arguments: {} })));
    await client.callTool({ name: 'echo', arguments: { text: 'one more' } });
    const second = Number(firstText(await client.callTool({ name: 'count', arguments: {} })));
    expect(first).toBeGreaterThan(0);
    expect(second).toBe(first + 2);
  });
});

describe('the stdio MCP test server', () => {
  it('is spawned by plain node from the command, whatever the working directory', () => {
    const { command, args } = mcpTestServerStdioCommand(['--name', 'x']);
    expect(command).toBe(process.execPath);
    expect(args[0]).toBe('--import');
    expect(args[1]).toMatch(/^file:\/\/.*tsx.*\.mjs$/);
    expect(args[2]).toMatch(/^\/.*mcp-test-server-stdio\.ts$/);
    expect(args.slice(3)).toEqual(['--name', 'x']);
  });

  it('takes its name and a start delay from flags', async () => {
    const client = newClient();
    cleanups.push(() => client.close());
    await client.connect(stdioTransport(['--start-delay', '100', '--name', 'delayed-server']));
    expect(client.getServerVersion()?.name).toBe('delayed-server');
  });

  it('counts from zero again in a new process', async () => {
    const first = newClient();
    cleanups.push(() => first.close());
    await first.connect(stdioTransport());
    await first.callTool({ name: 'echo', arguments: { text: 'a' } });
    expect(firstText(await first.callTool({ name: 'count', arguments: {} }))).toBe('2');

    const second = newClient();
    cleanups.push(() => second.close());
    await second.connect(stdioTransport());
    expect(firstText(await second.callTool({ name: 'count', arguments: {} }))).toBe('1');
  });

  it('exits with code 3 and a fatal line on stderr with --crash-on-start', async () => {
    const child = spawnStdioEntry(['--crash-on-start']);
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const [code] = (await once(child, 'close')) as [number | null];
    expect(code).toBe(3);
    const lines = stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.at(-1)).toBe('fatal: test server refused to start');
  });

  it('fails a client connecting with --crash-on-start', async () => {
    const client = newClient();
    cleanups.push(() => client.close());
    await expect(client.connect(stdioTransport(['--crash-on-start']))).rejects.toThrow(/closed/i);
  });

  it('rejects unknown flags with a usage message', async () => {
    const child = spawnStdioEntry(['--no-such-flag']);
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const [code] = (await once(child, 'close')) as [number | null];
    expect(code).toBe(2);
    expect(stderr).toMatch(/--no-such-flag/);
  });

  it('ends the process with the given code on crash, without answering', async () => {
    const child = spawnStdioEntry();
    const rpc = jsonRpcOver(child);
    let answered = false;
    void rpc.answer(1).then(() => (answered = true));
    await initialize(rpc);
    rpc.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'crash', arguments: { code: 7 } } });
    const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    expect({ code, signal }).toEqual({ code: 7, signal: null });
    expect(answered).toBe(false);
  });

  it('closes the client when crash ends the process', async () => {
    const client = newClient();
    cleanups.push(() => client.close());
    const closed = new Promise<void>((resolve) => (client.onclose = resolve));
    await client.connect(stdioTransport());
    await expect(client.callTool({ name: 'crash', arguments: {} })).rejects.toThrow(/closed/i);
    await closed;
  });

  it('exits by itself when stdin closes, even with a hang in flight', async () => {
    const child = spawnStdioEntry();
    const rpc = jsonRpcOver(child);
    await initialize(rpc);
    rpc.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'hang', arguments: {} } });
    rpc.send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { text: 'x' } } });
    await rpc.answer(2); // the hang is in flight now
    child.stdin.end();
    const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  });
});

describe.each<McpTestHttpTransport>(['streamable_http', 'sse'])('the HTTP MCP test server over %s', (transport) => {
  async function startConnected(): Promise<{ server: McpTestHttpServer; client: Client }> {
    const server = await startMcpTestHttpServer({ transport, name: `http-${transport}` });
    cleanups.push(() => server.close());
    const client = newClient();
    cleanups.push(() => client.close());
    await client.connect(httpTransport(server));
    return { server, client };
  }

  it('listens on 127.0.0.1 at the endpoint of its transport', async () => {
    const { server, client } = await startConnected();
    expect(server.url).toMatch(transport === 'sse' ? /^http:\/\/127\.0\.0\.1:\d+\/sse$/ : /^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    expect(server.transport).toBe(transport);
    expect(client.getServerVersion()?.name).toBe(`http-${transport}`);
  });

  it('fails the next call after kill()', async () => {
    const { server, client } = await startConnected();
    expect(firstText(await client.callTool({ name: 'echo', arguments: { text: 'alive' } }))).toBe('alive');
    server.kill();
    const dead = client.callTool({ name: 'echo', arguments: { text: 'dead' } }, undefined, { timeout: 2_000 });
    await expect(dead).rejects.toThrow();
    await expect(fetch(server.url)).rejects.toThrow();
  });

  it('acts as kill() on crash', async () => {
    const { server, client } = await startConnected();
    // Over SSE the answer was due on the destroyed stream: the call fails by its timeout.
    await expect(client.callTool({ name: 'crash', arguments: {} }, undefined, { timeout: 1_000 })).rejects.toThrow();
    await expect(fetch(server.url)).rejects.toThrow();
    await expect(client.callTool({ name: 'echo', arguments: { text: 'dead' } }, undefined, { timeout: 1_000 })).rejects.toThrow();
  });

  it('closes gracefully with a hang in flight', async () => {
    const { server, client } = await startConnected();
    const hanging = client.callTool({ name: 'hang', arguments: {} }, undefined, { timeout: 5_000 }).catch(() => 'failed');
    await client.callTool({ name: 'echo', arguments: { text: 'x' } });
    await server.close();
    await expect(fetch(server.url)).rejects.toThrow();
    await client.close();
    expect(await hanging).toBe('failed');
  });

  it('shares one call count between sessions', async () => {
    const { server, client } = await startConnected();
    await client.callTool({ name: 'echo', arguments: { text: 'a' } });
    const other = newClient();
    cleanups.push(() => other.close());
    await other.connect(httpTransport(server));
    expect(firstText(await other.callTool({ name: 'count', arguments: {} }))).toBe('2');
  });
});

describe('the Streamable HTTP MCP test server', () => {
  it('answers 404 to an unknown session id and 400 to a request without one', async () => {
    const server = await startMcpTestHttpServer();
    cleanups.push(() => server.close());
    const post = (headers: Record<string, string>) =>
      fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });
    expect((await post({ 'mcp-session-id': 'no-such-session' })).status).toBe(404);
    expect((await post({})).status).toBe(400);
  });
});
