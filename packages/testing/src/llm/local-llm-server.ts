// A local HTTP server that speaks OpenAI Chat Completions, Anthropic Messages and Google's Gemini
// API (`generateContent`), answering from a script, so the real provider SDKs run against it in tests, in CI and in offline demos.
import { createServer } from 'node:http';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { anthropicErrorBody, anthropicMessage, anthropicMessageEvents } from './anthropic-messages-response.js';
import { googleErrorBody, googleGenerateContentEvents, googleGenerateContentResponse } from './google-generate-content-response.js';
import { describeInvalidLlmReply } from './llm-script.js';
import type { LlmProvider, LlmReply, LlmReplyError, LlmRule, LlmScript, RecordedLlmRequest } from './llm-script.js';
import { openaiChatCompletion, openaiChatCompletionChunks, openaiErrorBody } from './openai-chat-completions-response.js';
import { resolveLlmReply } from './resolved-llm-reply.js';
import { googleEmbeddingsResponse, openaiEmbeddingsResponse } from './local-embeddings.js';
import type { RenderContext, ServerSentEvent } from './resolved-llm-reply.js';

/**
 * Options of {@link startLocalLlmServer}.
 *
 * @example
 * ```ts
 * const options: LocalLlmServerOptions = { script: { replies: [replyWithText('hi')] }, port: 0 };
 * ```
 */
export interface LocalLlmServerOptions {
  /** The initial rules and queued replies. Default: none (every request gets the empty-script 500). */
  script?: LlmScript;
  /** The port on 127.0.0.1. Default 0: an ephemeral port. */
  port?: number;
}

/**
 * A running local LLM server.
 *
 * @example
 * ```ts
 * const server: LocalLlmServer = await startLocalLlmServer();
 * const openai = new OpenAI({ baseURL: server.openaiBaseUrl, apiKey: 'test', maxRetries: 0 });
 * const anthropic = new Anthropic({ baseURL: server.anthropicBaseUrl, apiKey: 'test', maxRetries: 0 });
 * await server.close();
 * ```
 */
export interface LocalLlmServer {
  /** The server's origin: `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The `baseURL` for the `openai` client: `http://127.0.0.1:<port>/v1`. */
  readonly openaiBaseUrl: string;
  /** The `baseURL` for the `@anthropic-ai/sdk` client: `http://127.0.0.1:<port>` (it adds `/v1`). */
  readonly anthropicBaseUrl: string;
  /** The `baseURL` for `@ai-sdk/google` (and Google's own clients): `http://127.0.0.1:<port>/v1beta`. */
  readonly googleBaseUrl: string;
  /** Every request received, oldest first, including ones answered with an error. A live view. */
  readonly requests: readonly RecordedLlmRequest[];
  /**
   * The texts of every embeddings request (`/v1/embeddings`, Google's `:embedContent` and
   * `:batchEmbedContents`), oldest first (kept apart from `requests`, which
   * holds model turns). A live view.
   */
  readonly embeddingRequests: readonly { model: string | undefined; inputs: string[]; time: Date }[];
  /**
   * Queues replies, each answering one request that no rule matches. Throws a `TypeError` naming
   * the bad field when a reply is malformed.
   */
  enqueue(...replies: LlmReply[]): void;
  /** Adds a rule after the existing ones. Throws a `TypeError` when its reply is malformed. */
  addRule(rule: LlmRule): void;
  /** Forgets every rule (the initial script's too), queued reply and recorded request. */
  reset(): void;
  /**
   * Stops listening and resolves once every connection is closed; a request still waiting on
   * `delayMilliseconds` is dropped, one in flight gets a second to finish. Safe to call twice.
   */
  close(): Promise<void>;
}

/** Header names whose values are never recorded. */
const SECRET_HEADERS = new Set(['authorization', 'x-api-key', 'api-key', 'x-goog-api-key', 'proxy-authorization']);

/** The endpoints served, by path. */
const ENDPOINTS: Record<string, LlmProvider> = {
  '/v1/chat/completions': 'openai',
  '/chat/completions': 'openai',
  '/v1/messages': 'anthropic',
};

/** Google's model endpoints: `/v1beta/models/<model>:generateContent` and `:streamGenerateContent`. */
const GOOGLE_ENDPOINT = /^\/v1(?:beta)?\/models\/([^/:]+):(generateContent|streamGenerateContent)$/;

/** Google's embedding endpoints: `/v1beta/models/<model>:embedContent` and `:batchEmbedContents`. */
const GOOGLE_EMBEDDING_ENDPOINT = /^\/v1(?:beta)?\/models\/([^/:]+):(embedContent|batchEmbedContents)$/;

/** The provider of a served endpoint, with the model and streaming a Google path carries; `undefined` for any other path. */
function endpointOf(path: string): { provider: LlmProvider; model?: string; stream?: boolean } | undefined {
  const provider = ENDPOINTS[path];
  if (provider !== undefined) return { provider };
  const google = GOOGLE_ENDPOINT.exec(path);
  if (google === null) return undefined;
  return { provider: 'google', model: decodeURIComponent(google[1] as string), stream: google[2] === 'streamGenerateContent' };
}

/** A rule and how many more requests it may answer. */
interface ActiveRule {
  rule: LlmRule;
  remaining: number;
}

/** Reads a request body as text. */
async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Headers with lower-case names, repeated values joined, secrets redacted. */
function recordHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    headers[name] = SECRET_HEADERS.has(name) ? '[redacted]' : Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/** The text of a message's content: a string, or its text parts (OpenAI and Anthropic) joined. */
function contentText(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  const texts = content.filter((part): part is { type: 'text'; text: string } => part?.type === 'text' && typeof part.text === 'string').map((part) => part.text);
  return texts.length > 0 ? texts.join('\n') : undefined;
}

/** The text of the last user message that has text (Gemini: the last `user` content with text parts). */
function lastUserMessage(body: Record<string, unknown>): string | undefined {
  const contents = body['contents'];
  if (Array.isArray(contents)) {
    for (let index = contents.length - 1; index >= 0; index -= 1) {
      const content: unknown = contents[index];
      if (typeof content !== 'object' || content === null || (content as { role?: unknown }).role !== 'user') continue;
      const parts = (content as { parts?: unknown }).parts;
      const texts = Array.isArray(parts) ? parts.filter((part): part is { text: string } => typeof part?.text === 'string').map((part) => part.text) : [];
      if (texts.length > 0) return texts.join('\n');
    }
    return undefined;
  }
  const messages = body['messages'];
  if (!Array.isArray(messages)) return undefined;
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message: unknown = messages[index];
    if (typeof message !== 'object' || message === null) continue;
    const { role, content } = message as { role?: unknown; content?: unknown };
    if (role !== 'user') continue;
    const text = contentText(content);
    if (text !== undefined) return text;
  }
  return undefined;
}

/** Throws a `TypeError` when a reply is malformed. */
function assertValidReply(reply: unknown, where: string): void {
  const problem = describeInvalidLlmReply(reply);
  if (problem !== undefined) throw new TypeError(`${where}: ${problem}`);
}

/** Checks a rule and makes it active. */
function activateRule(rule: LlmRule): ActiveRule {
  if (typeof rule?.match !== 'function') {
    throw new TypeError('addRule: rule.match must be a function of the request, such as () => true');
  }
  if (typeof rule.reply !== 'function') assertValidReply(rule.reply, 'addRule');
  const times = rule.times ?? Number.POSITIVE_INFINITY;
  if (!(times === Number.POSITIVE_INFINITY || (Number.isInteger(times) && times >= 0))) {
    throw new TypeError(`addRule: rule.times: expected a whole number from 0, got ${JSON.stringify(rule.times)}`);
  }
  return { rule, remaining: times };
}

/** The message of a scripted error without one. */
function defaultErrorMessage(status: number): string {
  return `Scripted error: the local LLM server's script answered this request with HTTP ${status}.`;
}

/** The message of the empty-script answer. */
function emptyScriptMessage(request: RecordedLlmRequest): string {
  return (
    `local LLM server: the script is empty: no rule matched ${request.method} ${request.path} ` +
    `(${request.provider}) and no reply is queued. Queue one with server.enqueue(replyWithText("...")) ` +
    'or add a rule with server.addRule({ match, reply }) before sending the request.'
  );
}

/**
 * Starts a local HTTP server on 127.0.0.1 that speaks three wire protocols, so the real `openai`,
 * `@anthropic-ai/sdk` and `@ai-sdk/google` clients can run against it:
 *
 * - `POST /v1/chat/completions` (also `/chat/completions`): OpenAI Chat Completions, a
 *   `chat.completion` or, with `stream: true`, `chat.completion.chunk` SSE ending `data: [DONE]`
 *   (a usage chunk only with `stream_options.include_usage`, as OpenAI does);
 * - `POST /v1/messages`: Anthropic Messages, a `message` or, with `stream: true`, the
 *   `message_start` … `message_stop` event stream;
 * - `POST /v1beta/models/<model>:generateContent` (also `/v1/...`): Google's Gemini API, a
 *   `GenerateContentResponse` with `functionCall` parts and `usageMetadata`, or, on
 *   `:streamGenerateContent?alt=sse`, its chunks as data-only events; errors as
 *   `{ error: { code, message, status } }`; `:embedContent` and `:batchEmbedContents` answer
 *   computed embeddings as `/v1/embeddings` does;
 * - `POST /v1/embeddings` (also `/embeddings`): OpenAI embeddings, computed, not scripted: each
 *   word of a text adds to one coordinate, so texts that share words are similar (float arrays,
 *   or base64 as the `openai` SDK asks for by default).
 *
 * Each request is recorded in `requests`, then answered by the first matching rule with uses
 * left, else by the next queued reply; when neither has one, a 500 in the provider's error shape
 * says the script is empty (with `x-should-retry: false`, so the SDKs do not retry it). Scripted
 * errors use the provider's error body and the given status, and a `retry-after` header when
 * `retryAfterSeconds` is set; a `malformedBody` reply is a 200 carrying that broken text (see
 * {@link LlmReply.malformedBody}). Any other path gets a 404 in the error shape of the provider its
 * headers suggest.
 *
 * @param options - The initial script and the port; see {@link LocalLlmServerOptions}.
 * @returns The running server.
 *
 * @example
 * ```ts
 * const server = await startLocalLlmServer({ script: { replies: [replyWithText('Hello!')] } });
 * const client = new OpenAI({ baseURL: server.openaiBaseUrl, apiKey: 'test' });
 * const completion = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] });
 * completion.choices[0]?.message.content; // 'Hello!'
 * await server.close();
 * ```
 */
export async function startLocalLlmServer(options: LocalLlmServerOptions = {}): Promise<LocalLlmServer> {
  const requests: RecordedLlmRequest[] = [];
  const embeddingRequests: { model: string | undefined; inputs: string[]; time: Date }[] = [];
  let rules: ActiveRule[] = [];
  let queue: LlmReply[] = [];
  let counter = 0;
  let stopped = false;
  /** Cancels each request waiting on `delayMilliseconds`. */
  const pendingDelays = new Set<() => void>();

  const enqueue = (...replies: LlmReply[]): void => {
    replies.forEach((reply, index) => assertValidReply(reply, `enqueue (reply ${index})`));
    queue.push(...replies);
  };
  const addRule = (rule: LlmRule): void => {
    rules.push(activateRule(rule));
  };
  for (const rule of options.script?.rules ?? []) addRule(rule);
  enqueue(...(options.script?.replies ?? []));

  const nextId = (): number => {
    counter += 1;
    return counter;
  };

  /** The reply for a request: a scripted one, or `undefined` when the script is empty. */
  const pickReply = (request: RecordedLlmRequest): LlmReply | undefined => {
    for (const [index, active] of rules.entries()) {
      if (active.remaining <= 0) continue;
      let matches: boolean;
      try {
        matches = active.rule.match(request);
      } catch (error) {
        throw new Error(`local LLM server: rule ${index}'s match threw: ${String(error)}`, { cause: error });
      }
      if (!matches) continue;
      active.remaining -= 1;
      const { reply } = active.rule;
      if (typeof reply !== 'function') return reply;
      let produced: LlmReply;
      try {
        produced = reply(request);
      } catch (error) {
        throw new Error(`local LLM server: rule ${index}'s reply function threw: ${String(error)}`, { cause: error });
      }
      assertValidReply(produced, `local LLM server: rule ${index}'s reply function returned a bad reply`);
      return produced;
    }
    return queue.shift();
  };

  /** Waits, unless the server closes or the client goes away first; resolves whether to go on. */
  const delay = (milliseconds: number, response: ServerResponse): Promise<boolean> =>
    new Promise((resolve) => {
      const finish = (goOn: boolean): void => {
        clearTimeout(timer);
        pendingDelays.delete(cancel);
        response.off('close', cancel);
        resolve(goOn);
      };
      const cancel = (): void => finish(false);
      const timer = setTimeout(() => finish(true), milliseconds);
      pendingDelays.add(cancel);
      response.once('close', cancel);
    });

  const sendJson = (response: ServerResponse, status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void => {
    if (response.headersSent || response.destroyed) return;
    response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  };

  const sendError = (response: ServerResponse, provider: LlmProvider, error: LlmReplyError, extraHeaders: OutgoingHttpHeaders = {}): void => {
    const requestId = `req_local_${nextId()}`;
    const message = error.message ?? defaultErrorMessage(error.status);
    const headers: OutgoingHttpHeaders = {
      [provider === 'anthropic' ? 'request-id' : 'x-request-id']: requestId,
      ...extraHeaders,
    };
    if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.retryAfterSeconds);
    const body = provider === 'openai' ? openaiErrorBody(error, message) : provider === 'google' ? googleErrorBody(error, message) : anthropicErrorBody(error, message, requestId);
    sendJson(response, error.status, body, headers);
  };

  /** A 200 whose body is broken: as is, or as the data of a stream's first event, the stream then cut short. */
  const sendMalformedBody = (response: ServerResponse, provider: LlmProvider, stream: boolean, body: string): void => {
    const requestId = `req_local_${nextId()}`;
    const idHeader = provider === 'anthropic' ? 'request-id' : 'x-request-id';
    if (!stream) {
      response.writeHead(200, { 'content-type': 'application/json', [idHeader]: requestId }).end(body);
      return;
    }
    const data = body
      .split(/\r?\n/)
      .map((line) => `data: ${line}\n`)
      .join('');
    response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', [idHeader]: requestId });
    response.end(`${provider === 'anthropic' ? 'event: message_start\n' : ''}${data}\n`);
  };

  const sendEvents = async (response: ServerResponse, events: ServerSentEvent[]): Promise<void> => {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    for (const { event, data } of events) {
      if (response.destroyed) return;
      response.write(`${event === undefined ? '' : `event: ${event}\n`}data: ${data}\n\n`);
      // Let each event leave in its own write, as a real stream's would.
      await new Promise((resolve) => setImmediate(resolve));
    }
    response.end();
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    if ((path === '/v1/embeddings' || path === '/embeddings') && request.method === 'POST') {
      await answerEmbeddings(request, response);
      return;
    }
    const googleEmbedding = GOOGLE_EMBEDDING_ENDPOINT.exec(path);
    if (googleEmbedding !== null && request.method === 'POST') {
      await answerGoogleEmbeddings(request, response, decodeURIComponent(googleEmbedding[1] as string), googleEmbedding[2] as 'embedContent' | 'batchEmbedContents');
      return;
    }
    const endpoint = endpointOf(path);
    const headers = recordHeaders(request);
    const provider: LlmProvider =
      endpoint?.provider ??
      (headers['anthropic-version'] !== undefined || headers['x-api-key'] !== undefined ? 'anthropic' : headers['x-goog-api-key'] !== undefined ? 'google' : 'openai');
    const bodyText = await readBody(request);
    let parsed: unknown;
    try {
      parsed = bodyText === '' ? undefined : JSON.parse(bodyText);
    } catch {
      parsed = undefined;
    }
    const body = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
    const recorded: RecordedLlmRequest = {
      provider,
      method: request.method ?? 'GET',
      path,
      headers,
      body,
      stream: endpoint?.stream ?? body['stream'] === true,
      model: endpoint?.model ?? (typeof body['model'] === 'string' ? body['model'] : undefined),
      lastUserMessage: lastUserMessage(body),
      time: new Date(),
    };
    requests.push(recorded);

    if (endpoint === undefined || recorded.method !== 'POST') {
      sendError(response, provider, {
        status: 404,
        message:
          `local LLM server: no endpoint ${recorded.method} ${path}; it serves POST /v1/chat/completions ` +
          '(OpenAI: baseURL server.openaiBaseUrl), POST /v1/messages (Anthropic: baseURL server.anthropicBaseUrl) and ' +
          'POST /v1beta/models/<model>:generateContent or :streamGenerateContent (Google: baseURL server.googleBaseUrl).',
      });
      return;
    }
    if (body !== parsed) {
      sendError(response, provider, {
        status: 400,
        message: `local LLM server: the request body is not a JSON object: ${JSON.stringify(bodyText.slice(0, 80))}`,
      });
      return;
    }

    let reply: LlmReply | undefined;
    try {
      reply = pickReply(recorded);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      sendError(response, provider, { status: 500, message }, { 'x-should-retry': 'false' });
      return;
    }
    if (reply === undefined) {
      sendError(response, provider, { status: 500, message: emptyScriptMessage(recorded) }, { 'x-should-retry': 'false' });
      return;
    }
    if (reply.delayMilliseconds !== undefined && reply.delayMilliseconds > 0) {
      if (!(await delay(reply.delayMilliseconds, response))) {
        response.destroy();
        return;
      }
    }
    if (reply.error !== undefined) {
      sendError(response, provider, reply.error);
      return;
    }
    if (reply.malformedBody !== undefined) {
      sendMalformedBody(response, provider, recorded.stream, reply.malformedBody);
      return;
    }

    const resolved = resolveLlmReply(reply, bodyText.length);
    const responseNumber = nextId();
    const toolCallIds = new Map<number, string>();
    const context: RenderContext = {
      responseId: provider === 'openai' ? `chatcmpl-local-${responseNumber}` : provider === 'google' ? `resp_local_${responseNumber}` : `msg_local_${responseNumber}`,
      model: recorded.model ?? 'local-model',
      created: Math.floor(Date.now() / 1000),
      request: recorded,
      toolCallId: (index) => {
        let id = toolCallIds.get(index);
        if (id === undefined) {
          // Zero-padded, so ids (which later requests carry) are of one length: the estimated
          // token counts of a conversation do not depend on how many requests came before it.
          const number = String(nextId()).padStart(6, '0');
          id = provider === 'anthropic' ? `toolu_local_${number}` : `call_local_${number}`;
          toolCallIds.set(index, id);
        }
        return id;
      },
    };
    if (provider === 'google') {
      if (recorded.stream) await sendEvents(response, googleGenerateContentEvents(resolved, context));
      else sendJson(response, 200, googleGenerateContentResponse(resolved, context), { 'x-request-id': `req_local_${nextId()}` });
    } else if (provider === 'openai') {
      if (recorded.stream) await sendEvents(response, openaiChatCompletionChunks(resolved, context));
      else sendJson(response, 200, openaiChatCompletion(resolved, context), { 'x-request-id': `req_local_${nextId()}` });
    } else if (recorded.stream) {
      await sendEvents(response, anthropicMessageEvents(resolved, context));
    } else {
      sendJson(response, 200, anthropicMessage(resolved, context), { 'request-id': `req_local_${nextId()}` });
    }
    recorded.answeredAt = new Date();
  };

  /** Deterministic embeddings: texts that share words get similar vectors. */
  const answerEmbeddings = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    let body: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(await readBody(request));
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
    } catch {
      // An unparsable body gets the error below.
    }
    const answer = openaiEmbeddingsResponse(body);
    if (!answer.ok) {
      sendError(response, 'openai', { status: 400, message: answer.message });
      return;
    }
    const input = body['input'];
    embeddingRequests.push({ model: typeof body['model'] === 'string' ? body['model'] : undefined, inputs: typeof input === 'string' ? [input] : (input as string[]), time: new Date() });
    sendJson(response, 200, answer.body, { 'x-request-id': `req_local_${nextId()}` });
  };

  /** Google's embeddings, computed as `/v1/embeddings`' are. */
  const answerGoogleEmbeddings = async (request: IncomingMessage, response: ServerResponse, model: string, method: 'embedContent' | 'batchEmbedContents'): Promise<void> => {
    let body: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(await readBody(request));
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
    } catch {
      // An unparsable body gets the error below.
    }
    const answer = googleEmbeddingsResponse(method, body);
    if (!answer.ok) {
      sendError(response, 'google', { status: 400, message: answer.message });
      return;
    }
    embeddingRequests.push({ model, inputs: answer.inputs, time: new Date() });
    sendJson(response, 200, answer.body, { 'x-request-id': `req_local_${nextId()}` });
  };

  const httpServer = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (stopped && response.destroyed) return;
      const message = `local LLM server: internal error: ${error instanceof Error ? error.message : String(error)}`;
      if (response.headersSent) response.end();
      else sendJson(response, 500, { error: { message, type: 'server_error', param: null, code: null } });
    });
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port ?? 0, '127.0.0.1', () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const { port } = httpServer.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closed ??= new Promise<void>((resolve) => {
      stopped = true;
      for (const cancel of [...pendingDelays]) cancel();
      httpServer.close(() => resolve());
      httpServer.closeIdleConnections();
      // A client may still be reading a response; after a grace period, drop it.
      const grace = setTimeout(() => httpServer.closeAllConnections(), 1_000);
      grace.unref();
      httpServer.once('close', () => clearTimeout(grace));
    }));

  return {
    url,
    openaiBaseUrl: `${url}/v1`,
    anthropicBaseUrl: url,
    googleBaseUrl: `${url}/v1beta`,
    requests,
    embeddingRequests,
    enqueue,
    addRule,
    reset: () => {
      requests.length = 0;
      embeddingRequests.length = 0;
      rules = [];
      queue = [];
      counter = 0;
    },
    close,
  };
}
