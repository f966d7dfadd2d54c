/**
 * A model provider over any AI SDK language model (`LanguageModelV3`, the model interface of the
 * `@ai-sdk/*` provider packages): one round trip is one `doGenerate` (or `doStream`) call, run by
 * the engines as the task `llm.<name>.complete` (an activity under Temporal). The model object
 * is made on the worker, from the request's model id and the settings, so a request never
 * carries a key or a model object. Node only.
 */
import type { EmbeddingModelV3, LanguageModelV3, LanguageModelV3FinishReason, LanguageModelV3Usage } from '@ai-sdk/provider';
import { WorkflowApplicationError } from '@mcp-agent/core';
import type { Settings } from '@mcp-agent/core/config';
import {
  requestedModel,
  type EmbeddingProvider,
  type EmbeddingRequest,
  type EmbeddingResponse,
  type LlmProvider,
  type LlmProviderContext,
  type LlmRequest,
  type LlmResponse,
  type LlmToolCall,
} from '@mcp-agent/core/engine';
import { malformedResponseError, toWorkflowError, type AiSdkErrorContext } from './ai-sdk-errors.js';
import { fromAiSdkResult, toAiSdkCallOptions, toStopReason, toToolCall, toUsage } from './ai-sdk-request.js';

/** What a model factory gets besides the model id: the app's settings and the provider's name. */
export interface AiSdkModelContext {
  /** The validated settings (`settings.google`, `settings.mistral`, ...). */
  settings: Settings;
  /** The provider's name, as `aiSdkProvider({ name })` set it. */
  provider: string;
}

/** Makes the AI SDK language model for a model id, on the worker (`mistral(modelId)`). */
export type AiSdkLanguageModelFactory = (modelId: string, context: AiSdkModelContext) => LanguageModelV3 | Promise<LanguageModelV3>;

/** Makes the AI SDK embedding model for a model id, on the worker (`mistral.embedding(modelId)`). */
export type AiSdkEmbeddingModelFactory = (modelId: string, context: AiSdkModelContext) => EmbeddingModelV3 | Promise<EmbeddingModelV3>;

/** What the built-in providers add to the error messages: where the key and the endpoint are set. */
export interface AiSdkErrorHints {
  /** Where the key is set, named when the server refuses it: `google.api_key in mcp_agent.secrets.yaml or GOOGLE_API_KEY`. */
  keyHint?: string | undefined;
  /** Where the endpoint is set, named for an unknown model or a broken answer: `google.base_url`. */
  endpointHint?: string | undefined;
  /** The key, redacted from every message (never logged, never returned). */
  apiKey?: string | undefined;
}

/** Options of {@link aiSdkProvider}. */
export interface AiSdkProviderOptions {
  /**
   * The provider's name: round trips run as the task `llm.<name>.complete`, embeddings as
   * `embedding.<name>.embed`, and the settings section of that name gives `default_model` and
   * `default_embedding_model`. Use the same name in the workflow: `aiSdkLlm('<name>')`.
   */
  name: string;
  /** Makes the language model for a model id. Called on the worker for each round trip; cache inside if making one is costly. */
  model: AiSdkLanguageModelFactory;
  /** The model when neither the request nor `<name>.default_model` names one. Without it, a request must name one. */
  defaultModel?: string;
  /** Makes the embedding model for a model id. Without it, `embed('<name>', ...)` fails with a message saying so. */
  embeddingModel?: AiSdkEmbeddingModelFactory;
  /** The embedding model when neither the request nor `<name>.default_embedding_model` names one. */
  defaultEmbeddingModel?: string;
  /** Where the key and endpoint are set, for the error messages. Default: `<name>.api_key` and `<name>.base_url`. */
  errorHints?: (settings: Settings) => AiSdkErrorHints;
}

/** A provider over AI SDK models: a model provider and an embedding provider under one name. */
export interface AiSdkProvider extends LlmProvider, EmbeddingProvider {
  readonly name: string;
}

/** A string setting of a section, or `undefined` when it is unset or empty. */
export function sectionString(settings: Settings, section: string, key: string): string | undefined {
  const value = (settings as Record<string, unknown>)[section];
  if (typeof value !== 'object' || value === null) return undefined;
  const setting = (value as Record<string, unknown>)[key];
  return typeof setting === 'string' && setting !== '' ? setting : undefined;
}

/** A non-retryable error for a setting the round trip can't go without. */
function missingSetting(provider: string, message: string): WorkflowApplicationError {
  return new WorkflowApplicationError(`${provider}: ${message}`, { type: 'ConfigError', nonRetryable: true });
}

function isLanguageModel(value: unknown): value is LanguageModelV3 {
  return typeof value === 'object' && value !== null && typeof (value as LanguageModelV3).doGenerate === 'function';
}

/**
 * Makes a model provider over AI SDK models. Pass it to the app (`llmProviders`, and
 * `embeddingProviders` when it embeds) where the round trips run: the process itself on the
 * in-process engine, the worker on Temporal. In workflow code, use `aiSdkLlm('<name>')` (or
 * `GoogleAugmentedLLM`, `BedrockAugmentedLLM`, `AzureAugmentedLLM` for the built-in ones).
 *
 * The model comes from the request (`generate(..., { model })`), else `<name>.default_model` in
 * the config, else `defaultModel`; the factory turns that id into a `LanguageModelV3`.
 *
 * @example
 * ```ts
 * import { createMistral } from '@ai-sdk/mistral';
 *
 * const mistralProvider = aiSdkProvider({
 *   name: 'mistral',
 *   model: (modelId, { settings }) => createMistral({ apiKey: settings.mistral?.api_key })(modelId),
 *   defaultModel: 'mistral-large-latest',
 * });
 * const app = new MCPApp({ name: 'finder', llmProviders: [mistralProvider] });
 * ```
 */
export function aiSdkProvider(options: AiSdkProviderOptions): AiSdkProvider {
  const { name } = options;
  if (typeof name !== 'string' || !/^[A-Za-z0-9_-]+$/.test(name)) {
    throw new TypeError(`aiSdkProvider: name must be letters, digits, "_" or "-" (it names the task llm.<name>.complete), got ${JSON.stringify(name)}`);
  }
  if (typeof options.model !== 'function') {
    throw new TypeError(`aiSdkProvider({ name: '${name}' }): model must be a function of the model id returning an AI SDK model, such as (modelId) => mistral(modelId)`);
  }

  const errorContext = (settings: Settings, model: string): AiSdkErrorContext => {
    const hints = options.errorHints?.(settings) ?? {};
    return {
      provider: name,
      model,
      keyHint: hints.keyHint ?? `${name}.api_key in mcp_agent.secrets.yaml`,
      endpointHint: hints.endpointHint ?? `${name}.base_url`,
      apiKey: hints.apiKey ?? sectionString(settings, name, 'api_key'),
    };
  };

  const modelIdOf = (request: LlmRequest, settings: Settings): string => {
    // A request's modelPreferences choose among the model table's models of this provider.
    const modelId = requestedModel(request, name, settings.models) ?? sectionString(settings, name, 'default_model') ?? options.defaultModel;
    if (modelId === undefined) {
      throw missingSetting(name, `no model named: pass { model } to generate, or set ${name}.default_model in mcp_agent.config.yaml`);
    }
    return modelId;
  };

  const languageModel = async (modelId: string, settings: Settings, context: AiSdkErrorContext): Promise<LanguageModelV3> => {
    let model: unknown;
    try {
      model = await options.model(modelId, { settings, provider: name });
    } catch (error) {
      throw toWorkflowError(error, context);
    }
    if (!isLanguageModel(model)) {
      throw missingSetting(name, `the model factory returned ${model === null ? 'null' : typeof model} for "${modelId}", not an AI SDK language model`);
    }
    if (model.specificationVersion !== 'v3') {
      throw missingSetting(
        name,
        `the model factory returned a "${String(model.specificationVersion)}" model for "${modelId}"; this provider takes AI SDK 6 models (LanguageModelV3): install the provider package's 3.x release (@ai-sdk/<provider>@3)`,
      );
    }
    return model;
  };

  return {
    name,

    async complete(request: LlmRequest, context: LlmProviderContext): Promise<LlmResponse> {
      const modelId = modelIdOf(request, context.settings);
      const errors = errorContext(context.settings, modelId);
      const model = await languageModel(modelId, context.settings, errors);
      try {
        const result = await model.doGenerate({ ...toAiSdkCallOptions(request), ...(context.signal === undefined ? {} : { abortSignal: context.signal }) });
        if (!Array.isArray(result?.content)) throw malformedResponseError(errors, 'has no content');
        return fromAiSdkResult(result, modelId);
      } catch (error) {
        throw toWorkflowError(error, errors, context.signal);
      }
    },

    async stream(request: LlmRequest, context: LlmProviderContext, onText: (delta: string) => void): Promise<LlmResponse> {
      const modelId = modelIdOf(request, context.settings);
      const errors = errorContext(context.settings, modelId);
      const model = await languageModel(modelId, context.settings, errors);
      const texts: string[] = [];
      const toolCalls: LlmToolCall[] = [];
      let answeredModel: string | undefined;
      let finish: { finishReason: LanguageModelV3FinishReason; usage: LanguageModelV3Usage } | undefined;
      try {
        const { stream } = await model.doStream({ ...toAiSdkCallOptions(request), ...(context.signal === undefined ? {} : { abortSignal: context.signal }) });
        const reader = stream.getReader();
        try {
          for (;;) {
            const { done, value: part } = await reader.read();
            if (done) break;
            switch (part.type) {
              case 'text-delta':
                if (part.delta !== '') {
                  texts.push(part.delta);
                  onText(part.delta);
                }
                break;
              case 'tool-call':
                if (part.providerExecuted !== true) toolCalls.push(toToolCall(part));
                break;
              case 'response-metadata':
                answeredModel = part.modelId ?? answeredModel;
                break;
              case 'finish':
                finish = { finishReason: part.finishReason, usage: part.usage };
                break;
              case 'error':
                throw part.error;
              default:
                break;
            }
          }
        } finally {
          reader.releaseLock();
        }
        if (finish === undefined) context.signal?.throwIfAborted();
        if (finish === undefined) throw malformedResponseError(errors, 'is a stream that ended without its finish event');
      } catch (error) {
        throw toWorkflowError(error, errors, context.signal);
      }
      const text = texts.join('');
      return {
        model: answeredModel ?? modelId,
        message: { role: 'assistant', content: text === '' && toolCalls.length > 0 ? null : text, toolCalls },
        stopReason: toStopReason(finish.finishReason, toolCalls.length > 0),
        usage: toUsage(finish.usage),
      };
    },

    async embed(request: EmbeddingRequest, context: LlmProviderContext): Promise<EmbeddingResponse> {
      const embeddingModel = options.embeddingModel;
      if (embeddingModel === undefined) {
        throw missingSetting(name, 'this provider has no embedding model: pass embeddingModel to aiSdkProvider({ ... })');
      }
      const modelId = request.model ?? sectionString(context.settings, name, 'default_embedding_model') ?? options.defaultEmbeddingModel;
      if (modelId === undefined) {
        throw missingSetting(name, `no embedding model named: pass { model } to embed, or set ${name}.default_embedding_model in mcp_agent.config.yaml`);
      }
      const errors = errorContext(context.settings, modelId);
      try {
        const model = await embeddingModel(modelId, { settings: context.settings, provider: name });
        const result = await model.doEmbed({
          values: request.inputs,
          ...(context.signal === undefined ? {} : { abortSignal: context.signal }),
          ...(request.dimensions === undefined ? {} : { providerOptions: dimensionOptions(request.dimensions) }),
        });
        if (!Array.isArray(result?.embeddings) || result.embeddings.length !== request.inputs.length) {
          throw malformedResponseError(errors, `has ${Array.isArray(result?.embeddings) ? result.embeddings.length : 'no'} embeddings for ${request.inputs.length} inputs`);
        }
        const inputTokens = result.usage?.tokens ?? 0;
        return { model: modelId, embeddings: result.embeddings.map((embedding) => [...embedding]), usage: { inputTokens, totalTokens: inputTokens } };
      } catch (error) {
        throw toWorkflowError(error, errors, context.signal);
      }
    },
  };
}

/**
 * The provider options that shorten embeddings to `dimensions`. Each AI SDK provider reads only
 * its own key and names the option its own way, so every known spelling is sent.
 */
function dimensionOptions(dimensions: number): Record<string, Record<string, number>> {
  return {
    openai: { dimensions },
    azure: { dimensions },
    google: { outputDimensionality: dimensions },
    vertex: { outputDimensionality: dimensions },
    bedrock: { dimensions },
  };
}
