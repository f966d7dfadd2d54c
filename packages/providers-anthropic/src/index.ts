// The Node entry of @mcp-agent/providers-anthropic: the LLM class, the provider apps load
// (`llmProvider`), its factory, and the mappings between neutral requests and the Messages API.
// Registers this package's config section with core (and types settings.anthropic).
import './config.js';
export { AnthropicAugmentedLLM } from './anthropic-augmented-llm.js';
export { createAnthropicProvider, llmProvider } from './anthropic-provider.js';
export type { AnthropicProviderOptions } from './anthropic-provider.js';
export { ANTHROPIC_DEFAULT_MAX_TOKENS, ANTHROPIC_DEFAULT_MODEL, toAnthropicMessagesBody, toolUseInput } from './anthropic-request.js';
export type { AnthropicMessagesBody, AnthropicRequestDefaults } from './anthropic-request.js';
export { fromAnthropicMessage } from './anthropic-response.js';
export type { AnthropicMessageLike } from './anthropic-response.js';
export { collectAnthropicStream } from './anthropic-stream.js';
export { classifyAnthropicError } from './anthropic-errors.js';
export type { AnthropicErrorContext, AnthropicErrorDetails } from './anthropic-errors.js';
