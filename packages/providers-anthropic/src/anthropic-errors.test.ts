import { retryAfterMilliseconds } from '@mcp-agent/core/engine';
// Error classification of SDK errors the local server can't produce: an error event in the middle
// of a stream, statuses outside the usual set, a key echoed back, and retry-after forms.
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from '@anthropic-ai/sdk';
import { WorkflowApplicationError } from '@mcp-agent/core';
import { describe, expect, it } from 'vitest';
import { classifyAnthropicError } from './index.js';

const context = { model: 'claude-haiku-4-5', apiKey: 'sk-ant-secret-0123456789' };

function apiError(status: number, message: string, type = 'invalid_request_error', headers: Record<string, string> = {}): APIError {
  return APIError.generate(status, { type: 'error', error: { type, message } }, undefined, new Headers({ 'request-id': 'req_1', ...headers }));
}

describe('classifyAnthropicError', () => {
  it('keeps an error event in the middle of a stream retryable, with its type and message', () => {
    const midStream = new APIError(undefined, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, undefined, new Headers(), 'overloaded_error');
    const error = classifyAnthropicError(midStream, context);
    expect(error.message).toBe('anthropic: APIError: Overloaded');
    expect(error.nonRetryable).toBe(false);
    expect(error.details[0]).toEqual({ provider: 'anthropic', errorType: 'overloaded_error' });
  });

  it('retries 408 and 409, and not other 4xx statuses', () => {
    expect(classifyAnthropicError(apiError(408, 'timeout'), context)).toMatchObject({ type: 'RequestTimeoutError', nonRetryable: false });
    expect(classifyAnthropicError(apiError(409, 'conflict'), context)).toMatchObject({ type: 'ConflictError', nonRetryable: false });
    expect(classifyAnthropicError(apiError(402, 'billing', 'billing_error'), context)).toMatchObject({ type: 'PaymentRequiredError', nonRetryable: true });
    expect(classifyAnthropicError(apiError(413, 'too large', 'request_too_large'), context)).toMatchObject({ type: 'ContentTooLargeError', nonRetryable: true });
  });

  it('never repeats the key, even when the API echoes it, in the message, the details or the cause', () => {
    const error = classifyAnthropicError(apiError(401, `invalid x-api-key: ${context.apiKey}`, 'authentication_error'), context);
    expect(error.message).toBe('anthropic: 401 AuthenticationError: invalid x-api-key: [redacted]');
    expect(error.cause).toBeInstanceOf(Error);
    const cause = error.cause as Error;
    expect(cause.name).toBe('AuthenticationError');
    expect(String(cause)).toContain('invalid x-api-key: [redacted]');
    const printed = JSON.stringify({ message: error.message, details: error.details, cause: String(cause), stack: cause.stack, error: (cause as { error?: unknown }).error });
    expect(printed).not.toContain(context.apiKey);
  });

  it('redacts the key from the cause of an error without a status too', () => {
    const connection = new APIConnectionError({ message: `proxy refused x-api-key ${context.apiKey}` });
    const error = classifyAnthropicError(connection, context);
    expect(error.message).toBe('anthropic: APIConnectionError: cannot reach the API (proxy refused x-api-key [redacted])');
    expect(String(error.cause)).toBe('APIConnectionError: proxy refused x-api-key [redacted]');
    expect(JSON.stringify({ details: error.details, stack: (error.cause as Error).stack })).not.toContain(context.apiKey);
  });

  it('keeps the SDK error itself as the cause when the key is not in it', () => {
    const original = apiError(401, 'invalid x-api-key', 'authentication_error');
    expect(classifyAnthropicError(original, context).cause).toBe(original);
  });

  it("gives the signal's reason for an aborted call, and a retryable error for an abort without one", () => {
    const controller = new AbortController();
    const reason = new Error('the attempt timed out');
    controller.abort(reason);
    expect(classifyAnthropicError(new APIUserAbortError(), context, controller.signal)).toBe(reason);
    expect(classifyAnthropicError(new APIUserAbortError(), context, new AbortController().signal)).toMatchObject({ type: 'APIUserAbortError', nonRetryable: false });
    expect(classifyAnthropicError(new APIUserAbortError(), context)).toMatchObject({ type: 'APIUserAbortError', nonRetryable: false });
  });

  it('names the timeout of a request that timed out, and passes its own errors through', () => {
    const timedOut = classifyAnthropicError(new APIConnectionTimeoutError(), context);
    expect(timedOut).toMatchObject({
      type: 'APIConnectionTimeoutError',
      nonRetryable: false,
      message: 'anthropic: APIConnectionTimeoutError: the request timed out (Request timed out.)',
    });
    const own = WorkflowApplicationError.nonRetryable('already classified', 'Mine');
    expect(classifyAnthropicError(own, context)).toBe(own);
  });
});

describe('retryAfterMilliseconds', () => {
  it('reads retry-after-ms, retry-after seconds and retry-after dates', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMilliseconds(new Headers({ 'retry-after-ms': '250' }), now)).toBe(250);
    expect(retryAfterMilliseconds(new Headers({ 'retry-after': '1.5' }), now)).toBe(1500);
    expect(retryAfterMilliseconds(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:03 GMT' }), now)).toBe(3000);
    expect(retryAfterMilliseconds(new Headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
    expect(retryAfterMilliseconds(new Headers(), now)).toBeUndefined();
  });
});
