/**
 * The provider side of an LLM: a model round trip through a provider's SDK, run by engines as a
 * task. Safe for the workflow sandbox (types only; no provider code).
 */
import type { Settings } from '../../config/schema.js';
import type { LlmRequest, LlmResponse } from './llm-types.js';

/** What a provider gets besides the request: the settings (for keys and endpoints) and an abort signal. */
export interface LlmProviderContext {
  settings: Settings;
  signal?: AbortSignal | undefined;
}

/**
 * A model provider (OpenAI, Anthropic): request building, the SDK call, response mapping and error
 * classification. Credentials are resolved inside, from `context.settings` or the environment.
 */
export interface LlmProvider {
  readonly name: string;
  complete(request: LlmRequest, context: LlmProviderContext): Promise<LlmResponse>;
  /** Like `complete`, calling `onText` with each piece of text as the model writes it. */
  stream(request: LlmRequest, context: LlmProviderContext, onText: (delta: string) => void): Promise<LlmResponse>;
}
