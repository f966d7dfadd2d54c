/**
 * Error classification: what the Anthropic SDK throws, as the `WorkflowApplicationError` engines
 * retry or not. Requests that can't succeed on retry fail at once; rate limits, server errors and
 * network errors stay retryable, and the engine's retry policy decides when to try again.
 */
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
} from '@anthropic-ai/sdk';
import { messageOf, WorkflowApplicationError } from '@mcp-agent/core';
import { retryAfterMilliseconds } from '@mcp-agent/core/engine';

/** What the classifier knows about the call that failed. */
export interface AnthropicErrorContext {
  /** The model the request asked for, named when it is not found. */
  model: string;
  /** The API key, removed from anything echoed back into a message. */
  apiKey?: string | undefined;
  /** The base URL the request went to, named when its answer is broken. Default: "the endpoint of anthropic.base_url". */
  baseUrl?: string | undefined;
}

/**
 * What is wrong with a 200's body (JSON without the fields a message or its event stream has),
 * worded to follow "the response ...", carried from the mapping to {@link classifyAnthropicError}.
 *
 * @example
 * ```ts
 * throw new MalformedAnthropicResponse('has no "content" array');
 * ```
 */
export class MalformedAnthropicResponse extends Error {
  /** The problem, such as `has no "content" array`. */
  readonly problem: string;

  /** @param problem - What was wrong, worded to follow "the response ...". */
  constructor(problem: string) {
    super(`the response ${problem}`);
    this.name = 'MalformedAnthropicResponse';
    this.problem = problem;
  }
}

/**
 * The error for a 200 whose body is not the answer the API defines: retryable (a fault of the
 * server, or of a proxy in between), `type` `MalformedResponseError`, and a message naming the
 * provider, the endpoint, the model and the problem.
 *
 * @param problem - What was wrong, worded to follow "the response ...": `is not valid JSON (...)`.
 *
 * @example
 * ```ts
 * malformedResponseError({ model: 'claude-haiku-4-5', baseUrl: 'http://127.0.0.1:1234' }, 'has no "content" array').message;
 * // anthropic: the response from http://127.0.0.1:1234 for model claude-haiku-4-5 has no "content" array; ...
 * ```
 */
export function malformedResponseError(context: AnthropicErrorContext, problem: string, cause?: unknown): WorkflowApplicationError {
  const endpoint = context.baseUrl ?? 'the endpoint of anthropic.base_url';
  const message =
    `anthropic: the response from ${endpoint} for model ${context.model} ${problem}; the server or a proxy in between answered with a broken body ` +
    '(retried by the llm.* retry policy; if it persists, check that anthropic.base_url points at the Anthropic Messages API)';
  const details: AnthropicErrorDetails = { provider: 'anthropic', status: 200 };
  return new WorkflowApplicationError(redact(message, context.apiKey), {
    type: 'MalformedResponseError',
    nonRetryable: false,
    details: [details],
    ...(cause === undefined ? {} : { cause: safeCause(cause, context.apiKey) }),
  });
}

/** Serialisable facts about a failed call, in `details[0]` of the error. */
export interface AnthropicErrorDetails {
  provider: 'anthropic';
  /** The HTTP status; absent for network errors. */
  status?: number;
  /** The API's error type, such as `rate_limit_error`. */
  errorType?: string;
  /** The API's request id, for support. */
  requestId?: string;
  /** For a rate limit: how long the API asked to wait (`retry-after-ms` or `retry-after`). */
  retryAfterMilliseconds?: number;
}

/** Status classes whose requests fail the same way however often they are sent. */
const NON_RETRYABLE: ReadonlyArray<readonly [abstract new (...args: never[]) => APIError, string]> = [
  [AuthenticationError, 'AuthenticationError'],
  [PermissionDeniedError, 'PermissionDeniedError'],
  [BadRequestError, 'BadRequestError'],
  [NotFoundError, 'NotFoundError'],
  [UnprocessableEntityError, 'UnprocessableEntityError'],
];

/** Statuses the API uses for conditions that pass: timeout, conflict, rate limit, lock. */
const RETRYABLE_STATUSES = new Set([408, 409, 429]);

/** The SDK's name of an error's class (`_errorName` survives minification), else its `name`. */
function className(error: Error): string {
  const declared = (error.constructor as { _errorName?: unknown })._errorName;
  return typeof declared === 'string' ? declared : error.name;
}

/** Keys shorter than this are not searched for: they would match ordinary words. */
const MINIMUM_REDACTED_KEY_LENGTH = 8;

/** Whether the key is long enough to be searched for and replaced. */
function redactable(apiKey: string | undefined): apiKey is string {
  return apiKey !== undefined && apiKey.length >= MINIMUM_REDACTED_KEY_LENGTH;
}

/** The text with the key (if echoed back by a proxy or a server) replaced. */
function withoutKey(text: string, apiKey: string | undefined): string {
  return redactable(apiKey) ? text.split(apiKey).join('[redacted]') : text;
}

/** The text on one line, with the key replaced. */
function redact(text: string, apiKey: string | undefined): string {
  return withoutKey(text.replace(/\s+/g, ' ').trim(), apiKey);
}

/** Everything of an error that gets printed: its message, stack, body and the messages of its causes. */
function printable(error: unknown): string {
  const parts: string[] = [];
  for (let current: unknown = error, depth = 0; current !== undefined && current !== null && depth < 5; depth += 1) {
    parts.push(messageOf(current));
    if (typeof current !== 'object') break;
    const { stack, error: body } = current as { stack?: unknown; error?: unknown };
    if (typeof stack === 'string') parts.push(stack);
    try {
      parts.push(JSON.stringify(body ?? null));
    } catch {
      // A body that can't be printed can't leak the key either.
    }
    current = (current as { cause?: unknown }).cause;
  }
  return parts.join('\n');
}

/**
 * The SDK's error as the `cause` to keep: itself, or, when the key shows up anywhere in it (its
 * message, its stack, the API's body, a nested cause), a plain copy of its class name and message
 * without the key, so neither `String(cause)` nor a logged stack prints it.
 */
function safeCause(error: unknown, apiKey: string | undefined): unknown {
  if (!redactable(apiKey) || !printable(error).includes(apiKey)) return error;
  const copy = new Error(withoutKey(messageOf(error), apiKey));
  copy.name = error instanceof Error ? className(error) : 'AnthropicError';
  return copy;
}

/**
 * The error to raise for what an Anthropic SDK call threw.
 *
 * - 401 `AuthenticationError`, 403 `PermissionDeniedError`, 400 `BadRequestError`,
 *   404 `NotFoundError` (the message names the model), 422 `UnprocessableEntityError`, and other
 *   4xx statuses except 408, 409 and 429: non-retryable, `type` the SDK class name;
 * - 429 `RateLimitError`: retryable, `details[0].retryAfterMilliseconds` from the headers;
 * - 5xx (`InternalServerError`, 529 `OverloadedError`), 408, 409, `APIConnectionError`,
 *   `APIConnectionTimeoutError`: retryable;
 * - `APIUserAbortError` (the call's `signal` aborted: cancellation or the attempt's timeout): the
 *   signal's reason, for the engine to recognise; without an aborted signal, a retryable error;
 * - a body that does not parse as JSON (a `SyntaxError`) or a {@link MalformedAnthropicResponse}:
 *   retryable, as {@link malformedResponseError} words it;
 * - a `WorkflowApplicationError` passes through; anything else becomes a retryable one.
 *
 * Messages read `anthropic: <status> <Class>: <the API's message>` and never contain the key; nor
 * does the `cause` (the SDK's error, or a copy without the key when the key is echoed in it).
 *
 * @example
 * ```ts
 * try { await client.messages.create(body, { signal }); }
 * catch (error) { throw classifyAnthropicError(error, { model: body.model, apiKey }, signal); }
 * ```
 */
export function classifyAnthropicError(error: unknown, context: AnthropicErrorContext): WorkflowApplicationError;
export function classifyAnthropicError(error: unknown, context: AnthropicErrorContext, signal: AbortSignal | undefined): unknown;
export function classifyAnthropicError(error: unknown, context: AnthropicErrorContext, signal?: AbortSignal): unknown {
  if (WorkflowApplicationError.is(error)) return error;
  if (error instanceof APIUserAbortError && signal?.aborted === true && signal.reason !== undefined) return signal.reason;
  if (error instanceof MalformedAnthropicResponse) return malformedResponseError(context, error.problem);
  // The SDK parses a 200's body (or a stream's event) and lets JSON.parse's error through.
  if (error instanceof SyntaxError) return malformedResponseError(context, `is not valid JSON (${error.message})`, error);
  if (!(error instanceof APIError) || error.status === undefined) {
    // Network failures, aborts without an aborted signal to explain them, an `error` event in the
    // middle of a stream (such as overloaded_error), and anything unexpected: all may pass on
    // another attempt.
    const type = error instanceof Error ? className(error) : 'AnthropicError';
    const details: AnthropicErrorDetails = { provider: 'anthropic' };
    let text = messageOf(error);
    if (error instanceof APIConnectionTimeoutError) text = `the request timed out (${text})`;
    else if (error instanceof APIConnectionError) text = `cannot reach the API (${text})`;
    else if (error instanceof APIError) {
      if (error.type !== null) details.errorType = error.type;
      text = error.apiMessage ?? text;
    }
    return new WorkflowApplicationError(`anthropic: ${type}: ${redact(text, context.apiKey)}`, {
      type,
      nonRetryable: false,
      details: [details],
      cause: safeCause(error, context.apiKey),
    });
  }
  const status = error.status;
  const listed = NON_RETRYABLE.find(([errorClass]) => error instanceof errorClass);
  const type = listed?.[1] ?? className(error);
  const retryable = RETRYABLE_STATUSES.has(status) || status >= 500;
  const apiMessage = error.apiMessage ?? messageOf(error).replace(/^\d{3}\s*/, '');
  const details: AnthropicErrorDetails = { provider: 'anthropic', status };
  if (error.type !== null) details.errorType = error.type;
  if (typeof error.requestID === 'string') details.requestId = error.requestID;
  let message = `anthropic: ${status} ${type}: ${apiMessage}`;
  if (error instanceof NotFoundError) {
    message += ` (model "${context.model}": check the model name, or anthropic.default_model in mcp_agent.config.yaml)`;
  }
  if (error instanceof RateLimitError) {
    const wait = retryAfterMilliseconds(error.headers);
    if (wait !== undefined) {
      details.retryAfterMilliseconds = wait;
      message += ` (retry after ${wait} ms)`;
    }
  }
  return new WorkflowApplicationError(redact(message, context.apiKey), { type, nonRetryable: !retryable, details: [details], cause: safeCause(error, context.apiKey) });
}
