// OpenAIAugmentedLLM as users run it: an MCPApp on the in-process engine, an Agent over the real MCP
// test server (stdio), and the real openai SDK against the local wire-protocol server.
import { Agent, createLogger, MCPApp, TaskFailedError, Workflow, WorkflowApplicationError, WorkflowResult, type GenerateResult, type ModelPreferences } from '@mcp-agent/core';
import type { LlmProvider, LlmRequest } from '@mcp-agent/core/engine';
import type { SettingsInput } from '@mcp-agent/core/config';
import { createAsyncioEngine } from '@mcp-agent/executor-asyncio';
import { mcpTestServerStdioCommand, startLocalLlmServer, type LlmReply } from '@mcp-agent/testing';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createOpenAIProvider, llmProvider, OpenAIAugmentedLLM } from './index.js';

const TEST_KEY = 'test-key-3f9c2a7d';
const server = await startLocalLlmServer();
const testServer = mcpTestServerStdioCommand();

const settings: SettingsInput = {
  openai: { api_key: TEST_KEY, base_url: server.openaiBaseUrl },
  workflow_task_retry_policies: { 'llm.*': { maximum_attempts: 2, initial_interval: 0.01 } },
  mcp: { servers: { test: { command: testServer.command, args: testServer.args } } },
};

/** Retries are asserted through outcomes; their warnings would only clutter the test output. */
const logger = createLogger({ transports: ['none'] });

const app = new MCPApp({ name: 'openai-llm-tests', settings, logger, engines: { asyncio: createAsyncioEngine() }, llmProviders: [llmProvider] });

/** What AskWorkflow reports: the answer, or how the model round trip's task failed. */
interface AskOutcome {
  text?: string;
  iterations?: number;
  calls?: number;
  totalTokens?: number;
  failure?: { taskName: string; attempts: number; type: string; nonRetryable: boolean; message: string; details: unknown[] };
}

/** Asks the model from inside a workflow, where each round trip is the task `llm.openai.complete`. */
@app.workflow
class AskWorkflow extends Workflow<AskOutcome> {
  @app.workflowRun
  async run(input: { prompt: string; servers?: string[]; model?: string; modelPreferences?: ModelPreferences }): Promise<WorkflowResult<AskOutcome>> {
    const agent = new Agent({ name: 'asker', instruction: 'Answer briefly.', serverNames: input.servers ?? [] });
    const llm = await agent.attachLlm(OpenAIAugmentedLLM);
    try {
      const result = await llm.generate(input.prompt, {
        ...(input.model === undefined ? {} : { model: input.model }),
        ...(input.modelPreferences === undefined ? {} : { modelPreferences: input.modelPreferences }),
      });
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

type ChatMessage = { role: string; content?: unknown; tool_calls?: Array<{ id: string; type: string; function: { name: string; arguments: string } }>; tool_call_id?: string };

function messagesOf(index: number): ChatMessage[] {
  const request = server.requests[index];
  if (request === undefined) throw new Error(`no request ${index}; the server got ${server.requests.length}`);
  return request.body['messages'] as ChatMessage[];
}

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  server.reset();
});

describe('OpenAIAugmentedLLM outside a workflow', () => {
  it('runs a tool loop over the real MCP test server: the model asks test_echo, the next request carries the result', async () => {
    server.enqueue(
      { toolCalls: [{ id: 'call_echo_1', name: 'test_echo', arguments: { text: 'hello from the tool' } }], usage: { inputTokens: 30, outputTokens: 5 } },
      { text: 'The tool said: hello from the tool', usage: { inputTokens: 50, outputTokens: 9 } },
    );
    const result = await app.run(async () => {
      const agent = new Agent({ name: 'echoer', instruction: 'Use the tools.', serverNames: ['test'] });
      const llm = await agent.attachLlm(OpenAIAugmentedLLM);
      const generated = await llm.generate('Echo "hello from the tool"');
      return { generated, usage: { ...llm.usage } };
    });
    expect(result.generated.text).toBe('The tool said: hello from the tool');
    expect(result.generated.stopReason).toBe('end_turn');
    expect(result.generated.iterations).toBe(2);
    // gpt-4o-mini: 80 input tokens at 0.15 USD and 14 output tokens at 0.60 USD per million.
    expect(result.usage).toEqual({ calls: 2, inputTokens: 80, outputTokens: 14, totalTokens: 94, costUsd: 0.0000204 });
    expect(server.requests).toHaveLength(2);

    const first = server.requests[0]?.body as Record<string, unknown>;
    expect(first['model']).toBe('gpt-4o-mini');
    expect(first['parallel_tool_calls']).toBe(true);
    const tools = first['tools'] as Array<{ type: string; function: { name: string; parameters: Record<string, unknown> } }>;
    const echo = tools.find((tool) => tool.function.name === 'test_echo');
    expect(echo?.type).toBe('function');
    expect(echo?.function.parameters).toMatchObject({ type: 'object', properties: { text: { type: 'string' } } });
    expect(messagesOf(0)).toEqual([
      { role: 'system', content: 'Use the tools.' },
      { role: 'user', content: 'Echo "hello from the tool"' },
    ]);

    const second = messagesOf(1);
    expect(second.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'tool']);
    expect(second[2]?.tool_calls).toEqual([{ id: 'call_echo_1', type: 'function', function: { name: 'test_echo', arguments: '{"text":"hello from the tool"}' } }]);
    expect(second[3]).toEqual({ role: 'tool', tool_call_id: 'call_echo_1', content: 'hello from the tool' });
  });

  it('runs parallel tool calls and sends every result back in order', async () => {
    server.enqueue(
      {
        toolCalls: [
          { id: 'call_a', name: 'test_echo', arguments: { text: 'first' } },
          { id: 'call_b', name: 'test_add', arguments: { a: 2, b: 3 } },
        ],
      },
      { text: 'first, and 5' },
    );
    const text = await app.run(async () => {
      const llm = await new Agent({ name: 'parallel', serverNames: ['test'] }).attachLlm(OpenAIAugmentedLLM);
      return llm.generateStr('Do both');
    });
    expect(text).toBe('first, and 5');
    const tools = messagesOf(1).filter((message) => message.role === 'tool');
    expect(tools).toEqual([
      { role: 'tool', tool_call_id: 'call_a', content: 'first' },
      { role: 'tool', tool_call_id: 'call_b', content: expect.stringContaining('5') },
    ]);
  });

  it('sends parallel_tool_calls: false when asked, and leaves it out without tools', async () => {
    server.enqueue({ text: 'one at a time' }, { text: 'no tools here' });
    await app.run(async () => {
      const withTools = await new Agent({ name: 'serial', serverNames: ['test'] }).attachLlm(OpenAIAugmentedLLM);
      await withTools.generate('Hi', { parallelToolCalls: false, maxTokens: 64, temperature: 0.2, stopSequences: ['END'] });
      const withoutTools = await new Agent({ name: 'plain' }).attachLlm(OpenAIAugmentedLLM);
      await withoutTools.generate('Hi');
    });
    expect(server.requests[0]?.body).toMatchObject({ parallel_tool_calls: false, max_completion_tokens: 64, temperature: 0.2, stop: ['END'] });
    expect(server.requests[0]?.body).not.toHaveProperty('max_tokens');
    expect(server.requests[1]?.body).not.toHaveProperty('parallel_tool_calls');
    expect(server.requests[1]?.body).not.toHaveProperty('tools');
  });

  it('turns an image in a tool result into a text note', async () => {
    server.enqueue(replyCalling('test_image', {}), { text: 'a tiny image' });
    await app.run(async () => {
      const llm = await new Agent({ name: 'viewer', serverNames: ['test'] }).attachLlm(OpenAIAugmentedLLM);
      await llm.generate('Show me');
    });
    const tool = messagesOf(1).find((message) => message.role === 'tool');
    expect(typeof tool?.content).toBe('string');
    expect(tool?.content).toContain('[an image (image/png');
  });

  it('returns structured output matching a zod schema, asking for json_schema (strict when the schema allows it)', async () => {
    const Weather = z.object({ city: z.string(), temperature: z.number() });
    const Loose = z.object({ city: z.string(), note: z.string().optional() });
    server.enqueue({ text: '{"city":"Paris","temperature":21}' }, { text: '{"city":"Oslo"}' }, { text: 'not json' });
    const { weather, loose, failure } = await app.run(async () => {
      const llm = await new Agent({ name: 'forecaster' }).attachLlm(OpenAIAugmentedLLM);
      return {
        weather: await llm.generateStructured('Weather in Paris?', Weather, { name: 'weather report' }),
        loose: await llm.generateStructured('Just the city', Loose),
        failure: await llm.generateStructured('Again', Weather).catch((error: unknown) => error),
      };
    });
    expect(weather).toEqual({ city: 'Paris', temperature: 21 });
    expect(loose).toEqual({ city: 'Oslo' });
    const format = server.requests[0]?.body['response_format'] as { type: string; json_schema: { name: string; strict: boolean; schema: Record<string, unknown> } };
    expect(format.type).toBe('json_schema');
    expect(format.json_schema.name).toBe('weather_report');
    expect(format.json_schema.strict).toBe(true);
    expect(format.json_schema.schema).toMatchObject({ type: 'object', required: ['city', 'temperature'], additionalProperties: false });
    expect(format.json_schema.schema).not.toHaveProperty('$schema');
    expect((server.requests[1]!.body['response_format'] as typeof format).json_schema.strict).toBe(false);
    expect(WorkflowApplicationError.is(failure) && failure.type).toBe('StructuredOutputError');
  });

  it('streams text deltas and returns the same result, with usage from the final chunk', async () => {
    server.enqueue({ text: 'Streaming is a way of saying things piece by piece.', usage: { inputTokens: 12, outputTokens: 11 } });
    const { deltas, result, usage } = await app.run(async () => {
      const llm = await new Agent({ name: 'streamer' }).attachLlm(OpenAIAugmentedLLM);
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
    expect(usage).toEqual({ calls: 1, inputTokens: 12, outputTokens: 11, totalTokens: 23, costUsd: 0.0000084 });
    expect(server.requests[0]?.stream).toBe(true);
    expect(server.requests[0]?.body['stream_options']).toEqual({ include_usage: true });
  });

  it('classifies an error answer to a streamed request like any other, retrying a 429 by the llm.* policy', async () => {
    const rateLimited = { error: { status: 429, message: 'Slow down', retryAfterSeconds: 1 } };
    server.enqueue(rateLimited, rateLimited);
    const error = await app.run(async () => {
      const llm = await new Agent({ name: 'streamer' }).attachLlm(OpenAIAugmentedLLM);
      const stream = llm.generateStream('Hi');
      return stream.next().catch((caught: unknown) => caught);
    });
    expect(WorkflowApplicationError.is(error) && error.type).toBe('RateLimitError');
    expect((error as WorkflowApplicationError).details[0]).toMatchObject({ retryAfterMilliseconds: 1000 });
    expect((error as WorkflowApplicationError).message).toBe('openai: 429 RateLimitError: Slow down');
    // maximum_attempts is 2 for llm.* here; the second attempt came after the requested second.
    expect(server.requests).toHaveLength(2);
    expect((server.requests[1]?.time.getTime() ?? 0) - (server.requests[0]?.time.getTime() ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('reassembles streamed tool calls from their deltas and runs them', async () => {
    server.enqueue({ toolCalls: [{ id: 'call_streamed', name: 'test_echo', arguments: { text: 'assembled from fragments' } }] }, { text: 'Done.' });
    const { deltas, result } = await app.run(async () => {
      const llm = await new Agent({ name: 'stream-tools', serverNames: ['test'] }).attachLlm(OpenAIAugmentedLLM);
      const seen: string[] = [];
      const stream = llm.generateStream('Echo while streaming');
      let next = await stream.next();
      while (next.done !== true) {
        seen.push(next.value);
        next = await stream.next();
      }
      return { deltas: seen, result: next.value as GenerateResult };
    });
    expect(deltas.join('')).toBe('Done.');
    expect(result.iterations).toBe(2);
    expect(messagesOf(1).find((message) => message.role === 'tool')).toEqual({ role: 'tool', tool_call_id: 'call_streamed', content: 'assembled from fragments' });
    expect(messagesOf(1).find((message) => message.role === 'assistant')?.tool_calls?.[0]?.function.arguments).toBe('{"text":"assembled from fragments"}');
  });

  it('sends the history on the next call when useHistory is on, and only the new message when it is off', async () => {
    server.enqueue({ text: 'one' }, { text: 'two' }, { text: 'three' }, { text: 'four' });
    await app.run(async () => {
      const remembering = await new Agent({ name: 'remembering', instruction: 'Be brief.' }).attachLlm(OpenAIAugmentedLLM);
      await remembering.generate('First');
      await remembering.generate('Second');
      const forgetful = await new Agent({ name: 'forgetful', instruction: 'Be brief.' }).attachLlm(OpenAIAugmentedLLM);
      await forgetful.generate('First', { useHistory: false });
      await forgetful.generate('Second', { useHistory: false });
    });
    expect(messagesOf(1).map((message) => [message.role, message.content])).toEqual([
      ['system', 'Be brief.'],
      ['user', 'First'],
      ['assistant', 'one'],
      ['user', 'Second'],
    ]);
    expect(messagesOf(3).map((message) => [message.role, message.content])).toEqual([
      ['system', 'Be brief.'],
      ['user', 'Second'],
    ]);
  });

  it('stops after maxIterations round trips with stopReason max_iterations', async () => {
    server.addRule({ match: () => true, reply: replyCalling('test_echo', { text: 'again' }) });
    const result = await app.run(async () => {
      const llm = await new Agent({ name: 'looper', serverNames: ['test'] }).attachLlm(OpenAIAugmentedLLM);
      return llm.generate('Loop forever', { maxIterations: 3 });
    });
    expect(result.stopReason).toBe('max_iterations');
    expect(result.iterations).toBe(3);
    expect(server.requests).toHaveLength(3);
  });

  it('feeds invalid JSON arguments and an unknown tool back to the model as tool errors', async () => {
    server.enqueue(
      {
        toolCalls: [
          { id: 'call_bad_json', name: 'test_echo', arguments: '{"text": "unterminated' },
          { id: 'call_unknown', name: 'test_teleport', arguments: { to: 'Mars' } },
        ],
      },
      { text: 'Sorry, let me fix that.' },
    );
    const text = await app.run(async () => {
      const llm = await new Agent({ name: 'clumsy', serverNames: ['test'] }).attachLlm(OpenAIAugmentedLLM);
      return llm.generateStr('Try the tools');
    });
    expect(text).toBe('Sorry, let me fix that.');
    const assistant = messagesOf(1).find((message) => message.role === 'assistant');
    expect(assistant?.tool_calls?.[0]?.function.arguments).toBe('{"text": "unterminated');
    const results = messagesOf(1).filter((message) => message.role === 'tool');
    expect(results[0]).toMatchObject({ tool_call_id: 'call_bad_json' });
    expect(results[0]?.content).toMatch(/^Error: the arguments of test_echo are not valid JSON/);
    expect(results[1]).toMatchObject({ tool_call_id: 'call_unknown' });
    expect(results[1]?.content).toMatch(/^Error: there is no tool "test_teleport"; the tools are: .*test_echo/);
  });

  it('raises a provider error at once outside a workflow, without retrying and without the key', async () => {
    server.enqueue({ error: { status: 401, message: 'Incorrect API key provided: test-key-3f9c2a7d.' } });
    const error = await app.run(async () => {
      const llm = await new Agent({ name: 'unauthorised' }).attachLlm(OpenAIAugmentedLLM);
      return llm.generate('Hi').catch((caught: unknown) => caught);
    });
    expect(WorkflowApplicationError.is(error)).toBe(true);
    const failure = error as WorkflowApplicationError;
    expect(failure.type).toBe('AuthenticationError');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe('openai: 401 AuthenticationError: Incorrect API key provided: [redacted]. (check openai.api_key in mcp_agent.secrets.yaml or OPENAI_API_KEY)');
    expect(JSON.stringify({ message: failure.message, details: failure.details, cause: String(failure.cause) })).not.toContain(TEST_KEY);
    expect(server.requests).toHaveLength(1);
  });
});

describe('OpenAIAugmentedLLM inside a workflow', () => {
  it('runs each round trip as the task llm.openai.complete, through a tool loop', async () => {
    server.enqueue(replyCalling('test_echo', { text: 'from a workflow' }, { inputTokens: 20, outputTokens: 4 }), {
      text: 'The workflow heard: from a workflow',
      usage: { inputTokens: 40, outputTokens: 8 },
    });
    const outcome = await app.run(async ({ executor }) => (await executor.executeWorkflow(AskWorkflow, { prompt: 'Echo please', servers: ['test'] })).value);
    expect(outcome).toEqual({ text: 'The workflow heard: from a workflow', iterations: 2, calls: 2, totalTokens: 72 });
    expect(server.requests).toHaveLength(2);
    expect(messagesOf(1).at(-1)).toMatchObject({ role: 'tool', content: 'from a workflow' });
  });

  it("chooses the model of each round trip by the workflow's modelPreferences, on the worker, with tool calling when it offers tools", async () => {
    server.enqueue({ text: 'cheap answer' });
    server.enqueue(replyCalling('test_echo', { text: 'bright' }), { text: 'bright answer' });
    const ask = (input: { prompt: string; servers?: string[]; modelPreferences: ModelPreferences }) =>
      app.run(async ({ executor }) => (await executor.executeWorkflow(AskWorkflow, input)).value);
    expect((await ask({ prompt: 'Hi', modelPreferences: { costPriority: 1 } }))?.text).toBe('cheap answer');
    expect((await ask({ prompt: 'Echo', servers: ['test'], modelPreferences: { intelligencePriority: 1, hints: [{ name: 'gpt-4.1' }] } }))?.text).toBe('bright answer');
    // Cheapest of OpenAI's; then the most capable of those the hint names (gpt-4.1, -mini, -nano), for both rounds.
    expect(server.requests.map((request) => request.body['model'])).toEqual(['gpt-5-nano', 'gpt-4.1-mini', 'gpt-4.1-mini']);
  });

  it.each([
    { status: 401, type: 'AuthenticationError', hint: 'check openai.api_key in mcp_agent.secrets.yaml or OPENAI_API_KEY' },
    { status: 403, type: 'PermissionDeniedError', hint: 'model "gpt-4o-mini"; check the key\'s project, organisation and model access' },
    { status: 400, type: 'BadRequestError', hint: '' },
    { status: 404, type: 'NotFoundError', hint: 'model "gpt-nonexistent": check the model name and openai.base_url' },
    { status: 422, type: 'UnprocessableEntityError', hint: '' },
  ])('fails at attempt 1 on $status ($type): not retryable', async ({ status, type, hint }) => {
    server.enqueue({ error: { status, message: `scripted ${status}` } }, { text: 'a retry would get this' });
    const outcome = await app.run(async ({ executor }) => (await executor.executeWorkflow(AskWorkflow, { prompt: 'Hi', ...(status === 404 ? { model: 'gpt-nonexistent' } : {}) })).value);
    expect(outcome?.failure).toMatchObject({ taskName: 'llm.openai.complete', attempts: 1, type, nonRetryable: true });
    expect(outcome?.failure?.message).toBe(`openai: ${status} ${type}: scripted ${status}${hint === '' ? '' : ` (${hint})`}`);
    expect(outcome?.failure?.message).not.toContain(TEST_KEY);
    expect(server.requests).toHaveLength(1);
  });

  it('retries a 429 under the llm.* policy, with the retry-after wait in the details', async () => {
    server.enqueue({ error: { status: 429, message: 'Rate limit reached', retryAfterSeconds: 1.5 } }, { error: { status: 429, retryAfterSeconds: 2 } });
    const failed = await app.run(async ({ executor }) => (await executor.executeWorkflow(AskWorkflow, { prompt: 'Hi' })).value);
    expect(failed?.failure).toMatchObject({ attempts: 2, type: 'RateLimitError', nonRetryable: false });
    expect(failed?.failure?.details[0]).toMatchObject({ status: 429, retryAfterMilliseconds: 2000 });
    expect(server.requests).toHaveLength(2);

    server.reset();
    server.enqueue({ error: { status: 429, retryAfterSeconds: 0 } }, { text: 'after the rate limit' });
    const recovered = await app.run(async ({ executor }) => (await executor.executeWorkflow(AskWorkflow, { prompt: 'Hi' })).value);
    expect(recovered?.text).toBe('after the rate limit');
    expect(server.requests).toHaveLength(2);
  });

  it('retries a 500 and succeeds on the next attempt; gives up after maximum_attempts', async () => {
    server.enqueue({ error: { status: 500 } }, { text: 'recovered' });
    const recovered = await app.run(async ({ executor }) => (await executor.executeWorkflow(AskWorkflow, { prompt: 'Hi' })).value);
    expect(recovered?.text).toBe('recovered');
    expect(server.requests).toHaveLength(2);

    server.reset();
    server.enqueue({ error: { status: 503 } }, { error: { status: 500, message: 'still down' } });
    const failed = await app.run(async ({ executor }) => (await executor.executeWorkflow(AskWorkflow, { prompt: 'Hi' })).value);
    expect(failed?.failure).toMatchObject({ attempts: 2, type: 'InternalServerError', nonRetryable: false, message: 'openai: 500 InternalServerError: still down' });
  });

  it('retries a connection failure (APIConnectionError)', async () => {
    const closedPort = await freePort();
    const unreachable = new MCPApp({
      name: 'openai-unreachable',
      settings: { ...settings, openai: { api_key: TEST_KEY, base_url: `http://127.0.0.1:${closedPort}/v1` } },
      logger,
      engines: { asyncio: createAsyncioEngine() },
      llmProviders: [llmProvider],
    });
    unreachable.registerWorkflow(AskWorkflow);
    const outcome = await unreachable.run(async ({ executor }) => (await executor.executeWorkflow(AskWorkflow, { prompt: 'Hi' })).value);
    expect(outcome?.failure).toMatchObject({ attempts: 2, type: 'APIConnectionError', nonRetryable: false });
    expect(outcome?.failure?.message).toBe(`openai: APIConnectionError: Connection error (ECONNREFUSED)`);
  });

  it('aborts the HTTP request when a task attempt times out (the task signal reaches the SDK)', async () => {
    const proxy = await startCapturingProxy(server.url);
    try {
      const impatient = new MCPApp({
        name: 'openai-impatient',
        settings: {
          ...settings,
          openai: { api_key: TEST_KEY, base_url: `${proxy.url}/v1` },
          temporal: { timeout_seconds: 0.3 },
          workflow_task_retry_policies: { 'llm.*': { maximum_attempts: 1 } },
        },
        logger,
        engines: { asyncio: createAsyncioEngine() },
        llmProviders: [llmProvider],
      });
      impatient.registerWorkflow(AskWorkflow);
      server.enqueue({ text: 'too late', delayMilliseconds: 10_000 });
      const started = Date.now();
      const outcome = await impatient.run(async ({ executor }) => (await executor.executeWorkflow(AskWorkflow, { prompt: 'Hi' })).value);
      expect(outcome?.failure).toMatchObject({ attempts: 1, type: 'TimeoutError' });
      await expect.poll(() => proxy.requests[0]?.clientClosedEarly, { timeout: 2_000 }).toBe(true);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await proxy.close();
    }
  });

  it('names openai.api_key and OPENAI_API_KEY in one line when there is no key, and does not retry', async () => {
    const keyless = new MCPApp({
      name: 'openai-keyless',
      settings: { ...settings, openai: { base_url: server.openaiBaseUrl } },
      logger,
      engines: { asyncio: createAsyncioEngine() },
      llmProviders: [createOpenAIProvider({ environment: {} })],
    });
    keyless.registerWorkflow(AskWorkflow);
    const outcome = await keyless.run(async ({ executor }) => (await executor.executeWorkflow(AskWorkflow, { prompt: 'Hi' })).value);
    expect(outcome?.failure).toMatchObject({ attempts: 1, type: 'MissingApiKeyError', nonRetryable: true });
    expect(outcome?.failure?.message).toBe('openai: no API key; set openai.api_key in mcp_agent.secrets.yaml or the OPENAI_API_KEY environment variable');
    expect(server.requests).toHaveLength(0);
  });

  it('hands the task the neutral request, never the key; the key travels only in the Authorization header', async () => {
    const taskInputs: unknown[] = [];
    const recording: LlmProvider = {
      name: 'openai',
      complete: (request, context) => {
        taskInputs.push(request);
        return llmProvider.complete(request, context);
      },
      stream: (request, context, onText) => llmProvider.stream(request, context, onText),
    };
    const proxy = await startCapturingProxy(server.url);
    try {
      const recorded = new MCPApp({
        name: 'openai-recorded',
        settings: { ...settings, openai: { api_key: TEST_KEY, base_url: `${proxy.url}/v1` } },
        logger,
        engines: { asyncio: createAsyncioEngine() },
        llmProviders: [recording],
      });
      recorded.registerWorkflow(AskWorkflow);
      server.enqueue({ text: 'private' });
      const outcome = await recorded.run(async ({ executor }) => (await executor.executeWorkflow(AskWorkflow, { prompt: 'Hi' })).value);
      expect(outcome?.text).toBe('private');
    } finally {
      await proxy.close();
    }
    expect(taskInputs).toHaveLength(1);
    const request = taskInputs[0] as LlmRequest;
    expect(Object.keys(request).sort()).toEqual(expect.arrayContaining(['messages', 'provider']));
    for (const key of Object.keys(request)) {
      expect(['provider', 'model', 'messages', 'tools', 'maxTokens', 'temperature', 'stopSequences', 'parallelToolCalls', 'responseFormat']).toContain(key);
    }
    expect(JSON.stringify(request)).not.toContain(TEST_KEY);
    expect(proxy.requests[0]?.headers['authorization']).toBe(`Bearer ${TEST_KEY}`);
    expect(server.requests[0]?.headers['authorization']).toBe('[redacted]');
    expect(JSON.stringify(server.requests[0]?.body)).not.toContain(TEST_KEY);
  });
});

describe('configuration', () => {
  it('falls back to OPENAI_API_KEY and OPENAI_BASE_URL, and to default_model', async () => {
    const proxy = await startCapturingProxy(server.url);
    try {
      const fromEnvironment = new MCPApp({
        name: 'openai-env',
        settings: { openai: { default_model: 'gpt-from-config' } },
        logger,
        engines: { asyncio: createAsyncioEngine() },
        llmProviders: [createOpenAIProvider({ environment: { OPENAI_API_KEY: 'env-key-1234', OPENAI_BASE_URL: `${proxy.url}/v1` } })],
      });
      server.enqueue({ text: 'configured by the environment' });
      const text = await fromEnvironment.run(async () => (await new Agent({ name: 'env' }).attachLlm(OpenAIAugmentedLLM)).generateStr('Hi'));
      expect(text).toBe('configured by the environment');
    } finally {
      await proxy.close();
    }
    expect(proxy.requests[0]?.headers['authorization']).toBe('Bearer env-key-1234');
    expect(server.requests[0]?.model).toBe('gpt-from-config');
  });

  it.each([
    {
      shape: 'an azure section (the Python project shape)',
      section: (endpoint: string) => ({ azure: { endpoint, api_key: 'azure-key-5678', api_version: '2025-01-01-preview', azure_deployment: 'my-gpt-4o' } }),
      path: '/openai/deployments/my-gpt-4o/chat/completions',
      version: '2025-01-01-preview',
    },
    {
      shape: 'an azure section whose endpoint names the deployment',
      section: (endpoint: string) => ({ azure: { endpoint: `${endpoint}/openai/deployments/in-the-url`, api_key: 'azure-key-5678' } }),
      path: '/openai/deployments/in-the-url/chat/completions',
      version: '2024-10-21',
    },
    {
      shape: 'the openai section with azure_endpoint',
      section: (endpoint: string) => ({ openai: { azure_endpoint: endpoint, api_key: 'azure-key-5678', api_version: '2024-10-21', default_model: 'deployed-model' } }),
      path: '/openai/deployments/deployed-model/chat/completions',
      version: '2024-10-21',
    },
  ])('reaches Azure OpenAI configured by $shape, with the api-key header', async ({ section, path, version }) => {
    const proxy = await startCapturingProxy(server.url);
    try {
      const azure = new MCPApp({
        name: 'openai-azure',
        settings: section(proxy.url),
        logger,
        engines: { asyncio: createAsyncioEngine() },
        llmProviders: [createOpenAIProvider({ environment: {} })],
      });
      server.enqueue({ text: 'hello from Azure' });
      const text = await azure.run(async () => (await new Agent({ name: 'azure' }).attachLlm(OpenAIAugmentedLLM)).generateStr('Hi'));
      expect(text).toBe('hello from Azure');
    } finally {
      await proxy.close();
    }
    const request = proxy.requests[0];
    expect(request?.path).toBe(path);
    expect(request?.query.get('api-version')).toBe(version);
    expect(request?.headers['api-key']).toBe('azure-key-5678');
    expect(request?.headers['authorization']).toBeUndefined();
  });

  it('names the Azure deployment and the endpoint setting when Azure answers 404', async () => {
    const azure = new MCPApp({
      name: 'openai-azure-missing-deployment',
      settings: { azure: { endpoint: server.url, api_key: 'azure-key-5678', azure_deployment: 'no-such-deployment' } },
      logger,
      engines: { asyncio: createAsyncioEngine() },
      llmProviders: [createOpenAIProvider({ environment: {} })],
    });
    const error = await azure.run(async () => (await new Agent({ name: 'azure' }).attachLlm(OpenAIAugmentedLLM)).generate('Hi').catch((caught: unknown) => caught));
    expect(WorkflowApplicationError.is(error) && error.type).toBe('NotFoundError');
    // The local server's message names the deployment's path already, so the hint does not repeat it.
    expect((error as Error).message).toMatch(/^openai \(Azure\): 404 NotFoundError: .*no-such-deployment.* \(check the model name and azure.endpoint\)$/);
    expect(server.requests[0]?.path).toBe('/openai/deployments/no-such-deployment/chat/completions');
  });

  it('names the azure section and AZURE_OPENAI_API_KEY when an Azure key is missing', async () => {
    const azure = new MCPApp({
      name: 'openai-azure-keyless',
      settings: { azure: { endpoint: 'https://example.openai.azure.com' } },
      logger,
      engines: { asyncio: createAsyncioEngine() },
      llmProviders: [createOpenAIProvider({ environment: {} })],
    });
    const error = await azure.run(async () => (await new Agent({ name: 'azure' }).attachLlm(OpenAIAugmentedLLM)).generate('Hi').catch((caught: unknown) => caught));
    expect((error as Error).message).toBe('openai (Azure): no API key; set azure.api_key in mcp_agent.secrets.yaml or the AZURE_OPENAI_API_KEY environment variable');
  });
});

/** A port nothing listens on: one the system handed out and took back. */
async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

function replyCalling(name: string, args: unknown, usage?: LlmReply['usage']): LlmReply {
  return { toolCalls: [{ name, arguments: args }], ...(usage === undefined ? {} : { usage }) };
}

/** A request as the capturing proxy saw it: unredacted headers and the query. */
interface CapturedRequest {
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  /** Whether the client hung up before the answer was sent. */
  clientClosedEarly: boolean;
}

/**
 * A small HTTP proxy in front of the local LLM server that records what the SDK really sends (the
 * server itself redacts credentials) and maps Azure's deployment paths onto `/v1/chat/completions`.
 */
async function startCapturingProxy(target: string): Promise<{ url: string; requests: CapturedRequest[]; close(): Promise<void> }> {
  const { createServer } = await import('node:http');
  const requests: CapturedRequest[] = [];
  const proxy = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://proxy');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) if (typeof value === 'string') headers[name] = value;
    const captured: CapturedRequest = { path: url.pathname, query: url.searchParams, headers, clientClosedEarly: false };
    requests.push(captured);
    const upstream = new AbortController();
    response.on('close', () => {
      if (!response.writableFinished) {
        captured.clientClosedEarly = true;
        upstream.abort();
      }
    });
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = url.pathname.replace(/^\/openai\/deployments\/[^/]+/, '/v1');
      const forwarded = Object.fromEntries(Object.entries(headers).filter(([name]) => !['host', 'connection', 'content-length'].includes(name)));
      fetch(`${target}${path}`, { method: request.method, headers: forwarded, body: Buffer.concat(chunks), signal: upstream.signal })
        .then(async (answer) => {
          response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
          response.end(Buffer.from(await answer.arrayBuffer()));
        })
        .catch((error: unknown) => {
          if (!response.headersSent && !response.destroyed) response.writeHead(502).end(String(error));
        });
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        proxy.close(() => resolve());
        proxy.closeAllConnections();
      }),
  };
}
