// The aggregator over two real stdio servers that share a tool name (`echo`): server-everything
// and the in-repo test server.
import { mcpTestServerStdioCommand } from '@mcp-agent/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { collectingLogger, SERVER_EVERYTHING_ENTRY } from './__fixtures__/servers.js';
import { createMcpAggregator, createMcpConnectionManager, McpAggregator } from './index.js';
import type { McpConnectionManager } from './index.js';

describe('McpAggregator', () => {
  let manager: McpConnectionManager;
  let aggregator: McpAggregator;

  beforeAll(() => {
    manager = createMcpConnectionManager({
      servers: {
        everything: { command: process.execPath, args: [SERVER_EVERYTHING_ENTRY, 'stdio'] },
        test: mcpTestServerStdioCommand(),
        unused: { command: 'mcp-client-test-never-started' },
      },
      logger: collectingLogger().logger,
    });
    aggregator = createMcpAggregator({ service: manager, serverNames: ['everything', 'test'] });
  });

  afterAll(async () => {
    await manager.close();
  });

  it('lists the tools of every server under namespaced names, descriptions and schemas intact', async () => {
    const tools = await aggregator.listTools();
    const names = tools.map((tool) => tool.namespacedName);
    expect(names).toEqual(expect.arrayContaining(['everything_echo', 'everything_get-tiny-image', 'test_echo', 'test_add']));
    // Server by server, in the configured order.
    expect(names.findIndex((name) => name.startsWith('test_'))).toBeGreaterThan(names.lastIndexOf('everything_echo'));
    expect(tools.find((tool) => tool.namespacedName === 'test_add')).toEqual({
      server: 'test',
      name: 'add',
      namespacedName: 'test_add',
      description: 'Answers the sum of two numbers.',
      inputSchema: (await manager.listTools('test')).find((tool) => tool.name === 'add')?.inputSchema,
    });
  });

  it('calls a tool by namespaced name, or by plain name when only one server has it', async () => {
    expect((await aggregator.callTool('test_add', { a: 1, b: 2 })).content).toEqual([{ type: 'text', text: '3' }]);
    expect((await aggregator.callTool('everything_echo', { message: 'hi' })).content).toEqual([{ type: 'text', text: 'Echo: hi' }]);
    expect((await aggregator.callTool('test_echo', { text: 'hi' })).content).toEqual([{ type: 'text', text: 'hi' }]);
    const image = await aggregator.callTool('get-tiny-image');
    expect(image.content.map((item) => item.type)).toEqual(['text', 'image', 'text']);
  });

  it('refuses an ambiguous plain name, offering the namespaced ones', async () => {
    await expect(aggregator.callTool('echo', { text: 'which?' })).rejects.toMatchObject({
      code: 'MCP_UNKNOWN_TOOL',
      server: 'everything,test',
      message: 'tool "echo" is offered by several MCP servers (everything, test); use its namespaced name: everything_echo or test_echo',
    });
  });

  it('lists the available names for an unknown tool, naming the servers involved', async () => {
    await expect(aggregator.callTool('teleport')).rejects.toMatchObject({
      code: 'MCP_UNKNOWN_TOOL',
      server: 'everything,test',
      message: expect.stringMatching(/^unknown tool "teleport" on MCP servers everything, test; available: everything_echo, .*test_add/),
    });
    await expect(aggregator.callTool('test_teleport')).rejects.toMatchObject({ code: 'MCP_UNKNOWN_TOOL', server: 'test' });
    await expect(aggregator.getPrompt('everything_no-such-prompt')).rejects.toMatchObject({ code: 'MCP_UNKNOWN_TOOL', server: 'everything' });
  });

  it('aggregates prompts and resources', async () => {
    const prompts = await aggregator.listPrompts();
    expect(prompts.map((prompt) => prompt.namespacedName)).toContain('test_greeting');
    expect(await aggregator.getPrompt('greeting', { name: 'Ada' })).toEqual({
      messages: [{ role: 'user', content: { type: 'text', text: 'Hello, Ada!' } }],
    });
    expect(await aggregator.getPrompt('test_greeting', { name: 'Bo' })).toMatchObject({ messages: [{ content: { text: 'Hello, Bo!' } }] });

    const resources = await aggregator.listResources();
    expect(resources).toContainEqual(expect.objectContaining({ server: 'test', uri: 'test://hello', namespacedName: 'test_test://hello' }));
    const expected = { contents: [{ uri: 'test://hello', mimeType: 'text/plain', text: 'hello from the test server' }] };
    expect(await aggregator.readResource('test://hello')).toEqual(expected);
    expect(await aggregator.readResource('test_test://hello')).toEqual(expected);
    expect(await aggregator.readResource('test://hello', 'test')).toEqual(expected);
    await expect(aggregator.readResource('test://missing')).rejects.toMatchObject({ code: 'MCP_UNKNOWN_TOOL', message: expect.stringContaining('unknown resource "test://missing"') });
    await expect(aggregator.readResource('test://hello', 'unused')).rejects.toMatchObject({ code: 'MCP_UNKNOWN_SERVER', server: 'unused' });
  });

  it('names the configured servers for a server it cannot aggregate', () => {
    expect(() => new McpAggregator({ service: manager, serverNames: ['everything', 'fs'] })).toThrow(
      expect.objectContaining({ code: 'MCP_UNKNOWN_SERVER', server: 'fs', message: expect.stringContaining('unknown MCP server "fs"; configured: everything, test, unused') }),
    );
    expect(aggregator.serverNames).toEqual(['everything', 'test']);
  });
});
