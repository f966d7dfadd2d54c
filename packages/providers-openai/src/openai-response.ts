/**
 * OpenAI Chat Completions responses (whole, or streamed chunks) as neutral `LlmResponse`s.
 */
import { WorkflowApplicationError, type LlmUsage } from '@mcp-agent/core';
import type { LlmResponse, LlmStopReason, LlmToolCall } from '@mcp-agent/core/engine';
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionMessageToolCall } from 'openai/resources/chat/completions';
import type { CompletionUsage } from 'openai/resources/completions';

/**
 * The neutral stop reason of a `finish_reason`: `stop` → `end_turn`, `tool_calls` (and the legacy
 * `function_call`) → `tool_use`, `length` → `max_tokens`, anything else (`content_filter`) → `other`.
 * A turn that carries tool calls is `tool_use` whatever the server said (some OpenAI-compatible
 * servers answer `stop`).
 *
 * @example
 * ```ts
 * toLlmStopReason('length', false); // 'max_tokens'
 * ```
 */
export function toLlmStopReason(finishReason: string | null | undefined, hasToolCalls: boolean): LlmStopReason {
  if (hasToolCalls) return 'tool_use';
  switch (finishReason) {
    case 'stop':
      return 'end_turn';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'length':
      return 'max_tokens';
    default:
      return 'other';
  }
}

/**
 * Token counts: prompt → input, completion → output, total (their sum when the server sends none).
 *
 * @example
 * ```ts
 * toLlmUsage({ prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 }); // { inputTokens: 10, outputTokens: 2, totalTokens: 12 }
 * ```
 */
export function toLlmUsage(usage: CompletionUsage | null | undefined): LlmUsage {
  const inputTokens = usage?.prompt_tokens ?? 0;
  const outputTokens = usage?.completion_tokens ?? 0;
  return { inputTokens, outputTokens, totalTokens: usage?.total_tokens ?? inputTokens + outputTokens };
}

function toLlmToolCall(call: ChatCompletionMessageToolCall): LlmToolCall {
  // Custom (free-form) tools are not offered by this provider; map them anyway, their input as the arguments.
  if (call.type === 'custom') return { id: call.id, name: call.custom.name, arguments: call.custom.input };
  return { id: call.id, name: call.function.name, arguments: call.function.arguments };
}

/**
 * A `chat.completion` as a neutral response: the first choice's text (or its refusal), tool calls
 * with their arguments kept as the model wrote them, the stop reason, usage and model.
 *
 * @throws WorkflowApplicationError (retryable) when the completion has no choice.
 *
 * @example
 * ```ts
 * const response = fromChatCompletion(await client.chat.completions.create(body));
 * response.message.toolCalls[0]?.arguments; // '{"text":"hi"}'
 * ```
 */
export function fromChatCompletion(completion: ChatCompletion): LlmResponse {
  const choice = completion.choices[0];
  if (choice === undefined) {
    throw new WorkflowApplicationError(`openai: the completion ${completion.id} of model ${completion.model} has no choices`, { type: 'EmptyCompletion' });
  }
  const toolCalls = (choice.message.tool_calls ?? []).map(toLlmToolCall);
  return {
    model: completion.model,
    message: { role: 'assistant', content: choice.message.content ?? choice.message.refusal ?? null, toolCalls },
    stopReason: toLlmStopReason(choice.finish_reason, toolCalls.length > 0),
    usage: toLlmUsage(completion.usage),
  };
}

/**
 * Reassembles a streamed completion from its chunks: text deltas appended, tool calls gathered by
 * `index` (id and name as they arrive, argument fragments appended), usage from the final chunk
 * (`stream_options.include_usage`).
 *
 * @example
 * ```ts
 * const assembler = new ChatCompletionStreamAssembler('gpt-4o-mini');
 * for await (const chunk of stream) { const text = assembler.add(chunk); if (text) process.stdout.write(text); }
 * const response = assembler.response();
 * ```
 */
export class ChatCompletionStreamAssembler {
  #model: string;
  #content = '';
  #refusal = '';
  #finishReason: string | null = null;
  #usage: CompletionUsage | undefined;
  readonly #toolCalls = new Map<number, { id: string; name: string; arguments: string }>();

  /** @param model - The model asked for, until a chunk names the one that answers. */
  constructor(model: string) {
    this.#model = model;
  }

  /** Adds a chunk; returns the text it carries ('' when none). */
  add(chunk: ChatCompletionChunk): string {
    if (chunk.model) this.#model = chunk.model;
    if (chunk.usage) this.#usage = chunk.usage;
    const choice = chunk.choices.find((candidate) => candidate.index === 0) ?? chunk.choices[0];
    if (choice === undefined) return '';
    if (choice.finish_reason) this.#finishReason = choice.finish_reason;
    const delta = choice.delta;
    for (const fragment of delta.tool_calls ?? []) {
      let call = this.#toolCalls.get(fragment.index);
      if (call === undefined) {
        call = { id: '', name: '', arguments: '' };
        this.#toolCalls.set(fragment.index, call);
      }
      if (fragment.id) call.id = fragment.id;
      if (fragment.function?.name) call.name = fragment.function.name;
      if (fragment.function?.arguments) call.arguments += fragment.function.arguments;
    }
    if (typeof delta.refusal === 'string') this.#refusal += delta.refusal;
    if (typeof delta.content === 'string') {
      this.#content += delta.content;
      return delta.content;
    }
    return '';
  }

  /** The neutral response of the chunks added so far. */
  response(): LlmResponse {
    const toolCalls = [...this.#toolCalls.entries()].sort(([a], [b]) => a - b).map(([, call]) => ({ ...call }));
    const content = this.#content !== '' ? this.#content : this.#refusal !== '' ? this.#refusal : toolCalls.length > 0 ? null : '';
    return {
      model: this.#model,
      message: { role: 'assistant', content, toolCalls },
      stopReason: toLlmStopReason(this.#finishReason, toolCalls.length > 0),
      usage: toLlmUsage(this.#usage),
    };
  }
}
