// AnthropicAugmentedLLM as users run it: an MCPApp on the asyncio engine, a real MCP test server
// over stdio, and the real @anthropic-ai/sdk talking to the local wire-protocol server.
import {
  Agent,
  createLogger,
  MCPApp,
  messageOf,
  TaskFailedError,
  Workflow,
  WorkflowApplicationError,
  WorkflowResult,
  type AppContext,
  type LogRecord,
  type UsageTotals,
} from '@mcp-agent/core';
import { currentTaskContext, type LlmProvider } from '@mcp-agent/core/engine';
import type { SettingsInput } from '@mcp-agent/core/config';
import { createAsyncioEngine } from '@mcp-agent/executor-asyncio';
import { mcpTestServerStdioCommand, startLocalLlmServer, type LocalLlmServer, type RecordedLlmRequest } from '@mcp-agent/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AnthropicAugmentedLLM, createAnthropicProvider, llmProvider } from './index.js';

const API_KEY = 'test-key-0123456789';
const testServer = mcpTestServerStdioCommand();

interface Failure {
  taskName: string;
  attempts: number;
  type: string | undefined;
  nonRetryable: boolean | undefined;
  message: string;
  details: unknown[];
}
interface AskOutcome {
  text?: string;
  stopReason?: string;
  iterations?: number;
  usage?: UsageTotals;
  failure?: Failure;
}

/** The workflows, defined once; each test's app registers them. */
const definitions = new MCPApp({ name: 'anthropic-definitions' });

/** Asks the model through the tool loop inside a workflow; reports a failed round trip instead of failing. */
@definitions.workflow
class AskWorkflow extends Workflow<AskOutcome> {
  @definitions.workflowRun
  async run(input: { prompt: string }): Promise<WorkflowResult<AskOutcome>> {
    const agent = new Agent({ name: 'asker', instruction: 'Answer with the tools.', serverNames: ['test'] });
    const llm = await agent.attachLlm(AnthropicAugmentedLLM);
    try {
      const result = await llm.generate(input.prompt);
      return new WorkflowResult({ value: { text: result.text, stopReason: result.stopReason, iterations: result.iterations, usage: { ...llm.usage } } });
    } catch (error) {
      if (!TaskFailedError.is(error)) throw error;
      const cause = error.cause;
      const application = WorkflowApplicationError.is(cause) ? cause : undefined;
      return new WorkflowResult({
        value: {
          failure: {
            taskName: error.taskName,
            attempts: error.attempts,
            type: application?.type,
            nonRetryable: application?.nonRetryable,
            message: messageOf(cause),
            details: application?.details ?? [],
          },
        },
      });
    }
  }
}

let server: LocalLlmServer;
const logs: LogRecord[] = [];

beforeAll(async () => {
  server = await startLocalLlmServer();
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  server.reset();
  logs.length = 0;
});

function settings(overrides: SettingsInput = {}): SettingsInput {
  return {
    anthropic: { api_key: API_KEY, base_url: server.anthropicBaseUrl, default_model: 'claude-haiku-4-5' },
    workflow_task_retry_policies: { 'llm.*': { maximum_attempts: 2, initial_interval: 0.01 } },
    mcp: { servers: { test: { command: testServer.command, args: testServer.args } } },
    ...overrides,
  };
}

/** Runs `fn` inside `app.run` of a fresh app, as a user's program does. */
async function runApp<R>(fn: (context: AppContext) => Promise<R>, options: { settings?: SettingsInput; llmProviders?: LlmProvider[] | 'installed' } = {}): Promise<R> {
  const app = new MCPApp({
    name: 'anthropic-tests',
    settings: options.settings ?? settings(),
    engines: { asyncio: createAsyncioEngine() },
    // 'installed': the engine finds this package as it finds a user's installed providers.
    ...(options.llmProviders === 'installed' ? {} : { llmProviders: options.llmProviders ?? [llmProvider] }),
    logger: createLogger({ level: 'debug', sink: (record) => logs.push(record) }),
  });
  for (const definition of definitions.registry.workflows.values()) app.registry.addWorkflow(definition);
  return app.run(fn);
}

/** Runs AskWorkflow to its end and returns what it reports. */
async function ask(context: AppContext, prompt: string): Promise<AskOutcome> {
  const result = await context.executor.executeWorkflow(AskWorkflow, { prompt });
  if (result.value === undefined) throw new Error('AskWorkflow returned no value');
  return result.value;
}

async function attach(serverNames: string[] = ['test']): Promise<AnthropicAugmentedLLM> {
  const agent = new Agent({ name: 'helper', instruction: 'You are a careful assistant.', serverNames });
  return agent.attachLlm(AnthropicAugmentedLLM);
}

type Block = Record<string, unknown> & { type: string };
type WireMessage = { role: string; content: string | Block[] };

function wireMessages(request: RecordedLlmRequest | undefined): WireMessage[] {
  return (request?.body['messages'] ?? []) as WireMessage[];
}

function blocks(message: WireMessage | undefined): Block[] {
  if (message === undefined) return [];
  return typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
}

describe('the tool loop', () => {
  it('calls an MCP tool the model asks for, feeds back a tool_result, and adds up usage', async () => {
    server.enqueue(
      { text: 'Let me echo that.', toolCalls: [{ id: 'toolu_echo_1', name: 'test_echo', arguments: { text: 'ping' } }], usage: { inputTokens: 40, outputTokens: 7 } },
      { text: 'The server said ping.', usage: { inputTokens: 60, outputTokens: 5 } },
    );
    const { result, usage, history } = await runApp(async () => {
      const llm = await attach();
      const result = await llm.generate('Echo ping, please.');
      return { result, usage: { ...llm.usage }, history: [...llm.history] };
    });

    expect(result.text).toBe('The server said ping.');
    expect(result.stopReason).toBe('end_turn');
    expect(result.iterations).toBe(2);
    // The scripted model's name is in no price table: no cost.
    expect(usage).toEqual({ calls: 2, inputTokens: 100, outputTokens: 12, totalTokens: 112, costUsd: 0 });
    expect(result.usage).toEqual({ inputTokens: 100, outputTokens: 12, totalTokens: 112 });
    expect(history.map((message) => message.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);

    expect(server.requests).toHaveLength(2);
    const [first, second] = server.requests;
    expect(first?.path).toBe('/v1/messages');
    expect(first?.body['system']).toBe('You are a careful assistant.');
    expect(first?.body['model']).toBe('claude-haiku-4-5');
    expect(first?.body['max_tokens']).toBe(4096);
    expect(first?.body['tool_choice']).toBeUndefined();
    const tools = first?.body['tools'] as Array<{ name: string; description?: string; input_schema: Record<string, unknown> }>;
    const echo = tools.find((tool) => tool.name === 'test_echo');
    expect(echo?.description).toBe('Answers the text it is given.');
    expect(echo?.input_schema).toMatchObject({ type: 'object', properties: { text: { type: 'string' } } });
    expect(wireMessages(first)).toEqual([{ role: 'user', content: 'Echo ping, please.' }]);

    const messages = wireMessages(second);
    expect(messages.map((message) => message.role)).toEqual(['user', 'assistant', 'user']);
    expect(blocks(messages[1])).toEqual([
      { type: 'text', text: 'Let me echo that.' },
      { type: 'tool_use', id: 'toolu_echo_1', name: 'test_echo', input: { text: 'ping' } },
    ]);
    expect(blocks(messages[2])).toEqual([{ type: 'tool_result', tool_use_id: 'toolu_echo_1', content: 'ping' }]);
  });

  it('runs each round trip as the task llm.anthropic.complete inside a workflow, with no key in its input', async () => {
    const calls: Array<{ taskName: string | undefined; input: string; signal: boolean }> = [];
    const recording: LlmProvider = {
      name: 'anthropic',
      complete: (request, context) => {
        calls.push({ taskName: currentTaskContext()?.taskName, input: JSON.stringify(request), signal: context.signal instanceof AbortSignal });
        return llmProvider.complete(request, context);
      },
      stream: (request, context, onText) => llmProvider.stream(request, context, onText),
    };
    server.enqueue(
      { toolCalls: [{ name: 'test_add', arguments: { a: 2, b: 3 } }], usage: { inputTokens: 30, outputTokens: 4 } },
      { text: 'It is 5.', usage: { inputTokens: 50, outputTokens: 3 } },
    );
    const outcome = await runApp((context) => ask(context, 'What is 2 + 3?'), {
      llmProviders: [recording],
    });

    expect(outcome).toEqual({
      text: 'It is 5.',
      stopReason: 'end_turn',
      iterations: 2,
      usage: { calls: 2, inputTokens: 80, outputTokens: 7, totalTokens: 87, costUsd: 0 },
    });
    expect(calls.map((call) => call.taskName)).toEqual(['llm.anthropic.complete', 'llm.anthropic.complete']);
    expect(calls.every((call) => call.signal)).toBe(true);
    for (const call of calls) {
      expect(call.input).not.toContain(API_KEY);
      expect(JSON.parse(call.input)).toMatchObject({ provider: 'anthropic' });
    }
    expect(blocks(wireMessages(server.requests[1])[2])).toEqual([{ type: 'tool_result', tool_use_id: expect.stringMatching(/^toolu_local_/), content: '5' }]);
  });

  it('is found by the engine among the installed provider packages', async () => {
    server.enqueue({ text: 'loaded from the package' });
    const outcome = await runApp((context) => ask(context, 'Hi'), { llmProviders: 'installed' });

    expect(outcome.text).toBe('loaded from the package');
    expect(server.requests).toHaveLength(1);
  });

  it('runs parallel tool calls and returns their results in one user message', async () => {
    server.enqueue(
      {
        toolCalls: [
          { id: 'toolu_a', name: 'test_echo', arguments: { text: 'first' } },
          { id: 'toolu_b', name: 'test_add', arguments: { a: 1, b: 2 } },
          { id: 'toolu_c', name: 'test_fail', arguments: { message: 'broken on purpose' } },
        ],
      },
      { text: 'Done.' },
    );
    const text = await runApp(async () => (await attach()).generateStr('Do three things.'));

    expect(text).toBe('Done.');
    const messages = wireMessages(server.requests[1]);
    expect(messages.map((message) => message.role)).toEqual(['user', 'assistant', 'user']);
    expect(blocks(messages[2])).toEqual([
      { type: 'tool_result', tool_use_id: 'toolu_a', content: 'first' },
      { type: 'tool_result', tool_use_id: 'toolu_b', content: '3' },
      { type: 'tool_result', tool_use_id: 'toolu_c', content: 'broken on purpose', is_error: true },
    ]);
  });

  it('asks for one tool at a time when parallelToolCalls is false', async () => {
    server.enqueue({ text: 'Nothing to do.' });
    await runApp(async () => (await attach()).generate('Hello', { parallelToolCalls: false, temperature: 0.2, stopSequences: ['END'], maxTokens: 100, model: 'claude-opus-4-7' }));

    expect(server.requests[0]?.body).toMatchObject({
      tool_choice: { type: 'auto', disable_parallel_tool_use: true },
      temperature: 0.2,
      stop_sequences: ['END'],
      max_tokens: 100,
      model: 'claude-opus-4-7',
    });
  });

  it('sends the image content of a tool result as a base64 image block', async () => {
    server.enqueue({ toolCalls: [{ id: 'toolu_img', name: 'test_image', arguments: {} }] }, { text: 'A transparent pixel.' });
    await runApp(async () => (await attach()).generate('Show me the image.'));

    const [result] = blocks(wireMessages(server.requests[1])[2]);
    expect(result).toMatchObject({ type: 'tool_result', tool_use_id: 'toolu_img' });
    expect(result?.['content']).toEqual([
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: expect.any(String) } },
      { type: 'text', text: 'a 1x1 transparent PNG' },
    ]);
  });

  it('feeds invalid JSON arguments and an unknown tool back to the model as tool errors', async () => {
    server.enqueue(
      {
        toolCalls: [
          { id: 'toolu_bad', name: 'test_echo', arguments: '{"text": oops' },
          { id: 'toolu_lost', name: 'test_teleport', arguments: { to: 'mars' } },
        ],
      },
      { text: 'Sorry about that.' },
    );
    const result = await runApp(async () => (await attach()).generate('Try the tools.'));

    expect(result.text).toBe('Sorry about that.');
    const messages = wireMessages(server.requests[1]);
    expect(blocks(messages[1])).toEqual([
      { type: 'tool_use', id: 'toolu_bad', name: 'test_echo', input: {} },
      { type: 'tool_use', id: 'toolu_lost', name: 'test_teleport', input: { to: 'mars' } },
    ]);
    const [invalid, unknown] = blocks(messages[2]);
    expect(invalid).toMatchObject({ type: 'tool_result', tool_use_id: 'toolu_bad', is_error: true });
    expect(invalid?.['content']).toContain('the arguments of test_echo are not valid JSON');
    expect(unknown).toMatchObject({ type: 'tool_result', tool_use_id: 'toolu_lost', is_error: true });
    expect(unknown?.['content']).toContain('there is no tool "test_teleport"');
    expect(unknown?.['content']).toContain('test_echo');
  });

  it('stops after maxIterations while the model keeps asking for tools', async () => {
    server.addRule({ match: () => true, reply: { toolCalls: [{ name: 'test_echo', arguments: { text: 'again' } }] } });
    const result = await runApp(async () => (await attach()).generate('Loop forever.', { maxIterations: 3 }));

    expect(result.stopReason).toBe('max_iterations');
    expect(result.iterations).toBe(3);
    expect(server.requests).toHaveLength(3);
  });
});

describe('history', () => {
  it('sends earlier turns when history is on, and only the new message when it is off', async () => {
    server.enqueue({ text: 'Nice to meet you, Ada.' }, { text: 'Your name is Ada.' }, { text: 'I do not know.' });
    await runApp(async () => {
      const llm = await attach();
      await llm.generate('My name is Ada.');
      await llm.generate('What is my name?');
      await llm.generate('And now?', { useHistory: false });
    });

    expect(wireMessages(server.requests[1])).toEqual([
      { role: 'user', content: 'My name is Ada.' },
      { role: 'assistant', content: 'Nice to meet you, Ada.' },
      { role: 'user', content: 'What is my name?' },
    ]);
    expect(wireMessages(server.requests[2])).toEqual([{ role: 'user', content: 'And now?' }]);
  });
});

describe('structured output', () => {
  const Weather = z.object({ city: z.string(), temperatureCelsius: z.number() });

  it('forces the structured-output tool when the agent has no other tools, and parses its input', async () => {
    server.enqueue({ toolCalls: [{ name: 'weather', arguments: { city: 'Paris', temperatureCelsius: 21.5 } }] });
    const weather = await runApp(async () => (await attach([])).generateStructured('Weather in Paris?', Weather, { name: 'weather' }));

    expect(weather).toEqual({ city: 'Paris', temperatureCelsius: 21.5 });
    const body = server.requests[0]?.body;
    expect(body?.['tool_choice']).toEqual({ type: 'tool', name: 'weather' });
    const tools = body?.['tools'] as Array<{ name: string; input_schema: Record<string, unknown> }>;
    expect(tools.map((tool) => tool.name)).toEqual(['weather']);
    expect(tools[0]?.input_schema).toMatchObject({ type: 'object', properties: { city: { type: 'string' }, temperatureCelsius: { type: 'number' } } });
    expect(tools[0]?.input_schema).not.toHaveProperty('$schema');
  });

  it('lets the loop use tools first, then answers through the structured-output tool; later turns stay valid', async () => {
    server.enqueue(
      { toolCalls: [{ id: 'toolu_echo', name: 'test_echo', arguments: { text: 'Paris' } }] },
      { toolCalls: [{ id: 'toolu_answer', name: 'structured_output', arguments: { city: 'Paris', temperatureCelsius: 19 } }] },
      { text: 'It was Paris.' },
    );
    const { weather, followUp } = await runApp(async () => {
      const llm = await attach();
      const weather = await llm.generateStructured('Weather in the city the tool names?', Weather);
      const followUp = await llm.generateStr('Which city was it?');
      return { weather, followUp };
    });

    expect(weather).toEqual({ city: 'Paris', temperatureCelsius: 19 });
    expect(followUp).toBe('It was Paris.');
    expect(server.requests[0]?.body['tool_choice']).toEqual({ type: 'any' });
    const names = (server.requests[0]!.body['tools'] as Array<{ name: string }>).map((tool) => tool.name);
    expect(names).toContain('test_echo');
    expect(names.at(-1)).toBe('structured_output');
    // The structured answer has no tool_result, so the next request carries it as the JSON text it is.
    const followUpMessages = wireMessages(server.requests[2]);
    expect(blocks(followUpMessages.at(-2))).toEqual([{ type: 'text', text: '{"city":"Paris","temperatureCelsius":19}' }]);
    expect(server.requests[2]?.body['tool_choice']).toBeUndefined();
  });

  it('raises a non-retryable StructuredOutputError when the input does not match the schema', async () => {
    server.enqueue({ toolCalls: [{ name: 'weather', arguments: { city: 'Paris' } }] });
    const error = await runApp(async () => (await attach([])).generateStructured('Weather?', Weather, { name: 'weather' }).catch((caught: unknown) => caught));

    expect(WorkflowApplicationError.is(error) && error.type).toBe('StructuredOutputError');
    expect((error as WorkflowApplicationError).nonRetryable).toBe(true);
  });
});

describe('streaming', () => {
  it('yields the text as it streams and returns the result', async () => {
    server.enqueue({ text: 'Streaming works over the Messages API.', usage: { inputTokens: 12, outputTokens: 8 } });
    const { pieces, result, usage } = await runApp(async () => {
      const llm = await attach();
      const stream = llm.generateStream('Say something.');
      const pieces: string[] = [];
      let next = await stream.next();
      while (next.done !== true) {
        pieces.push(next.value);
        next = await stream.next();
      }
      return { pieces, result: next.value, usage: { ...llm.usage } };
    });

    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('')).toBe('Streaming works over the Messages API.');
    expect(result.text).toBe('Streaming works over the Messages API.');
    expect(result.stopReason).toBe('end_turn');
    expect(usage).toEqual({ calls: 1, inputTokens: 12, outputTokens: 8, totalTokens: 20, costUsd: 0 });
    expect(server.requests[0]?.stream).toBe(true);
  });

  it('streams through a tool loop, and reports streamed invalid JSON arguments to the model', async () => {
    server.enqueue(
      { toolCalls: [{ id: 'toolu_s1', name: 'test_echo', arguments: { text: 'streamed' } }] },
      { toolCalls: [{ id: 'toolu_s2', name: 'test_echo', arguments: '{"text": "unterminated' }] },
      { text: 'All done.' },
    );
    const pieces = await runApp(async () => {
      const collected: string[] = [];
      for await (const piece of (await attach()).generateStream('Echo twice.')) collected.push(piece);
      return collected;
    });

    expect(pieces.join('')).toBe('All done.');
    expect(server.requests.map((request) => request.stream)).toEqual([true, true, true]);
    expect(blocks(wireMessages(server.requests[1])[2])).toEqual([{ type: 'tool_result', tool_use_id: 'toolu_s1', content: 'streamed' }]);
    const [invalid] = blocks(wireMessages(server.requests[2]).at(-1));
    expect(invalid).toMatchObject({ type: 'tool_result', tool_use_id: 'toolu_s2', is_error: true });
    expect(invalid?.['content']).toContain('not valid JSON');
  });
});

describe('errors', () => {
  const nonRetryable = [
    { status: 401, type: 'AuthenticationError', message: 'invalid x-api-key' },
    { status: 403, type: 'PermissionDeniedError', message: 'Your API key does not have permission to use the specified resource.' },
    { status: 400, type: 'BadRequestError', message: 'messages: roles must alternate' },
    { status: 404, type: 'NotFoundError', message: 'model: claude-haiku-4-5' },
    { status: 422, type: 'UnprocessableEntityError', message: 'the request could not be processed' },
  ];

  for (const { status, type, message } of nonRetryable) {
    it(`fails a ${status} at once inside a workflow: non-retryable ${type}`, async () => {
      server.enqueue({ error: { status, message } }, { text: 'never sent' });
      const outcome = await runApp((context) => ask(context, 'Hi'));

      expect(outcome.failure).toMatchObject({ taskName: 'llm.anthropic.complete', attempts: 1, type, nonRetryable: true });
      expect(outcome.failure?.message).toBe(
        `anthropic: ${status} ${type}: ${message}` + (status === 404 ? ' (model "claude-haiku-4-5": check the model name, or anthropic.default_model in mcp_agent.config.yaml)' : ''),
      );
      expect(outcome.failure?.message).not.toContain(API_KEY);
      expect(outcome.failure?.details[0]).toMatchObject({ provider: 'anthropic', status, requestId: expect.stringMatching(/^req_local_/) });
      expect(server.requests).toHaveLength(1);
    });
  }

  it('retries a 429 and a 500 under the llm.* retry policy, and succeeds', async () => {
    server.enqueue({ error: { status: 429, retryAfterSeconds: 1 } }, { text: 'after the rate limit' }, { error: { status: 500 } }, { text: 'after the server error' });
    const outcomes = await runApp(async (context) => [await ask(context, 'one'), await ask(context, 'two')]);

    expect(outcomes.map((outcome) => outcome.text)).toEqual(['after the rate limit', 'after the server error']);
    expect(server.requests).toHaveLength(4);
    const retries = logs.filter((record) => record.message.startsWith('task llm.anthropic.complete attempt 1 failed'));
    expect(retries.map((record) => record.message)).toEqual([expect.stringContaining('anthropic: 429 RateLimitError'), expect.stringContaining('anthropic: 500 InternalServerError')]);
  });

  it('gives up on a rate limit after maximum_attempts, with retryAfterMilliseconds in the details', async () => {
    server.enqueue({ error: { status: 429, retryAfterSeconds: 2 } }, { error: { status: 429, retryAfterSeconds: 2 } });
    const outcome = await runApp((context) => ask(context, 'Hi'));

    expect(outcome.failure).toMatchObject({ attempts: 2, type: 'RateLimitError', nonRetryable: false });
    expect(outcome.failure?.details[0]).toMatchObject({ status: 429, errorType: 'rate_limit_error', retryAfterMilliseconds: 2000 });
  });

  it('retries 529 overloaded and a refused connection', async () => {
    server.enqueue({ error: { status: 529, message: 'Overloaded' } }, { error: { status: 529, message: 'Overloaded' } });
    const overloaded = await runApp((context) => ask(context, 'Hi'));
    expect(overloaded.failure).toMatchObject({ attempts: 2, type: 'OverloadedError', nonRetryable: false, message: 'anthropic: 529 OverloadedError: Overloaded' });

    const closed = await startLocalLlmServer();
    const unreachable = closed.anthropicBaseUrl;
    await closed.close();
    const refused = await runApp((context) => ask(context, 'Hi'), {
      settings: settings({ anthropic: { api_key: API_KEY, base_url: unreachable, default_model: 'claude-haiku-4-5' } }),
    });
    expect(refused.failure).toMatchObject({ attempts: 2, type: 'APIConnectionError', nonRetryable: false });
    expect(refused.failure?.message).toMatch(/^anthropic: APIConnectionError: cannot reach the API/);
  });

  it('raises the classified error directly outside a workflow', async () => {
    server.enqueue({ error: { status: 401, message: 'invalid x-api-key' } });
    const error = await runApp(async () => (await attach()).generate('Hi').catch((caught: unknown) => caught));

    expect(WorkflowApplicationError.is(error)).toBe(true);
    expect((error as WorkflowApplicationError).message).toBe('anthropic: 401 AuthenticationError: invalid x-api-key');
    expect((error as WorkflowApplicationError).nonRetryable).toBe(true);
  });

  it('names anthropic.api_key and ANTHROPIC_API_KEY when there is no key, without calling the API', async () => {
    const withoutKey = createAnthropicProvider({ environment: {} });
    const outcome = await runApp((context) => ask(context, 'Hi'), {
      settings: settings({ anthropic: { base_url: server.anthropicBaseUrl } }),
      llmProviders: [withoutKey],
    });

    expect(outcome.failure).toMatchObject({ attempts: 1, type: 'MissingApiKeyError', nonRetryable: true });
    expect(outcome.failure?.message).toBe('anthropic: no API key; set anthropic.api_key in mcp_agent.secrets.yaml or the ANTHROPIC_API_KEY environment variable');
    expect(server.requests).toHaveLength(0);
  });

  it('reads the key and base URL from ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL when the config has none', async () => {
    const fromEnvironment = createAnthropicProvider({ environment: { ANTHROPIC_API_KEY: 'environment-key', ANTHROPIC_BASE_URL: server.anthropicBaseUrl } });
    server.enqueue({ text: 'configured by the environment' });
    const text = await runApp(async () => (await attach()).generateStr('Hi'), {
      settings: settings({ anthropic: {} }),
      llmProviders: [fromEnvironment],
    });

    expect(text).toBe('configured by the environment');
    // The SDK sends the key it was given (the server records only that there was one).
    const headers = server.requests[0]?.headers ?? {};
    expect(headers['authorization'] ?? headers['x-api-key']).toBe('[redacted]');
    expect(server.requests[0]?.body['model']).toBe('claude-sonnet-5-5');
  });
});
