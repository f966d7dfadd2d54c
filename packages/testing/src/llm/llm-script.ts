// What the local LLM server answers: provider-neutral replies, the rules that pick them, and the
// record of each request the rules match against.

/**
 * Which wire protocol a request spoke: OpenAI Chat Completions, Anthropic Messages or Google's
 * Gemini API (`generateContent`).
 *
 * @example
 * ```ts
 * const provider: LlmProvider = 'anthropic';
 * ```
 */
export type LlmProvider = 'openai' | 'anthropic' | 'google';

/**
 * Why a scripted reply stopped, in Anthropic's words. On the OpenAI wire `end_turn` and
 * `stop_sequence` become `finish_reason: "stop"`, `tool_use` becomes `"tool_calls"` and
 * `max_tokens` becomes `"length"`.
 *
 * @example
 * ```ts
 * const stopReason: LlmStopReason = 'max_tokens';
 * ```
 */
export type LlmStopReason = 'end_turn' | 'tool_use' | 'max_tokens' | 'stop_sequence';

/**
 * One tool call of a scripted reply.
 *
 * @example
 * ```ts
 * const call: LlmReplyToolCall = { name: 'get_weather', arguments: { city: 'Paris' } };
 * const broken: LlmReplyToolCall = { name: 'get_weather', arguments: '{"city": "Par' }; // sent as is
 * ```
 */
export interface LlmReplyToolCall {
  /** The tool's name. */
  name: string;
  /**
   * The arguments: a value sent as JSON, or a string sent verbatim (to script invalid JSON).
   * OpenAI gets the string as `function.arguments`; Google gets `args` parsed from it (a value
   * that is not a JSON object as `{ value }`); Anthropic gets `input` parsed from it, or the
   * bare string when it is not JSON (streamed: the string as `input_json_delta` fragments).
   */
  arguments: unknown;
  /** The call id. Default: `call_local_<n>` (OpenAI, Google) or `toolu_local_<n>` (Anthropic), `<n>` six digits. */
  id?: string;
}

/**
 * Token counts of a scripted reply.
 *
 * @example
 * ```ts
 * const usage: LlmReplyUsage = { inputTokens: 120, outputTokens: 8 };
 * ```
 */
export interface LlmReplyUsage {
  /** Prompt tokens (`prompt_tokens` / `input_tokens`). */
  inputTokens: number;
  /** Completion tokens (`completion_tokens` / `output_tokens`). */
  outputTokens: number;
}

/**
 * A scripted error: the server answers with this HTTP status and the provider's error body.
 *
 * @example
 * ```ts
 * const error: LlmReplyError = { status: 429, retryAfterSeconds: 2 };
 * ```
 */
export interface LlmReplyError {
  /** The HTTP status, from 400 to 599. */
  status: number;
  /** The error message. Default: a sentence naming the status and saying the script chose it. */
  message?: string;
  /**
   * The error `type` in the body. Default by status: OpenAI `invalid_request_error` (4xx),
   * `requests` (429), `server_error` (5xx); Anthropic `invalid_request_error`,
   * `authentication_error` (401), `permission_error` (403), `not_found_error` (404),
   * `rate_limit_error` (429), `api_error` (5xx), `overloaded_error` (529); Google's `status`
   * `INVALID_ARGUMENT` (400), `UNAUTHENTICATED` (401), `PERMISSION_DENIED` (403), `NOT_FOUND`
   * (404), `RESOURCE_EXHAUSTED` (429), `UNAVAILABLE` (503), `INTERNAL` (other 5xx).
   */
  type?: string;
  /** When set, a `retry-after` header with this many seconds. */
  retryAfterSeconds?: number;
}

/**
 * One scripted model turn, in neither provider's format: the server renders it as an OpenAI
 * `chat.completion` (or its chunks) or an Anthropic `message` (or its events).
 *
 * Defaults: no text and no tool calls means empty text; `stopReason` is `tool_use` when there are
 * tool calls, else `end_turn`; `usage` is estimated (request body characters / 4, reply
 * characters / 4, each at least 1). With `error` or `malformedBody`, every other field but
 * `delayMilliseconds` is ignored (`error` wins when both are set).
 *
 * @example
 * ```ts
 * const reply: LlmReply = {
 *   text: 'Let me check.',
 *   toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }],
 *   usage: { inputTokens: 50, outputTokens: 12 },
 * };
 * ```
 */
export interface LlmReply {
  /** The assistant's text. */
  text?: string;
  /** Tool calls, in order (parallel calls on the OpenAI wire, `tool_use` blocks on Anthropic's). */
  toolCalls?: LlmReplyToolCall[];
  /** Token counts. Default: estimated from characters. */
  usage?: LlmReplyUsage;
  /** Why the turn stopped. Default: `tool_use` with tool calls, else `end_turn`. */
  stopReason?: LlmStopReason;
  /** Answer with this error instead. */
  error?: LlmReplyError;
  /**
   * Answer HTTP 200 with this broken body instead, as a faulty server or proxy might: sent
   * verbatim as the `application/json` body, or, for a streamed request, as the data of the first
   * server-sent event (OpenAI and Google: `data: <body>`; Anthropic: `event: message_start`, `data: <body>`),
   * after which the stream ends without its closing event. `''` sends an empty body (an empty
   * `data:` line when streamed); `'{}'` is JSON without the expected fields.
   *
   * @example
   * ```ts
   * server.enqueue({ malformedBody: '{"choices": [' }); // cut off in the middle
   * ```
   */
  malformedBody?: string;
  /** Wait this long before answering (before the first byte of a stream). Default 0. */
  delayMilliseconds?: number;
}

/**
 * A request the local LLM server received, as the rules see it and as `server.requests` lists it.
 *
 * @example
 * ```ts
 * const last: RecordedLlmRequest | undefined = server.requests.at(-1);
 * last?.provider; // 'openai'
 * last?.body.messages; // what the SDK sent
 * ```
 */
export interface RecordedLlmRequest {
  /** The wire protocol, from the path (or, for an unknown path, from Anthropic's headers). */
  provider: LlmProvider;
  /** The HTTP method. */
  method: string;
  /** The path, without the query: `/v1/chat/completions` or `/v1/messages`. */
  path: string;
  /**
   * The headers, names in lower case; the values of `authorization`, `x-api-key`, `api-key` and
   * `proxy-authorization` are replaced by `[redacted]`.
   */
  headers: Record<string, string>;
  /** The JSON body; `{}` when it was not a JSON object. */
  body: Record<string, unknown>;
  /** Whether the body asked for a stream (`stream: true`). */
  stream: boolean;
  /** The body's `model`, when a string. */
  model: string | undefined;
  /**
   * The text of the last user message that has text (string content, or its text parts joined),
   * skipping user turns that carry only tool results.
   */
  lastUserMessage: string | undefined;
  /** When the request arrived. */
  time: Date;
  /** When a successful reply was sent in full; unset for errors and for requests cut off or still waiting. */
  answeredAt?: Date;
}

/**
 * A rule: for a request it matches, the reply to give. Rules come before the queue, and the
 * first matching rule that has uses left wins.
 *
 * @example
 * ```ts
 * const rule: LlmRule = {
 *   match: (request) => request.lastUserMessage?.includes('weather') ?? false,
 *   reply: replyWithToolCall('get_weather', { city: 'Paris' }),
 *   times: 1,
 * };
 * ```
 */
export interface LlmRule {
  /** Whether this rule answers the request. */
  match: (request: RecordedLlmRequest) => boolean;
  /** The reply, or a function of the request that returns it. */
  reply: LlmReply | ((request: RecordedLlmRequest) => LlmReply);
  /** How many requests it answers before it stops matching. Default: unlimited. */
  times?: number;
}

/**
 * A script: rules, then replies queued in order.
 *
 * @example
 * ```ts
 * const script: LlmScript = { replies: [replyWithToolCall('add', { a: 1, b: 2 }), replyWithText('3')] };
 * ```
 */
export interface LlmScript {
  /** Rules, tried in order before the queue. Default: none. */
  rules?: LlmRule[];
  /** Replies, each answering one request that no rule matched. Default: none. */
  replies?: LlmReply[];
}

/**
 * A reply with this text and nothing else.
 *
 * @param text - The assistant's text.
 * @returns `{ text }`.
 *
 * @example
 * ```ts
 * server.enqueue(replyWithText('Hello!'));
 * ```
 */
export function replyWithText(text: string): LlmReply {
  return { text };
}

/**
 * A reply with one tool call (`stopReason` defaults to `tool_use`).
 *
 * @param name - The tool's name.
 * @param args - Its arguments: a value sent as JSON, or a string sent verbatim.
 * @returns `{ toolCalls: [{ name, arguments: args }] }`.
 *
 * @example
 * ```ts
 * server.enqueue(replyWithToolCall('get_weather', { city: 'Paris' }), replyWithText('Sunny.'));
 * ```
 */
export function replyWithToolCall(name: string, args: unknown): LlmReply {
  return { toolCalls: [{ name, arguments: args }] };
}

/**
 * What is wrong with a reply, as a message naming the bad value and the fix, or `undefined` when
 * it is fine.
 */
export function describeInvalidLlmReply(reply: unknown): string | undefined {
  if (typeof reply !== 'object' || reply === null || Array.isArray(reply)) {
    return `reply: expected an object such as { text: "hi" }, got ${JSON.stringify(reply) ?? String(reply)}`;
  }
  const { text, toolCalls, usage, error, delayMilliseconds, malformedBody } = reply as LlmReply;
  if (text !== undefined && typeof text !== 'string') {
    return `reply.text: expected a string, got ${JSON.stringify(text)}`;
  }
  if (toolCalls !== undefined) {
    if (!Array.isArray(toolCalls)) return `reply.toolCalls: expected an array, got ${JSON.stringify(toolCalls)}`;
    for (const [index, call] of toolCalls.entries()) {
      if (typeof call?.name !== 'string' || call.name === '') {
        return `reply.toolCalls[${index}].name: expected a tool name, got ${JSON.stringify(call?.name)}`;
      }
    }
  }
  if (usage !== undefined) {
    for (const key of ['inputTokens', 'outputTokens'] as const) {
      const count = usage[key];
      if (!Number.isInteger(count) || count < 0) {
        return `reply.usage.${key}: expected a whole number from 0, got ${JSON.stringify(count)}`;
      }
    }
  }
  if (error !== undefined) {
    if (!Number.isInteger(error.status) || error.status < 400 || error.status > 599) {
      return `reply.error.status: expected an HTTP error status from 400 to 599, got ${JSON.stringify(error.status)}`;
    }
    const seconds = error.retryAfterSeconds;
    if (seconds !== undefined && !(typeof seconds === 'number' && seconds >= 0)) {
      return `reply.error.retryAfterSeconds: expected a number from 0, got ${JSON.stringify(seconds)}`;
    }
  }
  if (malformedBody !== undefined && typeof malformedBody !== 'string') {
    return `reply.malformedBody: expected the body text as a string, got ${JSON.stringify(malformedBody)}`;
  }
  if (delayMilliseconds !== undefined && !(typeof delayMilliseconds === 'number' && delayMilliseconds >= 0)) {
    return `reply.delayMilliseconds: expected a number from 0, got ${JSON.stringify(delayMilliseconds)}`;
  }
  return undefined;
}
