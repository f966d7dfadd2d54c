// @modelcontextprotocol/server-everything asking this client for sampling, elicitation and roots,
// over stdio, Streamable HTTP and SSE. The server offers the tools that ask only to clients that
// declare those capabilities. Sampling is answered by the real OpenAI provider against the local
// model server of @mcp-agent/testing.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import type { LlmProvider } from '@mcp-agent/core/engine';
import { parseSettings } from '@mcp-agent/core/config';
import { startLocalLlmServer } from '@mcp-agent/testing';
import type { LocalLlmServer } from '@mcp-agent/testing';
import type { ElicitRequest } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { collectingLogger, SERVER_EVERYTHING_ENTRY, startServerEverything } from './__fixtures__/servers.js';
import type { RunningServerEverything } from './__fixtures__/servers.js';
import { createMcpConnectionManager, createSamplingHandler } from './index.js';
import type { McpConnectionManager, McpServerConfigInput, SamplingUsage } from './index.js';

/** The tools server-everything registers only for clients with sampling, elicitation (form, URL) or roots. */
const CAPABILITY_TOOLS = ['get-roots-list', 'trigger-elicitation-request', 'trigger-sampling-request', 'trigger-url-elicitation'];

// The OpenAI provider is loaded by path: a devDependency on it would make a dependency cycle
// (@mcp-agent/providers-openai depends on this package for its own tests).
const PROVIDERS_OPENAI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../providers-openai/src/index.ts');
const { llmProvider } = (await import(pathToFileURL(PROVIDERS_OPENAI).href)) as { llmProvider: LlmProvider };

async function serverConfig(transport: 'stdio' | 'streamable_http' | 'sse'): Promise<{ config: McpServerConfigInput; http: RunningServerEverything | undefined }> {
  if (transport === 'stdio') return { config: { command: process.execPath, args: [SERVER_EVERYTHING_ENTRY, 'stdio'] }, http: undefined };
  const http = await startServerEverything(transport === 'sse' ? 'sse' : 'streamableHttp');
  return { config: { transport, url: http.url }, http };
}

function textOf(result: { content: { type: string; text?: unknown }[] }): string {
  return result.content.map((item) => (item.type === 'text' ? String(item.text) : `[${item.type}]`)).join('\n');
}

let llm: LocalLlmServer;

beforeAll(async () => {
  llm = await startLocalLlmServer({
    script: { rules: [{ match: () => true, reply: (request) => ({ text: `sampled: ${request.lastUserMessage?.split(': ').at(-1)}`, usage: { inputTokens: 21, outputTokens: 5 } }) }] },
  });
});

afterAll(async () => {
  await llm?.close();
});

describe.each([{ transport: 'stdio' as const }, { transport: 'streamable_http' as const }, { transport: 'sse' as const }])(
  'server-everything over $transport, with sampling, elicitation and roots configured',
  ({ transport }) => {
    let http: RunningServerEverything | undefined;
    let manager: McpConnectionManager;
    const usages: SamplingUsage[] = [];
    const elicitations: ElicitRequest['params'][] = [];

    beforeAll(async () => {
      const started = await serverConfig(transport);
      http = started.http;
      const settings = parseSettings({ openai: { api_key: 'sk-test', base_url: llm.openaiBaseUrl, default_model: 'gpt-4o' } });
      manager = createMcpConnectionManager({
        servers: {
          everything: {
            ...started.config,
            roots: [
              { uri: 'file:///srv/data', name: 'data' },
              { uri: 'file:///home/someone/private/work', name: 'work', server_uri_alias: 'file:///workspace' },
            ],
          },
        },
        logger: collectingLogger().logger,
        sampling: createSamplingHandler({ providers: [llmProvider], settings, config: { model: 'gpt-4o-mini' }, onUsage: (usage) => usages.push(usage) }),
        elicitation: async (params) => {
          elicitations.push(params);
          // Only `name` is given: the schema's defaults fill in the rest.
          return params.mode === 'url' ? { action: 'accept' } : { action: 'accept', content: { name: 'Ada Lovelace' } };
        },
      });
    });

    afterAll(async () => {
      await manager?.close();
      await http?.close();
    });

    it('is offered the tools the server keeps for clients with those capabilities', async () => {
      const names = (await manager.listTools('everything')).map((tool) => tool.name);
      expect(names).toEqual(expect.arrayContaining(CAPABILITY_TOOLS));
    });

    it('answers sampling/createMessage with the configured model through the OpenAI provider', async () => {
      const before = llm.requests.length;
      const result = await manager.callTool({ server: 'everything', tool: 'trigger-sampling-request', arguments: { prompt: `a haiku over ${transport}`, maxTokens: 40 } });
      const text = textOf(result);
      expect(text).toContain(`"text": "sampled: a haiku over ${transport}"`);
      expect(text).toContain('"model": "gpt-4o-mini"');
      expect(text).toContain('"stopReason": "endTurn"');
      expect(text).toContain('"role": "assistant"');
      const request = llm.requests.slice(before).find((candidate) => candidate.lastUserMessage?.includes(`a haiku over ${transport}`));
      expect(request?.body).toMatchObject({
        model: 'gpt-4o-mini',
        max_completion_tokens: 40,
        temperature: 0.7,
        messages: [
          { role: 'system', content: 'You are a helpful test server.' },
          { role: 'user', content: `Resource trigger-sampling-request context: a haiku over ${transport}` },
        ],
      });
      expect(usages.at(-1)).toMatchObject({ server: 'everything', provider: 'openai', model: 'gpt-4o-mini', inputTokens: 21, outputTokens: 5, totalTokens: 26 });
      expect(usages.at(-1)?.costUsd).toBeGreaterThan(0);
    });

    it('answers a form elicitation through the callback, with the schema defaults filled in', async () => {
      const result = await manager.callTool({ server: 'everything', tool: 'trigger-elicitation-request' });
      const text = textOf(result);
      expect(text).toContain('- Name: Ada Lovelace');
      expect(text).toContain('- Favorite Integer: 42');
      const raw = JSON.parse(text.slice(text.indexOf('{'))) as { action: string; content: Record<string, unknown> };
      expect(raw).toEqual({
        action: 'accept',
        content: expect.objectContaining({
          name: 'Ada Lovelace',
          integer: 42,
          number: 3.14,
          untitledSingleSelectEnum: 'Monica',
          untitledMultipleSelectEnum: ['Guitar'],
          titledSingleSelectEnum: 'hero-1',
        }),
      });
      expect(elicitations.at(-1)).toMatchObject({ mode: 'form', message: 'Please provide inputs for the following fields:' });
    });

    it('answers a URL elicitation through the callback', async () => {
      const result = await manager.callTool({ server: 'everything', tool: 'trigger-url-elicitation', arguments: { url: 'https://example.com/consent', elicitationId: 'consent-1' } });
      expect(textOf(result)).toContain('User completed the URL elicitation flow.');
      expect(elicitations.at(-1)).toMatchObject({ mode: 'url', url: 'https://example.com/consent', elicitationId: 'consent-1' });
    });

    it('lists the configured roots (aliases instead of their URIs) and tells the server when they change', async () => {
      const first = textOf(await manager.callTool({ server: 'everything', tool: 'get-roots-list' }));
      expect(first).toContain('Current MCP Roots (2 total)');
      expect(first).toContain('1. data\n   URI: file:///srv/data');
      expect(first).toContain('2. work\n   URI: file:///workspace');
      expect(first).not.toContain('private');

      await manager.setRoots('everything', [{ uri: 'file:///srv/reports', name: 'reports' }]);
      // The server asks roots/list again when notified; its tool shows what it has fetched.
      let latest = first;
      for (let attempt = 0; attempt < 50 && !latest.includes('file:///srv/reports'); attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        latest = textOf(await manager.callTool({ server: 'everything', tool: 'get-roots-list' }));
      }
      expect(latest).toContain('Current MCP Roots (1 total)');
      expect(latest).toContain('1. reports\n   URI: file:///srv/reports');
    });
  },
);

describe.each([{ transport: 'stdio' as const }, { transport: 'streamable_http' as const }, { transport: 'sse' as const }])(
  'server-everything over $transport, with nothing configured',
  ({ transport }) => {
    it('is not offered the tools that need sampling, elicitation or roots', async () => {
      const { config, http } = await serverConfig(transport);
      const manager = createMcpConnectionManager({ servers: { everything: config }, logger: collectingLogger().logger });
      try {
        const names = (await manager.listTools('everything')).map((tool) => tool.name);
        expect(names).toContain('echo');
        for (const name of CAPABILITY_TOOLS) expect(names).not.toContain(name);
      } finally {
        await manager.close();
        await http?.close();
      }
    });
  },
);
