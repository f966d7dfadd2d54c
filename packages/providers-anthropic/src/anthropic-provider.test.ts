// The provider called directly, as an engine's task calls it: cancellation through the signal,
// options that override the config, the key kept out of errors, and the default model.
import { parseSettings } from '@mcp-agent/core/config';
import { WorkflowApplicationError } from '@mcp-agent/core';
import { startLocalLlmServer, type LocalLlmServer } from '@mcp-agent/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAnthropicProvider } from './index.js';

let server: LocalLlmServer;

beforeAll(async () => {
  server = await startLocalLlmServer();
});

afterAll(async () => {
  await server.close();
});

describe('createAnthropicProvider', () => {
  it.each(['complete', 'stream'] as const)("%s stops waiting when the signal aborts, and fails with the signal's reason", async (method) => {
    server.reset();
    server.enqueue({ text: 'too late', delayMilliseconds: 5_000 });
    const provider = createAnthropicProvider();
    const settings = parseSettings({ anthropic: { api_key: 'test-key-0123456789', base_url: server.anthropicBaseUrl, default_model: 'claude-haiku-4-5' } }, 'settings');
    const controller = new AbortController();
    const reason = new Error('cancelled by the engine');
    const started = Date.now();
    const request = { provider: 'anthropic', messages: [{ role: 'user' as const, content: 'Hi' }] };
    const pending =
      method === 'complete' ? provider.complete(request, { settings, signal: controller.signal }) : provider.stream(request, { settings, signal: controller.signal }, () => undefined);
    setTimeout(() => controller.abort(reason), 50);
    const error = await pending.catch((caught: unknown) => caught);

    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error).toBe(reason);
    expect(WorkflowApplicationError.is(error)).toBe(false);
  });

  it('keeps the key out of the message, the details and the cause of a 401 that echoes it', async () => {
    server.reset();
    const apiKey = 'sk-ant-test-3f9c2a7d0123';
    server.enqueue({ error: { status: 401, message: `invalid x-api-key ${apiKey}` } });
    const provider = createAnthropicProvider({ apiKey, baseUrl: server.anthropicBaseUrl, defaultModel: 'claude-haiku-4-5' });
    const error = await provider
      .complete({ provider: 'anthropic', messages: [{ role: 'user', content: 'Hi' }] }, { settings: parseSettings({}, 'settings') })
      .catch((caught: unknown) => caught);

    expect(WorkflowApplicationError.is(error)).toBe(true);
    const failure = error as WorkflowApplicationError;
    expect(failure).toMatchObject({ type: 'AuthenticationError', nonRetryable: true });
    expect(failure.message).toContain('invalid x-api-key [redacted]');
    expect(String(failure.cause)).toContain('invalid x-api-key [redacted]');
    expect(JSON.stringify({ message: failure.message, details: failure.details, cause: String(failure.cause), stack: (failure.cause as Error).stack })).not.toContain(apiKey);
  });

  it('sends a default model the SDK does not warn about as deprecated', async () => {
    server.reset();
    server.enqueue({ text: 'ok' });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const provider = createAnthropicProvider({ apiKey: 'option-key-0123456789', baseUrl: server.anthropicBaseUrl });
      await provider.complete({ provider: 'anthropic', messages: [{ role: 'user', content: 'Hi' }] }, { settings: parseSettings({}, 'settings') });
      expect(server.requests[0]?.body['model']).toBe('claude-sonnet-5-5');
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it('prefers options over the settings', async () => {
    server.reset();
    server.enqueue({ text: 'ok' });
    const provider = createAnthropicProvider({ apiKey: 'option-key-0123456789', baseUrl: server.anthropicBaseUrl, defaultModel: 'claude-opus-4-7', defaultMaxTokens: 256 });
    const settings = parseSettings({ anthropic: { base_url: 'http://127.0.0.1:9', default_model: 'ignored' } }, 'settings');
    const response = await provider.complete({ provider: 'anthropic', messages: [{ role: 'user', content: 'Hi' }] }, { settings });

    expect(response.message.content).toBe('ok');
    expect(response.model).toBe('claude-opus-4-7');
    expect(server.requests[0]?.body).toMatchObject({ model: 'claude-opus-4-7', max_tokens: 256 });
  });

  it("chooses the model by the request's modelPreferences from the model table, the config's models included", async () => {
    server.reset();
    server.enqueue({ text: 'cheap' });
    server.enqueue({ text: 'bright' });
    server.enqueue({ text: 'custom' });
    const provider = createAnthropicProvider({ apiKey: 'option-key-0123456789', baseUrl: server.anthropicBaseUrl, defaultModel: 'claude-opus-4-7' });
    const ask = (modelPreferences: { costPriority?: number; intelligencePriority?: number }, settings = parseSettings({}, 'settings')) =>
      provider.complete({ provider: 'anthropic', modelPreferences, messages: [{ role: 'user', content: 'Hi' }] }, { settings });

    expect((await ask({ costPriority: 1 })).model).toBe('claude-3-haiku-20240307');
    expect((await ask({ intelligencePriority: 1 })).model).toBe('claude-opus-4-20250514');
    const withOwn = parseSettings(
      { models: [{ name: 'claude-in-house', provider: 'anthropic', input_per_million_tokens: 0.01, output_per_million_tokens: 0.05, intelligence: 20 }] },
      'settings',
    );
    expect((await ask({ costPriority: 1 }, withOwn)).model).toBe('claude-in-house');
    expect(server.requests.map((request) => request.body['model'])).toEqual(['claude-3-haiku-20240307', 'claude-opus-4-20250514', 'claude-in-house']);
  });

  describe('with a broken response body', () => {
    const MODEL = 'claude-haiku-4-5';

    /** What `complete` or `stream` fails with when the server answers with this broken body. */
    async function failureOf(method: 'complete' | 'stream', malformedBody: string): Promise<WorkflowApplicationError> {
      server.reset();
      server.enqueue({ malformedBody });
      const provider = createAnthropicProvider({ apiKey: 'test-key-0123456789', baseUrl: server.anthropicBaseUrl, defaultModel: MODEL });
      const request = { provider: 'anthropic', messages: [{ role: 'user' as const, content: 'Hi' }] };
      const settings = parseSettings({}, 'settings');
      // The SDK logs an unparsable event itself before it throws; that line is not under test.
      const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
      try {
        const error = await (method === 'complete' ? provider.complete(request, { settings }) : provider.stream(request, { settings }, () => undefined)).then(
          () => new Error('expected the call to fail'),
          (caught: unknown) => caught,
        );
        expect(WorkflowApplicationError.is(error)).toBe(true);
        return error as WorkflowApplicationError;
      } finally {
        logged.mockRestore();
      }
    }

    it.each([
      ['complete', '', 'Unexpected end of JSON input'],
      ['complete', '{"id": "msg_1", "content": [', 'JSON'],
      ['stream', '<html>502 Bad Gateway</html>', 'is not valid JSON'],
    ] as const)('%s: a body %j that is not JSON is a retryable error naming the provider, the endpoint, the model and the parse error', async (method, body, parseError) => {
      const failure = await failureOf(method, body);

      expect(failure).toMatchObject({ type: 'MalformedResponseError', nonRetryable: false });
      expect(failure.message.startsWith(`anthropic: the response from ${server.anthropicBaseUrl} for model ${MODEL} is not valid JSON (`)).toBe(true);
      expect(failure.message).toContain(parseError);
      expect(failure.message).toContain('); the server or a proxy in between answered with a broken body');
    });

    it('stream: an empty event is named as a stream without its first event', async () => {
      const failure = await failureOf('stream', '');

      expect(failure).toMatchObject({ type: 'MalformedResponseError', nonRetryable: false });
      expect(failure.message).toContain(`anthropic: the response from ${server.anthropicBaseUrl} for model ${MODEL} is a stream without a message_start event`);
    });

    it.each([
      ['complete', '{"id": "msg_1", "type": "message"}', 'has no "content" array'],
      ['stream', '{"id": "msg_1"}', 'is a stream without a message_start event'],
      ['stream', '{"type": "message_start"}', 'has a message_start event without a "message" object'],
    ] as const)('%s: JSON %s without the expected fields says what is missing', async (method, body, problem) => {
      const failure = await failureOf(method, body);

      expect(failure).toMatchObject({ type: 'MalformedResponseError', nonRetryable: false });
      expect(failure.message).toContain(`anthropic: the response from ${server.anthropicBaseUrl} for model ${MODEL} ${problem}`);
    });

    it('stream: a stream cut off before message_stop is named as broken, not taken for a whole message', async () => {
      const failure = await failureOf('stream', JSON.stringify({ type: 'message_start', message: { model: MODEL, content: [], usage: { input_tokens: 1, output_tokens: 0 } } }));

      expect(failure).toMatchObject({ type: 'MalformedResponseError', nonRetryable: false });
      expect(failure.message).toContain(`anthropic: the response from ${server.anthropicBaseUrl} for model ${MODEL} is a stream that ended before its message_stop event`);
    });
  });
});
