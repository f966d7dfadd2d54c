/**
 * The OpenAI model provider: one Chat Completions round trip through the official SDK, run by the
 * engines as the task `llm.openai.complete` (an activity under Temporal). Node only.
 */
import {
  requestedModel,
  type EmbeddingProvider,
  type EmbeddingRequest,
  type EmbeddingResponse,
  type LlmProvider,
  type LlmProviderContext,
  type LlmRequest,
  type LlmResponse,
} from '@mcp-agent/core/engine';
import { AzureOpenAI, OpenAI } from 'openai';
import type { ChatCompletion, ChatCompletionCreateParamsStreaming } from 'openai/resources/chat/completions';
import { resolveOpenAIConnection, type Environment, type OpenAIConnection } from './openai-connection.js';
import { malformedResponseError, toWorkflowError, type OpenAIErrorContext } from './openai-errors.js';
import { toChatCompletionRequest } from './openai-request.js';
import { ChatCompletionStreamAssembler, fromChatCompletion } from './openai-response.js';

/** The model asked for when neither the request nor `default_model` names one. */
export const DEFAULT_OPENAI_MODEL = 'gpt-4o-mini';

/** The OpenAI API's address, used when neither `openai.base_url` nor `OPENAI_BASE_URL` is set. */
const OPENAI_API_URL = 'https://api.openai.com/v1';

/** SDK clients kept at most, one per (key, base URL): enough for key rotation without growing forever. */
const CLIENT_CACHE_SIZE = 16;

/** Options of {@link createOpenAIProvider}. */
export interface OpenAIProviderOptions {
  /** The model when neither the request nor the settings' `default_model` names one. Default `gpt-4o-mini`. */
  defaultModel?: string;
  /** Where environment variables (`OPENAI_API_KEY`, `OPENAI_BASE_URL`, Azure's) are read. Default `process.env`. */
  environment?: Environment;
  /** Milliseconds the SDK waits for one response. Default: the SDK's (10 minutes); the task's own timeouts also apply. */
  timeoutMilliseconds?: number;
  /** Headers sent with every request, such as a gateway's. Default none. */
  defaultHeaders?: Record<string, string>;
}

/** The embedding model asked for when neither the request nor `default_embedding_model` names one. */
export const DEFAULT_OPENAI_EMBEDDING_MODEL = 'text-embedding-3-small';

/**
 * The OpenAI provider: `name` is `openai`, so its round trips run as `llm.openai.complete` and its
 * embeddings as `embedding.openai.embed`.
 */
export interface OpenAIProvider extends LlmProvider, EmbeddingProvider {
  readonly name: 'openai';
}

/**
 * Makes an OpenAI provider. Credentials, base URL and default model are resolved inside each
 * call from the settings (`openai`, or `azure` for Azure OpenAI) and the environment, so a
 * request never carries a key. One SDK client is kept per (key, base URL), with `maxRetries: 0`:
 * the engine's retry policy for `llm.*` retries.
 *
 * @example
 * ```ts
 * const app = new MCPApp({ name: 'gateway', llmProviders: [createOpenAIProvider({ defaultHeaders: { 'x-team': 'search' } })] });
 * ```
 */
export function createOpenAIProvider(options: OpenAIProviderOptions = {}): OpenAIProvider {
  const environment = options.environment ?? process.env;
  const fallbackModel = options.defaultModel ?? DEFAULT_OPENAI_MODEL;
  const clients = new Map<string, OpenAI>();

  const clientFor = (connection: OpenAIConnection): OpenAI => {
    let client = clients.get(connection.cacheKey);
    if (client !== undefined) return client;
    const common = {
      apiKey: connection.apiKey,
      maxRetries: 0,
      ...(options.timeoutMilliseconds === undefined ? {} : { timeout: options.timeoutMilliseconds }),
      ...(options.defaultHeaders === undefined ? {} : { defaultHeaders: options.defaultHeaders }),
    };
    client = connection.azure
      ? new AzureOpenAI({
          ...common,
          apiVersion: connection.apiVersion,
          baseURL: connection.baseURL,
          ...(connection.deployment === undefined ? {} : { deployment: connection.deployment }),
        })
      : new OpenAI({ ...common, baseURL: connection.baseURL ?? OPENAI_API_URL, organization: connection.organization ?? null, project: connection.project ?? null });
    if (clients.size >= CLIENT_CACHE_SIZE) clients.delete(clients.keys().next().value as string);
    clients.set(connection.cacheKey, client);
    return client;
  };

  const prepare = (request: LlmRequest, context: LlmProviderContext) => {
    const connection = resolveOpenAIConnection(context.settings, environment);
    // A request's modelPreferences choose among the model table's models of OpenAI (or Azure).
    const model = requestedModel(request, connection.azure ? 'azure' : 'openai', context.settings.models) ?? connection.defaultModel ?? fallbackModel;
    const errorContext: OpenAIErrorContext = {
      label: connection.label,
      model,
      section: connection.section,
      keyVariable: connection.keyVariable,
      endpointSetting: connection.endpointSetting,
      apiKey: connection.apiKey,
    };
    const body = toChatCompletionRequest(request, { model, reasoningEffort: connection.reasoningEffort });
    const client = clientFor(connection);
    errorContext.baseURL = client.baseURL;
    return { client, body, model, errorContext };
  };

  return {
    name: 'openai',

    async complete(request: LlmRequest, context: LlmProviderContext): Promise<LlmResponse> {
      const { client, body, errorContext } = prepare(request, context);
      try {
        const completion: unknown = await client.chat.completions.create(body, { signal: context.signal });
        const problem = completionProblem(completion);
        if (problem !== undefined) throw malformedResponseError(errorContext, problem);
        return fromChatCompletion(completion as ChatCompletion);
      } catch (error) {
        throw toWorkflowError(error, errorContext, context.signal);
      }
    },

    async embed(request: EmbeddingRequest, context: LlmProviderContext): Promise<EmbeddingResponse> {
      const connection = resolveOpenAIConnection(context.settings, environment);
      const section = (connection.section === 'azure' ? context.settings.azure : context.settings.openai) as Record<string, unknown> | undefined;
      const configured = section?.['default_embedding_model'];
      const model = request.model ?? (typeof configured === 'string' && configured !== '' ? configured : DEFAULT_OPENAI_EMBEDDING_MODEL);
      const errorContext: OpenAIErrorContext = {
        label: connection.label,
        model,
        section: connection.section,
        keyVariable: connection.keyVariable,
        endpointSetting: connection.endpointSetting,
        apiKey: connection.apiKey,
      };
      try {
        const result = await clientFor(connection).embeddings.create(
          { model, input: request.inputs, ...(request.dimensions === undefined ? {} : { dimensions: request.dimensions }) },
          { signal: context.signal },
        );
        const embeddings = [...result.data].sort((a, b) => a.index - b.index).map((item) => item.embedding);
        return { model: result.model, embeddings, usage: { inputTokens: result.usage.prompt_tokens, totalTokens: result.usage.total_tokens } };
      } catch (error) {
        throw toWorkflowError(error, errorContext, context.signal);
      }
    },

    async stream(request: LlmRequest, context: LlmProviderContext, onText: (delta: string) => void): Promise<LlmResponse> {
      const { client, body, model, errorContext } = prepare(request, context);
      const streaming: ChatCompletionCreateParamsStreaming = { ...body, stream: true, stream_options: { include_usage: true } };
      const assembler = new ChatCompletionStreamAssembler(model);
      try {
        const stream = await client.chat.completions.create(streaming, { signal: context.signal });
        let chunks = 0;
        for await (const chunk of stream) {
          const problem = chunkProblem(chunk);
          if (problem !== undefined) throw malformedResponseError(errorContext, problem);
          chunks += 1;
          const text = assembler.add(chunk);
          if (text !== '') onText(text);
        }
        // A body that is no event stream at all (an HTML error page) parses as no events.
        if (chunks === 0 && context.signal?.aborted !== true) throw malformedResponseError(errorContext, 'is a stream without any completion chunk');
      } catch (error) {
        throw toWorkflowError(error, errorContext, context.signal);
      }
      return assembler.response();
    },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What is wrong with a parsed `chat.completion`, worded to follow "the response ...", or `undefined`. */
function completionProblem(completion: unknown): string | undefined {
  if (!isObject(completion)) return `is not a JSON object (got ${JSON.stringify(completion)?.slice(0, 80) ?? String(completion)})`;
  const choices = completion['choices'];
  if (!Array.isArray(choices)) return 'has no "choices" array';
  if (choices.length > 0 && !isObject((choices[0] as Record<string, unknown> | undefined)?.['message'])) return 'has a choice without a "message" object';
  return undefined;
}

/** What is wrong with a parsed `chat.completion.chunk`, worded to follow "the response ...", or `undefined`. */
function chunkProblem(chunk: unknown): string | undefined {
  if (!isObject(chunk)) return `has a stream chunk that is not a JSON object (got ${JSON.stringify(chunk)?.slice(0, 80) ?? String(chunk)})`;
  const choices = chunk['choices'];
  if (!Array.isArray(choices)) return 'has a stream chunk without a "choices" array';
  if (choices.some((choice) => !isObject(choice) || !isObject(choice['delta']))) return 'has a stream chunk with a choice without a "delta" object';
  return undefined;
}

/**
 * The provider that engines load from this package (`llmProvider`): OpenAI with the defaults of
 * {@link createOpenAIProvider}.
 *
 * @example
 * ```ts
 * const app = new MCPApp({ name: 'finder', llmProviders: [llmProvider] }); // the same one engines load by default
 * ```
 */
export const llmProvider: OpenAIProvider = createOpenAIProvider();

/**
 * The embedding provider that engines load from this package (`embeddingProvider`): the same
 * object as {@link llmProvider}, whose `embed` runs as the task `embedding.openai.embed`.
 */
export const embeddingProvider: OpenAIProvider = llmProvider;
