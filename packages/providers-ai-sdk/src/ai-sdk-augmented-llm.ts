/**
 * The LLM classes of the AI SDK providers: the tool-calling loop of `AugmentedLLM` under a
 * provider's name. Safe for the workflow sandbox: it imports only `@mcp-agent/core/workflow`; the
 * model call is the task `llm.<provider>.complete`, run by the provider of that name in the worker.
 */
import { AugmentedLLM, type AugmentedLLMOptions } from '@mcp-agent/core/workflow';

/** An `AugmentedLLM` class whose round trips run as `llm.<provider>.complete`. */
export type AiSdkLlmClass = (new (options: AugmentedLLMOptions) => AugmentedLLM) & { readonly provider: string };

const classes = new Map<string, AiSdkLlmClass>();

/**
 * The LLM class of an AI SDK provider registered as `aiSdkProvider({ name })`: the same class for
 * the same name. Pass it to `agent.attachLlm`.
 *
 * @example
 * ```ts
 * const MistralLLM = aiSdkLlm('mistral');
 * const llm = await agent.attachLlm(MistralLLM);
 * const answer = await llm.generateStr('Which files mention invoices?', { model: 'mistral-small-latest' });
 * ```
 */
export function aiSdkLlm(provider: string): AiSdkLlmClass {
  let llmClass = classes.get(provider);
  if (llmClass === undefined) {
    const name = provider;
    llmClass = class extends AugmentedLLM {
      static readonly provider = name;
      readonly provider = name;
    };
    Object.defineProperty(llmClass, 'name', { value: `AiSdkAugmentedLLM(${name})` });
    classes.set(provider, llmClass);
  }
  return llmClass;
}

/**
 * An LLM on Google's Gemini models (or Vertex AI, by config): the Python project's
 * `GoogleAugmentedLLM`. Each round trip is the task `llm.google.complete`; the key and default
 * model come from the `google` section (model default `gemini-2.5-flash`).
 *
 * @example
 * ```ts
 * const llm = await agent.attachLlm(GoogleAugmentedLLM);
 * const answer = await llm.generateStr('Which files mention invoices?');
 * ```
 */
export class GoogleAugmentedLLM extends AugmentedLLM {
  /** The provider name: round trips run as the task `llm.google.complete`. */
  readonly provider = 'google';
}

/**
 * An LLM on Amazon Bedrock models: the Python project's `BedrockAugmentedLLM`. Each round trip is
 * the task `llm.bedrock.complete`; credentials, region and default model come from the `bedrock`
 * section (model default `us.amazon.nova-lite-v1:0`).
 *
 * @example
 * ```ts
 * const llm = await agent.attachLlm(BedrockAugmentedLLM);
 * const answer = await llm.generateStr('Which files mention invoices?', { model: 'us.anthropic.claude-sonnet-4-20250514-v1:0' });
 * ```
 */
export class BedrockAugmentedLLM extends AugmentedLLM {
  /** The provider name: round trips run as the task `llm.bedrock.complete`. */
  readonly provider = 'bedrock';
}

/**
 * An LLM on Azure OpenAI deployments through `@ai-sdk/azure`: the Python project's
 * `AzureAugmentedLLM`. Each round trip is the task `llm.azure.complete`; endpoint, key,
 * deployment and default model come from the `azure` section (model default `gpt-4o-mini`).
 *
 * @example
 * ```ts
 * const llm = await agent.attachLlm(AzureAugmentedLLM);
 * const answer = await llm.generateStr('Which files mention invoices?');
 * ```
 */
export class AzureAugmentedLLM extends AugmentedLLM {
  /** The provider name: round trips run as the task `llm.azure.complete`. */
  readonly provider = 'azure';
}
