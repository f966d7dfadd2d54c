/**
 * The provider side of an LLM: a model round trip through a provider's SDK, run by engines as a
 * task. Safe for the workflow sandbox (types and a registry; no provider code).
 */
import type { Settings } from '../config/schema.js';
import { WorkflowUsageError } from '../errors.js';
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

interface AmbientProviders {
  providers: ReadonlyMap<string, LlmProvider>;
  settings: Settings;
}

const AMBIENT = Symbol.for('mcp-agent.ambient-llm-providers');

function ambientStack(): AmbientProviders[] {
  const holder = globalThis as unknown as Record<symbol, AmbientProviders[] | undefined>;
  return (holder[AMBIENT] ??= []);
}

/**
 * Makes providers, and the settings they read, the ones LLMs use outside a workflow until the
 * returned function is called. Called by `MCPApp.initialize`.
 */
export function pushAmbientLlmProviders(providers: readonly LlmProvider[], settings: Settings): () => void {
  const entry: AmbientProviders = { providers: new Map(providers.map((provider) => [provider.name, provider])), settings };
  const stack = ambientStack();
  stack.push(entry);
  return () => {
    const index = stack.lastIndexOf(entry);
    if (index >= 0) stack.splice(index, 1);
  };
}

/** The provider of that name and the settings of the running app, for an LLM used outside a workflow. */
export function ambientLlmProvider(name: string): { provider: LlmProvider; settings: Settings } {
  const ambient = ambientStack().at(-1);
  const provider = ambient?.providers.get(name);
  const settings = ambient?.settings;
  if (provider === undefined || settings === undefined) {
    const installed = [...(ambient?.providers.keys() ?? [])];
    throw new WorkflowUsageError(
      `no "${name}" model provider is loaded${installed.length > 0 ? ` (loaded: ${installed.join(', ')})` : ''}; ` +
        `install @mcp-agent/providers-${name} and use the LLM inside app.run(...)`,
    );
  }
  return { provider, settings };
}
