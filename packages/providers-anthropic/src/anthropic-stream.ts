/**
 * Streaming: collects a Messages API event stream into a message, passing text on as it comes.
 *
 * The SDK's `messages.stream()` helper parses each `tool_use` block's JSON when the block ends
 * and fails the whole stream when the model wrote invalid JSON. Collecting the raw events keeps
 * the text the model wrote, so a streamed call with bad arguments goes back to the model as a
 * tool error, exactly as a non-streamed one does.
 */
import type { RawMessageStreamEvent } from '@anthropic-ai/sdk/resources/messages';
import { MalformedAnthropicResponse } from './anthropic-errors.js';
import type { AnthropicMessageLike } from './anthropic-response.js';

type CollectedBlock = { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: unknown; json: string } | { type: string };

function parsedInput(block: { input: unknown; json: string }): unknown {
  if (block.json.trim() === '') return block.input ?? {};
  try {
    return JSON.parse(block.json);
  } catch {
    return block.json;
  }
}

/**
 * The message an event stream describes: `message_start` gives the model and input usage,
 * `content_block_*` the text and tool calls (text deltas also go to `onText`), `message_delta`
 * the stop reason and final usage. A `tool_use` block whose JSON does not parse keeps the text as
 * its `input`.
 *
 * @throws Error (a `MalformedAnthropicResponse`, which `classifyAnthropicError` makes a retryable
 *   `MalformedResponseError`) when the stream has no `message_start` event, one without a
 *   `message` and its `usage`, or ends before `message_stop`: a broken stream is never taken for
 *   a whole message.
 *
 * @example
 * ```ts
 * const events = await client.messages.create({ ...body, stream: true });
 * const message = await collectAnthropicStream(events, (delta) => process.stdout.write(delta));
 * ```
 */
export async function collectAnthropicStream(events: AsyncIterable<RawMessageStreamEvent>, onText: (delta: string) => void): Promise<AnthropicMessageLike> {
  let model = '';
  let stopReason: AnthropicMessageLike['stop_reason'] = null;
  const usage = { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  const blocks: CollectedBlock[] = [];
  let started = false;
  let stopped = false;
  for await (const event of events) {
    switch (event.type) {
      case 'message_start':
        if (typeof event.message !== 'object' || event.message === null) throw new MalformedAnthropicResponse('has a message_start event without a "message" object');
        if (typeof event.message.usage !== 'object' || event.message.usage === null)
          throw new MalformedAnthropicResponse('has a message_start event whose message has no "usage" object');
        started = true;
        model = event.message.model;
        usage.input_tokens = event.message.usage.input_tokens;
        usage.output_tokens = event.message.usage.output_tokens;
        usage.cache_creation_input_tokens = event.message.usage.cache_creation_input_tokens ?? 0;
        usage.cache_read_input_tokens = event.message.usage.cache_read_input_tokens ?? 0;
        break;
      case 'content_block_start': {
        const block = event.content_block;
        blocks[event.index] =
          block.type === 'text'
            ? { type: 'text', text: block.text }
            : block.type === 'tool_use'
              ? { type: 'tool_use', id: block.id, name: block.name, input: block.input, json: '' }
              : { type: block.type };
        if (block.type === 'text' && block.text !== '') onText(block.text);
        break;
      }
      case 'content_block_delta': {
        const block = blocks[event.index];
        if (event.delta.type === 'text_delta' && block !== undefined && 'text' in block) {
          block.text += event.delta.text;
          onText(event.delta.text);
        } else if (event.delta.type === 'input_json_delta' && block !== undefined && 'json' in block) {
          block.json += event.delta.partial_json;
        }
        break;
      }
      case 'message_delta':
        stopReason = event.delta.stop_reason;
        usage.output_tokens = event.usage.output_tokens;
        if (event.usage.input_tokens !== null && event.usage.input_tokens !== undefined) usage.input_tokens = event.usage.input_tokens;
        if (typeof event.usage.cache_creation_input_tokens === 'number') usage.cache_creation_input_tokens = event.usage.cache_creation_input_tokens;
        if (typeof event.usage.cache_read_input_tokens === 'number') usage.cache_read_input_tokens = event.usage.cache_read_input_tokens;
        break;
      case 'message_stop':
        stopped = true;
        break;
      default:
        break;
    }
  }
  if (!started) throw new MalformedAnthropicResponse('is a stream without a message_start event');
  if (!stopped) throw new MalformedAnthropicResponse('is a stream that ended before its message_stop event');
  const content = blocks
    .filter((block): block is CollectedBlock => block !== undefined)
    .map((block) => ('json' in block ? { type: 'tool_use', id: block.id, name: block.name, input: parsedInput(block) } : block));
  return { model, content, stop_reason: stopReason, usage };
}
