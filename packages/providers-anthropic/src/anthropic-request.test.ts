// Request building and response mapping, checked on their own: the conversions that the
// integration tests don't reach through the tool loop.
import type { LlmRequest } from '@mcp-agent/core/engine';
import { describe, expect, it } from 'vitest';
import { fromAnthropicMessage, toAnthropicMessagesBody, toolUseInput } from './index.js';

const defaults = { model: 'claude-haiku-4-5', maxTokens: 4096 };

function body(request: Omit<LlmRequest, 'provider'>) {
  return toAnthropicMessagesBody({ provider: 'anthropic', ...request }, defaults);
}

describe('toAnthropicMessagesBody', () => {
  it('moves system messages to system and fills in the model and max_tokens', () => {
    const built = body({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'system', content: 'Be kind.' },
        { role: 'user', content: 'Hi' },
      ],
    });
    expect(built).toEqual({ model: 'claude-haiku-4-5', max_tokens: 4096, system: 'Be brief.\n\nBe kind.', messages: [{ role: 'user', content: 'Hi' }] });
  });

  it('sends user images as base64 image blocks', () => {
    const built = body({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image', data: 'iVBORw0KGgo=', mimeType: 'image/png' },
          ],
        },
      ],
    });
    expect(built.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
        ],
      },
    ]);
  });

  it('sends only JPEG, PNG, GIF and WebP as image blocks; other image types, in user messages and tool results, as a text note', () => {
    const built = body({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', data: 'R0lGODlh', mimeType: 'image/gif' },
            { type: 'image', data: 'UklGRg==', mimeType: 'image/webp' },
            { type: 'image', data: '/9j/4AAQ', mimeType: 'image/jpeg' },
            { type: 'image', data: 'PHN2Zz48L3N2Zz4=', mimeType: 'image/svg+xml' },
          ],
        },
        { role: 'assistant', content: null, toolCalls: [{ id: 'a', name: 'snap', arguments: '{}' }] },
        { role: 'tool', toolCallId: 'a', name: 'snap', content: [{ type: 'image', data: 'SUkqAA==', mimeType: 'image/tiff' }] },
      ],
    });
    const note = (mimeType: string, bytes: number) =>
      `[an image (${mimeType}, ${bytes} bytes) was left out; the Anthropic Messages API accepts image/jpeg, image/png, image/gif and image/webp only]`;
    expect(built.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'image', source: { type: 'base64', media_type: 'image/gif', data: 'R0lGODlh' } },
          { type: 'image', source: { type: 'base64', media_type: 'image/webp', data: 'UklGRg==' } },
          { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/4AAQ' } },
          { type: 'text', text: note('image/svg+xml', 11) },
        ],
      },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'a', name: 'snap', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'a', content: note('image/tiff', 4) }] },
    ]);
  });

  it('merges consecutive tool results, and a following user message, into one user turn with the results first', () => {
    const built = body({
      messages: [
        { role: 'user', content: 'Go' },
        {
          role: 'assistant',
          content: null,
          toolCalls: [
            { id: 'a', name: 'one', arguments: '{"x":1}' },
            { id: 'b', name: 'two', arguments: '' },
          ],
        },
        { role: 'tool', toolCallId: 'a', name: 'one', content: 'first' },
        { role: 'tool', toolCallId: 'b', name: 'two', content: '', isError: true },
        { role: 'user', content: 'And then?' },
      ],
    });
    expect(built.messages).toEqual([
      { role: 'user', content: 'Go' },
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'a', name: 'one', input: { x: 1 } },
          { type: 'tool_use', id: 'b', name: 'two', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'a', content: 'first' },
          { type: 'tool_result', tool_use_id: 'b', content: '(empty result)', is_error: true },
          { type: 'text', text: 'And then?' },
        ],
      },
    ]);
  });

  it('sends a tool call without a result (a structured answer in history) as its JSON text', () => {
    const built = body({
      messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: null, toolCalls: [{ id: 's', name: 'structured_output', arguments: '{"city":"Oslo"}' }] },
        { role: 'user', content: 'Thanks' },
      ],
    });
    expect(built.messages[1]).toEqual({ role: 'assistant', content: '{"city":"Oslo"}' });
  });

  it('drops an assistant turn with nothing in it, so roles still alternate', () => {
    const built = body({
      messages: [
        { role: 'user', content: 'One' },
        { role: 'assistant', content: '' },
        { role: 'user', content: 'Two' },
      ],
    });
    expect(built.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'One' },
          { type: 'text', text: 'Two' },
        ],
      },
    ]);
  });

  it('maps tools, the structured-output tool and tool_choice', () => {
    const tool = { name: 'lookup', description: 'Looks up.', inputSchema: { type: 'object', properties: { q: { type: 'string' } } } };
    const schema = { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties: { answer: { type: 'string' } } };
    const messages = [{ role: 'user' as const, content: 'Q' }];

    expect(body({ messages, tools: [tool] })).toMatchObject({
      tools: [{ name: 'lookup', description: 'Looks up.', input_schema: { type: 'object', properties: { q: { type: 'string' } } } }],
    });
    expect(body({ messages, tools: [tool] })).not.toHaveProperty('tool_choice');
    expect(body({ messages, tools: [tool], parallelToolCalls: false }).tool_choice).toEqual({ type: 'auto', disable_parallel_tool_use: true });

    const alone = body({ messages, responseFormat: { name: 'answer', schema } });
    expect(alone.tool_choice).toEqual({ type: 'tool', name: 'answer' });
    expect(alone.tools).toEqual([{ name: 'answer', description: expect.stringContaining('final answer'), input_schema: { type: 'object', properties: { answer: { type: 'string' } } } }]);

    const beside = body({ messages, tools: [tool], responseFormat: { name: 'answer', schema }, parallelToolCalls: false });
    expect(beside.tool_choice).toEqual({ type: 'any', disable_parallel_tool_use: true });
    expect(beside.tools?.map((entry) => ('name' in entry ? entry.name : undefined))).toEqual(['lookup', 'answer']);
  });

  it('passes temperature and stop sequences, and leaves out an empty stop list', () => {
    const messages = [{ role: 'user' as const, content: 'Q' }];
    expect(body({ messages, temperature: 0, stopSequences: ['###'], maxTokens: 10, model: 'claude-opus-4-7' })).toMatchObject({
      temperature: 0,
      stop_sequences: ['###'],
      max_tokens: 10,
      model: 'claude-opus-4-7',
    });
    expect(body({ messages, stopSequences: [] })).not.toHaveProperty('stop_sequences');
  });
});

describe('toolUseInput', () => {
  it('keeps JSON objects and replaces anything else with {}', () => {
    expect(toolUseInput('{"a":[1,2]}')).toEqual({ a: [1, 2] });
    expect(toolUseInput('  ')).toEqual({});
    expect(toolUseInput('{"a": oops')).toEqual({});
    expect(toolUseInput('[1,2]')).toEqual({});
    expect(toolUseInput('"text"')).toEqual({});
  });
});

describe('fromAnthropicMessage', () => {
  const usage = { input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 2, cache_read_input_tokens: 3 };

  it('joins text, lists tool calls, counts cached input and takes the structured answer', () => {
    const response = fromAnthropicMessage(
      {
        model: 'claude-haiku-4-5',
        stop_reason: 'tool_use',
        usage,
        content: [
          { type: 'thinking' },
          { type: 'text', text: 'Part one, ' },
          { type: 'text', text: 'part two.' },
          { type: 'tool_use', id: 't1', name: 'answer', input: { value: 42 } },
          { type: 'tool_use', id: 't2', name: 'lookup', input: 'not json' },
        ],
      },
      { responseFormat: { name: 'answer', schema: {} } },
    );
    expect(response).toEqual({
      model: 'claude-haiku-4-5',
      message: {
        role: 'assistant',
        content: 'Part one, part two.',
        toolCalls: [
          { id: 't1', name: 'answer', arguments: '{"value":42}' },
          { id: 't2', name: 'lookup', arguments: 'not json' },
        ],
      },
      stopReason: 'tool_use',
      usage: { inputTokens: 15, outputTokens: 5, totalTokens: 20 },
      structured: { value: 42 },
    });
  });

  it('maps the stop reasons', () => {
    const reasons = ['end_turn', 'max_tokens', 'stop_sequence', 'tool_use', 'pause_turn', 'refusal', 'model_context_window_exceeded', null] as const;
    const mapped = reasons.map((stop_reason) => fromAnthropicMessage({ model: 'm', stop_reason, usage, content: [] }, {}).stopReason);
    expect(mapped).toEqual(['end_turn', 'max_tokens', 'stop_sequence', 'tool_use', 'other', 'other', 'max_tokens', 'other']);
    expect(fromAnthropicMessage({ model: 'm', stop_reason: 'end_turn', usage, content: [] }, {}).message.content).toBeNull();
  });
});
