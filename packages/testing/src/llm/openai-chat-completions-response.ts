// Renders a scripted reply on the OpenAI Chat Completions wire: a `chat.completion`, its
// `chat.completion.chunk` stream, or an error body.
import type { LlmReplyError, LlmStopReason } from './llm-script.js';
import { splitIntoChunks } from './resolved-llm-reply.js';
import type { RenderContext, ResolvedLlmReply, ServerSentEvent } from './resolved-llm-reply.js';

/** `finish_reason` for each stop reason. */
const FINISH_REASONS: Record<LlmStopReason, string> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  tool_use: 'tool_calls',
  max_tokens: 'length',
};

/** The `usage` object of a completion. */
function openaiUsage(reply: ResolvedLlmReply): Record<string, number> {
  const { inputTokens, outputTokens } = reply.usage;
  return { prompt_tokens: inputTokens, completion_tokens: outputTokens, total_tokens: inputTokens + outputTokens };
}

/** A non-streaming `chat.completion`. */
export function openaiChatCompletion(reply: ResolvedLlmReply, context: RenderContext): Record<string, unknown> {
  const message: Record<string, unknown> = {
    role: 'assistant',
    // `null` only for a tool-call turn without text.
    content: reply.text ?? null,
    refusal: null,
    annotations: [],
  };
  if (reply.toolCalls.length > 0) {
    message['tool_calls'] = reply.toolCalls.map((call, index) => ({
      id: call.id ?? context.toolCallId(index),
      type: 'function',
      function: { name: call.name, arguments: call.argumentsText },
    }));
  }
  return {
    id: context.responseId,
    object: 'chat.completion',
    created: context.created,
    model: context.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: FINISH_REASONS[reply.stopReason] }],
    usage: openaiUsage(reply),
    system_fingerprint: null,
  };
}

/**
 * The stream of a completion: a role chunk, text in a few chunks, each tool call as a chunk with
 * its id and name and then argument fragments, a chunk with `finish_reason`, a usage chunk with
 * no choices when the request set `stream_options.include_usage`, then `[DONE]`.
 */
export function openaiChatCompletionChunks(reply: ResolvedLlmReply, context: RenderContext): ServerSentEvent[] {
  const streamOptions = context.request.body['stream_options'];
  const includeUsage = typeof streamOptions === 'object' && streamOptions !== null && (streamOptions as Record<string, unknown>)['include_usage'] === true;
  const base = {
    id: context.responseId,
    object: 'chat.completion.chunk',
    created: context.created,
    model: context.model,
    system_fingerprint: null,
  };
  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null): ServerSentEvent => ({
    data: JSON.stringify({
      ...base,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      ...(includeUsage ? { usage: null } : {}),
    }),
  });

  const events: ServerSentEvent[] = [chunk({ role: 'assistant', content: reply.text === undefined ? null : '', refusal: null })];
  for (const piece of splitIntoChunks(reply.text ?? '')) events.push(chunk({ content: piece }));
  reply.toolCalls.forEach((call, index) => {
    events.push(
      chunk({
        tool_calls: [{ index, id: call.id ?? context.toolCallId(index), type: 'function', function: { name: call.name, arguments: '' } }],
      }),
    );
    for (const piece of splitIntoChunks(call.argumentsText)) {
      events.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
    }
  });
  events.push(chunk({}, FINISH_REASONS[reply.stopReason]));
  if (includeUsage) events.push({ data: JSON.stringify({ ...base, choices: [], usage: openaiUsage(reply) }) });
  events.push({ data: '[DONE]' });
  return events;
}

/** The error `type` OpenAI uses for a status. */
function defaultErrorType(status: number): string {
  if (status === 429) return 'requests';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/** The error `code` OpenAI uses for a status, if any. */
function defaultErrorCode(status: number): string | null {
  if (status === 401) return 'invalid_api_key';
  if (status === 429) return 'rate_limit_exceeded';
  return null;
}

/** An OpenAI error body: `{ error: { message, type, param, code } }`. */
export function openaiErrorBody(error: LlmReplyError, message: string): Record<string, unknown> {
  return {
    error: {
      message,
      type: error.type ?? defaultErrorType(error.status),
      param: null,
      code: defaultErrorCode(error.status),
    },
  };
}
