/**
 * OpenAIAugmentedLLM: the tool-calling loop of `AugmentedLLM` on OpenAI models. Safe for the
 * workflow sandbox: it imports only `@mcp-agent/core/workflow`; the SDK call is the task
 * `llm.openai.complete`, run by the provider of this package in the worker.
 */
import { AugmentedLLM } from '@mcp-agent/core/workflow';

/**
 * An LLM on OpenAI's Chat Completions API (or Azure OpenAI, or any OpenAI-compatible server, by
 * config): the Python project's `OpenAIAugmentedLLM`. Each model round trip is the task
 * `llm.openai.complete` inside a workflow, a direct call outside one; the key, base URL and
 * default model come from the `openai` section of the config (model default `gpt-4o-mini`).
 *
 * @example
 * ```ts
 * const agent = new Agent({ name: 'finder', instruction: 'You find files.', serverNames: ['filesystem'] });
 * const llm = await agent.attachLlm(OpenAIAugmentedLLM);
 * const answer = await llm.generateStr('Which files mention invoices?', { model: 'gpt-4o' });
 * ```
 */
export class OpenAIAugmentedLLM extends AugmentedLLM {
  /** The provider name: round trips run as the task `llm.openai.complete`. */
  readonly provider = 'openai';
}
