/**
 * AnthropicAugmentedLLM: the tool-calling loop of `@mcp-agent/core` with Claude as the model.
 * Safe for the workflow sandbox: it imports only `@mcp-agent/core/workflow`; the SDK call lives
 * in the provider, run as the task `llm.anthropic.complete`.
 */
import { AugmentedLLM } from '@mcp-agent/core/workflow';

/**
 * An {@link AugmentedLLM} whose model round trips go to Anthropic's Messages API. Inside a
 * workflow each round trip is the task `llm.anthropic.complete` (an activity under Temporal), so
 * the API key stays on the worker; outside one it calls the provider directly.
 *
 * Defaults: the model is `anthropic.default_model` from the config, else `claude-sonnet-5-5`;
 * `maxTokens` is 4096; structured output (`generateStructured`) uses forced tool use.
 *
 * @example
 * ```ts
 * const agent = new Agent({ name: 'finder', instruction: 'Answer from the files.', serverNames: ['filesystem'] });
 * const llm = await agent.attachLlm(AnthropicAugmentedLLM);
 * const answer = await llm.generateStr('Which files mention invoices?');
 * ```
 */
export class AnthropicAugmentedLLM extends AugmentedLLM {
  /** Round trips run as the task `llm.anthropic.complete`. */
  readonly provider = 'anthropic';
}
