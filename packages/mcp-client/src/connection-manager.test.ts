// Fault tests of the connection manager against the in-repo MCP test server (@mcp-agent/testing)
// and small fixture servers over stdio: real processes, no mocks. HTTP faults are in
// connection-manager-http.test.ts.
import { getEventListeners } from 'node:events';
import { fileURLToPath } from 'node:url';

import { mcpTestServerStdioCommand } from '@mcp-agent/testing';
import { afterEach, describe, expect, it } from 'vitest';

import { collectingLogger, firstText, processExists, rejectionOf, SERVER_EVERYTHING_ENTRY } from './__fixtures__/servers.js';
import { createMcpConnectionManager, ServerRegistry } from './index.js';
import type { McpConnectionManager, McpConnectionManagerOptions, McpServersInput } from './index.js';

const STUBBORN_SERVER = fileURLToPath(new URL('./__fixtures__/stubborn-server.mjs', import.meta.url));
const FAULTY_SERVER = fileURLToPath(new URL('./__fixtures__/faulty-server.mjs', import.meta.url));

/** The delays of the backoff warnings logged so far: `next attempt in 200 ms` gives 200. */
function loggedBackoffs(records: Array<{ message: string }>): number[] {
  return records.flatMap((record) => {
    const delay = /next attempt in (\d+) ms/.exec(record.message)?.[1];
    return delay === undefined ? [] : [Number(delay)];
  });
}

/** The managers a test opened; closed after it. */
const managers: McpConnectionManager[] = [];

function open(servers: McpServersInput, options: Omit<McpConnectionManagerOptions, 'servers'> = {}): McpConnectionManager {
  const manager = createMcpConnectionManager({ servers, logger: collectingLogger().logger, ...options });
  managers.push(manager);
  return manager;
}

afterEach(async () => {
  await Promise.all(managers.splice(0).map((manager) => manager.close()));
});

describe('McpConnectionManager with the stdio test server', () => {
  it('names the configured servers for an unknown server', async () => {
    const manager = open({ test: mcpTestServerStdioCommand(), other: mcpTestServerStdioCommand() });
    const error = await rejectionOf(manager.callTool({ server: 'fs', tool: 'echo' }));
    expect(error).toMatchObject({ code: 'MCP_UNKNOWN_SERVER', server: 'fs', retryable: false });
    expect(error.message).toMatch(/^unknown MCP server "fs"; configured: test, other/);
    expect(manager.serverNames()).toEqual(['test', 'other']);
  });

  it('fails at once, naming the command, when the command does not exist', async () => {
    const manager = open({ missing: { command: 'mcp-client-test-no-such-command', args: ['--stdio'] } });
    const startedAt = Date.now();
    const error = await rejectionOf(manager.listTools('missing'));
    expect(Date.now() - startedAt).toBeLessThan(3_000);
    expect(error).toMatchObject({ code: 'MCP_CONNECT_FAILED', server: 'missing', retryable: false });
    expect(error.message).toContain('command "mcp-client-test-no-such-command" was not found');
  });

  it('names a missing working directory', async () => {
    const manager = open({ test: { ...mcpTestServerStdioCommand(), cwd: '/nonexistent/mcp-client-test' } });
    const error = await rejectionOf(manager.listTools('test'));
    expect(error).toMatchObject({ code: 'MCP_CONNECT_FAILED', server: 'test' });
    expect(error.message).toContain('working directory "/nonexistent/mcp-client-test" (mcp.servers.test.cwd) does not exist');
  });

  it('raises a config error for a websocket server, without starting a backoff', async () => {
    const { logger, records } = collectingLogger();
    const manager = open({ socket: { transport: 'websocket', url: 'ws://127.0.0.1:1/mcp' } }, { logger, reconnectInitialDelayMilliseconds: 20_000 });
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const startedAt = Date.now();
      const error = await rejectionOf(manager.listTools('socket'));
      expect(error).toMatchObject({ code: 'MCP_SERVER_CONFIG', server: 'socket', retryable: false });
      expect(error.message).toContain('"websocket" is not supported by @mcp-agent/mcp-client; use "streamable_http", "sse" or "stdio"');
      // The second attempt does not wait out the 20 s backoff of a failed connect.
      expect(Date.now() - startedAt).toBeLessThan(3_000);
    }
    expect(loggedBackoffs(records)).toEqual([]);
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
    const manager = open({ broken: mcpTestServerStdioCommand(['--crash-on-start']) }, { logger, reconnectInitialDelayMilliseconds: 100, reconnectMaximumDelayMilliseconds: 300 });
    const startedAt = Date.now();
    for (let attempt = 0; attempt < 4; attempt += 1) {
      await rejectionOf(manager.listTools('broken'));
    }
    const delays = records.filter((record) => record.message.startsWith('could not connect')).map((record) => record.message.match(/next attempt in (\d+) ms/)?.[1]);
    expect(delays).toEqual(['100', '200', '300', '300']);
    // The 2nd, 3rd and 4th attempts waited 100 + 200 + 300 ms at least.
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(600);
  });

  it.each([
    { variant: 'without logging', flags: [] },
    { variant: 'with logging/setLevel', flags: ['--logging'] },
  ])('backs off from a server that dies right after initialize ($variant)', async ({ flags }) => {
    const { logger, records } = collectingLogger();
    const manager = open(
      { dying: { command: process.execPath, args: [FAULTY_SERVER, '--exit-after-initialize', ...flags] } },
      { logger, reconnectInitialDelayMilliseconds: 200, reconnectMaximumDelayMilliseconds: 5_000 },
    );
    const startedAt = Date.now();
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const error = await rejectionOf(manager.listTools('dying'));
      expect(error).toMatchObject({ server: 'dying', retryable: true });
      expect(['MCP_CONNECT_FAILED', 'MCP_CONNECTION_LOST']).toContain(error.code);
    }
    // Each initialize succeeded, yet each session died unused: the delay grows as for failed connects.
    expect(loggedBackoffs(records)).toEqual([200, 400, 800]);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(600);
    expect(manager.processId('dying')).toBeUndefined();
  });

  it('times out a connect at connectTimeoutMilliseconds, retryably', async () => {
    const manager = open({ slow: mcpTestServerStdioCommand(['--start-delay', '20000']) }, { connectTimeoutMilliseconds: 1_000 });
    const startedAt = Date.now();
    const error = await rejectionOf(manager.listTools('slow'));
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    expect(error).toMatchObject({ code: 'MCP_CONNECT_FAILED', server: 'slow', retryable: true });
    expect(error.message).toContain('did not start and answer initialize within 1000 ms (connectTimeoutMilliseconds)');
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
    await expect.poll(() => records.some((record) => record.level === 'warn' && record.message.includes('connection to MCP server "test" closed'))).toBe(true);

    expect(firstText(await manager.callTool({ server: 'test', tool: 'count' }))).toBe('1');
    expect(manager.processId('test')).not.toBe(firstProcess);
    expect(processExists(firstProcess ?? -1)).toBe(false);
  });

  it('shares one reconnect between concurrent calls after the server died', async () => {
    const manager = open({ test: mcpTestServerStdioCommand() });
    expect(firstText(await manager.callTool({ server: 'test', tool: 'count' }))).toBe('1');
    const firstProcess = manager.processId('test');
    await rejectionOf(manager.callTool({ server: 'test', tool: 'crash' }));

    const counts = await Promise.all([manager.callTool({ server: 'test', tool: 'count' }), manager.callTool({ server: 'test', tool: 'count' })]);
    // Both calls reached the same new process: it counted both.
    expect(counts.map(firstText).sort()).toEqual(['1', '2']);
    expect(manager.processId('test')).not.toBe(firstProcess);
  });

  it('times out a hung call at the configured read timeout, retryably, and keeps the connection', async () => {
    const manager = open({ test: { ...mcpTestServerStdioCommand(), read_timeout_seconds: 0.3 } });
    await manager.connect('test');
    const error = await rejectionOf(manager.callTool({ server: 'test', tool: 'hang' }));
    expect(error).toMatchObject({ code: 'MCP_TIMEOUT', server: 'test', retryable: true });
    expect(error.message).toMatch(/did not answer tools\/call "hang" within 300 ms \(read_timeout_seconds: 0\.3\)/);
    // Only the hung call has the short timeout.
    expect(firstText(await manager.callTool({ server: 'test', tool: 'echo', arguments: { text: 'still here' } }, { timeoutMilliseconds: 10_000 }))).toBe('still here');
  });

  it('ends a call that keeps sending progress at its maximum total timeout', async () => {
    const manager = open({ test: { ...mcpTestServerStdioCommand(), read_timeout_seconds: 0.5 } });
    await manager.connect('test');
    const progress: number[] = [];
    // 1000 steps 20 ms apart take 20 s; progress restarts the 500 ms timeout each time.
    const error = await rejectionOf(manager.callTool({ server: 'test', tool: 'progress', arguments: { steps: 1_000 } }, { onProgress: (update) => progress.push(update.progress) }));
    expect(error).toMatchObject({ code: 'MCP_TIMEOUT', server: 'test', retryable: true });
    expect(error.message).toContain('kept sending progress but did not answer tools/call "progress" within 5000 ms in total');
    // The progress did restart the 500 ms timeout: far more than 500 ms worth of steps arrived.
    expect(progress.length).toBeGreaterThan(50);
  });

  it('takes a per-call timeout and an abort signal', async () => {
    const manager = open({ test: mcpTestServerStdioCommand() }, { requestTimeoutMilliseconds: 10_000 });
    await manager.connect('test');
    const timedOut = await rejectionOf(manager.callTool({ server: 'test', tool: 'slow', arguments: { milliseconds: 5_000 } }, { timeoutMilliseconds: 200 }));
    expect(timedOut).toMatchObject({ code: 'MCP_TIMEOUT' });
    expect(timedOut.message).toContain(`did not answer tools/call "slow" within 200 ms (the call's timeoutMilliseconds)`);

    const controller = new AbortController();
    const reason = new Error('caller gave up');
    const call = manager.callTool({ server: 'test', tool: 'hang' }, { signal: controller.signal });
    setTimeout(() => controller.abort(reason), 100);
    await expect(call).rejects.toBe(reason);
  });

  it("bounds a call's wait for the reconnect backoff by its own timeout", async () => {
    const manager = open({ broken: mcpTestServerStdioCommand(['--crash-on-start']) }, { reconnectInitialDelayMilliseconds: 20_000 });
    await rejectionOf(manager.callTool({ server: 'broken', tool: 'echo', arguments: { text: 'first' } }));
    const startedAt = Date.now();
    const error = await rejectionOf(manager.callTool({ server: 'broken', tool: 'echo', arguments: { text: 'second' } }, { timeoutMilliseconds: 300 }));
    // Well before the 20 s backoff ends.
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    expect(error).toMatchObject({ code: 'MCP_TIMEOUT', server: 'broken', retryable: true });
    expect(error.message).toContain(`was not connected within 300 ms (the call's timeoutMilliseconds): it is in the reconnect backoff after 1 failed attempt`);
  });

  it('lets an aborted call stop waiting for a connect that goes on for the others', async () => {
    const manager = open({ test: mcpTestServerStdioCommand(['--start-delay', '1500']) });
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    const abandoned = manager.callTool({ server: 'test', tool: 'count' }, { signal: controller.signal });
    let patientSettled = false;
    const patient = manager.callTool({ server: 'test', tool: 'count' }).finally(() => {
      patientSettled = true;
    });
    setTimeout(() => controller.abort(reason), 200);
    await expect(abandoned).rejects.toBe(reason);
    // It stopped waiting while the server was still starting.
    expect(manager.processId('test')).toBeUndefined();
    expect(patientSettled).toBe(false);
    // The shared connect went on; only the patient call reached the server.
    expect(firstText(await patient)).toBe('1');
  });

  it('leaves no abort listener on a signal shared by many calls', async () => {
    const manager = open({ test: mcpTestServerStdioCommand() });
    const controller = new AbortController();
    // The first calls also wait for the connect with the signal.
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, index) => manager.callTool({ server: 'test', tool: 'echo', arguments: { text: String(index) } }, { signal: controller.signal })),
    );
    expect(results.map(firstText)).toEqual(Array.from({ length: 50 }, (_, index) => String(index)));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
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

  it('raises a non-retryable MCP_PROTOCOL_ERROR for a JSON-RPC internal error', async () => {
    const manager = open({ faulty: { command: process.execPath, args: [FAULTY_SERVER] } });
    const error = await rejectionOf(manager.callTool({ server: 'faulty', tool: 'explode' }));
    expect(error).toMatchObject({ code: 'MCP_PROTOCOL_ERROR', server: 'faulty', retryable: false });
    expect(error.message).toContain('MCP server "faulty" rejected tools/call "explode": MCP error -32603: the handler exploded');
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

    expect(await manager.listPrompts('test')).toEqual([{ server: 'test', name: 'greeting', description: 'Greets someone by name.', arguments: [{ name: 'name', required: true }] }]);
    expect(await manager.getPrompt({ server: 'test', name: 'greeting', arguments: { name: 'Ada' } })).toEqual({
      messages: [{ role: 'user', content: { type: 'text', text: 'Hello, Ada!' } }],
    });
    expect(await manager.listResources('test')).toEqual([{ server: 'test', uri: 'test://hello', name: 'hello', description: 'A fixed greeting.', mimeType: 'text/plain' }]);
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
    expect(records.filter((record) => record.data?.['tool'] === 'progress')).toEqual(
      [1, 2, 3].map((step) =>
        expect.objectContaining({
          level: 'info',
          message: `step ${step} of 3`,
          data: expect.objectContaining({ server: 'test', tool: 'progress', progress: step, total: 3 }),
        }),
      ),
    );

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

  it('keeps several servers apart: each call reaches its own server, and an unused one is never started', async () => {
    // Both servers have a tool "echo", with different arguments and answers.
    const manager = open({
      everything: { command: process.execPath, args: [SERVER_EVERYTHING_ENTRY, 'stdio'] },
      test: mcpTestServerStdioCommand(),
      unused: { command: 'mcp-client-test-never-started' },
    });
    const [everythingTools, testTools] = await Promise.all([manager.listTools('everything'), manager.listTools('test')]);
    expect(everythingTools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['echo', 'get-tiny-image']));
    expect(everythingTools.every((tool) => tool.server === 'everything')).toBe(true);
    expect(testTools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['echo', 'add']));
    expect(testTools.every((tool) => tool.server === 'test')).toBe(true);

    const [fromEverything, fromTest] = await Promise.all([
      manager.callTool({ server: 'everything', tool: 'echo', arguments: { message: 'hi' } }),
      manager.callTool({ server: 'test', tool: 'echo', arguments: { text: 'hi' } }),
    ]);
    expect(fromEverything.content).toEqual([{ type: 'text', text: 'Echo: hi' }]);
    expect(fromTest.content).toEqual([{ type: 'text', text: 'hi' }]);
    // A tool of one server is unknown to the other.
    await expect(manager.callTool({ server: 'everything', tool: 'add', arguments: { a: 1, b: 2 } })).rejects.toMatchObject({ code: 'MCP_UNKNOWN_TOOL', server: 'everything' });

    const everythingProcess = manager.processId('everything');
    const testProcess = manager.processId('test');
    expect(everythingProcess).toBeTypeOf('number');
    expect(testProcess).toBeTypeOf('number');
    expect(everythingProcess).not.toBe(testProcess);
    expect(manager.processId('unused')).toBeUndefined();
    await manager.close();
    expect(processExists(everythingProcess ?? -1)).toBe(false);
    expect(processExists(testProcess ?? -1)).toBe(false);
  });

  it('accepts a ServerRegistry', async () => {
    const registry = new ServerRegistry({ test: mcpTestServerStdioCommand() });
    const manager = createMcpConnectionManager({ servers: registry, logger: collectingLogger().logger });
    managers.push(manager);
    expect(manager.registry).toBe(registry);
    expect(firstText(await manager.callTool({ server: 'test', tool: 'echo', arguments: { text: 'via registry' } }))).toBe('via registry');
  });
});

describe('McpConnectionManager.close', () => {
  it('leaves no child process behind, even with a call in flight', async () => {
    const manager = open({ test: mcpTestServerStdioCommand() });
    await manager.connect('test');
    const processId = manager.processId('test');
    expect(processId).toBeTypeOf('number');
    expect(processExists(processId ?? -1)).toBe(true);

    const inFlight = rejectionOf(manager.callTool({ server: 'test', tool: 'hang' }));
    await manager.close();
    expect(await inFlight).toMatchObject({ code: 'MCP_CONNECTION_LOST', retryable: true });
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
  });

  it('stops a server started through a wrapper (sh -c), its own child included', async () => {
    // sh stays the parent of the server (the `; exit` keeps it from exec-ing), which ignores
    // stdin closing and SIGTERM: only signalling the process group reaches it.
    const manager = open({ wrapped: { command: 'sh', args: ['-c', '"$0" "$1"; exit $?', process.execPath, STUBBORN_SERVER] } });
    const serverProcessId = Number(firstText(await manager.callTool({ server: 'wrapped', tool: 'pid' })));
    const wrapperProcessId = manager.processId('wrapped') ?? -1;
    expect(serverProcessId).not.toBe(wrapperProcessId);
    expect(processExists(serverProcessId)).toBe(true);
    await manager.close();
    expect(processExists(serverProcessId)).toBe(false);
    expect(processExists(wrapperProcessId)).toBe(false);
  });

  it('returns one promise to every caller, settled only once the servers are gone', async () => {
    const manager = open({ stubborn: { command: process.execPath, args: [STUBBORN_SERVER] } });
    await manager.connect('stubborn');
    const processId = manager.processId('stubborn') ?? -1;
    const first = manager.close();
    const second = manager.close();
    await second;
    // The stubborn server needs SIGKILL after two grace periods; the second close waited for it.
    expect(processExists(processId)).toBe(false);
    await first;
  });

  it('waits for a dropped session whose process group is still stopping', async () => {
    const { command, args } = mcpTestServerStdioCommand();
    // The server's group also holds a helper that ignores SIGTERM and has no stdio of the
    // session: when the server dies, the session is dropped, and stopping the helper takes
    // two grace periods.
    const script = 'helper="$1"; shift; "$0" "$helper" </dev/null >/dev/null 2>&1 & exec "$0" "$@"';
    const manager = open({ test: { command: 'sh', args: ['-c', script, command, STUBBORN_SERVER, ...args] } });
    await manager.connect('test');
    const group = manager.processId('test') ?? -1;
    await expect.poll(() => processExists(-group) && processExists(group)).toBe(true);

    await rejectionOf(manager.callTool({ server: 'test', tool: 'crash' }));
    // The server is gone; the helper still runs.
    expect(processExists(-group)).toBe(true);
    await manager.close();
    expect(processExists(-group)).toBe(false);
  });

  it('interrupts a connect in progress, retryably, without waiting for it', async () => {
    const manager = open({ slow: mcpTestServerStdioCommand(['--start-delay', '20000']) }, { connectTimeoutMilliseconds: 60_000 });
    const call = rejectionOf(manager.listTools('slow'));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const startedAt = Date.now();
    await manager.close();
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    const error = await call;
    expect(error).toMatchObject({ code: 'MCP_CONNECTION_LOST', server: 'slow', retryable: true });
    expect(error.message).toContain('connecting to MCP server "slow" was interrupted: the MCP connection manager closed');
  });

  it('interrupts a wait for the reconnect backoff, retryably', async () => {
    const manager = open({ broken: mcpTestServerStdioCommand(['--crash-on-start']) }, { reconnectInitialDelayMilliseconds: 30_000 });
    await rejectionOf(manager.listTools('broken'));
    const waiting = rejectionOf(manager.listTools('broken'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const startedAt = Date.now();
    await manager.close();
    const error = await waiting;
    // Well before the 30 s backoff ends.
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    expect(error).toMatchObject({ code: 'MCP_CONNECTION_LOST', server: 'broken', retryable: true });
  });
});
