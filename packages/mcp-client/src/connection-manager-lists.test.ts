// The tool-list fingerprint on tool results and the failure of a server that cannot start, through
// the connection manager against real servers over stdio: a local SDK McpServer whose tools
// change (__fixtures__/changing-server.mjs), the in-repo test server (no list changes announced),
// and a command that does not exist.
import { fileURLToPath } from 'node:url';

import { toolListFingerprint } from '@mcp-agent/core/engine';
import { mcpTestServerStdioCommand } from '@mcp-agent/testing';
import { afterEach, describe, expect, it } from 'vitest';

import { collectingLogger, rejectionOf } from './__fixtures__/servers.js';
import { createMcpConnectionManager } from './index.js';
import type { McpConnectionManager, McpConnectionManagerOptions, McpServersInput } from './index.js';

const CHANGING_SERVER = fileURLToPath(new URL('./__fixtures__/changing-server.mjs', import.meta.url));

const managers: McpConnectionManager[] = [];

function open(servers: McpServersInput, options: Omit<McpConnectionManagerOptions, 'servers'> = {}): McpConnectionManager {
  const manager = createMcpConnectionManager({ servers, logger: collectingLogger().logger, ...options });
  managers.push(manager);
  return manager;
}

afterEach(async () => {
  await Promise.all(managers.splice(0).map((manager) => manager.close()));
});

describe('tool-list fingerprints on tool results', () => {
  it('fingerprints the list allowed_tools lets through, as listTools returns it', async () => {
    const manager = open({ changing: { command: process.execPath, args: [CHANGING_SERVER], allowed_tools: ['add_tool', 'extra_1'] } });
    const before = await manager.listTools('changing');
    expect(before.map((tool) => tool.name)).toEqual(['add_tool']);
    const result = await manager.callTool({ server: 'changing', tool: 'add_tool' });
    const after = await manager.listTools('changing');
    expect(after.map((tool) => tool.name)).toEqual(['add_tool', 'extra_1']);
    expect(result.toolListFingerprint).toBe(toolListFingerprint(after));
  });

  it('lists the tools after a call that changed them in a process that never listed them, for the fingerprint', async () => {
    const manager = open({ changing: { command: process.execPath, args: [CHANGING_SERVER] } });
    const result = await manager.callTool({ server: 'changing', tool: 'add_tool' });
    expect(result.toolListFingerprint).toBe(toolListFingerprint(await manager.listTools('changing')));
  });

  it('puts no fingerprint on results while the tool list never changed', async () => {
    const test = mcpTestServerStdioCommand();
    const manager = open({ test: { command: test.command, args: test.args }, changing: { command: process.execPath, args: [CHANGING_SERVER] } });
    const result = await manager.callTool({ server: 'test', tool: 'echo', arguments: { text: 'hi' } });
    expect(result).toEqual({ content: [{ type: 'text', text: 'hi' }], isError: false });
    expect(manager.listVersions('test')).toEqual({ tools: 0, prompts: 0, resources: 0 });
    // change_lists changes prompts and resources, not tools.
    expect((await manager.callTool({ server: 'changing', tool: 'change_lists' })).toolListFingerprint).toBeUndefined();
  });

  it('gives the same fingerprint for equal lists whatever the order of tools and keys', () => {
    const echo = { server: 's', name: 'echo', description: 'Echoes', inputSchema: { type: 'object', properties: { text: { type: 'string' } } } };
    const add = { server: 's', name: 'add', inputSchema: { properties: { a: { type: 'number' } }, type: 'object' }, title: undefined };
    const addReordered = { inputSchema: { type: 'object', properties: { a: { type: 'number' } } }, name: 'add', server: 's' };
    expect(toolListFingerprint([echo, add])).toBe(toolListFingerprint([addReordered, echo]));
    expect(toolListFingerprint([echo, add])).not.toBe(toolListFingerprint([echo, { ...add, description: 'Adds' }]));
    expect(toolListFingerprint([echo])).not.toBe(toolListFingerprint([echo, add]));
  });
});

describe('a server that cannot start', () => {
  it('fails again at once during the backoff, with the same error, instead of waiting it out', async () => {
    const manager = open({ missing: { command: 'mcp-client-test-no-such-command' } }, { reconnectInitialDelayMilliseconds: 20_000 });
    const first = await rejectionOf(manager.listTools('missing'));
    expect(first).toMatchObject({ code: 'MCP_CONNECT_FAILED', server: 'missing', retryable: false });
    const startedAt = Date.now();
    const second = await rejectionOf(manager.listTools('missing'));
    // Well before the 20 s backoff ends.
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    expect(second).toBe(first);
  });
});
