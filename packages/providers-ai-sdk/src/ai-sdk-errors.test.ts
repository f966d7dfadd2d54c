// The classification of the AI SDK's errors, for the cases the local server can't produce: a key
// in the URL, statuses without a class of their own, a missing setting, an abort.
import { APICallError, LoadSettingError, TypeValidationError } from '@ai-sdk/provider';
import { WorkflowApplicationError } from '@mcp-agent/core';
import { describe, expect, it } from 'vitest';
import { toWorkflowError, type AiSdkErrorContext } from './ai-sdk-errors.js';

const KEY = 'AIza-unit-key-0b7e';
const context: AiSdkErrorContext = { provider: 'google', model: 'gemini-2.5-flash', keyHint: 'google.api_key', endpointHint: 'google.base_url', apiKey: KEY };

function callError(statusCode: number | undefined, options: { body?: string; headers?: Record<string, string>; url?: string } = {}): APICallError {
  return new APICallError({
    message: `failed with ${statusCode ?? 'no status'}`,
    url: options.url ?? 'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent',
    requestBodyValues: {},
    ...(statusCode === undefined ? {} : { statusCode }),
    ...(options.headers === undefined ? {} : { responseHeaders: options.headers }),
    ...(options.body === undefined ? {} : { responseBody: options.body }),
  });
}

function classified(error: unknown): WorkflowApplicationError {
  const result = toWorkflowError(error, context);
  if (!WorkflowApplicationError.is(result)) throw new Error(`not classified: ${String(result)}`);
  return result;
}

describe('toWorkflowError', () => {
  it.each([
    [408, 'APIError', false],
    [409, 'ConflictError', false],
    [422, 'UnprocessableEntityError', true],
    [418, 'APIError', true],
    [529, 'InternalServerError', false],
  ])('classifies %i as %s (non-retryable: %s)', (status, type, nonRetryable) => {
    const error = classified(callError(status));
    expect([error.type, error.nonRetryable]).toEqual([type, nonRetryable]);
  });

  it('reads the retry-after of a 503 in seconds or as retry-after-ms', () => {
    expect(classified(callError(503, { headers: { 'retry-after': '3' } })).details[0]).toMatchObject({ status: 503, retryAfterMilliseconds: 3000 });
    expect(classified(callError(429, { headers: { 'retry-after-ms': '250' } })).details[0]).toMatchObject({ retryAfterMilliseconds: 250 });
  });

  it('drops the query of the endpoint and redacts the key from the message and the cause', () => {
    const error = classified(callError(400, { url: `https://example.test/v1beta/models/m:generateContent?key=${KEY}`, body: JSON.stringify({ error: { message: `bad key ${KEY}` } }) }));
    expect(error.message).toContain('[POST https://example.test/v1beta/models/m:generateContent]');
    expect(error.message).toContain('bad key [redacted]');
    expect(JSON.stringify({ message: error.message, details: error.details, cause: String(error.cause) })).not.toContain(KEY);
  });

  it('takes a failure without a status for a connection error, retryable', () => {
    const error = classified(
      new APICallError({
        message: 'Cannot connect to API: other side closed',
        url: 'https://example.test/x',
        requestBodyValues: {},
        cause: Object.assign(new Error('closed'), { code: 'UND_ERR_SOCKET' }),
      }),
    );
    expect([error.type, error.nonRetryable]).toEqual(['APIConnectionError', false]);
    expect(error.message).toBe('google: APIConnectionError: could not reach https://example.test/x for model gemini-2.5-flash (UND_ERR_SOCKET)');
  });

  it('takes a body that fails validation for a malformed response, and a missing setting for a config error', () => {
    const malformed = classified(TypeValidationError.wrap({ value: { candidates: 1 }, cause: new Error('expected array') }));
    expect([malformed.type, malformed.nonRetryable]).toEqual(['MalformedResponseError', false]);
    const missing = classified(new LoadSettingError({ message: 'Region is missing.' }));
    expect([missing.type, missing.nonRetryable, missing.message]).toEqual(['AI_LoadSettingError', true, 'google: Region is missing. (set google.api_key; or google.base_url)']);
  });

  it("gives an aborted call the signal's reason, and lets other errors through", () => {
    const controller = new AbortController();
    const reason = new Error('the attempt timed out');
    controller.abort(reason);
    expect(toWorkflowError(callError(500), context, controller.signal)).toBe(reason);
    const other = new RangeError('not the SDK');
    expect(toWorkflowError(other, context)).toBe(other);
  });
});
