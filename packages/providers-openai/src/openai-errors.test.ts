import { retryAfterMilliseconds } from '@mcp-agent/core/engine';
import { WorkflowApplicationError } from '@mcp-agent/core';
import { APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { describe, expect, it } from 'vitest';
import { toWorkflowError, type OpenAIErrorContext } from './openai-errors.js';

const context: OpenAIErrorContext = { label: 'openai', model: 'gpt-4o', section: 'openai', keyVariable: 'OPENAI_API_KEY', apiKey: 'sk-secret-123456' };

function sdkError(status: number, message: string, headers: Record<string, string> = {}): APIError {
  return APIError.generate(status, { error: { message, type: 'invalid_request_error' } }, undefined, new Headers({ 'x-request-id': 'req_1', ...headers }));
}

function classify(error: unknown): WorkflowApplicationError {
  const result = toWorkflowError(error, context);
  if (!WorkflowApplicationError.is(result)) throw new Error(`not classified: ${String(result)}`);
  return result;
}

describe('toWorkflowError', () => {
  it.each([
    [408, 'APIError', false],
    [409, 'ConflictError', false],
    [413, 'APIError', true],
    [502, 'InternalServerError', false],
  ])('classifies %i as %s (non-retryable: %s)', (status, type, nonRetryable) => {
    const error = classify(sdkError(status, 'x'));
    expect(error.type).toBe(type);
    expect(error.nonRetryable).toBe(nonRetryable);
    expect(error.details[0]).toMatchObject({ status, requestId: 'req_1' });
  });

  it('redacts the key from the message and from the cause', () => {
    const error = classify(sdkError(401, 'Incorrect API key provided: sk-secret-123456'));
    expect(error.message).not.toContain('sk-secret-123456');
    expect(String(error.cause)).not.toContain('sk-secret-123456');
    expect((error.cause as Error).name).toBe('AuthenticationError');
  });

  it('keeps the SDK error as the cause when the key is not in it', () => {
    const original = sdkError(400, 'bad');
    expect(classify(original).cause).toBe(original);
  });

  it('reports a timeout as retryable', () => {
    const error = classify(new APIConnectionTimeoutError());
    expect(error).toMatchObject({ type: 'APIConnectionTimeoutError', nonRetryable: false });
    expect(error.message).toBe('openai: APIConnectionTimeoutError: Request timed out');
  });

  it('keeps an error event in the middle of a stream retryable', () => {
    const error = classify(new APIError(undefined, { message: 'The server had an error while processing your request.' }, undefined, undefined));
    expect(error).toMatchObject({ type: 'APIError', nonRetryable: false });
    expect(error.message).toBe('openai: APIError: The server had an error while processing your request.');
  });

  it("gives back an aborted call's signal reason, and leaves errors that are not the SDK's alone", () => {
    const controller = new AbortController();
    const reason = new Error('workflow cancelled');
    controller.abort(reason);
    expect(toWorkflowError(new APIUserAbortError(), context, controller.signal)).toBe(reason);
    const bug = new TypeError('not the SDK');
    expect(toWorkflowError(bug, context)).toBe(bug);
  });
});

describe('retryAfterMilliseconds', () => {
  it('reads retry-after-ms, retry-after seconds and an HTTP date', () => {
    expect(retryAfterMilliseconds(new Headers({ 'retry-after-ms': '250', 'retry-after': '9' }))).toBe(250);
    expect(retryAfterMilliseconds(new Headers({ 'retry-after': '1.5' }))).toBe(1500);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(retryAfterMilliseconds(new Headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:03 GMT' }), now)).toBe(3000);
    expect(retryAfterMilliseconds(new Headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(retryAfterMilliseconds(new Headers())).toBeUndefined();
  });
});
