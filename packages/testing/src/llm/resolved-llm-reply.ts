// A scripted reply with its defaults filled in, ready for either provider's renderer, and the
// pieces both renderers share (chunking, server-sent events).
import type { LlmReply, LlmReplyUsage, LlmStopReason, RecordedLlmRequest } from './llm-script.js';

/** A tool call with its arguments rendered both ways. */
export interface ResolvedToolCall {
  /** The scripted id, if any (each renderer adds its own prefix otherwise). */
  id: string | undefined;
  /** The tool's name. */
  name: string;
  /** The arguments as sent on the OpenAI wire and in streamed deltas: JSON, or the raw string. */
  argumentsText: string;
  /** The arguments as a value: parsed from a raw string when it is JSON, else the string itself. */
  argumentsValue: unknown;
}

/** A reply that is not an error, with every default decided. */
export interface ResolvedLlmReply {
  /** The text; `undefined` only when there are tool calls and no scripted text. */
  text: string | undefined;
  /** The tool calls, possibly none. */
  toolCalls: ResolvedToolCall[];
  /** The token counts. */
  usage: LlmReplyUsage;
  /** Why the turn stopped. */
  stopReason: LlmStopReason;
}

/** Everything a renderer needs besides the reply: ids, the model, the request's options. */
export interface RenderContext {
  /** The response id (`chatcmpl-local-<n>` or `msg_local_<n>`). */
  responseId: string;
  /** The model to echo: the request's, or `local-model`. */
  model: string;
  /** Unix seconds of the response. */
  created: number;
  /** The id of the tool call at an index when the script gave none. */
  toolCallId(index: number): string;
  /** The recorded request. */
  request: RecordedLlmRequest;
}

/** One server-sent event: an optional event name and its data line, already serialized. */
export interface ServerSentEvent {
  event?: string;
  data: string;
}

/** Rough token count of some characters: one token per four, rounded up, at least one. */
export function estimateTokens(characters: number): number {
  return Math.max(1, Math.ceil(characters / 4));
}

/** Fills in a reply's defaults; `requestCharacters` is the length of the request body text. */
export function resolveLlmReply(reply: LlmReply, requestCharacters: number): ResolvedLlmReply {
  const toolCalls = (reply.toolCalls ?? []).map((call): ResolvedToolCall => {
    if (typeof call.arguments === 'string') {
      let argumentsValue: unknown = call.arguments;
      try {
        argumentsValue = JSON.parse(call.arguments);
      } catch {
        // Not JSON: the string itself is the value, as scripted.
      }
      return { id: call.id, name: call.name, argumentsText: call.arguments, argumentsValue };
    }
    const argumentsText = JSON.stringify(call.arguments ?? {});
    return { id: call.id, name: call.name, argumentsText, argumentsValue: JSON.parse(argumentsText) };
  });
  const text = reply.text ?? (toolCalls.length > 0 ? undefined : '');
  const replyCharacters = (text ?? '').length + toolCalls.reduce((sum, call) => sum + call.name.length + call.argumentsText.length, 0);
  return {
    text,
    toolCalls,
    usage: reply.usage ?? {
      inputTokens: estimateTokens(requestCharacters),
      outputTokens: estimateTokens(replyCharacters),
    },
    stopReason: reply.stopReason ?? (toolCalls.length > 0 ? 'tool_use' : 'end_turn'),
  };
}

/**
 * Splits text into at most `count` pieces of about equal length, never inside a surrogate pair.
 * Empty text gives no pieces.
 */
export function splitIntoChunks(text: string, count = 3): string[] {
  const characters = Array.from(text);
  const size = Math.max(1, Math.ceil(characters.length / count));
  const pieces: string[] = [];
  for (let start = 0; start < characters.length; start += size) {
    pieces.push(characters.slice(start, start + size).join(''));
  }
  return pieces;
}
