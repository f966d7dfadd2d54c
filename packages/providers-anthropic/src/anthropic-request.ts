/**
 * Request building: a neutral {@link LlmRequest} as the body of a Messages API call. Pure data
 * mapping, no SDK client and no credentials.
 */
import type {
  ContentBlockParam,
  ImageBlockParam,
  MessageCreateParamsNonStreaming,
  MessageParam,
  TextBlockParam,
  Tool,
  ToolChoice,
  ToolResultBlockParam,
} from '@anthropic-ai/sdk/resources/messages';
import type { LlmContentPart, LlmRequest, LlmToolCall, LlmToolDefinition } from '@mcp-agent/core/engine';
import type { LlmMessage } from '@mcp-agent/core';

/** The model used when neither the request nor `anthropic.default_model` names one. */
export const ANTHROPIC_DEFAULT_MODEL = 'claude-sonnet-5-5';

/** `max_tokens` when the request sets none (the Messages API requires it). */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

/**
 * The body of a Messages API call. `temperature` is added by hand: the SDK's types leave it out,
 * but the API accepts it and the SDK sends the body as given.
 */
export type AnthropicMessagesBody = MessageCreateParamsNonStreaming & { temperature?: number };

/** What fills in a request's gaps: the resolved model and `max_tokens`. */
export interface AnthropicRequestDefaults {
  model: string;
  maxTokens: number;
}

type Role = 'user' | 'assistant';
interface Turn {
  role: Role;
  blocks: ContentBlockParam[];
}

/** Image types the Messages API accepts in a base64 source. */
type ImageMediaType = 'image/jpeg' | 'image/png' | 'image/gif' | 'image/webp';
const IMAGE_MEDIA_TYPES: ReadonlySet<string> = new Set<ImageMediaType>(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

/**
 * A tool call's arguments as the `input` of a `tool_use` block: the parsed JSON object, or `{}`
 * when the model wrote something that is not a JSON object. The neutral history keeps the raw
 * text unchanged; only the wire copy is repaired, so the API accepts the conversation while the
 * tool result tells the model what was wrong.
 *
 * @example
 * ```ts
 * toolUseInput('{"city":"Paris"}'); // { city: 'Paris' }
 * toolUseInput('{"city": "Par');    // {}
 * ```
 */
export function toolUseInput(argumentsText: string): Record<string, unknown> {
  if (argumentsText.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(argumentsText);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Invalid JSON: the tool result reports it to the model.
  }
  return {};
}

function textBlock(text: string): TextBlockParam[] {
  return text === '' ? [] : [{ type: 'text', text }];
}

/**
 * An image as an image block when the API accepts its type; any other type (an SVG, a TIFF, or a
 * PDF a tool labelled as an image) as a text note, since the API would reject the whole request.
 */
function imageBlock(part: { data: string; mimeType: string }): TextBlockParam | ImageBlockParam {
  if (IMAGE_MEDIA_TYPES.has(part.mimeType)) return { type: 'image', source: { type: 'base64', media_type: part.mimeType as ImageMediaType, data: part.data } };
  // base64 carries 3 bytes in 4 characters.
  const bytes = Math.floor((part.data.replace(/=+$/, '').length * 3) / 4);
  return {
    type: 'text',
    text: `[an image (${part.mimeType}, ${bytes} bytes) was left out; the Anthropic Messages API accepts image/jpeg, image/png, image/gif and image/webp only]`,
  };
}

function contentBlocks(content: string | LlmContentPart[]): Array<TextBlockParam | ImageBlockParam> {
  if (typeof content === 'string') return textBlock(content);
  return content.flatMap((part): Array<TextBlockParam | ImageBlockParam> => (part.type === 'text' ? textBlock(part.text) : [imageBlock(part)]));
}

function toolResultBlock(message: Extract<LlmMessage, { role: 'tool' }>): ToolResultBlockParam {
  const content = contentBlocks(message.content);
  return {
    type: 'tool_result',
    tool_use_id: message.toolCallId,
    // An empty result still needs content the model can see.
    content: content.length === 0 ? '(empty result)' : content.every((block) => block.type === 'text') ? content.map((block) => (block as TextBlockParam).text).join('\n') : content,
    ...(message.isError === true ? { is_error: true } : {}),
  };
}

/**
 * A tool call whose result is not in the conversation (the forced structured-output call, kept in
 * history) can't be sent as `tool_use`: the API wants a `tool_result` right after each one. It is
 * sent as the text it stands for, the JSON the model wrote.
 */
function assistantBlocks(content: string | null, toolCalls: LlmToolCall[], answered: ReadonlySet<string>): ContentBlockParam[] {
  const blocks: ContentBlockParam[] = textBlock(content ?? '');
  for (const call of toolCalls) {
    if (answered.has(call.id)) blocks.push({ type: 'tool_use', id: call.id, name: call.name, input: toolUseInput(call.arguments) });
    else blocks.push(...textBlock(call.arguments));
  }
  return blocks;
}

/** Turns in the API's shape: consecutive turns of one role merged, tool results first in a user turn. */
function toMessageParams(turns: Turn[]): MessageParam[] {
  const merged: Turn[] = [];
  for (const turn of turns) {
    if (turn.blocks.length === 0) continue;
    const last = merged.at(-1);
    if (last !== undefined && last.role === turn.role) last.blocks.push(...turn.blocks);
    else merged.push({ role: turn.role, blocks: [...turn.blocks] });
  }
  return merged.map(({ role, blocks }) => {
    const ordered = role === 'user' ? [...blocks.filter((block) => block.type === 'tool_result'), ...blocks.filter((block) => block.type !== 'tool_result')] : blocks;
    const only = ordered[0];
    if (ordered.length === 1 && only?.type === 'text') return { role, content: only.text };
    return { role, content: ordered };
  });
}

function toolParam(tool: LlmToolDefinition): Tool {
  const { $schema: _ignored, ...schema } = tool.inputSchema;
  return {
    name: tool.name,
    ...(tool.description === undefined || tool.description === '' ? {} : { description: tool.description }),
    input_schema: { type: 'object', ...schema } as Tool.InputSchema,
  };
}

function toolChoice(request: LlmRequest, otherTools: number): ToolChoice | undefined {
  const disableParallel = request.parallelToolCalls === false ? { disable_parallel_tool_use: true } : {};
  if (request.responseFormat !== undefined) {
    // With other tools, any tool may be called, so the loop can still use them before it
    // answers through the structured-output tool; alone, that tool is forced.
    return otherTools > 0 ? { type: 'any', ...disableParallel } : { type: 'tool', name: request.responseFormat.name, ...disableParallel };
  }
  if (otherTools > 0 && request.parallelToolCalls === false) return { type: 'auto', disable_parallel_tool_use: true };
  return undefined;
}

/**
 * The Messages API body of a neutral request.
 *
 * - system messages become `system` (joined by a blank line);
 * - user messages keep their text and base64 images (JPEG, PNG, GIF, WebP; other types become a
 *   text note, in tool results too);
 * - assistant messages carry their text and a `tool_use` block per tool call;
 * - tool messages become `tool_result` blocks of one user message (`is_error` kept);
 * - `responseFormat` adds a tool of that name with the schema as its input, chosen by
 *   `tool_choice` (`{ type: 'tool' }` alone, `{ type: 'any' }` beside other tools);
 * - `parallelToolCalls: false` sets `disable_parallel_tool_use`.
 *
 * @example
 * ```ts
 * const body = toAnthropicMessagesBody(
 *   { provider: 'anthropic', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }] },
 *   { model: 'claude-sonnet-5-5', maxTokens: 4096 },
 * );
 * body.system; // 'Be brief.'
 * ```
 */
export function toAnthropicMessagesBody(request: LlmRequest, defaults: AnthropicRequestDefaults): AnthropicMessagesBody {
  const system: string[] = [];
  const answered = new Set(request.messages.flatMap((message) => (message.role === 'tool' ? [message.toolCallId] : [])));
  const turns: Turn[] = [];
  for (const message of request.messages) {
    switch (message.role) {
      case 'system':
        if (message.content !== '') system.push(message.content);
        break;
      case 'user':
        turns.push({ role: 'user', blocks: contentBlocks(message.content) });
        break;
      case 'assistant':
        turns.push({ role: 'assistant', blocks: assistantBlocks(message.content, message.toolCalls ?? [], answered) });
        break;
      case 'tool':
        turns.push({ role: 'user', blocks: [toolResultBlock(message)] });
        break;
    }
  }
  const formatName = request.responseFormat?.name;
  const tools = (request.tools ?? []).filter((tool) => tool.name !== formatName).map(toolParam);
  const choice = toolChoice(request, tools.length);
  if (request.responseFormat !== undefined) {
    tools.push(
      toolParam({
        name: request.responseFormat.name,
        description: 'Give your final answer by calling this tool: its input is the answer, in the shape of its schema.',
        inputSchema: request.responseFormat.schema,
      }),
    );
  }
  const body: AnthropicMessagesBody = {
    model: request.model ?? defaults.model,
    max_tokens: request.maxTokens ?? defaults.maxTokens,
    messages: toMessageParams(turns),
  };
  if (system.length > 0) body.system = system.join('\n\n');
  if (tools.length > 0) body.tools = tools;
  if (choice !== undefined) body.tool_choice = choice;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.stopSequences !== undefined && request.stopSequences.length > 0) body.stop_sequences = [...request.stopSequences];
  return body;
}
