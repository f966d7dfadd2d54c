// The core tool loop's edges, through the real openai SDK against the local wire-protocol server:
// a stream the caller stops early, retries outside a workflow, structured output that never came.
import { Agent, createLogger, MCPApp, WorkflowApplicationError } from '@mcp-agent/core';
import type { SettingsInput } from '@mcp-agent/core/config';
import { createAsyncioEngine } from '@mcp-agent/executor-asyncio';
import { startLocalLlmServer } from '@mcp-agent/testing';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { llmProvider, OpenAIAugmentedLLM } from './index.js';

const server = await startLocalLlmServer();
const settings: SettingsInput = {
  openai: { api_key: 'test-key-loop', base_url: server.openaiBaseUrl },
  workflow_task_retry_policies: { 'llm.*': { maximum_attempts: 3, initial_interval: 0.01 } },
};
const app = new MCPApp({
  name: 'loop-tests',
  settings,
  logger: createLogger({ transports: ['none'] }),
  engines: { asyncio: createAsyncioEngine() },
  llmProviders: [llmProvider],
});
await app.initialize();

afterAll(async () => {
  await app.cleanup();
  await server.close();
});

beforeEach(() => {
  server.reset();
});

describe('the tool loop outside a workflow', () => {
  it('stops the loop when the caller stops reading a stream: no further round trip, no tool run', async () => {
    let toolRuns = 0;
    const agent = new Agent({
      name: 'streamer',
      functions: [{ name: 'lookup', run: () => (toolRuns += 1) }],
    });
    const llm = await agent.attachLlm(OpenAIAugmentedLLM);
    server.enqueue({ text: 'Let me look that up for you.', toolCalls: [{ name: 'lookup', arguments: {} }] }, { text: 'done' });
    for await (const delta of llm.generateStream('look it up')) {
      expect(delta.length).toBeGreaterThan(0);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(server.requests).toHaveLength(1);
    expect(toolRuns).toBe(0);
    expect(llm.history).toHaveLength(0);
  });

  it('retries a 500 by the llm.* policy, as a task would be', async () => {
    const llm = await new Agent({ name: 'retrier' }).attachLlm(OpenAIAugmentedLLM);
    server.enqueue({ error: { status: 500, message: 'overloaded' } }, { error: { status: 503 } }, { text: 'third time lucky' });
    expect(await llm.generateStr('hello')).toBe('third time lucky');
    expect(server.requests).toHaveLength(3);
  });

  it('does not retry a 401', async () => {
    const llm = await new Agent({ name: 'unauthorised' }).attachLlm(OpenAIAugmentedLLM);
    server.enqueue({ error: { status: 401, message: 'bad key' } }, { text: 'never sent' });
    const error = await llm.generateStr('hello').catch((caught: unknown) => caught);
    expect(WorkflowApplicationError.is(error) && error.nonRetryable).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  it('says the loop stopped at maxIterations when structured output never came', async () => {
    const agent = new Agent({ name: 'looper', functions: [{ name: 'again', run: () => 'again' }] });
    const llm = await agent.attachLlm(OpenAIAugmentedLLM);
    server.enqueue({ toolCalls: [{ name: 'again', arguments: {} }] }, { toolCalls: [{ name: 'again', arguments: {} }] });
    const error = await llm.generateStructured('give me a number', z.object({ n: z.number() }), { maxIterations: 2 }).catch((caught: unknown) => caught);
    expect(WorkflowApplicationError.is(error) && error.type).toBe('StructuredOutputError');
    expect((error as Error).message).toContain('stopped at maxIterations (2 round trips)');
  });
});
