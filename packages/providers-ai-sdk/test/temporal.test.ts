// GoogleAugmentedLLM on a real Temporal dev server: each model round trip is one activity
// `llm.google.complete` whose input is the neutral request, and the history holds no key.
import { createLogger } from '@mcp-agent/core';
import { parseSettings } from '@mcp-agent/core/config';
import { createExecutorWithServices } from '@mcp-agent/core/engine';
import { createTemporalEngine, type TemporalExecutor } from '@mcp-agent/executor-temporal';
import { mcpTestServerStdioCommand, startLocalLlmServer, type LocalLlmServer } from '@mcp-agent/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createGoogleProvider } from '../src/index.js';
import { GeminiToolWorkflow, googleApp } from './fixtures/google-workflows.js';

const API_KEY = 'AIza-secret-test-key-4be1';
const taskQueue = `ai-sdk-google-${process.pid}`;

/** Every string and byte string of a value (payloads as their UTF-8 text). */
function textsOf(value: unknown): string[] {
  const texts: string[] = [];
  const walk = (node: unknown): void => {
    if (node instanceof Uint8Array) texts.push(Buffer.from(node).toString('utf8'));
    else if (typeof node === 'string') texts.push(node);
    else if (Array.isArray(node)) node.forEach(walk);
    else if (typeof node === 'object' && node !== null) Object.values(node).forEach(walk);
  };
  walk(value);
  return texts;
}

describe('GoogleAugmentedLLM on Temporal', { timeout: 120_000 }, () => {
  let model: LocalLlmServer;
  let temporal: TemporalExecutor;

  beforeAll(async () => {
    model = await startLocalLlmServer();
    const server = mcpTestServerStdioCommand();
    temporal = (await createExecutorWithServices(
      createTemporalEngine({ address: inject('temporalAddress'), worker: { workflowsPath: new URL('./fixtures/google-workflows.ts', import.meta.url), taskQueue } }),
      {
        appName: googleApp.name,
        registry: googleApp.registry,
        logger: createLogger({ transports: ['none'] }),
        llmProviders: [createGoogleProvider({ environment: {} })],
        settings: parseSettings(
          {
            execution_engine: 'temporal',
            temporal: { task_queue: taskQueue },
            google: { api_key: API_KEY, base_url: model.googleBaseUrl },
            mcp: { servers: { test: { command: server.command, args: server.args } } },
          },
          'test settings',
        ),
      },
    )) as TemporalExecutor;
  });

  afterAll(async () => {
    await temporal?.close();
    await model?.close();
  });

  it('runs each round trip as one llm.google.complete activity with the neutral request, and keeps the key out of the history', async () => {
    model.enqueue(
      { toolCalls: [{ id: 'call_echo', name: 'test_echo', arguments: { text: 'durable hello' } }], usage: { inputTokens: 30, outputTokens: 5 } },
      { text: 'The tool said: durable hello', usage: { inputTokens: 50, outputTokens: 9 } },
    );
    const workflowId = `ai-sdk-google-${Date.now()}`;
    const result = await temporal.executeWorkflow(GeminiToolWorkflow, { prompt: 'Echo "durable hello"' }, { workflowId });
    expect(result.value).toEqual({ text: 'The tool said: durable hello', iterations: 2, totalTokens: 94 });
    // The key did reach the model server, so the test would see it if it leaked.
    expect(model.requests).toHaveLength(2);
    expect(model.requests[0]?.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');

    const history = await temporal.client.workflow.getHandle(workflowId).fetchHistory();
    const scheduled = (history.events ?? []).flatMap((event) => event.activityTaskScheduledEventAttributes ?? []);
    const modelCalls = scheduled.filter((attributes) => attributes.activityType?.name === 'llm.google.complete');
    expect(modelCalls).toHaveLength(2);
    const inputs = modelCalls.map((attributes) => JSON.parse(textsOf(attributes.input?.payloads).find((text) => text.startsWith('{')) ?? '{}') as Record<string, unknown>);
    expect(inputs[0]).toMatchObject({
      provider: 'google',
      messages: [
        { role: 'system', content: 'Use the tools.' },
        { role: 'user', content: 'Echo "durable hello"' },
      ],
    });
    expect(inputs[1]?.['messages']).toHaveLength(4);
    for (const input of inputs)
      expect(
        Object.keys(input).every((key) => ['provider', 'model', 'messages', 'tools', 'maxTokens', 'temperature', 'stopSequences', 'parallelToolCalls', 'responseFormat'].includes(key)),
      ).toBe(true);
    const stored = textsOf(history).join('\n');
    // The history does hold the conversation, so it would show the key if it held it.
    expect(stored).toContain('durable hello');
    expect(stored).not.toContain(API_KEY);
  });
});
