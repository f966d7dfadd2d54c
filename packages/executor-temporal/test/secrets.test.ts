// No secret reaches the server or the logs: the model provider's API key and an MCP server's
// environment values stay out of every workflow history event and every log line.
import { createLogger, parseSettings, type LogRecord } from '@mcp-agent/core';
import { llmProvider } from '@mcp-agent/providers-openai';
import { mcpTestServerStdioCommand, startLocalLlmServer, type LocalLlmServer } from '@mcp-agent/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTemporalEngine, fetchWorkflowHistory, type TemporalExecutor } from '../src/index.js';
import { DurableAgentWorkflow, proofApp } from './fixtures/proof-workflows.js';

const API_KEY = 'sk-secret-api-key-7f3a9c';
const MCP_TOKEN = 'mcp-env-token-51e0b2';

describe('secrets', { timeout: 120_000 }, () => {
  let llm: LocalLlmServer;
  let executor: TemporalExecutor;
  const lines: LogRecord[] = [];

  beforeAll(async () => {
    llm = await startLocalLlmServer({ script: { rules: [{ match: () => true, reply: (request) => ({ text: `noted ${request.lastUserMessage}` }) }] } });
    const server = mcpTestServerStdioCommand();
    const settings = parseSettings(
      {
        execution_engine: 'temporal',
        openai: { api_key: API_KEY, base_url: llm.openaiBaseUrl, default_model: 'gpt-4o-mini' },
        mcp: { servers: { test: { transport: 'stdio', command: server.command, args: server.args, env: { TEST_TOKEN: MCP_TOKEN } } } },
      },
      'secrets',
    );
    executor = (await createTemporalEngine({
      address: inject('temporalAddress'),
      worker: { workflowsPath: new URL('./fixtures/proof-workflows.ts', import.meta.url), taskQueue: `secrets-${process.pid}` },
    }).createExecutor({
      appName: proofApp.name,
      registry: proofApp.registry,
      settings,
      logger: createLogger({ level: 'debug', sink: (line) => lines.push(line) }),
      llmProviders: [llmProvider],
    })) as TemporalExecutor;
  });

  afterAll(async () => {
    await executor?.close();
    await llm?.close();
  });

  it('keeps the API key and MCP server environment out of the workflow history and the logs', async () => {
    const workflowId = `secrets-${Date.now()}`;
    const result = await executor.executeWorkflow(DurableAgentWorkflow, { topic: 'secrets', steps: 2 }, { workflowId });
    expect(result.value?.answers).toEqual(['noted step 1 of secrets', 'noted step 2 of secrets']);
    // The key did reach the model server, so the test would see it if it leaked.
    expect(llm.requests.length).toBeGreaterThanOrEqual(2);
    // Every string of the history, payloads decoded (the server keeps them as bytes).
    const texts: string[] = [];
    const walk = (value: unknown): void => {
      if (value instanceof Uint8Array) texts.push(Buffer.from(value).toString('utf8'));
      else if (typeof value === 'string') texts.push(value);
      else if (Array.isArray(value)) value.forEach(walk);
      else if (typeof value === 'object' && value !== null) Object.values(value).forEach(walk);
    };
    walk(await fetchWorkflowHistory(executor.client, workflowId));
    const history = texts.join('\n');
    expect(history).toContain('step 1 of secrets');
    for (const secret of [API_KEY, MCP_TOKEN]) {
      expect(history).not.toContain(secret);
      expect(JSON.stringify(lines)).not.toContain(secret);
    }
    expect(lines.length).toBeGreaterThan(0);
  });
});
