// @modelcontextprotocol/server-filesystem on a fresh temporary folder, over stdio.
import { mkdtemp, readFile, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { collectingLogger, SERVER_FILESYSTEM_ENTRY } from './__fixtures__/servers.js';
import { createMcpConnectionManager } from './index.js';
import type { McpConnectionManager } from './index.js';
import { schemaValidators } from './schema-validators.js';

function textOf(result: { content: Array<{ type: string; [key: string]: unknown }> }): string {
  return result.content
    .filter((item) => item.type === 'text')
    .map((item) => String(item['text']))
    .join('\n');
}

describe('server-filesystem', () => {
  let folder: string;
  let manager: McpConnectionManager | undefined;

  beforeAll(async () => {
    folder = await realpath(await mkdtemp(join(tmpdir(), 'mcp-client-filesystem-')));
  });

  afterEach(async () => {
    await manager?.close();
    manager = undefined;
  });

  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('lists the allowed directory, writes a file and reads it back', async () => {
    manager = createMcpConnectionManager({
      servers: { filesystem: { command: process.execPath, args: [SERVER_FILESYSTEM_ENTRY, folder] } },
      logger: collectingLogger().logger,
    });

    const allowed = await manager.callTool({ server: 'filesystem', tool: 'list_allowed_directories' });
    expect(allowed.isError).toBe(false);
    expect(textOf(allowed)).toContain(folder);

    const path = join(folder, 'notes.txt');
    const written = await manager.callTool({ server: 'filesystem', tool: 'write_file', arguments: { path, content: 'first line\nsecond line\n' } });
    expect(written.isError).toBe(false);
    expect(await readFile(path, 'utf8')).toBe('first line\nsecond line\n');

    const read = await manager.callTool({ server: 'filesystem', tool: 'read_text_file', arguments: { path } });
    expect(textOf(read)).toBe('first line\nsecond line\n');

    const listing = await manager.callTool({ server: 'filesystem', tool: 'list_directory', arguments: { path: folder } });
    expect(textOf(listing)).toContain('[FILE] notes.txt');
  });

  it('compiles the output schemas of its tools once for the process, however often they are listed, and still checks results against them', async () => {
    manager = createMcpConnectionManager({
      servers: { filesystem: { command: process.execPath, args: [SERVER_FILESYSTEM_ENTRY, folder] } },
      logger: collectingLogger().logger,
    });
    const tools = await manager.listTools('filesystem');
    expect(tools.filter((tool) => tool.outputSchema !== undefined).length).toBeGreaterThan(5);
    const compiled = schemaValidators.compilations;
    expect(schemaValidators.size).toBeGreaterThan(0);
    for (let listing = 0; listing < 3; listing += 1) await manager.listTools('filesystem');
    expect(schemaValidators.compilations).toBe(compiled);
    // A result with structured content passes the (cached) check of its output schema.
    const listing = await manager.callTool({ server: 'filesystem', tool: 'list_allowed_directories' });
    expect(listing.isError).toBe(false);
    expect(listing.structuredContent).toEqual({ content: expect.stringContaining(folder) });
  });

  it("reports the tool's own failure as an isError result", async () => {
    manager = createMcpConnectionManager({
      servers: { filesystem: { command: process.execPath, args: [SERVER_FILESYSTEM_ENTRY, folder] } },
      logger: collectingLogger().logger,
    });
    const outside = await manager.callTool({ server: 'filesystem', tool: 'read_text_file', arguments: { path: '/etc/hostname' } });
    expect(outside.isError).toBe(true);
    expect(textOf(outside)).toMatch(/outside allowed directories/i);
  });

  it('starts the server in cwd', async () => {
    manager = createMcpConnectionManager({
      servers: { filesystem: { command: process.execPath, args: [SERVER_FILESYSTEM_ENTRY, '.'], cwd: folder } },
      logger: collectingLogger().logger,
    });
    const allowed = await manager.callTool({ server: 'filesystem', tool: 'list_allowed_directories' });
    expect(textOf(allowed).split('\n')).toContain(folder);
  });

  it('shows and calls only allowed_tools', async () => {
    manager = createMcpConnectionManager({
      servers: {
        filesystem: {
          command: process.execPath,
          args: [SERVER_FILESYSTEM_ENTRY, folder],
          allowed_tools: ['read_text_file', 'list_allowed_directories'],
        },
      },
      logger: collectingLogger().logger,
    });
    const tools = await manager.listTools('filesystem');
    expect(tools.map((tool) => tool.name).sort()).toEqual(['list_allowed_directories', 'read_text_file']);
    await expect(manager.callTool({ server: 'filesystem', tool: 'write_file', arguments: { path: join(folder, 'no.txt'), content: 'no' } })).rejects.toMatchObject({
      code: 'MCP_UNKNOWN_TOOL',
      server: 'filesystem',
      message: expect.stringContaining('tool "write_file" of MCP server "filesystem" is not in its allowed_tools (read_text_file, list_allowed_directories)'),
    });
    await expect(readFile(join(folder, 'no.txt'), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
