/**
 * The neutral request as AI SDK call options (`LanguageModelV3CallOptions`), and an AI SDK
 * result (`doGenerate`'s) as the neutral response.
 */
import type {
  LanguageModelV3CallOptions,
  LanguageModelV3Content,
  LanguageModelV3FinishReason,
  LanguageModelV3Message,
  LanguageModelV3ToolResultOutput,
  LanguageModelV3Usage,
} from '@ai-sdk/provider';
import type { LlmContentPart, LlmRequest, LlmResponse, LlmStopReason, LlmToolCall } from '@mcp-agent/core/engine';
import type { LlmMessage, LlmUsage } from '@mcp-agent/core/workflow';

/** The JSON value a tool call's argument text stands for, or the text itself when it is not JSON. */
function parseArguments(text: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function userContent(content: string | LlmContentPart[]): Extract<LanguageModelV3Message, { role: 'user' }>['content'] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return content.map((part) => (part.type === 'text' ? { type: 'text', text: part.text } : { type: 'file', data: part.data, mediaType: part.mimeType }));
}

function toolOutput(content: string | LlmContentPart[], isError: boolean | undefined): LanguageModelV3ToolResultOutput {
  if (typeof content === 'string') return isError === true ? { type: 'error-text', value: content } : { type: 'text', value: content };
  if (content.every((part) => part.type === 'text')) {
    const value = content.map((part) => (part as { text: string }).text).join('\n');
    return isError === true ? { type: 'error-text', value } : { type: 'text', value };
  }
  return {
    type: 'content',
    value: content.map((part) => (part.type === 'text' ? { type: 'text', text: part.text } : { type: 'image-data', data: part.data, mediaType: part.mimeType })),
  };
}

/**
 * The neutral conversation as an AI SDK prompt. Consecutive tool results become one `tool`
 * message, as the providers expect the answers to parallel calls together.
 */
export function toAiSdkPrompt(messages: readonly LlmMessage[]): LanguageModelV3Message[] {
  const prompt: LanguageModelV3Message[] = [];
  for (const message of messages) {
    switch (message.role) {
      case 'system':
        prompt.push({ role: 'system', content: message.content });
        break;
      case 'user':
        prompt.push({ role: 'user', content: userContent(message.content) });
        break;
      case 'assistant': {
        const content: Extract<LanguageModelV3Message, { role: 'assistant' }>['content'] = [];
        if (message.content !== null && message.content !== '') content.push({ type: 'text', text: message.content });
        for (const call of message.toolCalls ?? []) content.push({ type: 'tool-call', toolCallId: call.id, toolName: call.name, input: parseArguments(call.arguments) });
        prompt.push({ role: 'assistant', content });
        break;
      }
      case 'tool': {
        const part = { type: 'tool-result' as const, toolCallId: message.toolCallId, toolName: message.name, output: toolOutput(message.content, message.isError) };
        const previous = prompt.at(-1);
        if (previous?.role === 'tool') previous.content.push(part);
        else prompt.push({ role: 'tool', content: [part] });
        break;
      }
    }
  }
  return prompt;
}

/**
 * The provider options that ask for one tool call per turn. The AI SDK has no common option for
 * it; each provider reads its own key and ignores the others (the rest run the calls of a turn
 * one after the other anyway, as the loop does when `parallelToolCalls` is false).
 */
const ONE_TOOL_AT_A_TIME = { openai: { parallelToolCalls: false }, anthropic: { disableParallelToolUse: true } };

/** The call options of one round trip (the signal is added by the caller). */
export function toAiSdkCallOptions(request: LlmRequest): LanguageModelV3CallOptions {
  return {
    prompt: toAiSdkPrompt(request.messages),
    ...(request.maxTokens === undefined ? {} : { maxOutputTokens: request.maxTokens }),
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(request.stopSequences === undefined || request.stopSequences.length === 0 ? {} : { stopSequences: request.stopSequences }),
    ...(request.tools === undefined || request.tools.length === 0
      ? {}
      : {
          tools: request.tools.map((tool) => ({
            type: 'function' as const,
            name: tool.name,
            ...(tool.description === undefined ? {} : { description: tool.description }),
            inputSchema: tool.inputSchema,
          })),
          toolChoice: { type: 'auto' as const },
        }),
    ...(request.responseFormat === undefined ? {} : { responseFormat: { type: 'json' as const, name: request.responseFormat.name, schema: request.responseFormat.schema } }),
    ...(request.parallelToolCalls === false && request.tools !== undefined && request.tools.length > 0 ? { providerOptions: ONE_TOOL_AT_A_TIME } : {}),
  };
}

/** The neutral stop reason of an AI SDK finish reason; a turn with tool calls stops for them. */
export function toStopReason(finishReason: LanguageModelV3FinishReason | undefined, hasToolCalls: boolean): LlmStopReason {
  if (hasToolCalls) return 'tool_use';
  switch (finishReason?.unified) {
    case 'stop':
      return 'end_turn';
    case 'length':
      return 'max_tokens';
    case 'tool-calls':
      return 'tool_use';
    default:
      return 'other';
  }
}

/** The neutral token counts of AI SDK usage (counts a provider doesn't report are 0). */
export function toUsage(usage: LanguageModelV3Usage | undefined): LlmUsage {
  const inputTokens = usage?.inputTokens.total ?? 0;
  const outputTokens = usage?.outputTokens.total ?? 0;
  return { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
}

/** A tool call of AI SDK content as the neutral one (`input` is the JSON text the model wrote). */
export function toToolCall(part: { toolCallId: string; toolName: string; input: string }): LlmToolCall {
  return { id: part.toolCallId, name: part.toolName, arguments: part.input };
}

/** The neutral response of `doGenerate`'s content, finish reason and usage. */
export function fromAiSdkResult(
  result: { content: LanguageModelV3Content[]; finishReason: LanguageModelV3FinishReason; usage: LanguageModelV3Usage; response?: { modelId?: string | undefined } | undefined },
  model: string,
): LlmResponse {
  const texts: string[] = [];
  const toolCalls: LlmToolCall[] = [];
  for (const part of result.content) {
    if (part.type === 'text') texts.push(part.text);
    // Tools the provider ran itself (web search, code execution) are not the agent's to run.
    else if (part.type === 'tool-call' && part.providerExecuted !== true) toolCalls.push(toToolCall(part));
  }
  const text = texts.join('');
  return {
    model: result.response?.modelId ?? model,
    message: { role: 'assistant', content: text === '' && toolCalls.length > 0 ? null : text, toolCalls },
    stopReason: toStopReason(result.finishReason, toolCalls.length > 0),
    usage: toUsage(result.usage),
  };
}
