// Renders a scripted reply on Google's Gemini API wire (`generateContent`): a
// `GenerateContentResponse`, its server-sent event stream, or an error body.
import type { LlmReplyError, LlmStopReason } from './llm-script.js';
import { splitIntoChunks } from './resolved-llm-reply.js';
import type { RenderContext, ResolvedLlmReply, ServerSentEvent } from './resolved-llm-reply.js';

/** `finishReason` for each stop reason: Gemini ends a turn with function calls as `STOP` too. */
const FINISH_REASONS: Record<LlmStopReason, string> = {
  end_turn: 'STOP',
  stop_sequence: 'STOP',
  tool_use: 'STOP',
  max_tokens: 'MAX_TOKENS',
};

/** The `usageMetadata` of a response. */
function usageMetadata(reply: ResolvedLlmReply): Record<string, number> {
  const { inputTokens, outputTokens } = reply.usage;
  return { promptTokenCount: inputTokens, candidatesTokenCount: outputTokens, totalTokenCount: inputTokens + outputTokens };
}

/** A `functionCall` part; Gemini's arguments are an object, so a non-object scripted value is sent as `{ value }`. */
function functionCallPart(call: ResolvedLlmReply['toolCalls'][number], index: number, context: RenderContext): Record<string, unknown> {
  const args = typeof call.argumentsValue === 'object' && call.argumentsValue !== null && !Array.isArray(call.argumentsValue) ? call.argumentsValue : { value: call.argumentsValue };
  return { functionCall: { id: call.id ?? context.toolCallId(index), name: call.name, args } };
}

/** A non-streaming `GenerateContentResponse`: one candidate with the text part and a `functionCall` part per call. */
export function googleGenerateContentResponse(reply: ResolvedLlmReply, context: RenderContext): Record<string, unknown> {
  const parts: Array<Record<string, unknown>> = [];
  if (reply.text !== undefined && reply.text !== '') parts.push({ text: reply.text });
  reply.toolCalls.forEach((call, index) => {
    parts.push(functionCallPart(call, index, context));
  });
  return {
    candidates: [{ content: { role: 'model', parts }, finishReason: FINISH_REASONS[reply.stopReason], index: 0 }],
    usageMetadata: usageMetadata(reply),
    modelVersion: context.model,
    responseId: context.responseId,
  };
}

/**
 * The stream of a response (`streamGenerateContent?alt=sse`): the text in a few chunks, then one
 * chunk with the function calls (Gemini sends each call whole), the `finishReason` and the
 * `usageMetadata`. Events carry data only, as Google's do.
 */
export function googleGenerateContentEvents(reply: ResolvedLlmReply, context: RenderContext): ServerSentEvent[] {
  const chunk = (parts: Array<Record<string, unknown>>, last: boolean): ServerSentEvent => ({
    data: JSON.stringify({
      candidates: [{ content: { role: 'model', parts }, ...(last ? { finishReason: FINISH_REASONS[reply.stopReason] } : {}), index: 0 }],
      ...(last ? { usageMetadata: usageMetadata(reply) } : {}),
      modelVersion: context.model,
      responseId: context.responseId,
    }),
  });
  const events = splitIntoChunks(reply.text ?? '').map((piece) => chunk([{ text: piece }], false));
  events.push(
    chunk(
      reply.toolCalls.map((call, index) => functionCallPart(call, index, context)),
      true,
    ),
  );
  return events;
}

/** The `status` Google's APIs give each HTTP status. */
function defaultErrorStatus(status: number): string {
  switch (status) {
    case 400:
      return 'INVALID_ARGUMENT';
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'PERMISSION_DENIED';
    case 404:
      return 'NOT_FOUND';
    case 429:
      return 'RESOURCE_EXHAUSTED';
    case 503:
      return 'UNAVAILABLE';
    case 504:
      return 'DEADLINE_EXCEEDED';
    default:
      return status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION';
  }
}

/** A Google error body: `{ error: { code, message, status } }`. */
export function googleErrorBody(error: LlmReplyError, message: string): Record<string, unknown> {
  return { error: { code: error.status, message, status: error.type ?? defaultErrorStatus(error.status) } };
}
