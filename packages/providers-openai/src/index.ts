// The Node entry of @mcp-agent/providers-openai: the LLM class, the provider that apps load
// (`llmProvider`), its factory, and the mapping between neutral and Chat Completions shapes.
// Registers this package's config sections with core.
import './config.js';
export { OpenAIAugmentedLLM } from './openai-augmented-llm.js';
export { createOpenAIProvider, DEFAULT_OPENAI_EMBEDDING_MODEL, DEFAULT_OPENAI_MODEL, embeddingProvider, llmProvider } from './openai-provider.js';
export type { OpenAIProvider, OpenAIProviderOptions } from './openai-provider.js';
export { DEFAULT_AZURE_API_VERSION } from './openai-connection.js';
export { toChatCompletionRequest } from './openai-request.js';
export type { ChatCompletionRequestOptions } from './openai-request.js';
export { fromChatCompletion } from './openai-response.js';
