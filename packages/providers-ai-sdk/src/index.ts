// The Node entry of @mcp-agent/providers-ai-sdk: the LLM classes, the providers that apps load
// (`llmProviders`: google, bedrock, azure), `aiSdkProvider` for any other AI SDK model, and the
// mapping between neutral and AI SDK shapes. Registers this package's config sections with core.
import './config.js';
import { createAzureProvider, createBedrockProvider, createGoogleProvider } from './builtin-providers.js';
import type { AiSdkProvider } from './ai-sdk-provider.js';

export { aiSdkLlm, AzureAugmentedLLM, BedrockAugmentedLLM, GoogleAugmentedLLM } from './ai-sdk-augmented-llm.js';
export type { AiSdkLlmClass } from './ai-sdk-augmented-llm.js';
export { aiSdkProvider } from './ai-sdk-provider.js';
export type { AiSdkEmbeddingModelFactory, AiSdkErrorHints, AiSdkLanguageModelFactory, AiSdkModelContext, AiSdkProvider, AiSdkProviderOptions } from './ai-sdk-provider.js';
export {
  azureBaseUrl,
  createAzureProvider,
  createBedrockProvider,
  createGoogleProvider,
  DEFAULT_AZURE_MODEL,
  DEFAULT_BEDROCK_EMBEDDING_MODEL,
  DEFAULT_BEDROCK_MODEL,
  DEFAULT_GOOGLE_EMBEDDING_MODEL,
  DEFAULT_GOOGLE_MODEL,
} from './builtin-providers.js';
export type { BuiltinProviderOptions, Environment } from './builtin-providers.js';
export { toWorkflowError } from './ai-sdk-errors.js';
export type { AiSdkErrorContext } from './ai-sdk-errors.js';
export { fromAiSdkResult, toAiSdkCallOptions, toAiSdkPrompt } from './ai-sdk-request.js';
export type { BedrockSettings, GoogleSettings } from './config.js';

/** The `google` provider with its defaults (`llm.google.complete`). */
export const googleProvider: AiSdkProvider = createGoogleProvider();
/** The `bedrock` provider with its defaults (`llm.bedrock.complete`). */
export const bedrockProvider: AiSdkProvider = createBedrockProvider();
/** The `azure` provider with its defaults (`llm.azure.complete`). */
export const azureProvider: AiSdkProvider = createAzureProvider();

/**
 * The providers that engines load from this package: `google`, `bedrock` and `azure`, each
 * loading its `@ai-sdk/*` package on its first round trip. They are also the embedding providers
 * (`embedding.google.embed`, ...).
 *
 * @example
 * ```ts
 * const app = new MCPApp({ name: 'finder', llmProviders: llmProviders, embeddingProviders: llmProviders });
 * ```
 */
export const llmProviders: readonly AiSdkProvider[] = [googleProvider, bedrockProvider, azureProvider];

/** The embedding providers that engines load from this package: the same objects as {@link llmProviders}. */
export const embeddingProviders: readonly AiSdkProvider[] = llmProviders;
