// The OpenAI provider's embeddings through the real `openai` SDK against the local wire-protocol
// server, which computes them (so the vectors can be checked exactly), and its errors.
import { WorkflowApplicationError } from '@mcp-agent/core';
import { parseSettings } from '@mcp-agent/core/config';
import { localEmbedding, startLocalLlmServer } from '@mcp-agent/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { createOpenAIProvider, DEFAULT_OPENAI_EMBEDDING_MODEL, embeddingProvider, llmProvider } from './index.js';

const server = await startLocalLlmServer();
afterAll(() => server.close());
const settings = (openai: Record<string, unknown> = {}) => parseSettings({ openai: { api_key: 'sk-embeddings', base_url: server.openaiBaseUrl, ...openai } }, 'test settings');
const provider = createOpenAIProvider({ environment: {} });

describe('OpenAI embeddings', () => {
  it('returns one vector per text, in order, as the server computed them (the SDK asks for base64 and decodes it)', async () => {
    const response = await provider.embed({ provider: 'openai', inputs: ['weather in Paris', 'flights to Rome'] }, { settings: settings() });
    expect(response.model).toBe(DEFAULT_OPENAI_EMBEDDING_MODEL);
    expect(response.embeddings).toHaveLength(2);
    // float32 on the wire: equal to the server's vectors to float32 precision.
    for (const [index, text] of ['weather in Paris', 'flights to Rome'].entries()) {
      const expected = localEmbedding(text);
      expect(response.embeddings[index]?.map((value, at) => Math.abs(value - (expected[at] as number))).every((difference) => difference < 1e-6)).toBe(true);
    }
    expect(response.usage).toEqual({ inputTokens: 8, totalTokens: 8 });
    expect(server.embeddingRequests.at(-1)).toMatchObject({ model: DEFAULT_OPENAI_EMBEDDING_MODEL, inputs: ['weather in Paris', 'flights to Rome'] });
  });

  it('takes the model from the request, else openai.default_embedding_model, and shortens vectors to the dimensions asked', async () => {
    const configured = await provider.embed({ provider: 'openai', inputs: ['a'] }, { settings: settings({ default_embedding_model: 'text-embedding-3-large' }) });
    expect(configured.model).toBe('text-embedding-3-large');
    const asked = await provider.embed(
      { provider: 'openai', model: 'my-embedder', inputs: ['a'], dimensions: 8 },
      { settings: settings({ default_embedding_model: 'text-embedding-3-large' }) },
    );
    expect(asked.model).toBe('my-embedder');
    expect(asked.embeddings[0]).toHaveLength(8);
  });

  it('is the same provider as the model one, so one installed package serves both tasks', () => {
    expect(embeddingProvider).toBe(llmProvider);
    expect(typeof embeddingProvider.embed).toBe('function');
  });

  it('turns a refused request (400) into a non-retryable error with the server’s message', async () => {
    const error = await provider.embed({ provider: 'openai', inputs: ['a'], dimensions: 100_000 }, { settings: settings() }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WorkflowApplicationError);
    expect((error as WorkflowApplicationError).nonRetryable).toBe(true);
    expect((error as Error).message).toMatch(/^openai: 400 BadRequestError: .*"dimensions" must be a whole number from 1 to 4096, got 100000/);
  });
});
