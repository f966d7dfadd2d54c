// Server-to-client requests against a server of the SDK's McpServer on 127.0.0.1 (Streamable
// HTTP), whose `ask` tool sends the request it is given to this client and returns the answer or
// the error: the capabilities declared, sampling (model choice, content, approval, refusal),
// elicitation (defaults, validation, the console) and roots (aliases, list_changed).
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';

import type { HumanInputRequest } from '@mcp-agent/core';
import type { LlmProvider } from '@mcp-agent/core/engine';
import { parseSettings } from '@mcp-agent/core/config';
import type { Settings } from '@mcp-agent/core/config';
import { startLocalLlmServer } from '@mcp-agent/testing';
import type { LocalLlmServer } from '@mcp-agent/testing';
import { Server as McpServer } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  CallToolRequestSchema,
  CreateMessageResultSchema,
  ElicitResultSchema,
  isInitializeRequest,
  ListRootsResultSchema,
  ListToolsRequestSchema,
  RootsListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { ClientCapabilities } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { collectingLogger } from './__fixtures__/servers.js';
import { createConsoleElicitationHandler, createMcpConnectionManager, createSamplingHandler, USER_REJECTED_SAMPLING_CODE } from './index.js';
import type { ElicitationHandler, McpConnectionManager, McpConnectionManagerOptions, McpServerConfigInput } from './index.js';

// Loaded by path: a devDependency on @mcp-agent/providers-openai would make a dependency cycle
// (it depends on this package for its own tests).
const PROVIDERS_OPENAI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../providers-openai/src/index.ts');
const { llmProvider } = (await import(pathToFileURL(PROVIDERS_OPENAI).href)) as { llmProvider: LlmProvider };

/** What the server saw of its sessions. */
interface Observed {
  capabilities: ClientCapabilities[];
  rootsChanged: number;
}

/** A Streamable HTTP server whose `ask` tool sends `{ method, params }` to the client and returns `{ result }` or `{ error }`. */
async function startAskingServer(): Promise<{ url: string; observed: Observed; close(): Promise<void> }> {
  const observed: Observed = { capabilities: [], rootsChanged: 0 };
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const schemas = { 'sampling/createMessage': CreateMessageResultSchema, 'elicitation/create': ElicitResultSchema, 'roots/list': ListRootsResultSchema } as const;
  const newServer = (): McpServer => {
    const server = new McpServer({ name: 'asking', version: '1.0.0' }, { capabilities: { tools: {} } });
    server.oninitialized = () => observed.capabilities.push(server.getClientCapabilities() ?? {});
    server.setNotificationHandler(RootsListChangedNotificationSchema, () => {
      observed.rootsChanged += 1;
    });
    server.setRequestHandler(ListToolsRequestSchema, () => ({
      tools: [{ name: 'ask', inputSchema: { type: 'object', properties: { method: { type: 'string' }, params: { type: 'object' } }, required: ['method'] } }],
    }));
    server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
      const { method, params } = request.params.arguments as { method: keyof typeof schemas; params?: Record<string, unknown> };
      try {
        const result = await extra.sendRequest({ method, params: params ?? {} } as never, schemas[method]);
        return { content: [{ type: 'text', text: JSON.stringify({ result }) }] };
      } catch (error) {
        const { code, message } = error as { code?: number; message: string };
        return { content: [{ type: 'text', text: JSON.stringify({ error: { code, message } }) }] };
      }
    });
    return server;
  };
  const http: Server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = chunks.length === 0 ? undefined : JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const sessionId = request.headers['mcp-session-id'];
    let transport = typeof sessionId === 'string' ? transports.get(sessionId) : undefined;
    if (transport === undefined && isInitializeRequest(body)) {
      const created: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id: string): void => {
          transports.set(id, created);
        },
      });
      transport = created;
      await newServer().connect(created);
    }
    if (transport === undefined) {
      response.writeHead(404).end();
      return;
    }
    await transport.handleRequest(request, response, body);
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`,
    observed,
    async close() {
      await Promise.all([...transports.values()].map((transport) => transport.close()));
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    },
  };
}

let asking: Awaited<ReturnType<typeof startAskingServer>>;
let llm: LocalLlmServer;
let settings: Settings;
const managers: McpConnectionManager[] = [];

beforeAll(async () => {
  asking = await startAskingServer();
  llm = await startLocalLlmServer({
    script: { rules: [{ match: () => true, reply: (request) => ({ text: `answer to ${request.lastUserMessage}`, usage: { inputTokens: 7, outputTokens: 3 } }) }] },
  });
  settings = parseSettings({ openai: { api_key: 'sk-test', base_url: llm.openaiBaseUrl, default_model: 'gpt-4o' } });
});

afterAll(async () => {
  await Promise.all(managers.map((manager) => manager.close()));
  await asking?.close();
  await llm?.close();
});

function managerWith(options: Omit<McpConnectionManagerOptions, 'servers'> & { server?: Partial<McpServerConfigInput> } = {}): McpConnectionManager {
  const { server, ...rest } = options;
  const manager = createMcpConnectionManager({ servers: { asking: { transport: 'streamable_http', url: asking.url, ...server } }, logger: collectingLogger().logger, ...rest });
  managers.push(manager);
  return manager;
}

/** Has the server send one request to the client; returns what came back. */
async function ask(
  manager: McpConnectionManager,
  method: string,
  params: Record<string, unknown> = {},
): Promise<{ result?: Record<string, unknown>; error?: { code: number; message: string } }> {
  const result = await manager.callTool({ server: 'asking', tool: 'ask', arguments: { method, params } });
  return JSON.parse(String(result.content[0]?.['text']));
}

const userMessage = (text: string) => ({ role: 'user', content: { type: 'text', text } });

describe('capabilities', () => {
  it('declares nothing when no handler and no roots are configured', async () => {
    const before = asking.observed.capabilities.length;
    await managerWith().connect('asking');
    expect(asking.observed.capabilities.slice(before)).toEqual([{}]);
  });

  it('declares sampling, elicitation (form and URL) and roots when each is configured', async () => {
    const before = asking.observed.capabilities.length;
    await managerWith({ sampling: async () => ({ role: 'assistant', content: { type: 'text', text: '' }, model: 'm' }) }).connect('asking');
    await managerWith({ elicitation: async () => ({ action: 'decline' }) }).connect('asking');
    await managerWith({ server: { roots: [{ uri: 'file:///srv' }] } }).connect('asking');
    expect(asking.observed.capabilities.slice(before)).toEqual([{ sampling: {} }, { elicitation: { form: {}, url: {} } }, { roots: { listChanged: true } }]);
  });

  it('answers a request it did not declare with "method not found"', async () => {
    const manager = managerWith();
    const { error } = await ask(manager, 'roots/list');
    expect(error).toMatchObject({ code: -32601 });
  });
});

describe('sampling through the OpenAI provider', () => {
  it('sends the system prompt, text and images, stop sequences and a capped maxTokens, and answers as the assistant', async () => {
    const manager = managerWith({ sampling: createSamplingHandler({ providers: [llmProvider], settings, config: { model: 'gpt-4.1-mini', max_tokens: 16 } }) });
    const before = llm.requests.length;
    const { result } = await ask(manager, 'sampling/createMessage', {
      systemPrompt: 'Be brief.',
      maxTokens: 100,
      stopSequences: ['END'],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this picture?' },
            { type: 'image', data: 'aGVsbG8=', mimeType: 'image/png' },
          ],
        },
        { role: 'assistant', content: { type: 'text', text: 'A greeting.' } },
        userMessage('Say it back.'),
      ],
    });
    expect(result).toEqual({ role: 'assistant', content: { type: 'text', text: 'answer to Say it back.' }, model: 'gpt-4.1-mini', stopReason: 'endTurn' });
    expect(llm.requests.slice(before)[0]?.body).toMatchObject({
      model: 'gpt-4.1-mini',
      max_completion_tokens: 16,
      stop: ['END'],
      messages: [
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this picture?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,aGVsbG8=' } },
          ],
        },
        { role: 'assistant', content: 'A greeting.' },
        { role: 'user', content: 'Say it back.' },
      ],
    });
  });

  it('picks the model a hint names when the config names none, else the provider default', async () => {
    const manager = managerWith({ sampling: createSamplingHandler({ providers: [llmProvider], settings }) });
    const hinted = await ask(manager, 'sampling/createMessage', {
      maxTokens: 10,
      messages: [userMessage('hi')],
      modelPreferences: { hints: [{ name: 'claude-3-5' }, { name: 'gpt-4.1-nano' }] },
    });
    expect(hinted.result?.['model']).toBe('gpt-4.1-nano');
    const unhinted = await ask(manager, 'sampling/createMessage', { maxTokens: 10, messages: [userMessage('hi')], modelPreferences: { hints: [{ name: 'claude' }] } });
    expect(unhinted.result?.['model']).toBe('gpt-4o');
  });

  it("weighs the server's cost, speed and intelligence priorities over the model table when no hint picks a model", async () => {
    const manager = managerWith({ sampling: createSamplingHandler({ providers: [llmProvider], settings }) });
    const cheapest = await ask(manager, 'sampling/createMessage', { maxTokens: 10, messages: [userMessage('hi')], modelPreferences: { costPriority: 1 } });
    expect(cheapest.result?.['model']).toBe('gpt-5-nano');
    const brightest = await ask(manager, 'sampling/createMessage', {
      maxTokens: 10,
      messages: [userMessage('hi')],
      modelPreferences: { hints: [{ name: 'claude' }], intelligencePriority: 1 },
    });
    expect(brightest.result?.['model']).toBe('gpt-5-mini');
  });

  it('refuses content it cannot send to a model with "invalid params"', async () => {
    const manager = managerWith({ sampling: createSamplingHandler({ providers: [llmProvider], settings }) });
    const { error } = await ask(manager, 'sampling/createMessage', { maxTokens: 10, messages: [{ role: 'user', content: { type: 'audio', data: 'AAAA', mimeType: 'audio/wav' } }] });
    expect(error).toEqual({ code: -32602, message: expect.stringContaining('sampling message 1 (user) has audio content') });
  });

  it('asks a person first under approval: human, and answers only when approved', async () => {
    const asked: HumanInputRequest[] = [];
    let reply = 'approve';
    const humanInput = async (request: HumanInputRequest) => {
      asked.push(request);
      return reply;
    };
    const manager = managerWith({ sampling: createSamplingHandler({ providers: [llmProvider], settings, config: { approval: 'human' }, humanInput }) });
    const approved = await ask(manager, 'sampling/createMessage', { maxTokens: 10, systemPrompt: 'Summarise.', messages: [userMessage('the quarterly report')] });
    expect(approved.result?.['content']).toEqual({ type: 'text', text: 'answer to the quarterly report' });
    expect(asked[0]?.prompt).toContain('MCP server "asking" asks for a model answer');
    expect(asked[0]?.prompt).toContain('1. user: the quarterly report');
    expect(asked[0]?.prompt).toContain('system prompt: Summarise.');

    reply = 'no, too costly';
    const before = llm.requests.length;
    const refused = await ask(manager, 'sampling/createMessage', { maxTokens: 10, messages: [userMessage('again')] });
    expect(refused.error).toEqual({ code: USER_REJECTED_SAMPLING_CODE, message: 'MCP error -1: User rejected sampling request: no, too costly' });
    expect(llm.requests.length).toBe(before);
  });

  it('refuses under approval: human when the app has no human input handler', async () => {
    const manager = managerWith({ sampling: createSamplingHandler({ providers: [llmProvider], settings, config: { approval: 'human' } }) });
    const { error } = await ask(manager, 'sampling/createMessage', { maxTokens: 10, messages: [userMessage('hi')] });
    expect(error).toEqual({ code: -1, message: expect.stringContaining('has no human input handler') });
  });

  it('refuses to be made without a provider, or with one that is not installed', () => {
    expect(() => createSamplingHandler({ providers: [], settings })).toThrow(/no model provider is installed/);
    expect(() => createSamplingHandler({ providers: [llmProvider], settings, config: { provider: 'anthropic' } })).toThrow(
      'mcp.sampling.provider: no model provider "anthropic" is installed; installed: openai.',
    );
  });
});

const PROFILE_SCHEMA = {
  type: 'object',
  properties: {
    name: { type: 'string', default: 'John Doe' },
    age: { type: 'integer', default: 30, minimum: 0 },
    status: { type: 'string', enum: ['active', 'inactive'], default: 'active' },
    verified: { type: 'boolean', default: true },
    email: { type: 'string', format: 'email' },
  },
  required: ['name'],
};

describe('elicitation', () => {
  it('fills in the defaults of the fields an accepted answer leaves out', async () => {
    const manager = managerWith({ elicitation: async () => ({ action: 'accept', content: { age: 41 } }) });
    const { result } = await ask(manager, 'elicitation/create', { message: 'Your profile?', requestedSchema: PROFILE_SCHEMA });
    expect(result).toEqual({ action: 'accept', content: { name: 'John Doe', age: 41, status: 'active', verified: true } });
  });

  it('refuses to send an answer that does not match the requested schema', async () => {
    const { logger, records } = collectingLogger();
    const manager = managerWith({ logger, elicitation: async () => ({ action: 'accept', content: { age: 'forty', email: 'nope' } }) });
    const { error } = await ask(manager, 'elicitation/create', { message: 'Your profile?', requestedSchema: PROFILE_SCHEMA });
    expect(error?.code).toBe(-32602);
    expect(error?.message).toContain('the elicitation answer for MCP server "asking" does not match the requested schema: age must be integer');
    expect(error?.message).toContain('email must match format "email"');
    expect(records.some((record) => record.level === 'warn' && record.message.includes('answering elicitation/create of MCP server "asking" failed'))).toBe(true);
  });

  it('passes declines and cancels on, and URL-mode answers without content', async () => {
    const answers: Awaited<ReturnType<ElicitationHandler>>[] = [{ action: 'decline' }, { action: 'cancel' }, { action: 'accept', content: { leaked: 'x' } }];
    const seen: string[] = [];
    const manager = managerWith({
      elicitation: async (params) => {
        seen.push(params.mode ?? 'none');
        return answers.shift() ?? { action: 'decline' };
      },
    });
    expect((await ask(manager, 'elicitation/create', { message: 'Profile?', requestedSchema: PROFILE_SCHEMA })).result).toEqual({ action: 'decline' });
    expect((await ask(manager, 'elicitation/create', { mode: 'form', message: 'Profile?', requestedSchema: PROFILE_SCHEMA })).result).toEqual({ action: 'cancel' });
    const url = await ask(manager, 'elicitation/create', { mode: 'url', message: 'Sign in', url: 'https://example.com/login', elicitationId: 'e-1' });
    expect(url.result).toEqual({ action: 'accept' });
    expect(seen).toEqual(['form', 'form', 'url']);
  });

  it('asks at the console field by field, taking defaults and re-asking for values that do not fit', async () => {
    const input = Object.assign(new PassThrough(), { isTTY: true });
    const output = new PassThrough();
    const replies = ['y', '', 'forty', '41', '2', '', ''];
    let shown = '';
    output.on('data', (chunk: Buffer) => {
      shown += chunk.toString();
      if (shown.endsWith(': ')) input.write(`${replies.shift()}\n`);
    });
    const manager = managerWith({ elicitation: createConsoleElicitationHandler({ input, output }) });
    const { result } = await ask(manager, 'elicitation/create', { message: 'Your profile?', requestedSchema: PROFILE_SCHEMA });
    expect(result).toEqual({ action: 'accept', content: { name: 'John Doe', age: 41, status: 'inactive', verified: true } });
    expect(shown).toContain('[MCP server "asking"] Your profile?');
    expect(shown).toContain('"forty" is not a integer; try again');
    expect(shown).toContain('  2. inactive');
    expect(replies).toEqual([]);
  });

  it('shows the URL at the console in URL mode and declines on "n"', async () => {
    const input = Object.assign(new PassThrough(), { isTTY: true });
    const output = new PassThrough();
    let shown = '';
    output.on('data', (chunk: Buffer) => {
      shown += chunk.toString();
      if (shown.endsWith(': ')) input.write('n\n');
    });
    const manager = managerWith({ elicitation: createConsoleElicitationHandler({ input, output }) });
    const { result } = await ask(manager, 'elicitation/create', { mode: 'url', message: 'Sign in to continue', url: 'https://example.com/login', elicitationId: 'e-2' });
    expect(result).toEqual({ action: 'decline' });
    expect(shown).toContain('https://example.com/login');
  });

  it('refuses at once at a console whose input is not a terminal', async () => {
    const manager = managerWith({ elicitation: createConsoleElicitationHandler({ input: new PassThrough(), output: new PassThrough() }) });
    const { error } = await ask(manager, 'elicitation/create', { message: 'Your profile?', requestedSchema: PROFILE_SCHEMA });
    expect(error?.message).toContain('standard input is not a terminal');
  });
});

describe('roots', () => {
  it('lists the configured roots, aliases instead of URIs, and sends list_changed when they change', async () => {
    const manager = managerWith({
      server: {
        roots: [
          { uri: 'file:///srv/data', name: 'data' },
          { uri: 'file:///home/someone/work', server_uri_alias: 'file:///workspace' },
        ],
      },
    });
    expect((await ask(manager, 'roots/list')).result).toEqual({ roots: [{ uri: 'file:///srv/data', name: 'data' }, { uri: 'file:///workspace' }] });
    const before = asking.observed.rootsChanged;
    await manager.setRoots('asking', [{ uri: 'file:///srv/reports', name: 'reports' }]);
    for (let attempt = 0; attempt < 40 && asking.observed.rootsChanged === before; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(asking.observed.rootsChanged).toBe(before + 1);
    expect((await ask(manager, 'roots/list')).result).toEqual({ roots: [{ uri: 'file:///srv/reports', name: 'reports' }] });
  });

  it('refuses a root that is not a file:// URI, and an unknown server', async () => {
    const manager = managerWith({ server: { roots: [{ uri: 'file:///srv' }] } });
    await expect(manager.setRoots('asking', [{ uri: 'https://example.com' }])).rejects.toThrow('roots: expected a file:// URI such as "file:///srv/data", got "https://example.com"');
    await expect(manager.setRoots('nope', [])).rejects.toMatchObject({ code: 'MCP_UNKNOWN_SERVER' });
  });
});
