// Renders a scripted reply on the Anthropic Messages wire: a `message`, its event stream, or an
// error body.
import type { LlmReplyError } from './llm-script.js';
import { splitIntoChunks } from './resolved-llm-reply.js';
import type { RenderContext, ResolvedLlmReply, ServerSentEvent } from './resolved-llm-reply.js';

/** A `stop_sequence` for the reply: the request's first stop sequence when the reply stopped on one. */
function stopSequence(reply: ResolvedLlmReply, context: RenderContext): string | null {
  if (reply.stopReason !== 'stop_sequence') return null;
  const sequences = context.request.body['stop_sequences'];
  return Array.isArray(sequences) && typeof sequences[0] === 'string' ? sequences[0] : null;
}

/** The content blocks: the text block (if any), then one `tool_use` block per call. */
function contentBlocks(reply: ResolvedLlmReply, context: RenderContext): Array<Record<string, unknown>> {
  const blocks: Array<Record<string, unknown>> = [];
  if (reply.text !== undefined) blocks.push({ type: 'text', text: reply.text });
  reply.toolCalls.forEach((call, index) => {
    blocks.push({ type: 'tool_use', id: call.id ?? context.toolCallId(index), name: call.name, input: call.argumentsValue });
  });
  return blocks;
}

/** A non-streaming `message`. */
export function anthropicMessage(reply: ResolvedLlmReply, context: RenderContext): Record<string, unknown> {
  return {
    id: context.responseId,
    type: 'message',
    role: 'assistant',
    model: context.model,
    content: contentBlocks(reply, context),
    stop_reason: reply.stopReason,
    stop_sequence: stopSequence(reply, context),
    usage: {
      input_tokens: reply.usage.inputTokens,
      output_tokens: reply.usage.outputTokens,
      cache_creation_input_tokens: null,
      cache_read_input_tokens: null,
    },
  };
}

/**
 * The event stream of a message: `message_start` (empty content, input tokens), `ping`, per block
 * `content_block_start` / `content_block_delta` (`text_delta` pieces or `input_json_delta`
 * fragments) / `content_block_stop`, `message_delta` (stop reason, output tokens), `message_stop`.
 */
export function anthropicMessageEvents(reply: ResolvedLlmReply, context: RenderContext): ServerSentEvent[] {
  const events: ServerSentEvent[] = [];
  const emit = (data: Record<string, unknown> & { type: string }): void => {
    events.push({ event: data.type, data: JSON.stringify(data) });
  };
  const message = anthropicMessage(reply, context);
  emit({
    type: 'message_start',
    message: {
      ...message,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...(message['usage'] as object), output_tokens: Math.min(1, reply.usage.outputTokens) },
    },
  });
  emit({ type: 'ping' });
  let index = 0;
  if (reply.text !== undefined) {
    emit({ type: 'content_block_start', index, content_block: { type: 'text', text: '', citations: null } });
    for (const text of splitIntoChunks(reply.text)) {
      emit({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } });
    }
    emit({ type: 'content_block_stop', index });
    index += 1;
  }
  reply.toolCalls.forEach((call, callIndex) => {
    const id = call.id ?? context.toolCallId(callIndex);
    emit({ type: 'content_block_start', index, content_block: { type: 'tool_use', id, name: call.name, input: {} } });
    for (const partial_json of splitIntoChunks(call.argumentsText)) {
      emit({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json } });
    }
    emit({ type: 'content_block_stop', index });
    index += 1;
  });
  emit({
    type: 'message_delta',
    delta: { stop_reason: reply.stopReason, stop_sequence: stopSequence(reply, context) },
    usage: { output_tokens: reply.usage.outputTokens },
  });
  emit({ type: 'message_stop' });
  return events;
}

/** The error `type` Anthropic uses for a status. */
function defaultErrorType(status: number): string {
  switch (status) {
    case 401:
      return 'authentication_error';
    case 402:
      return 'billing_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 504:
      return 'timeout_error';
    case 529:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

/** An Anthropic error body: `{ type: 'error', error: { type, message }, request_id }`. */
export function anthropicErrorBody(error: LlmReplyError, message: string, requestId: string): Record<string, unknown> {
  return { type: 'error', error: { type: error.type ?? defaultErrorType(error.status), message }, request_id: requestId };
}
