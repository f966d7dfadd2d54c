/**
 * Failures of the OpenAI SDK as `WorkflowApplicationError`s with an explicit retry decision: what
 * can't succeed on retry (authentication, permission, bad request, not found, unprocessable) is
 * non-retryable; rate limits, 5xx and network errors stay retryable, for the engine's retry policy.
 */
import { messageOf, WorkflowApplicationError } from '@mcp-agent/core';
import { httpErrorType, isRetryableHttpStatus, redactApiKey, retryAfterMilliseconds } from '@mcp-agent/core/engine';
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';

/** What the classification needs to word the message: never printed as is, the key is only redacted. */
export interface OpenAIErrorContext {
  /** How the provider names itself in messages: `openai`, or `openai (Azure)`. */
  label: string;
  /** The model (or deployment) asked for. */
  model: string;
  /** The settings section holding the key, for hints: `openai` or `azure`. */
  section: string;
  /** The environment variable of the key, for hints. */
  keyVariable: string;
  /** The setting that names the server, for hints: `openai.base_url`, `azure.endpoint`. Default `<section>.base_url`. */
  endpointSetting?: string | undefined;
  /** The API key, redacted from anything the error carries. */
  apiKey?: string | undefined;
  /** The base URL the request went to, named when its answer is broken. Default: the endpoint setting's name. */
  baseURL?: string | undefined;
}

/**
 * The error for a 200 whose body is not the answer the API defines (not JSON, or JSON without the
 * fields a completion has): retryable, as a fault of the server (or of a proxy in between), with
 * `type` `MalformedResponseError` and a message naming the provider, the endpoint, the model and
 * the problem.
 *
 * @param problem - What was wrong, worded to follow "the response ...": `is not valid JSON (...)`.
 *
 * @example
 * ```ts
 * throw malformedResponseError(context, 'has no "choices" array');
 * // openai: the response from http://127.0.0.1:1234/v1 for model gpt-4o-mini has no "choices" array; ...
 * ```
 */
export function malformedResponseError(context: OpenAIErrorContext, problem: string, cause?: unknown): WorkflowApplicationError {
  const setting = context.endpointSetting ?? `${context.section}.base_url`;
  const endpoint = context.baseURL ?? `the endpoint of ${setting}`;
  const message =
    `${context.label}: the response from ${endpoint} for model ${context.model} ${problem}; the server or a proxy in between answered with a broken body ` +
    `(retried by the llm.* retry policy; if it persists, check that ${setting} points at an OpenAI-compatible API)`;
  return new WorkflowApplicationError(redactApiKey(message, context.apiKey), {
    type: 'MalformedResponseError',
    nonRetryable: false,
    details: [{ baseURL: context.baseURL ?? null, model: context.model }],
    ...(cause === undefined ? {} : { cause: cause instanceof Error ? safeError(cause, context.apiKey) : cause }),
  });
}

/** The API's own message: the body's `error.message`, else the SDK's message without its status prefix. */
function apiMessage(error: APIError): string {
  const body = error.error as { message?: unknown } | undefined;
  if (typeof body?.message === 'string' && body.message !== '') return body.message;
  const message = error.message.replace(/^\d{3}\s+/, '');
  return message === '' ? 'no message' : message;
}

/** The network failure under an APIConnectionError: its code (`ECONNREFUSED`), else the innermost message. */
function networkCause(error: APIConnectionError): string | undefined {
  let innermost: string | undefined;
  for (let current: unknown = error.cause, depth = 0; current !== undefined && current !== null && depth < 5; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    innermost = messageOf(current);
    current = (current as { cause?: unknown }).cause;
  }
  return innermost;
}

function hint(status: number, context: OpenAIErrorContext): string {
  switch (status) {
    case 401:
      return ` (check ${context.section}.api_key in mcp_agent.secrets.yaml or ${context.keyVariable})`;
    case 403:
      return ` (model "${context.model}"; check the key's project, organisation and model access)`;
    case 404:
      return ` (model "${context.model}": check the model name and ${context.endpointSetting ?? `${context.section}.base_url`})`;
    default:
      return '';
  }
}

/**
 * The error to raise for a failure of an SDK call, or the failure itself when it is not the SDK's.
 * Messages read `openai: 401 AuthenticationError: <the API's message> (<hint>)`, the `type` is the
 * SDK's class name, and the API key never appears in the message, the details or the cause.
 *
 * - 400, 401, 403, 404, 422 (and any other 4xx but 408, 409, 429): non-retryable.
 * - 429: retryable, `details[0].retryAfterMilliseconds` from the `retry-after` header.
 * - 408, 409, 5xx, connection errors and timeouts: retryable.
 * - An error without a status (an error event in the middle of a stream): retryable.
 * - An abort of the call (cancellation, the attempt's timeout): the signal's reason when there is one.
 * - A body that does not parse as JSON (a `SyntaxError`, whole or in a stream): retryable, as
 *   {@link malformedResponseError} words it.
 *
 * @example
 * ```ts
 * try { await client.chat.completions.create(body); }
 * catch (error) { throw toWorkflowError(error, { label: 'openai', model, section: 'openai', keyVariable: 'OPENAI_API_KEY', apiKey }); }
 * ```
 */
export function toWorkflowError(error: unknown, context: OpenAIErrorContext, signal?: AbortSignal): unknown {
  if (error instanceof APIUserAbortError) {
    if (signal?.aborted === true && signal.reason !== undefined) return signal.reason;
    return new WorkflowApplicationError(`${context.label}: the request for model "${context.model}" was aborted`, { type: 'APIUserAbortError', cause: error });
  }
  if (error instanceof APIConnectionError) {
    const type = error instanceof APIConnectionTimeoutError ? 'APIConnectionTimeoutError' : 'APIConnectionError';
    const cause = networkCause(error);
    const message = `${context.label}: ${type}: ${error.message.replace(/\.$/, '')}${cause === undefined ? '' : ` (${cause})`}`;
    return new WorkflowApplicationError(redactApiKey(message, context.apiKey), { type, nonRetryable: false, cause: safeCause(error, context.apiKey) });
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    const status = error.status;
    const type = httpErrorType(status);
    const retryable = isRetryableHttpStatus(status);
    const retryAfter = status === 429 || status === 503 ? retryAfterMilliseconds(error.headers) : undefined;
    const detail: Record<string, unknown> = { status };
    if (typeof error.requestID === 'string') detail['requestId'] = error.requestID;
    if (typeof error.code === 'string') detail['code'] = error.code;
    if (retryAfter !== undefined) detail['retryAfterMilliseconds'] = retryAfter;
    const text = apiMessage(error);
    const modelNote = status === 404 && text.includes(context.model) ? hint(404, context).replace(`model "${context.model}": `, '') : hint(status, context);
    const message = `${context.label}: ${status} ${type}: ${text}${modelNote}`;
    return new WorkflowApplicationError(redactApiKey(message, context.apiKey), {
      type,
      nonRetryable: !retryable,
      details: [detail],
      cause: safeCause(error, context.apiKey),
    });
  }
  if (error instanceof SyntaxError) {
    // The SDK parses a 200's body (or a stream's event) and lets JSON.parse's error through.
    return malformedResponseError(context, `is not valid JSON (${error.message})`, error);
  }
  if (error instanceof APIError) {
    // No status: an error event in the middle of a stream, or a failure before any response.
    const message = `${context.label}: APIError: ${error.message}`;
    return new WorkflowApplicationError(redactApiKey(message, context.apiKey), { type: 'APIError', nonRetryable: false, cause: safeCause(error, context.apiKey) });
  }
  return error;
}

/** The SDK's error, or a plain copy without the key when the key shows up in it. */
function safeCause(error: APIError, apiKey: string | undefined): unknown {
  if (apiKey === undefined || apiKey.length < 4) return error;
  let body = '';
  try {
    body = JSON.stringify(error.error ?? null);
  } catch {
    // A body that can't be printed can't leak the key either.
  }
  if (!error.message.includes(apiKey) && !body.includes(apiKey)) return error;
  const copy = new Error(redactApiKey(error.message, apiKey));
  copy.name = error.constructor.name;
  return copy;
}

/** An error that is not the SDK's, or a copy of its name and message without the key when the key shows in them. */
function safeError(error: Error, apiKey: string | undefined): Error {
  if (apiKey === undefined || apiKey.length < 4 || !`${error.message}\n${error.stack ?? ''}`.includes(apiKey)) return error;
  const copy = new Error(redactApiKey(error.message, apiKey));
  copy.name = error.name;
  return copy;
}
