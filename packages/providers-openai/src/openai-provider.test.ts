// The provider called directly, as an engine's task calls it, against the local wire-protocol
// server: a 200 whose body is broken fails with a retryable error that names the provider, the
// endpoint, the model and what was wrong.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WorkflowApplicationError } from '@mcp-agent/core';
import { parseSettings } from '@mcp-agent/core/config';
import { startLocalLlmServer, type LocalLlmServer } from '@mcp-agent/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createOpenAIProvider } from './index.js';

let server: LocalLlmServer;

beforeAll(async () => {
  server = await startLocalLlmServer();
});

afterAll(async () => {
  await server.close();
});

const MODEL = 'gpt-4o-mini';

/** What `complete` or `stream` fails with when the server answers with this broken body. */
async function failureOf(method: 'complete' | 'stream', malformedBody: string): Promise<WorkflowApplicationError> {
  server.reset();
  server.enqueue({ malformedBody });
  const provider = createOpenAIProvider();
  const settings = parseSettings({ openai: { api_key: 'test-key-3f9c2a7d', base_url: server.openaiBaseUrl, default_model: MODEL } }, 'settings');
  const request = { provider: 'openai', messages: [{ role: 'user' as const, content: 'Hi' }] };
  // The SDK logs the unparsable event itself before it throws; that line is not under test.
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

describe('createOpenAIProvider with a broken response body', () => {
  it.each(['complete', 'stream'] as const)('%s: a body that is not JSON is a retryable error naming the provider, the endpoint, the model and the parse error', async (method) => {
    const failure = await failureOf(method, '');

    expect(failure).toMatchObject({ type: 'MalformedResponseError', nonRetryable: false });
    expect(failure.message).toMatch(
      new RegExp(
        `^openai: the response from ${server.openaiBaseUrl.replaceAll('.', '\\.')} for model ${MODEL} is not valid JSON \\(.*Unexpected end of JSON input.*\\); the server or a proxy in between answered with a broken body`,
      ),
    );
  });

  it.each(['complete', 'stream'] as const)('%s: JSON cut off in the middle is named the same way', async (method) => {
    const failure = await failureOf(method, '{"id": "chatcmpl-1", "choices": [');

    expect(failure).toMatchObject({ type: 'MalformedResponseError', nonRetryable: false });
    expect(failure.message).toContain(`openai: the response from ${server.openaiBaseUrl} for model ${MODEL} is not valid JSON (`);
  });

  it.each(['complete', 'stream'] as const)('%s: JSON without a choices array says what is missing', async (method) => {
    const failure = await failureOf(method, '{"id": "chatcmpl-1"}');

    expect(failure).toMatchObject({ type: 'MalformedResponseError', nonRetryable: false });
    const problem = method === 'complete' ? 'has no "choices" array' : 'has a stream chunk without a "choices" array';
    expect(failure.message).toContain(`openai: the response from ${server.openaiBaseUrl} for model ${MODEL} ${problem}`);
    expect(failure.message).toContain('the server or a proxy in between answered with a broken body');
  });

  it('stream: a stream that ends without a single chunk is named as broken, not taken for an empty answer', async () => {
    // The local LLM server always sends a broken body as an event; a proxy's HTML page under an
    // event-stream header carries no event at all, so a bare HTTP server plays that proxy here.
    const proxy = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' }).end('<html>502 Bad Gateway</html>\n');
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const baseURL = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/v1`;
    try {
      const settings = parseSettings({ openai: { api_key: 'test-key-3f9c2a7d', base_url: baseURL, default_model: MODEL } }, 'settings');
      const error = await createOpenAIProvider()
        .stream({ provider: 'openai', messages: [{ role: 'user', content: 'Hi' }] }, { settings }, () => undefined)
        .catch((caught: unknown) => caught);

      expect(WorkflowApplicationError.is(error)).toBe(true);
      expect(error).toMatchObject({ type: 'MalformedResponseError', nonRetryable: false });
      expect((error as Error).message).toContain(`openai: the response from ${baseURL} for model ${MODEL} is a stream without any completion chunk`);
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});
