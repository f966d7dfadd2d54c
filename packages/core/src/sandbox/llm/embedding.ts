/**
 * Embeddings: a provider-neutral request and response, the provider interface, and `embed`, which
 * runs one request as the task `embedding.<provider>.embed` inside a workflow (an activity under
 * Temporal) and through the app's provider outside one. Safe for the workflow sandbox.
 */
import { WorkflowUsageError } from '../errors.js';
import { currentWorkflowContext } from '../model/workflow-context.js';
import { nextRetryDelay, shouldRetry, taskRetryPolicy } from '../retry.js';
import { servicesOf, type AppServices, type ServicesOwner } from '../services.js';
import { providerInstallHint, type LlmProviderContext } from './llm-provider.js';
import { costOf } from './model-prices.js';

/** A request for the embeddings of some texts. */
export interface EmbeddingRequest {
  /** `openai`, ... */
  provider: string;
  /** Defaults to the provider's `default_embedding_model`, else its own default. */
  model?: string | undefined;
  /** The texts, embedded in this order. */
  inputs: string[];
  /** Dimensions to shorten the vectors to, when the model supports it. */
  dimensions?: number | undefined;
}

/** The embeddings of a request's texts, in the order given. */
export interface EmbeddingResponse {
  model: string;
  embeddings: number[][];
  usage: { inputTokens: number; totalTokens: number };
  /** US dollars, by the price table; set by the task that made the request. */
  costUsd?: number | undefined;
}

/** An embedding provider: the SDK call and its error classification. Credentials are resolved inside. */
export interface EmbeddingProvider {
  readonly name: string;
  embed(request: EmbeddingRequest, context: LlmProviderContext): Promise<EmbeddingResponse>;
}

/** The task name of a provider's embeddings: `embedding.<provider>.embed`. */
export function embeddingTaskName(provider: string): string {
  return `embedding.${provider}.embed`;
}

/** Options of {@link embed}. */
export interface EmbedOptions {
  /** Default: the provider's `default_embedding_model` in the config, else its own default. */
  model?: string;
  dimensions?: number;
  /** The app whose providers are used outside a workflow. Default: the app running the caller. */
  app?: ServicesOwner;
}

/**
 * The embeddings of `inputs` from `provider`: one task inside a workflow (recorded, so replay
 * reads the vectors back), the app's provider directly outside one, retried by the same policy.
 *
 * @example
 * ```ts
 * const { embeddings } = await embed('openai', ['weather in Paris', 'flight to Rome']);
 * ```
 */
export async function embed(provider: string, inputs: string[], options: EmbedOptions = {}): Promise<EmbeddingResponse> {
  if (!Array.isArray(inputs) || inputs.some((input) => typeof input !== 'string')) {
    throw new WorkflowUsageError(`embed: inputs must be an array of strings, got ${JSON.stringify(inputs)?.slice(0, 80)}`);
  }
  const request: EmbeddingRequest = {
    provider,
    inputs,
    ...(options.model === undefined ? {} : { model: options.model }),
    ...(options.dimensions === undefined ? {} : { dimensions: options.dimensions }),
  };
  if (inputs.length === 0) return { model: options.model ?? '', embeddings: [], usage: { inputTokens: 0, totalTokens: 0 }, costUsd: 0 };
  const taskName = embeddingTaskName(provider);
  const context = currentWorkflowContext();
  if (context !== undefined) return context.executeTask<EmbeddingResponse>(taskName, [request], undefined);
  const services = servicesOf(options.app);
  const embedder = embeddingProviderOf(services, provider);
  const policy = taskRetryPolicy(taskName, services.settings);
  for (let attempt = 1; ; attempt += 1) {
    try {
      const response = await embedder.embed(request, { settings: services.settings });
      return { ...response, costUsd: response.costUsd ?? costOf(services.settings, response.model, { inputTokens: response.usage.inputTokens, outputTokens: 0 }) };
    } catch (error) {
      if (!shouldRetry(policy, error, attempt)) throw error;
      await new Promise<void>((resolve) => setTimeout(resolve, nextRetryDelay(policy, error, attempt)));
    }
  }
}

/** The embedding provider of that name among `services`, or an error naming those loaded and the package to install. */
export function embeddingProviderOf(services: AppServices, name: string): EmbeddingProvider {
  const provider = services.embeddingProviders?.get(name);
  if (provider === undefined) {
    const loaded = [...(services.embeddingProviders?.keys() ?? [])];
    throw new WorkflowUsageError(
      `no "${name}" embedding provider is loaded${loaded.length > 0 ? ` (loaded: ${loaded.join(', ')})` : ''}; ` +
        `${providerInstallHint(name)}, or pass it to new MCPApp({ embeddingProviders: [...] })`,
    );
  }
  return provider;
}

/** Cosine similarity of two vectors of the same length (0 when either is all zeros). */
export function cosineSimilarity(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new WorkflowUsageError(`cosineSimilarity: vectors of different lengths (${a.length} and ${b.length})`);
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let index = 0; index < a.length; index += 1) {
    const x = a[index] as number;
    const y = b[index] as number;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}
