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

/** The AI SDK package behind each provider of `@mcp-agent/providers-ai-sdk` that has a config section. */
const AI_SDK_PACKAGES: Readonly<Record<string, string>> = { google: '@ai-sdk/google', bedrock: '@ai-sdk/amazon-bedrock' };

/**
 * What to install for a model or embedding provider of that name, as a clause of an error message:
 * the package that ships it, or how to define one over an AI SDK model.
 *
 * @example
 * ```ts
 * throw new Error(`no "${name}" model provider is loaded; ${providerInstallHint(name)}`);
 * ```
 */
export function providerInstallHint(name: string): string {
  if (name === 'openai' || name === 'azure') return 'install @mcp-agent/providers-openai in the app';
  if (name === 'anthropic') return 'install @mcp-agent/providers-anthropic in the app';
  const aiSdk = AI_SDK_PACKAGES[name];
  if (aiSdk !== undefined) return `install @mcp-agent/providers-ai-sdk and ${aiSdk} in the app`;
  return `define it with aiSdkProvider({ name: '${name}', model }) of @mcp-agent/providers-ai-sdk over any AI SDK model`;
}
