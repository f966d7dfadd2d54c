/**
 * What every model provider decides the same way about an HTTP error of a model API: the error's
 * type, whether it may succeed on retry, and keeping the key out of what it carries. Safe for the
 * workflow sandbox (the providers run on workers, but the names are shared).
 */

/** The error type of each status a model API answers with, named as the OpenAI and Anthropic SDKs name their error classes. */
const HTTP_ERROR_TYPES: Readonly<Record<number, string>> = {
  400: 'BadRequestError',
  401: 'AuthenticationError',
  403: 'PermissionDeniedError',
  404: 'NotFoundError',
  409: 'ConflictError',
  422: 'UnprocessableEntityError',
  429: 'RateLimitError',
};

/**
 * The error type of an HTTP status: `AuthenticationError` for 401, `RateLimitError` for 429, ...,
 * `InternalServerError` for any 5xx, else `APIError`.
 *
 * @example
 * ```ts
 * throw new WorkflowApplicationError(message, { type: httpErrorType(status), nonRetryable: !isRetryableHttpStatus(status) });
 * ```
 */
export function httpErrorType(status: number): string {
  return HTTP_ERROR_TYPES[status] ?? (status >= 500 ? 'InternalServerError' : 'APIError');
}

/** Whether a request answered with this status may succeed when sent again: 408, 409, 429 and 5xx. */
export function isRetryableHttpStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** `text` with every occurrence of the API key replaced by `[redacted]` (keys shorter than 4 characters are left alone). */
export function redactApiKey(text: string, apiKey: string | undefined): string {
  return apiKey !== undefined && apiKey.length >= 4 ? text.split(apiKey).join('[redacted]') : text;
}
