// An agent inside a Temporal workflow calls a tool of @modelcontextprotocol/server-everything that
// asks the client for sampling while it runs. The worker's MCP session answers it with the model
// of `mcp.sampling` (the app's default handler over its OpenAI provider, against the local model
// server), and the tool result, with the sampled text, completes the workflow. Then the app's own
// `mcpClient` handlers and the `mcp.elicitation` default, as createAppServices builds them.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { createLogger, type AppServices, type LogRecord } from '@mcp-agent/core';
import { parseSettings } from '@mcp-agent/core/config';
import { createAppServices } from '@mcp-agent/core/engine';
import { llmProvider } from '@mcp-agent/providers-openai';
import { startLocalLlmServer, type LocalLlmServer } from '@mcp-agent/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { createTemporalEngine, type TemporalExecutor } from '../src/index.js';
import { SamplingToolWorkflow, samplingApp } from './fixtures/mcp-sampling-workflows.js';

// server-everything is a devDependency of @mcp-agent/mcp-client; resolved from there.
const MCP_CLIENT_PACKAGE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../mcp-client/package.json');
const SERVER_EVERYTHING_ENTRY = path.join(path.dirname(createRequire(MCP_CLIENT_PACKAGE).resolve('@modelcontextprotocol/server-everything/package.json')), 'dist/index.js');

describe('sampling asked by an MCP server during a tool call in a workflow', { timeout: 30_000 }, () => {
  let llm: LocalLlmServer;
  let executor: TemporalExecutor;
  let services: AppServices | undefined;
  const lines: LogRecord[] = [];

  beforeAll(async () => {
    llm = await startLocalLlmServer({
      script: {
        rules: [{ match: () => true, reply: (request) => ({ text: `sampled haiku about ${request.lastUserMessage?.split(': ').at(-1)}`, usage: { inputTokens: 30, outputTokens: 9 } }) }],
      },
    });
    const settings = parseSettings(
      {
        execution_engine: 'temporal',
        openai: { api_key: 'sk-test', base_url: llm.openaiBaseUrl, default_model: 'gpt-4o' },
        mcp: {
          servers: { everything: { command: process.execPath, args: [SERVER_EVERYTHING_ENTRY, 'stdio'] } },
          sampling: { model: 'gpt-4o-mini', max_tokens: 20 },
        },
      },
      'mcp-sampling',
    );
    const logger = createLogger({ level: 'info', sink: (line) => lines.push(line) });
    services = await createAppServices({ registry: samplingApp.registry, settings, logger, llmProviders: [llmProvider] });
    executor = (await createTemporalEngine({
      address: inject('temporalAddress'),
      worker: { workflowsPath: new URL('./fixtures/mcp-sampling-workflows.ts', import.meta.url), taskQueue: `mcp-sampling-${process.pid}` },
    }).createExecutor({ appName: samplingApp.name, registry: samplingApp.registry, settings, logger, tasks: services.tasks })) as TemporalExecutor;
  });

  afterAll(async () => {
    await executor?.close();
    await services?.close();
    await llm?.close();
  });

  it('is answered by the configured model in the activity, and the workflow completes with the sampled text', async () => {
    const result = await executor.executeWorkflow(SamplingToolWorkflow, { prompt: 'harbour lights' }, { workflowId: `mcp-sampling-${Date.now()}` });
    expect(result.value?.tools).toContain('everything_trigger-sampling-request');
    expect(result.value?.text).toContain('"text": "sampled haiku about harbour lights"');
    expect(result.value?.text).toContain('"model": "gpt-4o-mini"');
    const sampled = llm.requests.find((request) => request.lastUserMessage?.includes('harbour lights'));
    // The tool asked for 30 tokens; mcp.sampling.max_tokens caps it.
    expect(sampled?.body).toMatchObject({ model: 'gpt-4o-mini', max_completion_tokens: 20 });
    expect(lines.find((line) => line.message.startsWith('sampling for MCP server "everything" answered by openai gpt-4o-mini'))?.data).toMatchObject({
      inputTokens: 30,
      outputTokens: 9,
      totalTokens: 39,
    });
  });
});

describe("the app's MCP client options, built by createAppServices", { timeout: 30_000 }, () => {
  const servers = { everything: { command: process.execPath, args: [SERVER_EVERYTHING_ENTRY, 'stdio'] } };
  const logger = createLogger({ level: 'error', sink: () => undefined });

  it("answers elicitation with the app's own handler, which wins over mcp.elicitation.mode", async () => {
    const settings = parseSettings({ mcp: { servers, elicitation: { mode: 'console' } } }, 'mcp-client-options');
    const services = await createAppServices({
      registry: samplingApp.registry,
      settings,
      logger,
      llmProviders: [],
      mcpClient: { elicitation: async () => ({ action: 'accept', content: { name: 'Grace Hopper' } }) },
    });
    try {
      const result = await services.mcp.callTool({ server: 'everything', tool: 'trigger-elicitation-request' });
      expect(String(result.content[0]?.['text'])).toContain('User provided the requested information');
      expect(JSON.stringify(result.content)).toContain('- Name: Grace Hopper');
    } finally {
      await services.close();
    }
  });

  it('offers elicitation through the console under mcp.elicitation.mode: console, which refuses when stdin is not a terminal', async () => {
    const settings = parseSettings({ mcp: { servers, elicitation: { mode: 'console' } } }, 'mcp-client-options');
    const services = await createAppServices({ registry: samplingApp.registry, settings, logger, llmProviders: [] });
    try {
      const tools = (await services.mcp.listTools('everything')).map((tool) => tool.name);
      expect(tools).toContain('trigger-elicitation-request');
      expect(tools).not.toContain('trigger-sampling-request');
      // The server reports the refusal of its request as the tool's error.
      const result = await services.mcp.callTool({ server: 'everything', tool: 'trigger-elicitation-request' });
      expect(result.isError).toBe(true);
      expect(String(result.content[0]?.['text'])).toContain('standard input is not a terminal');
    } finally {
      await services.close();
    }
  });
});
