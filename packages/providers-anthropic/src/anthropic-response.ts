/**
 * Response mapping: a Messages API `message` (answered whole, or collected from its event stream)
 * as a neutral {@link LlmResponse}.
 */
import type { StopReason } from '@anthropic-ai/sdk/resources/messages';
import type { LlmRequest, LlmResponse, LlmStopReason, LlmToolCall } from '@mcp-agent/core/engine';

/**
 * The parts of a Messages API `message` that the mapping reads. A `Message` from the SDK is one;
 * so is what {@link collectAnthropicStream} builds from an event stream.
 */
export interface AnthropicMessageLike {
  model: string;
  /** `text` blocks carry `text`; `tool_use` blocks `id`, `name` and `input`; other blocks are skipped. */
  content: ReadonlyArray<{ type: string; text?: unknown; id?: unknown; name?: unknown; input?: unknown }>;
  stop_reason: StopReason | null;
  usage: { input_tokens: number; output_tokens: number; cache_creation_input_tokens?: number | null; cache_read_input_tokens?: number | null };
}

function stopReasonOf(reason: StopReason | null): LlmStopReason {
  switch (reason) {
    case 'end_turn':
    case 'tool_use':
    case 'max_tokens':
    case 'stop_sequence':
      return reason;
    case 'model_context_window_exceeded':
      return 'max_tokens';
    default:
      return 'other';
  }
}

/**
 * The arguments text of a `tool_use` block: the input as JSON, or the input itself when it is a
 * string (input the model wrote that is not JSON), so the loop can tell the model it was invalid.
 */
function argumentsText(input: unknown): string {
  return typeof input === 'string' ? input : JSON.stringify(input ?? {});
}

/**
 * The neutral response of a `message`: text blocks joined as the content (`null` when there are
 * none), `tool_use` blocks as tool calls, the stop reason (`model_context_window_exceeded` becomes
 * `max_tokens`; `pause_turn` and `refusal` become `other`), usage (input tokens include cache reads
 * and writes), the model, and, for a `responseFormat` request, the input of the first call of the
 * structured-output tool as `structured`.
 *
 * @example
 * ```ts
 * const response = fromAnthropicMessage(await client.messages.create(body), request);
 * response.message.toolCalls; // [{ id: 'toolu_1', name: 'test_echo', arguments: '{"text":"hi"}' }]
 * ```
 */
export function fromAnthropicMessage(message: AnthropicMessageLike, request: Pick<LlmRequest, 'responseFormat'>): LlmResponse {
  const texts: string[] = [];
  const toolCalls: LlmToolCall[] = [];
  const formatName = request.responseFormat?.name;
  let structured: { value: unknown } | undefined;
  for (const block of message.content) {
    if (block.type === 'text' && typeof block.text === 'string') texts.push(block.text);
    else if (block.type === 'tool_use' && typeof block.id === 'string' && typeof block.name === 'string') {
      toolCalls.push({ id: block.id, name: block.name, arguments: argumentsText(block.input) });
      if (structured === undefined && formatName !== undefined && block.name === formatName) structured = { value: block.input };
    }
  }
  const usage = message.usage;
  const inputTokens = usage.input_tokens + (usage.cache_creation_input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0);
  const response: LlmResponse = {
    model: message.model,
    message: { role: 'assistant', content: texts.length === 0 ? null : texts.join(''), toolCalls },
    stopReason: stopReasonOf(message.stop_reason),
    usage: { inputTokens, outputTokens: usage.output_tokens, totalTokens: inputTokens + usage.output_tokens },
  };
  if (structured !== undefined) response.structured = structured.value;
  return response;
}
