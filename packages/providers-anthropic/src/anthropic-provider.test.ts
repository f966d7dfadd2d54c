// The provider called directly, as an engine's task calls it: cancellation through the signal,
// and options that override the config.
import { parseSettings, WorkflowApplicationError } from '@mcp-agent/core';
import { startLocalLlmServer, type LocalLlmServer } from '@mcp-agent/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnthropicProvider } from './index.js';

let server: LocalLlmServer;

beforeAll(async () => {
  server = await startLocalLlmServer();
});

afterAll(async () => {
  await server.close();
});

describe('createAnthropicProvider', () => {
  it('stops waiting when the signal aborts, with a retryable error the engine can discard', async () => {
    server.reset();
    server.enqueue({ text: 'too late', delayMilliseconds: 5_000 });
    const provider = createAnthropicProvider();
    const settings = parseSettings({ anthropic: { api_key: 'test-key-0123456789', base_url: server.anthropicBaseUrl, default_model: 'claude-haiku-4-5' } }, 'settings');
    const controller = new AbortController();
    const started = Date.now();
    const pending = provider.complete({ provider: 'anthropic', messages: [{ role: 'user', content: 'Hi' }] }, { settings, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const error = await pending.catch((caught: unknown) => caught);

    expect(Date.now() - started).toBeLessThan(2_000);
    expect(WorkflowApplicationError.is(error) && error.type).toBe('APIUserAbortError');
    expect((error as WorkflowApplicationError).nonRetryable).toBe(false);
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
});
