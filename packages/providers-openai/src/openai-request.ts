/**
 * Neutral model requests (`LlmRequest`) as OpenAI Chat Completions requests. Pure functions: no
 * SDK client, no credentials.
 */
import type { LlmContentPart, LlmRequest, LlmToolDefinition } from '@mcp-agent/core/engine';
import type { LlmMessage } from '@mcp-agent/core';
import type { ChatCompletionContentPart, ChatCompletionCreateParamsNonStreaming, ChatCompletionFunctionTool, ChatCompletionMessageParam } from 'openai/resources/chat/completions';

/** Options of {@link toChatCompletionRequest} besides the request. */
export interface ChatCompletionRequestOptions {
  /** The model (or Azure deployment) to ask; the provider resolves it from the request and the settings. */
  model: string;
  /** `reasoning_effort` for reasoning models (o-series, gpt-5); ignored for other models. */
  reasoningEffort?: string | undefined;
}

/**
 * Builds the body of `chat.completions.create` for a neutral request: messages, tools (with
 * `parallel_tool_calls` only when there are tools), `max_completion_tokens`, `temperature`, `stop`
 * and a `json_schema` response format (strict only when the schema allows it).
 *
 * @example
 * ```ts
 * const body = toChatCompletionRequest({ provider: 'openai', messages: [{ role: 'user', content: 'Hi' }] }, { model: 'gpt-4o-mini' });
 * body.messages; // [{ role: 'user', content: 'Hi' }]
 * ```
 */
export function toChatCompletionRequest(request: LlmRequest, options: ChatCompletionRequestOptions): ChatCompletionCreateParamsNonStreaming {
  const body: ChatCompletionCreateParamsNonStreaming = {
    model: options.model,
    messages: request.messages.map(toChatCompletionMessage),
  };
  if (request.tools !== undefined && request.tools.length > 0) {
    body.tools = request.tools.map(toChatCompletionTool);
    body.parallel_tool_calls = request.parallelToolCalls ?? true;
  }
  if (request.maxTokens !== undefined) body.max_completion_tokens = request.maxTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.stopSequences !== undefined && request.stopSequences.length > 0) body.stop = request.stopSequences;
  if (request.responseFormat !== undefined) {
    const schema = withoutMetaKeywords(request.responseFormat.schema);
    body.response_format = {
      type: 'json_schema',
      json_schema: { name: toSchemaName(request.responseFormat.name), schema, strict: allowsStrictMode(schema) },
    };
  }
  if (options.reasoningEffort !== undefined && isReasoningModel(options.model)) {
    body.reasoning_effort = options.reasoningEffort as ChatCompletionCreateParamsNonStreaming['reasoning_effort'];
  }
  return body;
}

/**
 * One neutral message as a Chat Completions message. Images of user messages become `image_url`
 * parts with a data URL; a tool result carries text only (the API takes no images there), so its
 * images become a note, and a failed tool's text starts with `Error: `.
 *
 * @example
 * ```ts
 * toChatCompletionMessage({ role: 'tool', toolCallId: 'call_1', name: 'test_echo', content: 'hi' });
 * // { role: 'tool', tool_call_id: 'call_1', content: 'hi' }
 * ```
 */
export function toChatCompletionMessage(message: LlmMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case 'system':
      return { role: 'system', content: message.content };
    case 'user':
      return { role: 'user', content: typeof message.content === 'string' ? message.content : message.content.map(toUserContentPart) };
    case 'assistant': {
      const calls = message.toolCalls ?? [];
      if (calls.length === 0) return { role: 'assistant', content: message.content ?? '' };
      return {
        role: 'assistant',
        content: message.content,
        tool_calls: calls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } })),
      };
    }
    case 'tool': {
      const text = typeof message.content === 'string' ? message.content : message.content.map(toolPartText).join('\n');
      return { role: 'tool', tool_call_id: message.toolCallId, content: message.isError === true ? `Error: ${text}` : text };
    }
  }
}

function toUserContentPart(part: LlmContentPart): ChatCompletionContentPart {
  if (part.type === 'text') return { type: 'text', text: part.text };
  return { type: 'image_url', image_url: { url: `data:${part.mimeType};base64,${part.data}` } };
}

function toolPartText(part: LlmContentPart): string {
  if (part.type === 'text') return part.text;
  // base64 carries 3 bytes in 4 characters.
  const bytes = Math.floor((part.data.replace(/=+$/, '').length * 3) / 4);
  return `[an image (${part.mimeType}, ${bytes} bytes) was returned by the tool; tool results on the OpenAI Chat Completions API carry text only]`;
}

/**
 * A tool as a Chat Completions function tool. Its parameters are always an object schema: MCP
 * tools without arguments may list none, and the API wants `type` and `properties`.
 */
function toChatCompletionTool(tool: LlmToolDefinition): ChatCompletionFunctionTool {
  const parameters: Record<string, unknown> = { ...tool.inputSchema };
  parameters['type'] ??= 'object';
  if (parameters['type'] === 'object') parameters['properties'] ??= {};
  return {
    type: 'function',
    function: { name: tool.name, ...(tool.description === undefined ? {} : { description: tool.description }), parameters },
  };
}

/** `json_schema.name` allows `a-z A-Z 0-9 _ -`, at most 64 characters. */
function toSchemaName(name: string): string {
  const cleaned = name.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64);
  return cleaned === '' ? 'structured_output' : cleaned;
}

/** Drops `$schema` and `$id` at the top, which describe the document rather than the output. */
function withoutMetaKeywords(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return rest;
}

/** Keywords that OpenAI's strict structured outputs do not accept anywhere in a schema. */
const STRICT_UNSUPPORTED = new Set(['allOf', 'not', 'if', 'then', 'else', 'oneOf', 'patternProperties', 'dependentRequired', 'dependentSchemas', 'unevaluatedProperties']);

/**
 * Whether OpenAI's strict mode can take this schema as it is: an object at the root, every object
 * closed (`additionalProperties: false`) with every property required, and no keyword strict mode
 * refuses. A zod object schema without optional fields qualifies; otherwise `strict: false`.
 *
 * @example
 * ```ts
 * allowsStrictMode({ type: 'object', properties: { a: { type: 'string' } }, required: ['a'], additionalProperties: false }); // true
 * allowsStrictMode({ type: 'object', properties: { a: { type: 'string' } } }); // false
 * ```
 */
export function allowsStrictMode(schema: Record<string, unknown>): boolean {
  if (schema['type'] !== 'object') return false;
  const visit = (node: unknown, depth: number): boolean => {
    if (depth > 64) return false;
    if (Array.isArray(node)) return node.every((item) => visit(item, depth + 1));
    if (typeof node !== 'object' || node === null) return true;
    const record = node as Record<string, unknown>;
    for (const key of Object.keys(record)) if (STRICT_UNSUPPORTED.has(key)) return false;
    const isObject = record['type'] === 'object' || (Array.isArray(record['type']) && record['type'].includes('object'));
    if (isObject) {
      if (record['additionalProperties'] !== false) return false;
      const properties = record['properties'];
      const keys = typeof properties === 'object' && properties !== null ? Object.keys(properties) : [];
      const required = Array.isArray(record['required']) ? record['required'] : [];
      if (!keys.every((key) => required.includes(key))) return false;
    }
    for (const [key, value] of Object.entries(record)) {
      // `enum`, `const`, `default` and `examples` hold values, not schemas.
      if (key === 'enum' || key === 'const' || key === 'default' || key === 'examples') continue;
      // `properties`, `$defs` and `definitions` map names (which may be anything) to schemas.
      if ((key === 'properties' || key === '$defs' || key === 'definitions') && typeof value === 'object' && value !== null) {
        if (!Object.values(value).every((child) => visit(child, depth + 1))) return false;
      } else if (!visit(value, depth + 1)) return false;
    }
    return true;
  };
  return visit(schema, 0);
}

/** o-series and gpt-5 models take `reasoning_effort`; others refuse it. */
function isReasoningModel(model: string): boolean {
  return /^(o\d|gpt-5)/.test(model);
}
