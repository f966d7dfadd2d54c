/**
 * The Anthropic model provider: credentials and endpoint from the settings (or the environment),
 * one SDK client per key and endpoint, the Messages API call, and errors the engines can act on.
 * Node only: engines run it as the task `llm.anthropic.complete`.
 */
import Anthropic from '@anthropic-ai/sdk';
import { WorkflowApplicationError } from '@mcp-agent/core';
import { requestedModel, type LlmProvider, type LlmProviderContext, type LlmRequest, type LlmResponse } from '@mcp-agent/core/engine';
import type { Settings } from '@mcp-agent/core/config';
import { classifyAnthropicError, MalformedAnthropicResponse } from './anthropic-errors.js';
import { ANTHROPIC_DEFAULT_MAX_TOKENS, ANTHROPIC_DEFAULT_MODEL, toAnthropicMessagesBody, type AnthropicMessagesBody } from './anthropic-request.js';
import { fromAnthropicMessage, type AnthropicMessageLike } from './anthropic-response.js';
import { collectAnthropicStream } from './anthropic-stream.js';

/** Options of {@link createAnthropicProvider}; each one overrides the config and the environment. */
export interface AnthropicProviderOptions {
  /** The API key. Default: `anthropic.api_key` from the settings, else `ANTHROPIC_API_KEY`. */
  apiKey?: string;
  /** The API's base URL. Default: `anthropic.base_url`, else `ANTHROPIC_BASE_URL`, else Anthropic's. */
  baseUrl?: string;
  /** The model when a request names none. Default: `anthropic.default_model`, else `claude-sonnet-5-5`. */
  defaultModel?: string;
  /** `max_tokens` when a request sets none. Default 4096. */
  defaultMaxTokens?: number;
  /** How long the SDK waits for one response, in milliseconds. Default 600 000 (10 minutes). */
  timeoutMilliseconds?: number;
  /** Where to read `ANTHROPIC_API_KEY` and `ANTHROPIC_BASE_URL`. Default: `process.env`. */
  environment?: Readonly<Record<string, string | undefined>>;
}

const DEFAULT_TIMEOUT_MILLISECONDS = 600_000;
const ANTHROPIC_API_URL = 'https://api.anthropic.com';

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** The error for a missing key: one line saying where to put it. */
function missingApiKey(): WorkflowApplicationError {
  return new WorkflowApplicationError('anthropic: no API key; set anthropic.api_key in mcp_agent.secrets.yaml or the ANTHROPIC_API_KEY environment variable', {
    type: 'MissingApiKeyError',
    nonRetryable: true,
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What is wrong with a parsed `message`, worded to follow "the response ...", or `undefined`. */
function messageProblem(message: unknown): string | undefined {
  if (!isObject(message)) return `is not a JSON object (got ${JSON.stringify(message)?.slice(0, 80) ?? String(message)})`;
  if (!Array.isArray(message['content'])) return 'has no "content" array';
  if (!isObject(message['usage'])) return 'has no "usage" object';
  return undefined;
}

/**
 * Creates the Anthropic provider: `complete` and `stream` send a neutral request to the Messages
 * API with the official SDK and map the answer back.
 *
 * Credentials are read inside each call, on the worker, from `context.settings.anthropic`
 * (`api_key`, `base_url`, `default_model`) or the environment (`ANTHROPIC_API_KEY`,
 * `ANTHROPIC_BASE_URL`); a request never carries them. One SDK client is kept per key and base
 * URL, with the SDK's own retries off (`maxRetries: 0`): the engine retries, by its policy.
 *
 * @throws WorkflowApplicationError (from the calls) as `classifyAnthropicError` describes, and a
 *   non-retryable `MissingApiKeyError` when there is no key; when `context.signal` aborts the
 *   call, its reason.
 *
 * @example
 * ```ts
 * const app = new MCPApp({ name: 'demo', llmProviders: [createAnthropicProvider({ defaultModel: 'claude-haiku-4-5' })] });
 * ```
 */
export function createAnthropicProvider(options: AnthropicProviderOptions = {}): LlmProvider {
  const clients = new Map<string, Anthropic>();
  const environment = (): Readonly<Record<string, string | undefined>> => options.environment ?? process.env;

  function resolve(request: LlmRequest, settings: Settings): { client: Anthropic; apiKey: string; baseUrl: string; body: AnthropicMessagesBody } {
    const section = settings.anthropic;
    const apiKey = nonEmpty(options.apiKey) ?? nonEmpty(section?.api_key) ?? nonEmpty(environment()['ANTHROPIC_API_KEY']);
    if (apiKey === undefined) throw missingApiKey();
    const baseUrl = nonEmpty(options.baseUrl) ?? nonEmpty(section?.base_url) ?? nonEmpty(environment()['ANTHROPIC_BASE_URL']) ?? ANTHROPIC_API_URL;
    const cacheKey = `${baseUrl}\u0000${apiKey}`;
    let client = clients.get(cacheKey);
    if (client === undefined) {
      client = new Anthropic({ apiKey, baseURL: baseUrl, maxRetries: 0, timeout: options.timeoutMilliseconds ?? DEFAULT_TIMEOUT_MILLISECONDS });
      clients.set(cacheKey, client);
    }
    // A request's modelPreferences choose among the model table's Anthropic models.
    const model = requestedModel(request, 'anthropic', settings.models) ?? nonEmpty(options.defaultModel) ?? nonEmpty(section?.default_model) ?? ANTHROPIC_DEFAULT_MODEL;
    const body = toAnthropicMessagesBody(request, { model, maxTokens: options.defaultMaxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS });
    return { client, apiKey, baseUrl, body };
  }

  return Object.freeze({
    name: 'anthropic',

    async complete(request: LlmRequest, context: LlmProviderContext): Promise<LlmResponse> {
      const { client, apiKey, baseUrl, body } = resolve(request, context.settings);
      try {
        const message: unknown = await client.messages.create(body, { signal: context.signal });
        const problem = messageProblem(message);
        if (problem !== undefined) throw new MalformedAnthropicResponse(problem);
        return fromAnthropicMessage(message as AnthropicMessageLike, request);
      } catch (error) {
        throw classifyAnthropicError(error, { model: body.model, apiKey, baseUrl }, context.signal);
      }
    },

    async stream(request: LlmRequest, context: LlmProviderContext, onText: (delta: string) => void): Promise<LlmResponse> {
      const { client, apiKey, baseUrl, body } = resolve(request, context.settings);
      try {
        const events = await client.messages.create({ ...body, stream: true }, { signal: context.signal });
        const message = await collectAnthropicStream(events, onText);
        // An abort while events arrive ends the SDK's stream quietly: never pass a partial message on as whole.
        context.signal?.throwIfAborted();
        return fromAnthropicMessage(message, request);
      } catch (error) {
        // A stream cut short by an abort looks broken; the abort is what happened.
        if (error instanceof MalformedAnthropicResponse) context.signal?.throwIfAborted();
        throw classifyAnthropicError(error, { model: body.model, apiKey, baseUrl }, context.signal);
      }
    },
  });
}

/**
 * The Anthropic provider with its defaults, as engines load it from this package: the task
 * `llm.anthropic.complete` calls `llmProvider.complete(request, { settings, signal })`.
 *
 * @example
 * ```ts
 * const app = new MCPApp({ name: 'demo', llmProviders: [llmProvider] });
 * ```
 */
export const llmProvider: LlmProvider = createAnthropicProvider();
