// The prompts and resources an app declares with app.prompt and app.resource, served over
// Streamable HTTP and driven by the MCP SDK's client: listed, rendered and read (an agent's own
// prompt and resource passed through), with bad requests and failing functions as MCP errors.
import { WorkflowRegistry } from '@mcp-agent/core/engine';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMcpServerForApp, serveApp, type ServableApp } from '../src/index.js';
import { app } from './app-prompt-definitions.js';

/** Serves `servable` over Streamable HTTP and connects a client. */
async function serve(servable: ServableApp): Promise<{ client: Client; close(): Promise<void> }> {
  const running = await serveApp(createMcpServerForApp(servable), { transport: 'http', port: 0 });
  const client = new Client({ name: 'app-prompts-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(running.url as string)));
  return {
    client,
    close: async () => {
      await client.close();
      await running.close();
    },
  };
}

/** The MCP error `promise` rejects with. */
async function mcpError(promise: Promise<unknown>): Promise<McpError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(McpError);
  return error as McpError;
}

describe('an app’s prompts and resources over MCP', () => {
  let server: Awaited<ReturnType<typeof serve>>;
  let starts = 0;

  beforeAll(async () => {
    server = await serve({
      name: app.name,
      registry: app.registry,
      initialize: async () => {
        starts += 1;
        return { executor: undefined as never };
      },
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('declares the prompts and resources capabilities beside the tools', () => {
    expect(server.client.getServerCapabilities()).toMatchObject({ tools: {}, prompts: { listChanged: false }, resources: { listChanged: false } });
  });

  it('lists the prompts with their arguments', async () => {
    const { prompts } = await server.client.listPrompts();
    expect(prompts.map((prompt) => prompt.name)).toEqual(['review', 'pair', 'cite', 'broken', 'bad_shape']);
    expect(prompts[0]).toEqual({
      name: 'review',
      title: 'Code review',
      description: 'Asks for a review of a diff.',
      arguments: [
        { name: 'diff', description: 'The diff to review', required: true },
        { name: 'focus', description: 'What to look for' },
      ],
    });
    expect(prompts[3]).toEqual({ name: 'broken', arguments: [] });
  });

  it('renders a string as one user message, with the prompt’s description, after starting the app', async () => {
    const before = starts;
    const result = await server.client.getPrompt({ name: 'review', arguments: { diff: '+x = 1', focus: 'typos' } });
    expect(result).toEqual({
      description: 'Asks for a review of a diff.',
      messages: [{ role: 'user', content: { type: 'text', text: 'Review this diff, looking for typos:\n\n+x = 1' } }],
    });
    expect(starts).toBe(before + 1);
    const bare = await server.client.getPrompt({ name: 'review', arguments: { diff: '-y' } });
    expect(bare.messages[0]?.content).toEqual({ type: 'text', text: 'Review this diff:\n\n-y' });
  });

  it('renders messages, string contents as text', async () => {
    const result = await server.client.getPrompt({ name: 'pair', arguments: { a: 'tea', b: 'coffee' } });
    expect(result.messages).toEqual([
      { role: 'user', content: { type: 'text', text: 'Compare tea with coffee.' } },
      { role: 'assistant', content: { type: 'text', text: 'Which aspects matter most?' } },
    ]);
  });

  it('passes an agent’s prompt through as it is', async () => {
    const result = await server.client.getPrompt({ name: 'cite', arguments: { title: 'Dune' } });
    expect(result).toEqual({ description: 'How to cite a book', messages: [{ role: 'user', content: { type: 'text', text: 'Cite "Dune" in APA style.' } }] });
  });

  it('refuses a missing required argument, an unknown argument and an unknown prompt, naming them', async () => {
    const missing = await mcpError(server.client.getPrompt({ name: 'review', arguments: { focus: 'typos' } }));
    expect(missing.code).toBe(ErrorCode.InvalidParams);
    expect(missing.message).toMatch(/prompt "review": missing the required argument "diff"$/);
    const bothMissing = await mcpError(server.client.getPrompt({ name: 'pair' }));
    expect(bothMissing.message).toMatch(/prompt "pair": missing the required arguments "a", "b"$/);
    const unknown = await mcpError(server.client.getPrompt({ name: 'review', arguments: { diff: 'd', tone: 'kind' } }));
    expect(unknown.code).toBe(ErrorCode.InvalidParams);
    expect(unknown.message).toMatch(/prompt "review": unknown argument "tone"; its arguments are diff, focus$/);
    const noPrompt = await mcpError(server.client.getPrompt({ name: 'reveiw' }));
    expect(noPrompt.code).toBe(ErrorCode.InvalidParams);
    expect(noPrompt.message).toMatch(/no prompt "reveiw"; the prompts are review, pair, cite, broken, bad_shape$/);
  });

  it('answers a render that throws or returns what MCP does not accept with an error, and the session goes on', async () => {
    const broken = await mcpError(server.client.getPrompt({ name: 'broken' }));
    expect(broken.code).toBe(ErrorCode.InternalError);
    expect(broken.message).toMatch(/prompt "broken" failed: the template store is down$/);
    const bad = await mcpError(server.client.getPrompt({ name: 'bad_shape' }));
    expect(bad.message).toMatch(/prompt "bad_shape": render returned messages MCP does not accept \(messages\.0\.role: .*\); return a string, messages/);
    expect((await server.client.listPrompts()).prompts).toHaveLength(5);
  });

  it('lists the resources, and no templates', async () => {
    const { resources } = await server.client.listResources();
    expect(resources).toEqual([
      { uri: 'docs://readme', name: 'readme', title: 'Read me', description: 'What the app does', mimeType: 'text/markdown' },
      { uri: 'images://dot', name: 'dot', mimeType: 'image/png' },
      { uri: 'library://catalogue', name: 'catalogue', description: 'A resource of the librarian’s MCP server' },
      { uri: 'docs://broken', name: 'broken' },
      { uri: 'docs://bad', name: 'bad' },
    ]);
    expect((await server.client.listResourceTemplates()).resourceTemplates).toEqual([]);
  });

  it('reads text, bytes as base64, and an agent’s resource as it is', async () => {
    expect(await server.client.readResource({ uri: 'docs://readme' })).toEqual({ contents: [{ uri: 'docs://readme', mimeType: 'text/markdown', text: '# App\n\nServes prompts.' }] });
    const dot = await server.client.readResource({ uri: 'images://dot' });
    expect(dot.contents).toEqual([{ uri: 'images://dot', mimeType: 'image/png', blob: 'iVBORw==' }]);
    expect([...Buffer.from((dot.contents[0] as { blob: string }).blob, 'base64')]).toEqual([137, 80, 78, 71]);
    expect(await server.client.readResource({ uri: 'library://catalogue' })).toEqual({
      contents: [{ uri: 'library://catalogue', mimeType: 'application/json', text: '{"books":2}' }],
    });
  });

  it('refuses an unknown URI naming the known ones, and reports a read that throws or returns a bad shape', async () => {
    const unknown = await mcpError(server.client.readResource({ uri: 'docs://readme.md' }));
    expect(unknown.code).toBe(-32002);
    expect(unknown.message).toMatch(/no resource "docs:\/\/readme\.md"; the resources are docs:\/\/readme, images:\/\/dot, library:\/\/catalogue, docs:\/\/broken, docs:\/\/bad$/);
    expect(unknown.data).toEqual({ uri: 'docs://readme.md' });
    const broken = await mcpError(server.client.readResource({ uri: 'docs://broken' }));
    expect(broken.code).toBe(ErrorCode.InternalError);
    expect(broken.message).toMatch(/resource "docs:\/\/broken" failed: the disk is gone$/);
    const bad = await mcpError(server.client.readResource({ uri: 'docs://bad' }));
    expect(bad.message).toMatch(/resource "docs:\/\/bad": read returned 42; return a string, \{ text \}, \{ blob \} \(bytes or base64\) or \{ contents: \[\.\.\.\] \}$/);
  });
});

describe('an app without prompts or resources', () => {
  it('declares neither capability, and a client asking gets method-not-found', async () => {
    const server = await serve({ name: 'bare', registry: new WorkflowRegistry(), initialize: async () => ({ executor: undefined as never }) });
    try {
      const capabilities = server.client.getServerCapabilities();
      expect(capabilities?.tools).toBeDefined();
      expect(capabilities?.prompts).toBeUndefined();
      expect(capabilities?.resources).toBeUndefined();
      expect((await mcpError(server.client.request({ method: 'prompts/list' }, (await import('@modelcontextprotocol/sdk/types.js')).ListPromptsResultSchema))).code).toBe(
        ErrorCode.MethodNotFound,
      );
    } finally {
      await server.close();
    }
  });

  it('reports an app that does not start as the prompt’s error', async () => {
    const registry = new WorkflowRegistry();
    registry.addPrompt({ name: 'hello', title: undefined, description: undefined, arguments: [], render: () => 'hello' });
    const server = await serve({
      name: 'unstartable',
      registry,
      initialize: async () => {
        throw new Error('no Temporal server at localhost:7233');
      },
    });
    try {
      const error = await mcpError(server.client.getPrompt({ name: 'hello' }));
      expect(error.message).toMatch(/prompt "hello": the app did not start: no Temporal server at localhost:7233$/);
    } finally {
      await server.close();
    }
  });
});
