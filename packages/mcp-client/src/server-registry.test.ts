import { McpClientError } from '@mcp-agent/core';
import { describe, expect, it } from 'vitest';

import { importClaudeDesktopConfig, ServerRegistry } from './index.js';

describe('ServerRegistry', () => {
  const registry = new ServerRegistry({
    fetch: { command: 'uvx', args: ['mcp-server-fetch'] },
    filesystem: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '.'], allowed_tools: ['read_file'] },
    remote: { transport: 'streamable_http', url: 'http://127.0.0.1:8000/mcp', headers: { Authorization: 'Bearer token' } },
  });

  it('lists names in configuration order and gives validated configs with defaults', () => {
    expect(registry.names).toEqual(['fetch', 'filesystem', 'remote']);
    expect(registry.get('fetch')).toMatchObject({ transport: 'stdio', command: 'uvx', args: ['mcp-server-fetch'] });
    expect(Object.keys(registry.configs)).toEqual(['fetch', 'filesystem', 'remote']);
    expect(registry.has('remote')).toBe(true);
    expect(registry.has('fs')).toBe(false);
  });

  it('names the configured servers when asked for an unknown one', () => {
    let error: unknown;
    try {
      registry.get('fs');
    } catch (caught) {
      error = caught;
    }
    expect(McpClientError.is(error)).toBe(true);
    expect(error).toMatchObject({ code: 'MCP_UNKNOWN_SERVER', server: 'fs', retryable: false });
    expect((error as Error).message).toMatch(/^unknown MCP server "fs"; configured: fetch, filesystem, remote\./);
  });

  it('applies allowed_tools per server', () => {
    const tools = [{ name: 'read_file' }, { name: 'write_file' }];
    expect(registry.filterTools('filesystem', tools)).toEqual([{ name: 'read_file' }]);
    expect(registry.filterTools('fetch', tools)).toEqual(tools);
    expect(registry.isToolAllowed('filesystem', 'write_file')).toBe(false);
    expect(registry.isToolAllowed('fetch', 'anything')).toBe(true);
    expect(new ServerRegistry({ none: { command: 'x', allowed_tools: [] } }).filterTools('none', tools)).toEqual([]);
  });

  it('rejects an invalid entry, naming the server and the field', () => {
    expect(() => new ServerRegistry({ remote: { transport: 'sse', url: 'not a url' } })).toThrow(
      expect.objectContaining({ code: 'MCP_SERVER_CONFIG', server: 'remote', message: expect.stringContaining('mcp.servers.remote.url: expected an absolute URL') }),
    );
    expect(() => new ServerRegistry({ local: { transport: 'stdio' } })).toThrow(
      expect.objectContaining({ code: 'MCP_SERVER_CONFIG', server: 'local', message: expect.stringContaining('mcp.servers.local: a stdio server needs "command"') }),
    );
  });

  it('reads the mcp section of settings', () => {
    expect(ServerRegistry.fromSettings({ mcp: { servers: { fetch: { command: 'uvx' } } } }).names).toEqual(['fetch']);
  });
});

describe('importClaudeDesktopConfig', () => {
  it('turns local and remote entries into mcp.servers settings', () => {
    const servers = importClaudeDesktopConfig({
      mcpServers: {
        filesystem: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/Users/me/Desktop'], env: { DEBUG: 1 } },
        legacy: { url: 'https://example.com/sse' },
        modern: { url: 'https://example.com/mcp', headers: { Authorization: 'Bearer abc' } },
        typed: { type: 'sse', url: 'https://example.com/events' },
        http: { type: 'http', url: 'https://example.com/v1' },
      },
    });
    expect(servers['filesystem']).toMatchObject({
      transport: 'stdio',
      command: 'npx',
      args: ['-y', '@modelcontextprotocol/server-filesystem', '/Users/me/Desktop'],
      env: { DEBUG: '1' },
    });
    expect(servers['legacy']).toMatchObject({ transport: 'sse', url: 'https://example.com/sse' });
    expect(servers['modern']).toMatchObject({ transport: 'streamable_http', headers: { Authorization: 'Bearer abc' } });
    expect(servers['typed']).toMatchObject({ transport: 'sse' });
    expect(servers['http']).toMatchObject({ transport: 'streamable_http' });
    expect(new ServerRegistry(servers).names).toEqual(['filesystem', 'legacy', 'modern', 'typed', 'http']);
  });

  it('accepts the file text', () => {
    expect(importClaudeDesktopConfig('{"mcpServers":{"fetch":{"command":"uvx","args":["mcp-server-fetch"]}}}')).toMatchObject({
      fetch: { transport: 'stdio', command: 'uvx' },
    });
  });

  it.each([
    [{ servers: {} }, '', /"mcpServers"/],
    ['{not json', '', /not valid JSON/],
    [{ mcpServers: { fetch: { command: 'uvx', args: 'mcp-server-fetch' } } }, 'fetch', /^mcpServers\.fetch\.args: expected a list of strings, got "mcp-server-fetch"/],
    [{ mcpServers: { fetch: { args: ['x'] } } }, 'fetch', /^mcpServers\.fetch: expected "command" .* or "url"/],
    [{ mcpServers: { both: { command: 'x', url: 'http://a' } } }, 'both', /either "command" .* or "url"/],
    [{ mcpServers: { remote: { url: 'http://a/mcp', type: 'grpc' } } }, 'remote', /^mcpServers\.remote\.type: expected one of .*got "grpc"/],
    [{ mcpServers: { remote: { url: 'nope' } } }, 'remote', /^mcpServers\.remote\.url: expected an absolute URL/],
    [{ mcpServers: { local: { command: 'x', env: { A: { nested: true } } } } }, 'local', /^mcpServers\.local\.env\.A: expected a string/],
  ])('rejects %j naming the server and field', (input, server, message) => {
    expect(() => importClaudeDesktopConfig(input)).toThrow(expect.objectContaining({ code: 'MCP_SERVER_CONFIG', server, message: expect.stringMatching(message) }));
  });
});
