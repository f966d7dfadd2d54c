// The AI SDK providers as users run them: an MCPApp on the in-process engine, an Agent over the
// real MCP test server (stdio), and real @ai-sdk/google, @ai-sdk/openai and @ai-sdk/anthropic
// models against the local wire-protocol server (Gemini API, Chat Completions, Messages).
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { Agent, createLogger, embed, MCPApp, TaskFailedError, Workflow, WorkflowApplicationError, WorkflowResult } from '@mcp-agent/core';
import { parseSettings, type SettingsInput } from '@mcp-agent/core/config';
import type { LlmProvider, LlmRequest } from '@mcp-agent/core/engine';
import { createAsyncioEngine } from '@mcp-agent/executor-asyncio';
import { mcpTestServerStdioCommand, startLocalLlmServer, type LlmReply } from '@mcp-agent/testing';
import { createServer } from 'node:net';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { aiSdkLlm, aiSdkProvider, createGoogleProvider, GoogleAugmentedLLM } from './index.js';

const TEST_KEY = 'test-key-7c41d9e2';
const server = await startLocalLlmServer();
const testServer = mcpTestServerStdioCommand();

const settings: SettingsInput = {
  google: { api_key: TEST_KEY, base_url: server.googleBaseUrl },
  workflow_task_retry_policies: { 'llm.*': { maximum_attempts: 2, initial_interval: 0.01 } },
  mcp: { servers: { test: { command: testServer.command, args: testServer.args } } },
  model_prices: { 'gemini-2.5-flash': { input_per_million_tokens: 0.3, output_per_million_tokens: 2.5 } },
};

/** Retries are asserted through outcomes; their warnings would only clutter the test output. */
const logger = createLogger({ transports: ['none'] });

/** A provider of the user's own, over @ai-sdk/openai's Chat Completions model: the factory closes over its key and address. */
const gatewayProvider = aiSdkProvider({
  name: 'gateway',
  model: (modelId) => createOpenAI({ apiKey: TEST_KEY, baseURL: server.openaiBaseUrl }).chat(modelId),
  defaultModel: 'gpt-4o-mini',
});
const GatewayLLM = aiSdkLlm('gateway');

/** Another, over @ai-sdk/anthropic. */
const claudeProvider = aiSdkProvider({
  name: 'claude',
  model: (modelId) => createAnthropic({ apiKey: TEST_KEY, baseURL: `${server.anthropicBaseUrl}/v1` })(modelId),
  defaultModel: 'claude-sonnet-4-20250514',
});
const ClaudeLLM = aiSdkLlm('claude');

const googleProvider = createGoogleProvider({ environment: {} });
const app = new MCPApp({
  name: 'ai-sdk-llm-tests',
  settings,
  logger,
  engines: { asyncio: createAsyncioEngine() },
  llmProviders: [googleProvider, gatewayProvider, claudeProvider],
  embeddingProviders: [googleProvider],
});

/** What AskWorkflow reports: the answer, or how the model round trip's task failed. */
interface AskOutcome {
  text?: string;
  iterations?: number;
  calls?: number;
  totalTokens?: number;
  failure?: { taskName: string; attempts: number; type: string; nonRetryable: boolean; message: string; details: unknown[] };
}

/** Asks Gemini from inside a workflow, where each round trip is the task `llm.google.complete`. */
@app.workflow
class AskWorkflow extends Workflow<AskOutcome> {
  @app.workflowRun
  async run(input: { prompt: string; servers?: string[]; model?: string }): Promise<WorkflowResult<AskOutcome>> {
    const agent = new Agent({ name: 'asker', instruction: 'Answer briefly.', serverNames: input.servers ?? [] });
    const llm = await agent.attachLlm(GoogleAugmentedLLM);
    try {
      const result = await llm.generate(input.prompt, input.model === undefined ? {} : { model: input.model });
      return new WorkflowResult({ value: { text: result.text, iterations: result.iterations, calls: llm.usage.calls, totalTokens: llm.usage.totalTokens } });
    } catch (error) {
      if (!TaskFailedError.is(error)) throw error;
      const cause = error.cause as Error;
      const application = WorkflowApplicationError.is(cause) ? cause : undefined;
      return new WorkflowResult({
        value: {
          failure: {
            taskName: error.taskName,
            attempts: error.attempts,
            type: application?.type ?? cause.name,
            nonRetryable: application?.nonRetryable ?? false,
            message: cause.message,
            details: application?.details ?? [],
          },
        },
      });
    }
  }
}

type GeminiPart = { text?: string; functionCall?: { id?: string; name: string; args: unknown }; functionResponse?: { id?: string; name: string; response: unknown } };
type GeminiContent = { role: string; parts: GeminiPart[] };

function contentsOf(index: number): GeminiContent[] {
  const request = server.requests[index];
  if (request === undefined) throw new Error(`no request ${index}; the server got ${server.requests.length}`);
  return request.body['contents'] as GeminiContent[];
}

function replyCalling(name: string, args: unknown, usage?: LlmReply['usage']): LlmReply {
  return { toolCalls: [{ name, arguments: args }], ...(usage === undefined ? {} : { usage }) };
}

/** A port nothing listens on. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  server.reset();
});

describe('GoogleAugmentedLLM (@ai-sdk/google) outside a workflow', () => {
  it('runs a tool loop over the real MCP test server, with parallel calls, usage and cost', async () => {
    server.enqueue(
      {
        toolCalls: [
          { id: 'call_echo', name: 'test_echo', arguments: { text: 'hello from the tool' } },
          { id: 'call_add', name: 'test_add', arguments: { a: 2, b: 3 } },
        ],
        usage: { inputTokens: 30, outputTokens: 5 },
      },
      { text: 'The tool said hello, and 5', usage: { inputTokens: 50, outputTokens: 9 } },
    );
    const result = await app.run(async () => {
      const llm = await new Agent({ name: 'echoer', instruction: 'Use the tools.', serverNames: ['test'] }).attachLlm(GoogleAugmentedLLM);
      const generated = await llm.generate('Echo and add');
      return { generated, usage: { ...llm.usage }, models: Object.keys(llm.usageByModel) };
    });
    expect(result.generated.text).toBe('The tool said hello, and 5');
    expect(result.generated.stopReason).toBe('end_turn');
    expect(result.generated.iterations).toBe(2);
    // gemini-2.5-flash by model_prices: 80 input tokens at 0.30 USD and 14 output tokens at 2.50 USD per million.
    expect(result.usage).toEqual({ calls: 2, inputTokens: 80, outputTokens: 14, totalTokens: 94, costUsd: 0.000059 });
    expect(result.models).toEqual(['gemini-2.5-flash']);

    expect(server.requests).toHaveLength(2);
    expect(server.requests[0]).toMatchObject({ provider: 'google', path: '/v1beta/models/gemini-2.5-flash:generateContent', stream: false, model: 'gemini-2.5-flash' });
    expect(server.requests[0]?.headers['x-goog-api-key']).toBe('[redacted]');
    const first = server.requests[0]?.body as Record<string, unknown>;
    expect(first['systemInstruction']).toEqual({ parts: [{ text: 'Use the tools.' }] });
    const declarations = (first['tools'] as Array<{ functionDeclarations: Array<{ name: string; parameters: Record<string, unknown> }> }>)[0]?.functionDeclarations ?? [];
    expect(declarations.find((tool) => tool.name === 'test_echo')?.parameters).toMatchObject({ type: 'object', properties: { text: { type: 'string' } } });
    expect(contentsOf(0)).toEqual([{ role: 'user', parts: [{ text: 'Echo and add' }] }]);

    const second = contentsOf(1);
    expect(second.map((content) => content.role)).toEqual(['user', 'model', 'user']);
    expect(second[1]?.parts.map((part) => part.functionCall)).toEqual([
      { id: 'call_echo', name: 'test_echo', args: { text: 'hello from the tool' } },
      { id: 'call_add', name: 'test_add', args: { a: 2, b: 3 } },
    ]);
    // Both answers in one turn, in the order of the calls.
    const responses = second[2]?.parts.map((part) => part.functionResponse);
    expect(responses?.map((response) => response?.name)).toEqual(['test_echo', 'test_add']);
    expect(JSON.stringify(responses?.[0]?.response)).toContain('hello from the tool');
    expect(JSON.stringify(responses?.[1]?.response)).toContain('5');
  });

  it('sends maxTokens, temperature and stop sequences as generationConfig, and the model asked for', async () => {
    server.enqueue({ text: 'short' });
    await app.run(async () => {
      const llm = await new Agent({ name: 'tuned' }).attachLlm(GoogleAugmentedLLM);
      await llm.generate('Hi', { model: 'gemini-2.5-pro', maxTokens: 64, temperature: 0.2, stopSequences: ['END'] });
    });
    expect(server.requests[0]?.path).toBe('/v1beta/models/gemini-2.5-pro:generateContent');
    expect(server.requests[0]?.body['generationConfig']).toMatchObject({ maxOutputTokens: 64, temperature: 0.2, stopSequences: ['END'] });
    expect(server.requests[0]?.body).not.toHaveProperty('tools');
  });

  it('returns structured output matching a zod schema, asking Gemini for JSON with the schema', async () => {
    const Weather = z.object({ city: z.string(), temperature: z.number() });
    server.enqueue({ text: '{"city":"Paris","temperature":21}' }, { text: 'not json' });
    const { weather, failure } = await app.run(async () => {
      const llm = await new Agent({ name: 'forecaster' }).attachLlm(GoogleAugmentedLLM);
      return {
        weather: await llm.generateStructured('Weather in Paris?', Weather),
        failure: await llm.generateStructured('Again', Weather).catch((error: unknown) => error),
      };
    });
    expect(weather).toEqual({ city: 'Paris', temperature: 21 });
    const config = server.requests[0]?.body['generationConfig'] as Record<string, unknown>;
    expect(config['responseMimeType']).toBe('application/json');
    expect(config['responseSchema']).toMatchObject({ type: 'object', required: ['city', 'temperature'] });
    expect(WorkflowApplicationError.is(failure) && failure.type).toBe('StructuredOutputError');
  });

  it('streams text deltas from :streamGenerateContent, with usage from the last chunk', async () => {
    server.enqueue({ text: 'Streaming is a way of saying things piece by piece.', usage: { inputTokens: 12, outputTokens: 11 } });
    const { deltas, result, usage } = await app.run(async () => {
      const llm = await new Agent({ name: 'streamer' }).attachLlm(GoogleAugmentedLLM);
      const stream = llm.generateStream('Explain streaming');
      const seen: string[] = [];
      let next = await stream.next();
      while (next.done !== true) {
        seen.push(next.value);
        next = await stream.next();
      }
      return { deltas: seen, result: next.value, usage: { ...llm.usage } };
    });
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe('Streaming is a way of saying things piece by piece.');
    expect(result.text).toBe('Streaming is a way of saying things piece by piece.');
    expect(result.stopReason).toBe('end_turn');
    expect(usage).toEqual({ calls: 1, inputTokens: 12, outputTokens: 11, totalTokens: 23, costUsd: 0.0000311 });
    expect(server.requests[0]).toMatchObject({ path: '/v1beta/models/gemini-2.5-flash:streamGenerateContent', stream: true });
  });

  it('runs the tool calls of a streamed turn', async () => {
    server.enqueue({ toolCalls: [{ id: 'call_streamed', name: 'test_echo', arguments: { text: 'from a stream' } }] }, { text: 'Done.' });
    const { deltas, iterations } = await app.run(async () => {
      const llm = await new Agent({ name: 'stream-tools', serverNames: ['test'] }).attachLlm(GoogleAugmentedLLM);
      const seen: string[] = [];
      const stream = llm.generateStream('Echo while streaming');
      let next = await stream.next();
      while (next.done !== true) {
        seen.push(next.value);
        next = await stream.next();
      }
      return { deltas: seen, iterations: next.value.iterations };
    });
    expect(deltas.join('')).toBe('Done.');
    expect(iterations).toBe(2);
    expect(JSON.stringify(contentsOf(1).at(-1))).toContain('from a stream');
  });

  it('raises a 401 at once, non-retryable, naming the provider, the endpoint and the fix, without the key', async () => {
    server.enqueue({ error: { status: 401, message: `API key not valid: ${TEST_KEY}.` } });
    const error = await app.run(async () => {
      const llm = await new Agent({ name: 'unauthorised' }).attachLlm(GoogleAugmentedLLM);
      return llm.generate('Hi').catch((caught: unknown) => caught);
    });
    expect(WorkflowApplicationError.is(error)).toBe(true);
    const failure = error as WorkflowApplicationError;
    expect(failure.type).toBe('AuthenticationError');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe(
      `google: 401 AuthenticationError: API key not valid: [redacted]. (check google.api_key in mcp_agent.secrets.yaml, or GOOGLE_API_KEY) [POST ${server.googleBaseUrl}/models/gemini-2.5-flash:generateContent]`,
    );
    expect(JSON.stringify({ message: failure.message, details: failure.details, cause: String(failure.cause) })).not.toContain(TEST_KEY);
    expect(server.requests).toHaveLength(1);
  });

  it('retries a 429 of a streamed request by the llm.* policy, honouring retry-after', async () => {
    const rateLimited = { error: { status: 429, message: 'Resource has been exhausted', retryAfterSeconds: 1 } };
    server.enqueue(rateLimited, rateLimited);
    const error = await app.run(async () => {
      const llm = await new Agent({ name: 'streamer' }).attachLlm(GoogleAugmentedLLM);
      return llm
        .generateStream('Hi')
        .next()
        .catch((caught: unknown) => caught);
    });
    expect(WorkflowApplicationError.is(error) && error.type).toBe('RateLimitError');
    expect((error as WorkflowApplicationError).details[0]).toMatchObject({ status: 429, retryAfterMilliseconds: 1000 });
    expect(server.requests).toHaveLength(2);
    expect((server.requests[1]?.time.getTime() ?? 0) - (server.requests[0]?.time.getTime() ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('embeds texts through the google embedding model (embedding.google.embed), shortened to the dimensions asked for', async () => {
    const { embeddings, model, costUsd } = await app.run(async () => embed('google', ['hotel rooms in Paris', 'cheap hotel in Paris', 'flight to Rome'], { dimensions: 64 }));
    expect(model).toBe('gemini-embedding-001');
    expect(costUsd).toBe(0);
    expect(embeddings.map((vector) => vector.length)).toEqual([64, 64, 64]);
    expect(server.embeddingRequests).toEqual([{ model: 'gemini-embedding-001', inputs: ['hotel rooms in Paris', 'cheap hotel in Paris', 'flight to Rome'], time: expect.any(Date) }]);
    const [rooms, cheap, flight] = embeddings as [number[], number[], number[]];
    const dot = (a: number[], b: number[]) => a.reduce((sum, x, index) => sum + x * (b[index] as number), 0);
    // Texts that share a word are nearer than texts that share none.
    expect(dot(rooms, cheap)).toBeGreaterThan(dot(rooms, flight));
  });
});

describe("a provider of the user's own (aiSdkProvider over @ai-sdk/openai)", () => {
  it('runs a tool loop on the OpenAI wire under its own name', async () => {
    server.enqueue(replyCalling('test_echo', { text: 'via gateway' }, { inputTokens: 20, outputTokens: 4 }), {
      text: 'The gateway heard: via gateway',
      usage: { inputTokens: 40, outputTokens: 8 },
    });
    const { text, usage } = await app.run(async () => {
      const llm = await new Agent({ name: 'gateway-agent', serverNames: ['test'] }).attachLlm(GatewayLLM);
      return { text: await llm.generateStr('Echo please'), usage: { ...llm.usage } };
    });
    expect(text).toBe('The gateway heard: via gateway');
    // gpt-4o-mini from the built-in price table: 0.15 USD and 0.60 USD per million.
    expect(usage).toEqual({ calls: 2, inputTokens: 60, outputTokens: 12, totalTokens: 72, costUsd: 0.0000162 });
    expect(server.requests.map((request) => [request.provider, request.path, request.model])).toEqual([
      ['openai', '/v1/chat/completions', 'gpt-4o-mini'],
      ['openai', '/v1/chat/completions', 'gpt-4o-mini'],
    ]);
    const messages = server.requests[1]?.body['messages'] as Array<{ role: string; content: unknown; tool_call_id?: string }>;
    expect(messages.at(-1)).toMatchObject({ role: 'tool', content: 'via gateway' });
  });

  it('streams on the OpenAI wire, and classifies a 403 as non-retryable', async () => {
    server.enqueue({ text: 'Streamed from the gateway.' }, { error: { status: 403, message: 'Your key may not use this model' } });
    const { deltas, error } = await app.run(async () => {
      const llm = await new Agent({ name: 'gateway-stream' }).attachLlm(GatewayLLM);
      const seen: string[] = [];
      for await (const delta of llm.generateStream('Hi')) seen.push(delta);
      return { deltas: seen, error: await llm.generate('Again').catch((caught: unknown) => caught) };
    });
    expect(deltas.join('')).toBe('Streamed from the gateway.');
    expect(WorkflowApplicationError.is(error) && error.type).toBe('PermissionDeniedError');
    expect((error as WorkflowApplicationError).nonRetryable).toBe(true);
    expect((error as WorkflowApplicationError).message).toMatch(
      /^gateway: 403 PermissionDeniedError: Your key may not use this model \(model "gpt-4o-mini": check that the key may use this model; the key is gateway\.api_key/,
    );
    expect(server.requests).toHaveLength(2);
  });

  it('runs a tool loop on the Anthropic wire, retrying a 529 overloaded answer', async () => {
    server.enqueue({ error: { status: 529, message: 'Overloaded' } }, replyCalling('test_echo', { text: 'via claude' }, { inputTokens: 20, outputTokens: 4 }), {
      text: 'Claude heard: via claude',
      usage: { inputTokens: 40, outputTokens: 8 },
    });
    const { text, usage } = await app.run(async () => {
      const llm = await new Agent({ name: 'claude-agent', serverNames: ['test'] }).attachLlm(ClaudeLLM);
      return { text: await llm.generateStr('Echo please'), usage: { ...llm.usage } };
    });
    expect(text).toBe('Claude heard: via claude');
    // claude-sonnet-4 from the built-in price table: 3 USD and 15 USD per million.
    expect(usage).toEqual({ calls: 2, inputTokens: 60, outputTokens: 12, totalTokens: 72, costUsd: 0.00036 });
    expect(server.requests.map((request) => [request.provider, request.path])).toEqual([
      ['anthropic', '/v1/messages'],
      ['anthropic', '/v1/messages'],
      ['anthropic', '/v1/messages'],
    ]);
    const messages = server.requests[2]?.body['messages'] as Array<{ role: string; content: Array<Record<string, unknown>> }>;
    expect(messages.at(-1)?.content[0]).toMatchObject({ type: 'tool_result', content: 'via claude' });
  });

  it('asks for one tool call at a time when parallelToolCalls is false', async () => {
    server.enqueue({ text: 'one at a time' }, { text: 'as many as it likes' });
    await app.run(async () => {
      const llm = await new Agent({ name: 'serial', serverNames: ['test'] }).attachLlm(GatewayLLM);
      await llm.generate('Hi', { parallelToolCalls: false });
      await llm.generate('Hi again');
    });
    expect(server.requests[0]?.body['parallel_tool_calls']).toBe(false);
    expect(server.requests[1]?.body).not.toHaveProperty('parallel_tool_calls');
  });

  it('rejects a factory that returns no AI SDK model, naming the provider', async () => {
    const broken = aiSdkProvider({ name: 'broken', model: () => ({}) as never, defaultModel: 'x' });
    const error = await broken.complete({ provider: 'broken', messages: [{ role: 'user', content: 'Hi' }] }, { settings: parseSettings({}) }).catch((caught: unknown) => caught);
    expect(WorkflowApplicationError.is(error) && error.nonRetryable).toBe(true);
    expect((error as Error).message).toBe('broken: the model factory returned object for "x", not an AI SDK language model');
  });
});

describe('GoogleAugmentedLLM inside a workflow', () => {
  it('runs each round trip as the task llm.google.complete, through a tool loop', async () => {
    server.enqueue(replyCalling('test_echo', { text: 'from a workflow' }, { inputTokens: 20, outputTokens: 4 }), {
      text: 'The workflow heard: from a workflow',
      usage: { inputTokens: 40, outputTokens: 8 },
    });
    const outcome = await app.run(async ({ executor }) => (await executor.executeWorkflow(AskWorkflow, { prompt: 'Echo please', servers: ['test'] })).value);
    expect(outcome).toEqual({ text: 'The workflow heard: from a workflow', iterations: 2, calls: 2, totalTokens: 72 });
    expect(server.requests).toHaveLength(2);
  });

  it.each([
    { status: 400, type: 'BadRequestError' },
    { status: 401, type: 'AuthenticationError' },
    { status: 403, type: 'PermissionDeniedError' },
    { status: 404, type: 'NotFoundError' },
  ])('fails at attempt 1 on $status ($type): not retryable', async ({ status, type }) => {
    server.enqueue({ error: { status, message: `scripted ${status}` } }, { text: 'a retry would get this' });
    const outcome = await app.run(async ({ executor }) => (await executor.executeWorkflow(AskWorkflow, { prompt: 'Hi' })).value);
    expect(outcome?.failure).toMatchObject({ taskName: 'llm.google.complete', attempts: 1, type, nonRetryable: true });
    expect(outcome?.failure?.message).toMatch(new RegExp(`^google: ${status} ${type}: scripted ${status}`));
    expect(outcome?.failure?.message).toContain(`[POST ${server.googleBaseUrl}/models/gemini-2.5-flash:generateContent]`);
    expect(server.requests).toHaveLength(1);
  });

  it('retries a 429 with the retry-after wait in the details, and recovers', async () => {
    server.enqueue({ error: { status: 429, retryAfterSeconds: 0 } }, { text: 'after the rate limit' });
    const recovered = await app.run(async ({ executor }) => (await executor.executeWorkflow(AskWorkflow, { prompt: 'Hi' })).value);
    expect(recovered?.text).toBe('after the rate limit');
    expect(server.requests).toHaveLength(2);

    server.reset();
    server.enqueue({ error: { status: 429, retryAfterSeconds: 0.5 } }, { error: { status: 429, retryAfterSeconds: 2 } });
    const failed = await app.run(async ({ executor }) => (await executor.executeWorkflow(AskWorkflow, { prompt: 'Hi' })).value);
    expect(failed?.failure).toMatchObject({ attempts: 2, type: 'RateLimitError', nonRetryable: false });
    expect(failed?.failure?.details[0]).toMatchObject({ status: 429, retryAfterMilliseconds: 2000 });
  });

  it('retries a 5xx and a malformed 200, and succeeds on the next attempt', async () => {
    server.enqueue({ error: { status: 503, message: 'The model is overloaded' } }, { text: 'recovered' });
    expect((await app.run(async ({ executor }) => (await executor.executeWorkflow(AskWorkflow, { prompt: 'Hi' })).value))?.text).toBe('recovered');

    server.reset();
    server.enqueue({ malformedBody: '{"candidates": [' }, { malformedBody: '{"candidates": "nope"}' });
    const failed = await app.run(async ({ executor }) => (await executor.executeWorkflow(AskWorkflow, { prompt: 'Hi' })).value);
    expect(failed?.failure).toMatchObject({ attempts: 2, type: 'MalformedResponseError', nonRetryable: false });
    expect(failed?.failure?.message).toMatch(/^google: the response for model gemini-2.5-flash from .* is not the answer the API defines/);
  });

  it('retries a connection failure (APIConnectionError)', async () => {
    const closedPort = await freePort();
    const unreachable = new MCPApp({
      name: 'google-unreachable',
      settings: { ...settings, google: { api_key: TEST_KEY, base_url: `http://127.0.0.1:${closedPort}/v1beta` } },
      logger,
      engines: { asyncio: createAsyncioEngine() },
      llmProviders: [googleProvider],
    });
    unreachable.registerWorkflow(AskWorkflow);
    const outcome = await unreachable.run(async ({ executor }) => (await executor.executeWorkflow(AskWorkflow, { prompt: 'Hi' })).value);
    expect(outcome?.failure).toMatchObject({ attempts: 2, type: 'APIConnectionError', nonRetryable: false });
    expect(outcome?.failure?.message).toBe(
      `google: APIConnectionError: could not reach http://127.0.0.1:${closedPort}/v1beta/models/gemini-2.5-flash:generateContent for model gemini-2.5-flash (ECONNREFUSED)`,
    );
  });

  it('names google.api_key when there is no key, and does not retry', async () => {
    const keyless = new MCPApp({
      name: 'google-keyless',
      settings: { ...settings, google: { base_url: server.googleBaseUrl } },
      logger,
      engines: { asyncio: createAsyncioEngine() },
      llmProviders: [createGoogleProvider({ environment: {} })],
    });
    keyless.registerWorkflow(AskWorkflow);
    const outcome = await keyless.run(async ({ executor }) => (await executor.executeWorkflow(AskWorkflow, { prompt: 'Hi' })).value);
    expect(outcome?.failure).toMatchObject({ attempts: 1, type: 'AI_LoadAPIKeyError', nonRetryable: true });
    expect(outcome?.failure?.message).toMatch(/^google: .*API key is missing.* \(set google\.api_key in mcp_agent\.secrets\.yaml, or GOOGLE_API_KEY\)$/);
    expect(server.requests).toHaveLength(0);
  });

  it('hands the task the neutral request, never the key or a model object', async () => {
    const taskInputs: unknown[] = [];
    const recording: LlmProvider = {
      name: 'google',
      complete: (request, context) => {
        taskInputs.push(structuredClone(request));
        return googleProvider.complete(request, context);
      },
      stream: (request, context, onText) => googleProvider.stream(request, context, onText),
    };
    const recorded = new MCPApp({ name: 'google-recorded', settings, logger, engines: { asyncio: createAsyncioEngine() }, llmProviders: [recording] });
    recorded.registerWorkflow(AskWorkflow);
    server.enqueue({ text: 'private' });
    const outcome = await recorded.run(async ({ executor }) => (await executor.executeWorkflow(AskWorkflow, { prompt: 'Hi' })).value);
    expect(outcome?.text).toBe('private');
    expect(taskInputs).toHaveLength(1);
    const request = taskInputs[0] as LlmRequest;
    for (const key of Object.keys(request)) {
      expect(['provider', 'model', 'messages', 'tools', 'maxTokens', 'temperature', 'stopSequences', 'parallelToolCalls', 'responseFormat']).toContain(key);
    }
    expect(request.provider).toBe('google');
    expect(JSON.stringify(request)).not.toContain(TEST_KEY);
  });
});
