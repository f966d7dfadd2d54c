/**
 * Failures of AI SDK model calls as `WorkflowApplicationError`s with an explicit retry decision,
 * as the native providers classify theirs: what can't succeed on retry (a bad key, no permission,
 * a bad request, an unknown model, a missing setting) is non-retryable with a message naming the
 * provider, the endpoint and the fix; rate limits (with `retry-after`), 5xx, network errors and
 * malformed responses stay retryable, for the engine's retry policy.
 */
import {
  APICallError,
  EmptyResponseBodyError,
  InvalidResponseDataError,
  JSONParseError,
  LoadAPIKeyError,
  LoadSettingError,
  NoSuchModelError,
  TypeValidationError,
} from '@ai-sdk/provider';
import { messageOf, WorkflowApplicationError } from '@mcp-agent/core';
import { httpErrorType, isRetryableHttpStatus, redactApiKey, retryAfterMilliseconds } from '@mcp-agent/core/engine';

/** What the classification needs to word a message; the key is only used to redact it. */
export interface AiSdkErrorContext {
  /** The provider's name, as messages start: `google`, `mistral`. */
  provider: string;
  /** The model asked for. */
  model: string;
  /** Where the key is set, for hints: `google.api_key in mcp_agent.secrets.yaml or GOOGLE_API_KEY`. */
  keyHint?: string | undefined;
  /** Where the endpoint is set, for hints: `google.base_url`. */
  endpointHint?: string | undefined;
  /** The API key, redacted from anything the error carries. */
  apiKey?: string | undefined;
}

/** The endpoint a call went to, without its query (which may hold a key, as Google's `?key=` can). */
function endpointOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** The API's own message: the body's `error.message` (OpenAI, Google, Anthropic shapes), else the SDK's message. */
function apiMessage(error: APICallError): string {
  const fromData = (error.data as { error?: { message?: unknown } } | undefined)?.error?.message;
  if (typeof fromData === 'string' && fromData !== '') return fromData;
  if (error.responseBody !== undefined) {
    try {
      const body = JSON.parse(error.responseBody) as { error?: { message?: unknown }; message?: unknown };
      const message = body.error?.message ?? body.message;
      if (typeof message === 'string' && message !== '') return message;
    } catch {
      // Not JSON: the SDK's own message below.
    }
  }
  return error.message === '' ? 'no message' : error.message;
}

function hint(status: number, context: AiSdkErrorContext): string {
  switch (status) {
    case 400:
      return ` (model "${context.model}": the API refused the request as sent; check the model name, and that the model takes tools and JSON output if the call uses them)`;
    case 401:
      return ` (check ${context.keyHint ?? 'the API key'})`;
    case 403:
      return ` (model "${context.model}": check that the key may use this model${context.keyHint === undefined ? '' : `; the key is ${context.keyHint}`})`;
    case 404:
      return ` (model "${context.model}": check the model name${context.endpointHint === undefined ? '' : ` and ${context.endpointHint}`})`;
    default:
      return '';
  }
}

/** The innermost network cause of a failed call: its code (`ECONNREFUSED`), else its message. */
function networkCause(error: unknown): string | undefined {
  let innermost: string | undefined;
  for (let current: unknown = (error as { cause?: unknown }).cause, depth = 0; current !== undefined && current !== null && depth < 5; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    innermost = messageOf(current);
    current = (current as { cause?: unknown }).cause;
  }
  return innermost;
}

/** A copy of an error's name and message without the key, when the key shows in it; else the error. */
function safeCause(error: Error, apiKey: string | undefined): Error {
  const body = (error as { responseBody?: unknown }).responseBody;
  const text = `${error.message}\n${typeof body === 'string' ? body : ''}\n${(error as { url?: unknown }).url ?? ''}`;
  if (apiKey === undefined || apiKey.length < 4 || !text.includes(apiKey)) return error;
  const copy = new Error(redactApiKey(error.message, apiKey));
  copy.name = error.name;
  return copy;
}

/**
 * The error for a 200 whose body is not the answer the API defines: retryable, as a fault of the
 * server (or a proxy in between), with `type` `MalformedResponseError`.
 */
export function malformedResponseError(context: AiSdkErrorContext, problem: string, cause?: unknown): WorkflowApplicationError {
  const message =
    `${context.provider}: the response for model ${context.model} ${problem}; the server or a proxy in between answered with a broken body ` +
    `(retried by the llm.* retry policy; if it persists, check ${context.endpointHint ?? 'the endpoint'})`;
  return new WorkflowApplicationError(redactApiKey(message, context.apiKey), {
    type: 'MalformedResponseError',
    nonRetryable: false,
    details: [{ model: context.model }],
    ...(cause instanceof Error ? { cause: safeCause(cause, context.apiKey) } : {}),
  });
}

/**
 * The error to raise for a failure of an AI SDK call, or the failure itself when it is none of
 * the AI SDK's. Messages read `google: 401 AuthenticationError: <the API's message> (<hint>)
 * [POST <endpoint>]`; the key never appears in the message, the details or the cause.
 *
 * - `APICallError` with a status: 400, 401, 403, 404, 422 (any 4xx but 408, 409, 429)
 *   non-retryable; 429 retryable with `details[0].retryAfterMilliseconds` from `retry-after`;
 *   408, 409 and 5xx retryable.
 * - `APICallError` with a success status (a body the SDK could not read): retryable
 *   `MalformedResponseError`.
 * - `APICallError` without a status (the server could not be reached): retryable, as
 *   `APIConnectionError`.
 * - A body that is not the API's answer (`JSONParseError`, `TypeValidationError`,
 *   `InvalidResponseDataError`, `EmptyResponseBodyError`): retryable `MalformedResponseError`.
 * - A missing key (`LoadAPIKeyError`) or setting (`LoadSettingError`, such as Bedrock's region)
 *   and an unknown model (`NoSuchModelError`): non-retryable, naming the setting to fill in.
 * - An abort of the call (cancellation, the attempt's timeout): the signal's reason.
 */
export function toWorkflowError(error: unknown, context: AiSdkErrorContext, signal?: AbortSignal): unknown {
  if (signal?.aborted === true) return signal.reason ?? error;
  if (APICallError.isInstance(error)) {
    const endpoint = endpointOf(error.url);
    const status = error.statusCode;
    if (status === undefined) {
      const cause = networkCause(error);
      const message = `${context.provider}: APIConnectionError: could not reach ${endpoint} for model ${context.model}${cause === undefined ? '' : ` (${cause})`}`;
      return new WorkflowApplicationError(redactApiKey(message, context.apiKey), { type: 'APIConnectionError', nonRetryable: false, cause: safeCause(error, context.apiKey) });
    }
    if (status < 400) {
      // A success status whose body the SDK could not read as the API's answer.
      const problem = JSONParseError.isInstance(error.cause) ? 'is not valid JSON' : `is not the answer the API defines (${error.message})`;
      return malformedResponseError(context, `from ${endpoint} ${problem}`, error);
    }
    const type = httpErrorType(status);
    const retryAfter = status === 429 || status === 503 ? retryAfterMilliseconds(new Headers(error.responseHeaders ?? {})) : undefined;
    const detail: Record<string, unknown> = { status, endpoint };
    if (retryAfter !== undefined) detail['retryAfterMilliseconds'] = retryAfter;
    const message = `${context.provider}: ${status} ${type}: ${apiMessage(error)}${hint(status, context)} [POST ${endpoint}]`;
    return new WorkflowApplicationError(redactApiKey(message, context.apiKey), {
      type,
      nonRetryable: !isRetryableHttpStatus(status),
      details: [detail],
      cause: safeCause(error, context.apiKey),
    });
  }
  if (JSONParseError.isInstance(error)) return malformedResponseError(context, 'is not valid JSON', error);
  if (TypeValidationError.isInstance(error) || InvalidResponseDataError.isInstance(error)) {
    return malformedResponseError(context, `does not have the fields the API defines (${error.message.split('\n')[0]})`, error);
  }
  if (EmptyResponseBodyError.isInstance(error)) return malformedResponseError(context, 'has an empty body', error);
  if (LoadAPIKeyError.isInstance(error) || LoadSettingError.isInstance(error)) {
    // The SDK's message names its own option and variable; the hints name the config's.
    const settings = LoadAPIKeyError.isInstance(error) ? [context.keyHint] : [context.keyHint, context.endpointHint];
    const named = settings.filter((setting): setting is string => setting !== undefined);
    const message = `${context.provider}: ${error.message}${named.length === 0 ? '' : ` (set ${named.join('; or ')})`}`;
    return new WorkflowApplicationError(message, { type: error.name, nonRetryable: true });
  }
  if (NoSuchModelError.isInstance(error)) {
    return new WorkflowApplicationError(`${context.provider}: no model "${context.model}": ${error.message}`, { type: 'NoSuchModelError', nonRetryable: true });
  }
  return error;
}
