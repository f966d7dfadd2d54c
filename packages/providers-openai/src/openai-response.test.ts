import type { ChatCompletion, ChatCompletionChunk } from 'openai/resources/chat/completions';
import { describe, expect, it } from 'vitest';
import { ChatCompletionStreamAssembler, fromChatCompletion, toLlmStopReason, toLlmUsage } from './openai-response.js';

function completion(message: Partial<ChatCompletion.Choice['message']>, finishReason: ChatCompletion.Choice['finish_reason'], usage?: ChatCompletion['usage']): ChatCompletion {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 0,
    model: 'gpt-4o-2024-08-06',
    choices: [{ index: 0, finish_reason: finishReason, logprobs: null, message: { role: 'assistant', content: null, refusal: null, ...message } }],
    ...(usage === undefined ? {} : { usage }),
  };
}

describe('fromChatCompletion', () => {
  it('keeps tool call arguments as the model wrote them', () => {
    const response = fromChatCompletion(
      completion({ tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"broken":' } }] }, 'tool_calls', {
        prompt_tokens: 7,
        completion_tokens: 3,
        total_tokens: 10,
      }),
    );
    expect(response).toEqual({
      model: 'gpt-4o-2024-08-06',
      message: { role: 'assistant', content: null, toolCalls: [{ id: 'call_1', name: 'f', arguments: '{"broken":' }] },
      stopReason: 'tool_use',
      usage: { inputTokens: 7, outputTokens: 3, totalTokens: 10 },
    });
  });

  it('maps finish reasons and a refusal', () => {
    expect(toLlmStopReason('stop', false)).toBe('end_turn');
    expect(toLlmStopReason('length', false)).toBe('max_tokens');
    expect(toLlmStopReason('content_filter', false)).toBe('other');
    expect(toLlmStopReason('stop', true)).toBe('tool_use');
    expect(fromChatCompletion(completion({ refusal: 'I cannot help with that.' }, 'stop')).message.content).toBe('I cannot help with that.');
    expect(toLlmUsage(undefined)).toEqual({ inputTokens: 0, outputTokens: 0, totalTokens: 0 });
  });

  it('raises a retryable error for a completion without choices', () => {
    expect(() => fromChatCompletion({ ...completion({}, 'stop'), choices: [] })).toThrow(/has no choices/);
  });
});

describe('ChatCompletionStreamAssembler', () => {
  const chunk = (delta: ChatCompletionChunk.Choice['delta'], finishReason: ChatCompletionChunk.Choice['finish_reason'] = null): ChatCompletionChunk => ({
    id: 'c',
    object: 'chat.completion.chunk',
    created: 0,
    model: 'gpt-4o-mini-2024-07-18',
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  });

  it('reassembles interleaved tool calls by index and returns the text it carries', () => {
    const assembler = new ChatCompletionStreamAssembler('gpt-4o-mini');
    expect(assembler.add(chunk({ role: 'assistant', content: 'Let me ' }))).toBe('Let me ');
    assembler.add(chunk({ content: 'check.' }));
    assembler.add(chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'search', arguments: '' } }] }));
    assembler.add(chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'fetch', arguments: '{"url"' } }] }));
    assembler.add(chunk({ tool_calls: [{ index: 0, function: { arguments: '{"q":' } }] }));
    assembler.add(chunk({ tool_calls: [{ index: 1, function: { arguments: ':"x"}' } }] }));
    assembler.add(chunk({ tool_calls: [{ index: 0, function: { arguments: '"cats"}' } }] }));
    assembler.add(chunk({}, 'tool_calls'));
    assembler.add({ ...chunk({}), choices: [], usage: { prompt_tokens: 5, completion_tokens: 9, total_tokens: 14 } });
    expect(assembler.response()).toEqual({
      model: 'gpt-4o-mini-2024-07-18',
      message: {
        role: 'assistant',
        content: 'Let me check.',
        toolCalls: [
          { id: 'call_a', name: 'search', arguments: '{"q":"cats"}' },
          { id: 'call_b', name: 'fetch', arguments: '{"url":"x"}' },
        ],
      },
      stopReason: 'tool_use',
      usage: { inputTokens: 5, outputTokens: 9, totalTokens: 14 },
    });
  });
});
