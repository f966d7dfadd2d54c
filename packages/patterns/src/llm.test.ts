// The ground the patterns stand on, inside a workflow on the in-process engine: LLMs made by
// provider name, usage with cost per model, embeddings as tasks, human input answered by the app.
import { Agent, cosineSimilarity, embed, humanInputTool, requestHumanInput, type HumanInputRequest } from '@mcp-agent/core';
import { replyWithText, replyWithToolCall } from '@mcp-agent/testing';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { startPatternTestApp } from '../test/support.js';
import { isLlm, llmClassFor, llmFactoryOf, messageText } from './llm.js';

const asked: HumanInputRequest[] = [];
const harness = await startPatternTestApp({
  humanInput: (request) => {
    asked.push(request);
    return `yes to "${request.prompt}"`;
  },
});
const { model } = harness;

afterAll(() => harness.close());
beforeEach(() => {
  model.reset();
  asked.length = 0;
});

describe('LLMs by provider name', () => {
  it('makes one class per provider, whose round trips go to that provider', async () => {
    expect(llmClassFor('openai')).toBe(llmClassFor('openai'));
    expect(llmClassFor('anthropic').name).toBe('AnthropicAugmentedLLM');
    expect(() => llmClassFor('not a name')).toThrow(/provider: expected a provider name/);
    model.enqueue(replyWithText('from openai'), replyWithText('from anthropic'));
    const texts = await harness.inWorkflow(async () => {
      const openai = await llmFactoryOf({ model: 'gpt-4o' })(new Agent({ name: 'a' }));
      const anthropic = await llmFactoryOf({ provider: 'anthropic' })(new Agent({ name: 'b' }));
      return [await openai.generateStr('hi'), await anthropic.generateStr('hi')];
    });
    expect(texts).toEqual(['from openai', 'from anthropic']);
    expect(model.requests.map((request) => [request.provider, request.model])).toEqual([
      ['openai', 'gpt-4o'],
      ['anthropic', 'claude-3-5-haiku-latest'],
    ]);
  });

  it('tells LLMs from agents, and reads the text of a message', () => {
    expect(isLlm(new Agent({ name: 'x' }))).toBe(false);
    expect(isLlm(new (llmClassFor('openai'))({ agent: new Agent({ name: 'x' }) }))).toBe(true);
    expect(
      messageText([
        { role: 'user', content: 'first' },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: [{ type: 'text', text: 'second' }] },
      ]),
    ).toBe('second');
  });
});

describe('usage and cost', () => {
  it('reports an LLM’s tokens per model with their cost from the price table', async () => {
    model.enqueue({ text: 'one', usage: { inputTokens: 1_000_000, outputTokens: 1_000_000 } });
    const tree = await harness.inWorkflow(async () => {
      const llm = await llmFactoryOf()(new Agent({ name: 'pricer' }));
      await llm.generateStr('hi');
      return llm.usageTree();
    });
    // gpt-4o-mini: 0.15 USD per million input tokens, 0.60 per million output tokens.
    expect(tree).toMatchObject({ name: 'pricer', kind: 'llm', usage: { calls: 1, inputTokens: 1_000_000, outputTokens: 1_000_000, costUsd: 0.75 } });
    expect(Object.keys(tree.models ?? {})).toEqual(['gpt-4o-mini']);
  });
});

describe('embeddings', () => {
  it('embeds as a task: texts that share words are closer than texts that do not', async () => {
    const [weather, forecast, flights] = await harness.inWorkflow(async () => {
      const { embeddings } = await embed('openai', ['weather in Paris tomorrow', 'the weather forecast for Paris', 'cheap flights to Rome']);
      return embeddings;
    });
    expect(weather).toHaveLength(256);
    expect(cosineSimilarity(weather as number[], forecast as number[])).toBeGreaterThan(cosineSimilarity(weather as number[], flights as number[]));
    expect(model.embeddingRequests).toHaveLength(1);
  });

  it('names the provider to install when none is loaded', async () => {
    await expect(harness.inWorkflow(() => embed('cohere', ['x']))).rejects.toThrow(/embedding\.cohere\.embed/);
  });
});

describe('human input in-process', () => {
  it('asks the app’s handler from workflow code, and through the tool an agent’s model calls', async () => {
    model.enqueue(replyWithToolCall('__human_input__', { prompt: 'Which city?' }), replyWithText('Going to the city you chose.'));
    const result = await harness.inWorkflow(async () => {
      const direct = await requestHumanInput({ prompt: 'Proceed?' });
      const agent = new Agent({ name: 'asker', functions: [humanInputTool()] });
      const llm = await llmFactoryOf()(agent);
      return { direct: direct.response, answer: await llm.generateStr('Plan my trip') };
    });
    expect(result).toEqual({ direct: 'yes to "Proceed?"', answer: 'Going to the city you chose.' });
    expect(asked.map((request) => request.prompt)).toEqual(['Proceed?', 'Which city?']);
    expect(asked[0]?.workflowId).toMatch(/PatternScenario|pattern/i);
    const messages = (model.requests[1]?.body.messages ?? []) as Array<{ role: string; content: string }>;
    const toolResult = messages.find((message) => message.role === 'tool');
    expect(toolResult?.content).toBe('yes to "Which city?"');
  });

  it('refuses an empty prompt with a clear error', async () => {
    await expect(harness.inWorkflow(() => requestHumanInput({ prompt: '' }))).rejects.toThrow(/prompt must be a non-empty string/);
  });
});
