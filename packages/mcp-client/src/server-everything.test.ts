// @modelcontextprotocol/server-everything over stdio, Streamable HTTP and SSE, through the
// connection manager.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { collectingLogger, processExists, SERVER_EVERYTHING_ENTRY, startServerEverything } from './__fixtures__/servers.js';
import type { RunningServerEverything } from './__fixtures__/servers.js';
import { createMcpConnectionManager } from './index.js';
import type { McpConnectionManager, McpServerConfigInput } from './index.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe.each([{ transport: 'stdio' as const }, { transport: 'streamable_http' as const }, { transport: 'sse' as const }])('server-everything over $transport', ({ transport }) => {
  let http: RunningServerEverything | undefined;
  let manager: McpConnectionManager;

  beforeAll(async () => {
    let config: McpServerConfigInput;
    if (transport === 'stdio') {
      config = { command: process.execPath, args: [SERVER_EVERYTHING_ENTRY, 'stdio'] };
    } else {
      http = await startServerEverything(transport === 'sse' ? 'sse' : 'streamableHttp');
      config = { transport, url: http.url };
    }
    manager = createMcpConnectionManager({ servers: { everything: config }, logger: collectingLogger().logger });
  });

  afterAll(async () => {
    await manager.close();
    await http?.close();
  });

  it('lists its tools with descriptions and input schemas', async () => {
    const tools = await manager.listTools('everything');
    const echo = tools.find((tool) => tool.name === 'echo');
    expect(echo).toMatchObject({
      server: 'everything',
      description: 'Echoes back the input string',
      inputSchema: { type: 'object', properties: { message: { type: 'string', description: 'Message to echo' } }, required: ['message'] },
    });
    expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['echo', 'get-tiny-image', 'get-sum']));
  });

  it('calls echo', async () => {
    const result = await manager.callTool({ server: 'everything', tool: 'echo', arguments: { message: `hello over ${transport}` } });
    // server-everything changes its tool list after initialize, so results may carry a toolListFingerprint.
    expect({ content: result.content, isError: result.isError }).toEqual({ content: [{ type: 'text', text: `Echo: hello over ${transport}` }], isError: false });
  });

  it('keeps the image content of get-tiny-image as sent', async () => {
    const result = await manager.callTool({ server: 'everything', tool: 'get-tiny-image' });
    const image = result.content.find((item) => item.type === 'image');
    expect(image).toMatchObject({ type: 'image', mimeType: 'image/png' });
    expect(Buffer.from(String(image?.['data']), 'base64').subarray(0, 8)).toEqual(PNG_SIGNATURE);
    expect(result.content.map((item) => item.type)).toEqual(['text', 'image', 'text']);
  });

  it('raises MCP_PROTOCOL_ERROR naming the tool for invalid arguments', async () => {
    await expect(manager.callTool({ server: 'everything', tool: 'echo', arguments: { message: 42 } })).rejects.toMatchObject({
      code: 'MCP_PROTOCOL_ERROR',
      server: 'everything',
      retryable: false,
      message: expect.stringMatching(/tool "echo".*expected string/),
    });
  });
});

describe('server-everything over stdio, compared with a bare SDK client', () => {
  it('gives the same tool descriptors as the SDK', async () => {
    const manager = createMcpConnectionManager({
      servers: { everything: { command: process.execPath, args: [SERVER_EVERYTHING_ENTRY, 'stdio'] } },
      logger: collectingLogger().logger,
    });
    const client = new Client({ name: 'bare', version: '0.0.0' });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [SERVER_EVERYTHING_ENTRY, 'stdio'], stderr: 'ignore' }));
    try {
      const [ours, theirs] = await Promise.all([manager.listTools('everything'), client.listTools()]);
      expect(ours.map((tool) => tool.name)).toEqual(theirs.tools.map((tool) => tool.name));
      for (const tool of theirs.tools) {
        const descriptor = ours.find((candidate) => candidate.name === tool.name);
        expect(descriptor?.inputSchema).toEqual(tool.inputSchema);
        expect(descriptor?.description).toEqual(tool.description);
        expect(descriptor?.annotations).toEqual(tool.annotations);
      }
    } finally {
      await client.close();
      await manager.close();
    }
  });
});

describe('a stdio server environment', () => {
  it('gets env merged over a safe default environment, not the whole parent environment', async () => {
    process.env['MCP_CLIENT_TEST_PARENT_SECRET'] = 'must not leak';
    const manager = createMcpConnectionManager({
      servers: { everything: { command: process.execPath, args: [SERVER_EVERYTHING_ENTRY, 'stdio'], env: { GREETING: 'hello', PORT: 8080 } } },
      logger: collectingLogger().logger,
    });
    try {
      const result = await manager.callTool({ server: 'everything', tool: 'get-env' });
      const environment = JSON.parse(String(result.content[0]?.['text'])) as Record<string, string>;
      expect(environment).toMatchObject({ GREETING: 'hello', PORT: '8080', PATH: process.env['PATH'] });
      expect(environment).not.toHaveProperty('MCP_CLIENT_TEST_PARENT_SECRET');
      const processId = manager.processId('everything');
      expect(processId).toBeTypeOf('number');
      await manager.close();
      expect(processExists(processId ?? -1)).toBe(false);
    } finally {
      delete process.env['MCP_CLIENT_TEST_PARENT_SECRET'];
      await manager.close();
    }
  });
});
