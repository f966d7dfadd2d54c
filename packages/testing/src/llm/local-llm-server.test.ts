import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';

import { DEFAULT_EMBEDDING_DIMENSIONS, localEmbedding, localLlmServerCommand, replyWithText, replyWithToolCall, startLocalLlmServer } from '../index.js';
import type { LocalLlmServer, LocalLlmServerOptions } from '../index.js';

/** Servers to close after each test. */
const servers: LocalLlmServer[] = [];
afterEach(async () => {
  while (servers.length > 0) await servers.pop()?.close();
});

async function start(options?: LocalLlmServerOptions): Promise<LocalLlmServer> {
  const server = await startLocalLlmServer(options);
  servers.push(server);
  return server;
}

function openaiClient(server: LocalLlmServer): OpenAI {
  return new OpenAI({ baseURL: server.openaiBaseUrl, apiKey: 'sk-test-secret', maxRetries: 0 });
}

function anthropicClient(server: LocalLlmServer): Anthropic {
  return new Anthropic({ baseURL: server.anthropicBaseUrl, apiKey: 'sk-ant-test-secret', maxRetries: 0 });
}

/** The error a promise rejects with (fails the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the request to fail, but it succeeded');
}

const weatherTool: OpenAI.ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather of a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

const anthropicWeatherTool: Anthropic.Tool = {
  name: 'get_weather',
  description: 'Current weather of a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

describe('OpenAI Chat Completions', () => {
  it('answers a text reply with content, finish_reason stop and usage', async () => {
    const server = await start({ script: { replies: [{ text: 'Hello there!', usage: { inputTokens: 12, outputTokens: 3 } }] } });
    const completion = await openaiClient(server).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
    });

    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('gpt-4o-mini');
    expect(completion.choices[0]?.message).toMatchObject({ role: 'assistant', content: 'Hello there!' });
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage).toEqual({ prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 });
  });

  it('estimates usage from characters when the reply gives none', async () => {
    const server = await start({ script: { replies: [replyWithText('x'.repeat(40))] } });
    const completion = await openaiClient(server).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'y'.repeat(400) }],
    });

    expect(completion.usage?.completion_tokens).toBe(10);
    expect(completion.usage?.prompt_tokens).toBeGreaterThanOrEqual(100);
    expect(completion.usage?.prompt_tokens).toBeLessThan(150);
  });

  it('answers two parallel tool calls and records the follow-up carrying their results', async () => {
    const server = await start();
    server.enqueue(
      {
        toolCalls: [
          { name: 'get_weather', arguments: { city: 'Paris' } },
          { name: 'get_weather', arguments: { city: 'Oslo' }, id: 'call_oslo' },
        ],
      },
      replyWithText('Paris is sunny, Oslo is snowy.'),
    );
    const client = openaiClient(server);
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Paris and Oslo?' }];

    const first = await client.chat.completions.create({ model: 'gpt-4o', messages, tools: [weatherTool] });
    const choice = first.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    expect(choice?.message.content).toBeNull();
    const toolCalls = (choice?.message.tool_calls ?? []).filter((call) => call.type === 'function');
    expect(toolCalls.map((call) => [call.function.name, JSON.parse(call.function.arguments)])).toEqual([
      ['get_weather', { city: 'Paris' }],
      ['get_weather', { city: 'Oslo' }],
    ]);
    expect(toolCalls[0]?.id).toMatch(/^call_/);
    expect(toolCalls[1]?.id).toBe('call_oslo');

    messages.push(choice!.message);
    for (const call of toolCalls) {
      messages.push({ role: 'tool', tool_call_id: call.id, content: `weather for ${call.function.arguments}` });
    }
    const second = await client.chat.completions.create({ model: 'gpt-4o', messages, tools: [weatherTool] });
    expect(second.choices[0]?.message.content).toBe('Paris is sunny, Oslo is snowy.');

    expect(server.requests).toHaveLength(2);
    const followUp = server.requests[1]!;
    expect(followUp.provider).toBe('openai');
    expect(followUp.path).toBe('/v1/chat/completions');
    expect(followUp.lastUserMessage).toBe('Weather in Paris and Oslo?');
    const sent = followUp.body['messages'] as Array<Record<string, unknown>>;
    expect(sent.filter((message) => message['role'] === 'tool')).toEqual([
      { role: 'tool', tool_call_id: toolCalls[0]!.id, content: 'weather for {"city":"Paris"}' },
      { role: 'tool', tool_call_id: 'call_oslo', content: 'weather for {"city":"Oslo"}' },
    ]);
    expect(followUp.body['tools']).toEqual([weatherTool]);
  });

  it('records headers with the API key redacted', async () => {
    const server = await start({ script: { replies: [replyWithText('ok')] } });
    await openaiClient(server).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] });

    const recorded = server.requests[0]!;
    expect(recorded.headers['authorization']).toBe('[redacted]');
    expect(JSON.stringify(recorded)).not.toContain('sk-test-secret');
    expect(recorded.headers['content-type']).toContain('application/json');
    expect(recorded.time).toBeInstanceOf(Date);
  });

  it('marks a request answered once its reply is sent, and leaves errors and cut-off requests unanswered', async () => {
    const server = await start({
      script: { replies: [replyWithText('ok'), { error: { status: 500, message: 'down' } }, { text: 'late', delayMilliseconds: 5_000 }] },
    });
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: server.openaiBaseUrl, maxRetries: 0 });
    await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'one' }] });
    await expect(client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'two' }] })).rejects.toThrow();
    const aborted = new AbortController();
    const late = client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'three' }] }, { signal: aborted.signal });
    await vi.waitFor(() => expect(server.requests).toHaveLength(3));
    aborted.abort();
    await expect(late).rejects.toThrow();

    const [first, second, third] = server.requests;
    expect(first?.answeredAt?.getTime()).toBeGreaterThanOrEqual(first?.time.getTime() ?? Number.POSITIVE_INFINITY);
    expect(second?.answeredAt).toBeUndefined();
    expect(third?.answeredAt).toBeUndefined();
  });

  it('streams text in several chunks, with usage at the end when include_usage is set', async () => {
    const server = await start({ script: { replies: [{ text: 'Streaming works fine.', usage: { inputTokens: 7, outputTokens: 4 } }] } });
    const stream = await openaiClient(server).chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Stream please' }],
      stream: true,
      stream_options: { include_usage: true },
    });

    const pieces: string[] = [];
    let finishReason: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (choice?.delta.content) pieces.push(choice.delta.content);
      if (choice?.finish_reason) finishReason = choice.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }

    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('')).toBe('Streaming works fine.');
    expect(finishReason).toBe('stop');
    expect(usage).toEqual({ prompt_tokens: 7, completion_tokens: 4, total_tokens: 11 });
    expect(server.requests[0]?.stream).toBe(true);
  });

  it('sends no usage chunk when the stream did not ask for one', async () => {
    const server = await start({ script: { replies: [replyWithText('No usage.')] } });
    const stream = await openaiClient(server).chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);

    expect(chunks.some((chunk) => chunk.usage)).toBe(false);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('No usage.');
  });

  it('streams tool call arguments as fragments that the SDK reassembles', async () => {
    const server = await start();
    server.enqueue({
      text: 'Checking both.',
      toolCalls: [
        { name: 'get_weather', arguments: { city: 'Paris', units: 'celsius' } },
        { name: 'get_weather', arguments: { city: 'Oslo', units: 'celsius' } },
      ],
    });
    const stream = openaiClient(server).chat.completions.stream({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Weather?' }],
      tools: [weatherTool],
      stream_options: { include_usage: true },
    });
    let argumentFragments = 0;
    stream.on('chunk', (chunk) => {
      for (const call of chunk.choices[0]?.delta.tool_calls ?? []) if (call.function?.arguments) argumentFragments += 1;
    });
    const completion = await stream.finalChatCompletion();

    expect(argumentFragments).toBeGreaterThan(2);
    const message = completion.choices[0]?.message;
    expect(message?.content).toBe('Checking both.');
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    const calls = (message?.tool_calls ?? []).filter((call) => call.type === 'function');
    expect(calls.map((call) => JSON.parse(call.function.arguments))).toEqual([
      { city: 'Paris', units: 'celsius' },
      { city: 'Oslo', units: 'celsius' },
    ]);
    expect(new Set(calls.map((call) => call.id)).size).toBe(2);
    expect(completion.usage?.total_tokens).toBeGreaterThan(0);
  });

  it('passes invalid JSON tool arguments through as the raw string', async () => {
    const server = await start({ script: { replies: [replyWithToolCall('get_weather', '{"city": "Par'), replyWithToolCall('get_weather', '{"city": "Par')] } });
    const client = openaiClient(server);
    const request = { model: 'gpt-4o', messages: [{ role: 'user' as const, content: 'Weather?' }], tools: [weatherTool] };

    const completion = await client.chat.completions.create(request);
    const call = completion.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === 'function' ? call.function.arguments : undefined).toBe('{"city": "Par');

    const streamed = await client.chat.completions.stream(request).finalChatCompletion();
    const streamedCall = streamed.choices[0]?.message.tool_calls?.[0];
    expect(streamedCall?.type === 'function' ? streamedCall.function.arguments : undefined).toBe('{"city": "Par');
  });

  it('returns text for a json_schema response_format, which the SDK parses', async () => {
    const server = await start({ script: { replies: [replyWithText('{"name":"Ada","age":36}')] } });
    const Person = z.object({ name: z.string(), age: z.number() });
    const completion = await openaiClient(server).chat.completions.parse({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Who wrote the first program?' }],
      response_format: zodResponseFormat(Person, 'person'),
    });

    expect(completion.choices[0]?.message.parsed).toEqual({ name: 'Ada', age: 36 });
    expect(server.requests[0]?.body['response_format']).toMatchObject({ type: 'json_schema', json_schema: { name: 'person' } });
  });
});

describe('OpenAI embeddings', () => {
  const cosine = (a: number[], b: number[]): number => a.reduce((sum, value, index) => sum + value * (b[index] as number), 0);

  it('computes unit vectors where texts sharing words are closer, the same for the same text, as floats or base64', async () => {
    const server = await start();
    const client = openaiClient(server);
    const floats = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: ['The weather in Paris', 'Paris weather forecast', 'Cheap flights to Rome'],
      encoding_format: 'float',
    });
    const [weather, forecast, flights] = floats.data.map((item) => item.embedding as number[]);
    expect(weather).toHaveLength(DEFAULT_EMBEDDING_DIMENSIONS);
    expect(Math.hypot(...(weather as number[]))).toBeCloseTo(1, 10);
    expect(cosine(weather as number[], forecast as number[])).toBeGreaterThan(0.5);
    expect(cosine(weather as number[], flights as number[])).toBeLessThan(0.2);
    expect(weather).toEqual(localEmbedding('The weather in Paris'));
    // The SDK asks for base64 unless told otherwise, and decodes float32s.
    const decoded = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'The weather in Paris' });
    const decodedVector = (decoded.data[0]?.embedding ?? []) as number[];
    expect(decodedVector).toHaveLength(DEFAULT_EMBEDDING_DIMENSIONS);
    expect(decodedVector.every((value, index) => Math.abs(value - (weather?.[index] as number)) < 1e-6)).toBe(true);
    // A token per four characters, rounded up, per text: 5 + 6 + 6.
    expect(floats.usage).toEqual({ prompt_tokens: 17, total_tokens: 17 });
    expect(server.embeddingRequests.map((request) => request.inputs.length)).toEqual([3, 1]);
    // Embeddings are not model turns: the scripted requests stay empty.
    expect(server.requests).toHaveLength(0);
  });

  it('refuses bad input with a 400 naming the field', async () => {
    const server = await start();
    const error = await rejection(openaiClient(server).embeddings.create({ model: 'm', input: 'x', dimensions: 0, encoding_format: 'float' }));
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as Error).message).toContain('"dimensions" must be a whole number from 1 to 4096, got 0');
  });
});

describe('Anthropic Messages', () => {
  it('answers a text reply with a text block, end_turn and usage', async () => {
    const server = await start({ script: { replies: [{ text: 'Hello from Claude.', usage: { inputTokens: 9, outputTokens: 5 } }] } });
    const message = await anthropicClient(server).messages.create({
      model: 'claude-local',
      max_tokens: 256,
      messages: [{ role: 'user', content: 'Hi' }],
    });

    expect(message.type).toBe('message');
    expect(message.model).toBe('claude-local');
    expect(message.content).toEqual([expect.objectContaining({ type: 'text', text: 'Hello from Claude.' })]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage).toMatchObject({ input_tokens: 9, output_tokens: 5 });

    const recorded = server.requests[0]!;
    expect(recorded.provider).toBe('anthropic');
    expect(recorded.path).toBe('/v1/messages');
    // This SDK sends the key as `authorization: Bearer`; older ones sent `x-api-key`.
    expect(recorded.headers['authorization'] ?? recorded.headers['x-api-key']).toBe('[redacted]');
    expect(JSON.stringify(recorded)).not.toContain('sk-ant-test-secret');
    expect(recorded.headers['anthropic-version']).toBeDefined();
  });

  it('answers tool_use blocks with input objects, then records the tool_result follow-up', async () => {
    const server = await start();
    server.enqueue({ text: 'Let me look.', toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] }, replyWithText('Sunny in Paris.'));
    const client = anthropicClient(server);
    const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];

    const first = await client.messages.create({ model: 'claude-local', max_tokens: 256, messages, tools: [anthropicWeatherTool] });
    expect(first.stop_reason).toBe('tool_use');
    expect(first.content[0]).toMatchObject({ type: 'text', text: 'Let me look.' });
    const toolUse = first.content[1];
    expect(toolUse).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'Paris' } });
    if (toolUse?.type !== 'tool_use') throw new Error('expected a tool_use block');
    expect(toolUse.id).toMatch(/^toolu_/);

    messages.push({ role: 'assistant', content: first.content });
    messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse.id, content: 'sunny' }] });
    const second = await client.messages.create({ model: 'claude-local', max_tokens: 256, messages, tools: [anthropicWeatherTool] });

    expect(second.content[0]).toMatchObject({ type: 'text', text: 'Sunny in Paris.' });
    expect(server.requests).toHaveLength(2);
    // The last user turn holds only a tool result, so the last user text is the question.
    expect(server.requests[1]?.lastUserMessage).toBe('Weather in Paris?');
    const sent = server.requests[1]?.body['messages'] as Array<{ role: string; content: unknown }>;
    expect(sent.at(-1)?.content).toEqual([{ type: 'tool_result', tool_use_id: toolUse.id, content: 'sunny' }]);
  });

  it('streams text and tool input that MessageStream assembles into the final message', async () => {
    const server = await start({
      script: {
        replies: [
          {
            text: 'Streaming from the local model.',
            toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris', days: [1, 2, 3] } }],
            usage: { inputTokens: 20, outputTokens: 11 },
          },
        ],
      },
    });
    const stream = anthropicClient(server).messages.stream({
      model: 'claude-local',
      max_tokens: 256,
      messages: [{ role: 'user', content: 'Stream please' }],
      tools: [anthropicWeatherTool],
    });
    const textPieces: string[] = [];
    const jsonPieces: string[] = [];
    stream.on('text', (text) => textPieces.push(text));
    stream.on('inputJson', (partialJson) => jsonPieces.push(partialJson));
    const message = await stream.finalMessage();

    expect(textPieces.length).toBeGreaterThan(1);
    expect(jsonPieces.length).toBeGreaterThan(1);
    expect(message.content[0]).toMatchObject({ type: 'text', text: 'Streaming from the local model.' });
    expect(message.content[1]).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'Paris', days: [1, 2, 3] } });
    expect(message.stop_reason).toBe('tool_use');
    expect(message.usage).toMatchObject({ input_tokens: 20, output_tokens: 11 });
  });

  it('maps max_tokens and stop_sequence stop reasons', async () => {
    const server = await start({
      script: {
        replies: [
          { text: 'cut', stopReason: 'max_tokens' },
          { text: 'until', stopReason: 'stop_sequence' },
        ],
      },
    });
    const client = anthropicClient(server);
    const truncated = await client.messages.create({ model: 'claude', max_tokens: 1, messages: [{ role: 'user', content: 'a' }] });
    const stopped = await client.messages.create({
      model: 'claude',
      max_tokens: 100,
      stop_sequences: ['END'],
      messages: [{ role: 'user', content: 'b' }],
    });

    expect(truncated.stop_reason).toBe('max_tokens');
    expect(stopped.stop_reason).toBe('stop_sequence');
    expect(stopped.stop_sequence).toBe('END');
  });

  it('answers a forced tool (structured output) with the object as tool input', async () => {
    const server = await start({ script: { replies: [replyWithToolCall('person', { name: 'Ada', age: 36 })] } });
    const message = await anthropicClient(server).messages.create({
      model: 'claude-local',
      max_tokens: 256,
      messages: [{ role: 'user', content: 'Who wrote the first program?' }],
      tools: [{ name: 'person', input_schema: { type: 'object', properties: { name: { type: 'string' }, age: { type: 'number' } } } }],
      tool_choice: { type: 'tool', name: 'person' },
    });

    const block = message.content.find((content) => content.type === 'tool_use');
    expect(block?.type === 'tool_use' ? block.input : undefined).toEqual({ name: 'Ada', age: 36 });
    expect(server.requests[0]?.body['tool_choice']).toEqual({ type: 'tool', name: 'person' });
  });

  it('sends a raw string tool input verbatim', async () => {
    const server = await start({ script: { replies: [replyWithToolCall('get_weather', '{"city": "Par')] } });
    const message = await anthropicClient(server).messages.create({
      model: 'claude',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Weather?' }],
    });

    expect(message.content[0]).toMatchObject({ type: 'tool_use', input: '{"city": "Par' });
  });
});

describe('Google Gemini API (generateContent)', () => {
  /** POSTs a JSON body to a Google endpoint of the server, as @ai-sdk/google does. */
  async function post(server: LocalLlmServer, pathAndQuery: string, body: unknown): Promise<Response> {
    return fetch(`${server.googleBaseUrl}${pathAndQuery}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': 'AIza-test-secret' },
      body: JSON.stringify(body),
    });
  }

  it('answers text and parallel function calls with usageMetadata, and records the model from the path', async () => {
    const server = await start();
    server.enqueue({
      text: 'Checking both.',
      toolCalls: [
        { name: 'weather', arguments: { city: 'Paris' } },
        { id: 'fc_2', name: 'time', arguments: { zone: 'CET' } },
      ],
      usage: { inputTokens: 20, outputTokens: 7 },
    });
    const response = await post(server, '/models/gemini-2.5-flash:generateContent', {
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      contents: [{ role: 'user', parts: [{ text: 'Weather and time in Paris?' }] }],
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      candidates: [
        {
          content: {
            role: 'model',
            parts: [
              { text: 'Checking both.' },
              { functionCall: { id: 'call_local_000002', name: 'weather', args: { city: 'Paris' } } },
              { functionCall: { id: 'fc_2', name: 'time', args: { zone: 'CET' } } },
            ],
          },
          finishReason: 'STOP',
          index: 0,
        },
      ],
      usageMetadata: { promptTokenCount: 20, candidatesTokenCount: 7, totalTokenCount: 27 },
      modelVersion: 'gemini-2.5-flash',
      responseId: 'resp_local_1',
    });
    expect(server.requests[0]).toMatchObject({
      provider: 'google',
      path: '/v1beta/models/gemini-2.5-flash:generateContent',
      model: 'gemini-2.5-flash',
      stream: false,
      lastUserMessage: 'Weather and time in Paris?',
    });
    expect(server.requests[0]?.headers['x-goog-api-key']).toBe('[redacted]');
  });

  it('skips user turns that carry only function responses when finding the last user message', async () => {
    const server = await start({ script: { replies: [replyWithText('done')] } });
    await post(server, '/models/gemini-2.5-flash:generateContent', {
      contents: [
        { role: 'user', parts: [{ text: 'Weather?' }] },
        { role: 'model', parts: [{ functionCall: { name: 'weather', args: {} } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'weather', response: { content: 'sunny' } } }] },
      ],
    });
    expect(server.requests[0]?.lastUserMessage).toBe('Weather?');
  });

  it('streams text chunks and ends with the finish reason and usage, on :streamGenerateContent?alt=sse', async () => {
    const server = await start({ script: { replies: [{ text: 'Streaming piece by piece.', stopReason: 'max_tokens', usage: { inputTokens: 4, outputTokens: 5 } }] } });
    const response = await post(server, '/models/gemini-2.5-flash:streamGenerateContent?alt=sse', { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const events = (await response.text())
      .split('\n\n')
      .filter((event) => event.startsWith('data: '))
      .map(
        (event) => JSON.parse(event.slice('data: '.length)) as { candidates: Array<{ content: { parts: Array<{ text?: string }> }; finishReason?: string }>; usageMetadata?: unknown },
      );
    expect(events.length).toBeGreaterThan(2);
    expect(events.flatMap((event) => event.candidates[0]?.content.parts.map((part) => part.text ?? '') ?? []).join('')).toBe('Streaming piece by piece.');
    expect(events.at(-1)?.candidates[0]?.finishReason).toBe('MAX_TOKENS');
    expect(events.at(-1)?.usageMetadata).toEqual({ promptTokenCount: 4, candidatesTokenCount: 5, totalTokenCount: 9 });
    expect(events.slice(0, -1).every((event) => event.usageMetadata === undefined)).toBe(true);
    expect(server.requests[0]).toMatchObject({ path: '/v1beta/models/gemini-2.5-flash:streamGenerateContent', stream: true });
  });

  it("answers errors in Google's shape, with retry-after when scripted", async () => {
    const server = await start({ script: { replies: [{ error: { status: 429, message: 'Resource has been exhausted', retryAfterSeconds: 3 } }, { error: { status: 401 } }] } });
    const limited = await post(server, '/models/gemini-2.5-flash:generateContent', { contents: [] });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect(await limited.json()).toEqual({ error: { code: 429, message: 'Resource has been exhausted', status: 'RESOURCE_EXHAUSTED' } });
    const unauthorised = await post(server, '/models/gemini-2.5-flash:generateContent', { contents: [] });
    expect(((await unauthorised.json()) as { error: { status: string } }).error.status).toBe('UNAUTHENTICATED');
  });

  it('computes embeddings for :embedContent and :batchEmbedContents, as /v1/embeddings does', async () => {
    const server = await start();
    const single = await post(server, '/models/gemini-embedding-001:embedContent', { content: { parts: [{ text: 'hotel in Paris' }] } });
    expect(await single.json()).toEqual({ embedding: { values: localEmbedding('hotel in Paris') } });
    const batch = await post(server, '/models/gemini-embedding-001:batchEmbedContents', {
      requests: [
        { content: { role: 'user', parts: [{ text: 'a' }] }, outputDimensionality: 8 },
        { content: { role: 'user', parts: [{ text: 'b' }] }, outputDimensionality: 8 },
      ],
    });
    expect(await batch.json()).toEqual({ embeddings: [{ values: localEmbedding('a', 8) }, { values: localEmbedding('b', 8) }] });
    expect(server.embeddingRequests.map((request) => [request.model, request.inputs])).toEqual([
      ['gemini-embedding-001', ['hotel in Paris']],
      ['gemini-embedding-001', ['a', 'b']],
    ]);
    expect(server.requests).toHaveLength(0);
    const refused = await post(server, '/models/gemini-embedding-001:batchEmbedContents', { requests: [] });
    expect(refused.status).toBe(400);
  });
});

describe('errors', () => {
  const cases = [
    { status: 400, openai: OpenAI.BadRequestError, anthropic: Anthropic.BadRequestError, anthropicType: 'invalid_request_error' },
    { status: 401, openai: OpenAI.AuthenticationError, anthropic: Anthropic.AuthenticationError, anthropicType: 'authentication_error' },
    { status: 403, openai: OpenAI.PermissionDeniedError, anthropic: Anthropic.PermissionDeniedError, anthropicType: 'permission_error' },
    { status: 404, openai: OpenAI.NotFoundError, anthropic: Anthropic.NotFoundError, anthropicType: 'not_found_error' },
    { status: 422, openai: OpenAI.UnprocessableEntityError, anthropic: Anthropic.UnprocessableEntityError, anthropicType: 'invalid_request_error' },
    { status: 429, openai: OpenAI.RateLimitError, anthropic: Anthropic.RateLimitError, anthropicType: 'rate_limit_error' },
    { status: 500, openai: OpenAI.InternalServerError, anthropic: Anthropic.InternalServerError, anthropicType: 'api_error' },
  ] as const;

  for (const { status, openai, anthropic, anthropicType } of cases) {
    it(`surfaces a scripted ${status} as ${openai.name} and Anthropic's ${anthropic.name}`, async () => {
      const error = { status, message: `scripted ${status}`, ...(status === 429 ? { retryAfterSeconds: 7 } : {}) };
      const server = await start({ script: { replies: [{ error }, { error }] } });

      const openaiError = await rejection(openaiClient(server).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] }));
      expect(openaiError).toBeInstanceOf(openai);
      const openaiApiError = openaiError as InstanceType<typeof OpenAI.APIError>;
      expect(openaiApiError.status).toBe(status);
      expect(openaiApiError.message).toContain(`scripted ${status}`);
      expect(openaiApiError.type).toBeTruthy();

      const anthropicError = await rejection(anthropicClient(server).messages.create({ model: 'claude', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] }));
      expect(anthropicError).toBeInstanceOf(anthropic);
      const anthropicApiError = anthropicError as InstanceType<typeof Anthropic.APIError>;
      expect(anthropicApiError.status).toBe(status);
      expect(anthropicApiError.error).toMatchObject({ type: 'error', error: { type: anthropicType, message: `scripted ${status}` } });

      const retryAfter = status === 429 ? '7' : null;
      expect(openaiApiError.headers?.get('retry-after')).toBe(retryAfter);
      expect(anthropicApiError.headers?.get('retry-after')).toBe(retryAfter);
    });
  }

  it('gives a streaming request the error status before any event', async () => {
    const server = await start({ script: { replies: [{ error: { status: 429, retryAfterSeconds: 1 } }] } });
    const error = await rejection(
      anthropicClient(server)
        .messages.stream({ model: 'claude', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] })
        .finalMessage(),
    );
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
  });

  it('answers an empty script with a 500 that says so, on both wires', async () => {
    const server = await start();
    const openaiError = await rejection(openaiClient(server).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] }));
    const anthropicError = await rejection(anthropicClient(server).messages.create({ model: 'claude', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] }));

    expect(openaiError).toBeInstanceOf(OpenAI.InternalServerError);
    expect((openaiError as Error).message).toContain('the script is empty');
    expect((openaiError as Error).message).toContain('server.enqueue');
    expect(anthropicError).toBeInstanceOf(Anthropic.InternalServerError);
    expect((anthropicError as Error).message).toContain('the script is empty');
  });

  it('does not let the SDKs retry an empty script', async () => {
    const server = await start();
    const client = new OpenAI({ baseURL: server.openaiBaseUrl, apiKey: 'test', maxRetries: 2 });
    await rejection(client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] }));
    expect(server.requests).toHaveLength(1);
  });

  it('answers an unknown path with a 404 naming the endpoints', async () => {
    const server = await start({ script: { replies: [replyWithText('unused')] } });
    const error = await rejection(openaiClient(server).models.list());

    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as Error).message).toContain('POST /v1/chat/completions');
    expect(server.requests[0]?.path).toBe('/v1/models');
  });

  it('answers a malformedBody reply with a 200 carrying the broken text, whole or as the first event of a cut-off stream', async () => {
    const server = await start({
      script: { replies: [{ malformedBody: '{"choices": [' }, { malformedBody: '{"id": 1}' }, { malformedBody: 'not json' }, { malformedBody: '' }] },
    });
    const post = async (path: string, body: Record<string, unknown>): Promise<{ status: number; type: string | null; text: string }> => {
      const response = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
    };

    expect(await post('/v1/chat/completions', { model: 'gpt-4o', messages: [] })).toEqual({ status: 200, type: 'application/json', text: '{"choices": [' });
    expect(await post('/v1/chat/completions', { model: 'gpt-4o', messages: [], stream: true })).toMatchObject({ status: 200, text: 'data: {"id": 1}\n\n' });
    expect(await post('/v1/messages', { model: 'claude', messages: [], stream: true })).toMatchObject({ status: 200, text: 'event: message_start\ndata: not json\n\n' });
    expect(await post('/v1/messages', { model: 'claude', messages: [] })).toEqual({ status: 200, type: 'application/json', text: '' });
    expect(server.requests.every((request) => request.answeredAt === undefined)).toBe(true);
  });

  it('makes the SDKs fail on a malformedBody reply as on a broken server', async () => {
    const server = await start({ script: { replies: [{ malformedBody: '' }, { malformedBody: '<html>Bad gateway</html>' }] } });
    const openaiError = await rejection(openaiClient(server).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] }));
    const anthropicError = await rejection(anthropicClient(server).messages.create({ model: 'claude', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] }));

    expect(openaiError).toBeInstanceOf(SyntaxError);
    expect(anthropicError).toBeInstanceOf(SyntaxError);
  });

  it('refuses a malformedBody that is not a string', async () => {
    const server = await start();
    expect(() => server.enqueue({ malformedBody: 42 as unknown as string })).toThrow(/reply\.malformedBody: expected the body text as a string, got 42/);
  });

  it('refuses a malformed reply when it is queued', async () => {
    const server = await start();
    expect(() => server.enqueue({ error: { status: 200 } })).toThrow(/reply\.error\.status: expected an HTTP error status from 400 to 599, got 200/);
  });
});

describe('scripting', () => {
  it('uses matching rules before the queue, each rule at most `times` times', async () => {
    const server = await start({ script: { replies: [replyWithText('from the queue')] } });
    server.addRule({
      match: (request) => request.lastUserMessage?.includes('weather') ?? false,
      reply: (request) => replyWithText(`rule saw: ${request.lastUserMessage}`),
      times: 2,
    });
    const client = openaiClient(server);
    const ask = async (content: string): Promise<string | null | undefined> =>
      (await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content }] })).choices[0]?.message.content;

    expect(await ask('weather in Paris')).toBe('rule saw: weather in Paris');
    expect(await ask('weather in Oslo')).toBe('rule saw: weather in Oslo');
    expect(await ask('weather in Rome')).toBe('from the queue');
    expect(await rejection(ask('weather in Bern'))).toBeInstanceOf(OpenAI.InternalServerError);
    expect(server.requests.map((request) => request.lastUserMessage)).toEqual(['weather in Paris', 'weather in Oslo', 'weather in Rome', 'weather in Bern']);
  });

  it('serves one queue to both providers, in order', async () => {
    const server = await start();
    server.enqueue(replyWithText('first'), replyWithText('second'));
    const openaiCompletion = await openaiClient(server).chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    const anthropicMessage = await anthropicClient(server).messages.create({
      model: 'claude',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'Hi' }],
    });

    expect(openaiCompletion.choices[0]?.message.content).toBe('first');
    expect(anthropicMessage.content[0]).toMatchObject({ type: 'text', text: 'second' });
    expect(server.requests.map((request) => request.provider)).toEqual(['openai', 'anthropic']);
  });

  it('reset forgets rules, queued replies and recorded requests', async () => {
    const server = await start({ script: { rules: [{ match: () => true, reply: replyWithText('rule') }], replies: [replyWithText('queued')] } });
    await openaiClient(server).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] });
    expect(server.requests).toHaveLength(1);

    server.reset();
    expect(server.requests).toHaveLength(0);
    const error = await rejection(openaiClient(server).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] }));
    expect((error as Error).message).toContain('the script is empty');
    expect(server.requests).toHaveLength(1);
  });

  it('waits delayMilliseconds before answering', async () => {
    const server = await start({ script: { replies: [{ text: 'late', delayMilliseconds: 150 }] } });
    const started = Date.now();
    const completion = await openaiClient(server).chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Hi' }],
    });

    expect(completion.choices[0]?.message.content).toBe('late');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('close drops a request still waiting on its delay', async () => {
    const server = await start({ script: { replies: [{ text: 'never', delayMilliseconds: 60_000 }] } });
    const pending = rejection(openaiClient(server).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] }));
    while (server.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await server.close();

    expect(await pending).toBeInstanceOf(OpenAI.APIConnectionError);
  });
});

describe('command line', () => {
  it('serves the echo script, prints the base URLs and exits on SIGTERM', async () => {
    const { command, args } = localLlmServerCommand();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const lines = createInterface({ input: child.stdout });
      const urls: Record<string, string> = {};
      for await (const line of lines) {
        const found = /^(OpenAI|Anthropic) base URL: (\S+)$/.exec(line);
        if (found) urls[found[1]!] = found[2]!;
        if (urls['OpenAI'] !== undefined && urls['Anthropic'] !== undefined) break;
      }

      const openai = new OpenAI({ baseURL: urls['OpenAI'], apiKey: 'test', maxRetries: 0 });
      const completion = await openai.chat.completions.create({ model: 'any', messages: [{ role: 'user', content: 'ping' }] });
      expect(completion.choices[0]?.message.content).toBe('(local model) ping');

      const anthropic = new Anthropic({ baseURL: urls['Anthropic'], apiKey: 'test', maxRetries: 0 });
      const message = await anthropic.messages.stream({ model: 'any', max_tokens: 10, messages: [{ role: 'user', content: 'pong' }] }).finalMessage();
      expect(message.content[0]).toMatchObject({ type: 'text', text: '(local model) pong' });

      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = await exited;
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });

  it('answers from a --script file: rules by the last user message, then queued replies, errors included', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'llm-script-'));
    const file = path.join(directory, 'script.json');
    await writeFile(
      file,
      JSON.stringify({
        rules: [{ whenLastUserMessageIncludes: 'weather', reply: { toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] } }],
        replies: [{ text: 'first queued' }, { error: { status: 429, message: 'Slow down' } }],
      }),
    );
    const { command, args } = localLlmServerCommand(['--script', file]);
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let baseUrl: string | undefined;
      for await (const line of createInterface({ input: child.stdout })) {
        baseUrl = /^OpenAI base URL: (\S+)$/.exec(line)?.[1];
        if (baseUrl !== undefined) break;
      }
      const openai = new OpenAI({ baseURL: baseUrl, apiKey: 'test', maxRetries: 0 });
      const ask = (content: string) => openai.chat.completions.create({ model: 'any', messages: [{ role: 'user', content }] });
      expect((await ask('what is the weather?')).choices[0]?.message.tool_calls?.[0]).toMatchObject({ function: { name: 'get_weather' } });
      expect((await ask('hello')).choices[0]?.message.content).toBe('first queued');
      await expect(ask('again')).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    } finally {
      child.kill('SIGTERM');
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('refuses a script file with a bad reply, naming the entry', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'llm-script-'));
    const file = path.join(directory, 'script.json');
    await writeFile(file, JSON.stringify({ replies: [{ text: 42 }] }));
    const { command, args } = localLlmServerCommand(['--script', file]);
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const [code] = await once(child, 'exit');
    await rm(directory, { recursive: true, force: true });
    expect(code).toBe(2);
    expect(stderr).toContain(`--script ${file}: replies[0]:`);
  });

  it('refuses a bad --port with the fix', async () => {
    const { command, args } = localLlmServerCommand(['--port', 'abc']);
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const [code] = await once(child, 'exit');

    expect(code).toBe(2);
    expect(stderr).toContain('--port: expected a whole number from 0 to 65535, got "abc"');
  });
});
