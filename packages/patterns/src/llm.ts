/**
 * What every pattern is and takes: an {@link Llm} (anything that generates, as an AugmentedLLM
 * does, and reports its usage), the factory that gives an agent its LLM, and the base class of
 * the patterns. Safe for the workflow sandbox.
 */
import {
  Agent,
  AugmentedLLM,
  type GenerateResult,
  type LlmMessage,
  type LlmUsage,
  type RequestParams,
  type StructuredSchema,
  type UsageNode,
  type UsageReporter,
  type UsageTotals,
  WorkflowUsageError,
} from '@mcp-agent/core/workflow';

/** What a generate call takes: a user message's text, a message, or messages. */
export type Message = string | LlmMessage | LlmMessage[];

/** Options of `generateStructured`. */
export type StructuredOptions = RequestParams & { name?: string; jsonSchema?: Record<string, unknown> };

/**
 * Anything that answers as an AugmentedLLM does: an AugmentedLLM itself, or a pattern. Patterns
 * take and give `Llm`s, so they compose: an orchestrator's worker may be a router, a parallel
 * fan-in an evaluator-optimizer.
 */
export interface Llm extends UsageReporter {
  /** The agent's or pattern's name, as routers, planners and usage trees show it. */
  readonly name: string;
  generate(message: Message, params?: RequestParams): Promise<GenerateResult>;
  generateStr(message: Message, params?: RequestParams): Promise<string>;
  generateStructured<T>(message: Message, schema: StructuredSchema<T>, options?: StructuredOptions): Promise<T>;
}

/** Makes the LLM an agent uses. */
export type LlmFactory = (agent: Agent) => Llm | Promise<Llm>;

/** How a pattern makes LLMs for the agents it is given (as the Python factories' `provider` and `model`). */
export interface LlmChoice {
  /** The provider of the LLMs made for agents: `openai` (default), `anthropic`, ... */
  provider?: string;
  /** The model of the LLMs made for agents. Default: the provider's `default_model`. */
  model?: string;
  /** Default parameters of the LLMs made for agents. */
  requestParams?: RequestParams;
  /** Makes an agent's LLM; overrides `provider`, `model` and `requestParams`. */
  llmFactory?: LlmFactory;
}

/** What a pattern accepts where it needs something that answers: an agent (given an LLM by the factory) or an LLM. */
export type AgentOrLlm = Agent | Llm;

type LlmClass = new (options: { agent: Agent; defaultParams?: RequestParams }) => AugmentedLLM;
const classes = new Map<string, LlmClass>();

/**
 * The AugmentedLLM class of a provider by name: its round trips run as `llm.<provider>.complete`,
 * the task the provider's package serves. `llmClassFor('openai')` behaves as `OpenAIAugmentedLLM`.
 */
export function llmClassFor(provider: string): LlmClass {
  if (typeof provider !== 'string' || !/^[a-z][a-z0-9_-]*$/i.test(provider)) {
    throw new WorkflowUsageError(`provider: expected a provider name such as "openai" or "anthropic", got ${JSON.stringify(provider)}`);
  }
  let llmClass = classes.get(provider);
  if (llmClass === undefined) {
    const name = provider;
    llmClass = class extends AugmentedLLM {
      readonly provider = name;
    };
    Object.defineProperty(llmClass, 'name', { value: `${provider[0]?.toUpperCase()}${provider.slice(1)}AugmentedLLM` });
    classes.set(provider, llmClass);
  }
  return llmClass;
}

/** The factory a {@link LlmChoice} describes. */
export function llmFactoryOf(choice: LlmChoice = {}): LlmFactory {
  if (choice.llmFactory !== undefined) return choice.llmFactory;
  const llmClass = llmClassFor(choice.provider ?? 'openai');
  const defaultParams: RequestParams = { ...choice.requestParams, ...(choice.model === undefined ? {} : { model: choice.model }) };
  return (agent) => new llmClass({ agent, defaultParams });
}

/** True for an LLM or a pattern (something that generates), false for an agent. */
export function isLlm(value: unknown): value is Llm {
  return typeof value === 'object' && value !== null && !(value instanceof Agent) && typeof (value as Llm).generate === 'function';
}

/** The LLM of an agent (made by `factory`) or the LLM given. */
export async function toLlm(item: AgentOrLlm, factory: LlmFactory): Promise<Llm> {
  if (isLlm(item)) return item;
  if (item instanceof Agent) return factory(item);
  throw new WorkflowUsageError(`expected an Agent, an AugmentedLLM or a pattern, got ${describe(item)}`);
}

/** A short description of a value for an error message. */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'function') return `a function ${value.name || '(anonymous)'}`;
  if (typeof value === 'object') return `an object (${(value as object).constructor?.name ?? 'Object'})`;
  return JSON.stringify(value);
}

/** The text of a message: a string as it is, a message's text, or the last user message's. */
export function messageText(message: Message): string {
  if (typeof message === 'string') return message;
  const messages = Array.isArray(message) ? message : [message];
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const candidate = messages[index] as LlmMessage;
    if (candidate.role !== 'user') continue;
    if (typeof candidate.content === 'string') return candidate.content;
    return candidate.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
  }
  const last = messages.at(-1);
  return last === undefined ? '' : typeof last.content === 'string' ? last.content : '';
}

/** Tokens used between two readings of a usage total. */
export function usageSince(before: UsageTotals, after: UsageTotals): LlmUsage {
  return {
    inputTokens: after.inputTokens - before.inputTokens,
    outputTokens: after.outputTokens - before.outputTokens,
    totalTokens: after.totalTokens - before.totalTokens,
  };
}

/** A generate result whose answer is `text`: one assistant message. */
export function textResult(text: string, usage: LlmUsage, iterations = 1): GenerateResult {
  return { messages: [{ role: 'assistant', content: text }], text, stopReason: 'end_turn', iterations, usage };
}

/**
 * The base of every pattern: `generate` is the pattern's own; `generateStr` returns its text, and
 * `generateStructured` runs it and has {@link structuringLlm} turn the answer into the schema.
 */
export abstract class PatternLlm implements Llm {
  /** `parallel`, `router`, `orchestrator`, ... */
  abstract readonly kind: string;
  readonly name: string;

  constructor(name: string) {
    if (typeof name !== 'string' || name === '') throw new WorkflowUsageError(`a pattern's name must be a non-empty string, got ${JSON.stringify(name)}`);
    this.name = name;
  }

  abstract generate(message: Message, params?: RequestParams): Promise<GenerateResult>;

  /** The usage of this pattern: its LLMs' and its sub-patterns'. */
  abstract usageTree(): UsageNode;

  /** The LLM that turns this pattern's answer into structured output. */
  protected abstract structuringLlm(): Promise<Llm>;

  async generateStr(message: Message, params?: RequestParams): Promise<string> {
    return (await this.generate(message, params)).text;
  }

  async generateStructured<T>(message: Message, schema: StructuredSchema<T>, options: StructuredOptions = {}): Promise<T> {
    const { name, jsonSchema, ...params } = options;
    const answer = await this.generateStr(message, params);
    const structurer = await this.structuringLlm();
    return structurer.generateStructured(`Put the following answer into the requested structure, leaving nothing out:\n\n${answer}`, schema, {
      ...(name === undefined ? {} : { name }),
      ...(jsonSchema === undefined ? {} : { jsonSchema }),
      useHistory: false,
    });
  }
}
