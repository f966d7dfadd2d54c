import type { LlmRequest } from '@mcp-agent/core/engine';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { allowsStrictMode, toChatCompletionMessage, toChatCompletionRequest } from './openai-request.js';

const base: LlmRequest = { provider: 'openai', messages: [{ role: 'user', content: 'Hi' }] };

describe('toChatCompletionRequest', () => {
  it('sends only what the request sets', () => {
    expect(toChatCompletionRequest(base, { model: 'gpt-4o-mini' })).toEqual({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
  });

  it('maps user images to image_url data URLs and keeps text parts', () => {
    const message = toChatCompletionMessage({
      role: 'user',
      content: [
        { type: 'text', text: 'What is this?' },
        { type: 'image', data: 'iVBORw0KGgo=', mimeType: 'image/png' },
      ],
    });
    expect(message).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'What is this?' },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
      ],
    });
  });

  it('keeps a tool-calling assistant turn without text as content null, and a plain one as text', () => {
    expect(toChatCompletionMessage({ role: 'assistant', content: null, toolCalls: [{ id: 'c1', name: 'f', arguments: '{"a":' }] })).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":' } }],
    });
    expect(toChatCompletionMessage({ role: 'assistant', content: null })).toEqual({ role: 'assistant', content: '' });
  });

  it('marks failed tool results and gives tools an object schema even when MCP lists none', () => {
    expect(toChatCompletionMessage({ role: 'tool', toolCallId: 'c1', name: 'f', content: 'boom', isError: true })).toEqual({
      role: 'tool',
      tool_call_id: 'c1',
      content: 'Error: boom',
    });
    const body = toChatCompletionRequest({ ...base, tools: [{ name: 'ping', inputSchema: {} }] }, { model: 'm' });
    expect(body.tools).toEqual([{ type: 'function', function: { name: 'ping', parameters: { type: 'object', properties: {} } } }]);
    expect(body.parallel_tool_calls).toBe(true);
  });

  it('sends reasoning_effort to reasoning models only', () => {
    expect(toChatCompletionRequest(base, { model: 'o3-mini', reasoningEffort: 'low' }).reasoning_effort).toBe('low');
    expect(toChatCompletionRequest(base, { model: 'gpt-4o', reasoningEffort: 'low' })).not.toHaveProperty('reasoning_effort');
  });
});

describe('allowsStrictMode', () => {
  it('accepts a zod object whose fields are all required, nested ones too', () => {
    const schema = z.object({ name: z.string(), address: z.object({ city: z.string() }), tags: z.array(z.string()) }).toJSONSchema();
    expect(allowsStrictMode(schema)).toBe(true);
  });

  it('refuses optional fields, open objects, a non-object root and unsupported keywords', () => {
    expect(allowsStrictMode(z.object({ name: z.string().optional() }).toJSONSchema())).toBe(false);
    expect(allowsStrictMode({ type: 'object', properties: {} })).toBe(false);
    expect(allowsStrictMode(z.array(z.string()).toJSONSchema())).toBe(false);
    expect(allowsStrictMode({ type: 'object', properties: { a: { allOf: [{ type: 'string' }] } }, required: ['a'], additionalProperties: false })).toBe(false);
  });

  it('reads property names as names, not keywords', () => {
    const schema = { type: 'object', properties: { not: { type: 'string' }, if: { type: 'number' } }, required: ['not', 'if'], additionalProperties: false };
    expect(allowsStrictMode(schema)).toBe(true);
  });
});
