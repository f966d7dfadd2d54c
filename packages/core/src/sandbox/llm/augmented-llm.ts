/**
 * AugmentedLLM: the tool-calling loop around a model, as in the Python project. Safe for the
 * workflow sandbox: inside a workflow each model round trip is one task (`llm.<provider>.complete`,
 * an activity under Temporal) and each tool call is an MCP task; the loop itself is workflow code.
 */
import { listedToolsOf, type Agent, type AgentTool } from '../agent/agent.js';
import { McpClientError, messageOf, WorkflowApplicationError, WorkflowUsageError } from '../errors.js';
import type { McpToolResult } from '../mcp/mcp-service.js';
import { currentWorkflowContext, schedulesOnCall } from '../model/workflow-context.js';
import { nextRetryDelay, shouldRetry, taskRetryPolicy } from '../retry.js';
import { llmProviderOf } from '../services.js';
import { costOf } from './model-prices.js';
import type { ModelPreferences } from './model-table.js';
import { emptyUsage, roundCost, type UsageNode, type UsageTotals } from './usage.js';
import {
  llmTaskName,
  type LlmContentPart,
  type LlmMessage,
  type LlmRequest,
  type LlmResponse,
  type LlmStopReason,
  type LlmToolCall,
  type LlmToolDefinition,
  type LlmUsage,
} from './llm-types.js';

/** Parameters of a generate call; defaults come from the LLM's own `defaultParams`. */
export interface RequestParams {
  /** Defaults to the best model for `modelPreferences`, else the provider's `default_model` in the config. */
  model?: string;
  /**
   * When `model` is not given: cost, speed and intelligence priorities (0 to 1) and name hints by
   * which the provider's model is chosen from the model table (`models` in the config over the
   * built-in one), on the worker, as MCP's `ModelPreferences`.
   */
  modelPreferences?: ModelPreferences;
  maxTokens?: number;
  temperature?: number;
  /** Model round trips at most in one generate call. Default 10. */
  maxIterations?: number;
  /** Let the model ask for several tools at once, run in parallel. Default true. */
  parallelToolCalls?: boolean;
  stopSequences?: string[];
  /** Send and keep the conversation history. Default true. */
  useHistory?: boolean;
  /** Defaults to the agent's instruction. */
  systemPrompt?: string;
}

/** Why a generate call ended. */
export type GenerateStopReason = LlmStopReason | 'max_iterations';

/** What a generate call produced. */
export interface GenerateResult {
  /** The messages of this turn after the user's: assistant messages and tool results. */
  messages: LlmMessage[];
  /** The last assistant message's text ('' when it had none). */
  text: string;
  /** Why it ended; `max_iterations` when the model still wanted tools after `maxIterations` round trips. */
  stopReason: GenerateStopReason;
  /** Model round trips made. */
  iterations: number;
  usage: LlmUsage;
}

/** A schema for structured output: a zod schema, or anything with `parse` and a JSON Schema. */
export interface StructuredSchema<T> {
  parse(value: unknown): T;
}

/** Options of {@link AugmentedLLM}. */
export interface AugmentedLLMOptions {
  agent: Agent;
  /** Defaults for every generate call. */
  defaultParams?: RequestParams;
}

const DEFAULT_MAX_ITERATIONS = 10;

// Per workflow run, the tokens of every LLM it used; kept with the run's context, so it goes when the run does.
const usageByWorkflow = new WeakMap<object, UsageTotals>();

function workflowTotals(context: object): UsageTotals {
  let totals = usageByWorkflow.get(context);
  if (totals === undefined) {
    totals = emptyUsage();
    usageByWorkflow.set(context, totals);
  }
  return totals;
}

/**
 * Tokens used so far by every LLM of the workflow run whose code calls it (zeros when none, or
 * outside a workflow). Under Temporal it is rebuilt on replay, as it counts recorded round trips.
 *
 * @example
 * ```ts
 * const { totalTokens, calls } = workflowUsage();
 * return new WorkflowResult({ value: answer, metadata: { totalTokens, calls } });
 * ```
 */
export function workflowUsage(): UsageTotals {
  const context = currentWorkflowContext();
  return { ...(context === undefined ? emptyUsage() : workflowTotals(context)) };
}

/**
 * Tokens used so far by every LLM of the run of `context` (an engine's workflow context): what
 * {@link workflowUsage} answers inside that run, for the engine that ends it.
 *
 * @example
 * ```ts
 * const { totalTokens } = workflowUsageOf(context);
 * ```
 */
export function workflowUsageOf(context: object): UsageTotals {
  return { ...workflowTotals(context) };
}

function toolResultContent(result: McpToolResult): string | LlmContentPart[] {
  const parts: LlmContentPart[] = [];
  for (const item of result.content) {
    if (item.type === 'text' && typeof item.text === 'string') parts.push({ type: 'text', text: item.text });
    else if (item.type === 'image' && typeof item.data === 'string' && typeof item.mimeType === 'string') {
      parts.push({ type: 'image', data: item.data, mimeType: item.mimeType });
    } else if (item.type === 'resource' && typeof item.resource === 'object' && item.resource !== null) {
      const resource = item.resource as { uri?: string; text?: string };
      parts.push({ type: 'text', text: resource.text ?? `[resource ${resource.uri ?? ''}]` });
    } else {
      parts.push({ type: 'text', text: JSON.stringify(item) });
    }
  }
  if (parts.every((part) => part.type === 'text')) return parts.map((part) => (part as { text: string }).text).join('\n');
  return parts;
}

/**
 * The tool-calling loop: ask the model, run the tools it asks for (the agent's MCP tools and
 * local functions, in parallel when it asks for several), feed the results back, repeat until it
 * answers or `maxIterations` is reached. Providers subclass it with their `provider` name
 * (`OpenAIAugmentedLLM`, `AnthropicAugmentedLLM`); get one with `agent.attachLlm(...)`.
 *
 * @example
 * ```ts
 * const llm = await agent.attachLlm(OpenAIAugmentedLLM);
 * const answer = await llm.generateStr('Which files mention invoices?');
 * ```
 */
export abstract class AugmentedLLM {
  /** The provider's name; its round trips run as the task `llm.<provider>.complete`. */
  abstract readonly provider: string;
  readonly agent: Agent;
  readonly defaultParams: RequestParams;
  /** The conversation so far (system prompt excluded), when `useHistory` is on. */
  readonly history: LlmMessage[] = [];
  /** Tokens used by every call of this LLM, and their cost. */
  readonly usage: UsageTotals = emptyUsage();
  /** The same, per model that answered. */
  readonly usageByModel: Record<string, UsageTotals> = {};

  constructor(options: AugmentedLLMOptions) {
    if (options?.agent === undefined) throw new WorkflowUsageError('an AugmentedLLM needs an agent: await agent.attachLlm(LLMClass)');
    this.agent = options.agent;
    this.defaultParams = { ...options.defaultParams };
  }

  /** The agent's name: how patterns and usage trees refer to this LLM. */
  get name(): string {
    return this.agent.name;
  }

  /** This LLM's usage as a leaf of a usage tree, with its totals per model. */
  usageTree(): UsageNode {
    const models: Record<string, UsageTotals> = {};
    for (const [model, totals] of Object.entries(this.usageByModel)) models[model] = { ...totals };
    return { name: this.name, kind: 'llm', usage: { ...this.usage }, models, children: [] };
  }

  // generate, generateStr and #complete are not async functions: they add no promise to those of
  // the loop and the task, and Temporal's workflow runtime records a stack trace for every promise
  // that workflow code makes.

  /** Runs the loop for a message (or messages) and returns what it produced. */
  generate(message: string | LlmMessage | LlmMessage[], params: RequestParams = {}): Promise<GenerateResult> {
    return this.#loop(message, params, undefined, undefined);
  }

  /** Runs the loop and returns the final text. */
  generateStr(message: string | LlmMessage | LlmMessage[], params: RequestParams = {}): Promise<string> {
    if (schedulesOnCall(currentWorkflowContext())) return this.#loop(message, params, undefined, undefined, undefined, textOf);
    return this.generate(message, params).then(textOf);
  }

  /**
   * Runs the loop, then asks for output matching `schema` and returns it parsed.
   *
   * @throws WorkflowApplicationError (non-retryable) when the model's output doesn't match.
   */
  async generateStructured<T>(
    message: string | LlmMessage | LlmMessage[],
    schema: StructuredSchema<T>,
    options: RequestParams & { name?: string; jsonSchema?: Record<string, unknown> } = {},
  ): Promise<T> {
    const jsonSchema = options.jsonSchema ?? toJsonSchema(schema);
    const name = options.name ?? 'structured_output';
    const result = await this.#loop(message, options, { name, schema: jsonSchema }, undefined);
    if (result.structured === undefined && (result.stopReason === 'max_iterations' || result.stopReason === 'max_tokens')) {
      throw new WorkflowApplicationError(
        `the ${this.provider} model gave no structured output for "${name}": it stopped at ${result.stopReason === 'max_iterations' ? `maxIterations (${result.iterations} round trips)` : 'maxTokens'}; raise the limit`,
        { type: 'StructuredOutputError', nonRetryable: true },
      );
    }
    const raw = result.structured !== undefined ? result.structured : parseJson(result.text);
    try {
      return schema.parse(raw);
    } catch (error) {
      throw new WorkflowApplicationError(`the ${this.provider} model's output does not match the schema "${name}": ${messageOf(error)}`, {
        type: 'StructuredOutputError',
        nonRetryable: true,
        cause: error,
      });
    }
  }

  /**
   * Runs the loop, yielding the model's text as it is written. Streaming is not durable, so it
   * works outside workflows only; inside one use `generate`.
   */
  async *generateStream(message: string | LlmMessage | LlmMessage[], params: RequestParams = {}): AsyncGenerator<string, GenerateResult> {
    if (currentWorkflowContext() !== undefined) {
      throw new WorkflowUsageError('generateStream: streaming is not durable and is not available inside a workflow; use generate or generateStr there');
    }
    const queue: string[] = [];
    let wake: (() => void) | undefined;
    let finished: { result?: GenerateResult; error?: unknown } | undefined;
    // Stopping the iteration early (a `break`) aborts the round trip in flight and the loop.
    const stop = new AbortController();
    const run = this.#loop(
      message,
      params,
      undefined,
      (delta) => {
        queue.push(delta);
        wake?.();
      },
      stop.signal,
    ).then(
      (result) => {
        finished = { result };
        wake?.();
      },
      (error: unknown) => {
        finished = { error };
        wake?.();
      },
    );
    try {
      for (;;) {
        while (queue.length > 0) yield queue.shift() as string;
        if (finished !== undefined) break;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    } finally {
      if (finished === undefined) stop.abort(new WorkflowUsageError('generateStream: the caller stopped reading the stream'));
    }
    await run;
    if (finished.error !== undefined) throw finished.error;
    return finished.result as GenerateResult;
  }

  /**
   * The loop. `select` picks what the caller gets from its result (so that `generateStr` adds no
   * promise of its own). With the tools listed, the first model round trip is scheduled before
   * this returns, except when replaying a run recorded before `SCHEDULE_ON_CALL_PATCH`.
   */
  async #loop<R = GenerateResult & { structured?: unknown }>(
    message: string | LlmMessage | LlmMessage[],
    params: RequestParams,
    responseFormat: LlmRequest['responseFormat'],
    onText: ((delta: string) => void) | undefined,
    signal?: AbortSignal,
    select: (result: GenerateResult & { structured?: unknown }) => R = (result) => result as R,
  ): Promise<R> {
    const onCall = schedulesOnCall(currentWorkflowContext());
    const merged: RequestParams = { ...this.defaultParams, ...params };
    const useHistory = merged.useHistory ?? true;
    const maxIterations = merged.maxIterations ?? DEFAULT_MAX_ITERATIONS;
    if (!Number.isInteger(maxIterations) || maxIterations < 1) {
      throw new WorkflowUsageError(`maxIterations: expected a whole number >= 1, got ${String(maxIterations)}`);
    }
    const incoming: LlmMessage[] = typeof message === 'string' ? [{ role: 'user', content: message }] : Array.isArray(message) ? message : [message];
    const systemPrompt = merged.systemPrompt ?? this.agent.instruction;
    const conversation: LlmMessage[] = [
      ...(systemPrompt === undefined ? [] : [{ role: 'system', content: systemPrompt } as LlmMessage]),
      ...(useHistory ? this.history : []),
      ...incoming,
    ];
    const produced: LlmMessage[] = [];
    const usage: LlmUsage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
    let stopReason: GenerateStopReason = 'other';
    let text = '';
    let structured: unknown;
    let iterations = 0;
    for (; iterations < maxIterations; ) {
      iterations += 1;
      // Listed every round: a server whose tool list changed (seen in a recorded tool result) is
      // re-listed as a new task, so the model sees the new tools at its next turn. An unchanged
      // list schedules nothing.
      const agentTools = (onCall ? listedToolsOf(this.agent) : undefined) ?? (await this.agent.listTools());
      const tools: LlmToolDefinition[] = agentTools.map((tool) => ({ name: tool.name, description: tool.description, inputSchema: tool.inputSchema }));
      const request: LlmRequest = {
        provider: this.provider,
        model: merged.model,
        ...(merged.modelPreferences === undefined ? {} : { modelPreferences: merged.modelPreferences }),
        messages: [...conversation, ...produced],
        tools: tools.length > 0 ? tools : undefined,
        maxTokens: merged.maxTokens,
        temperature: merged.temperature,
        stopSequences: merged.stopSequences,
        parallelToolCalls: merged.parallelToolCalls ?? true,
        responseFormat,
      };
      signal?.throwIfAborted();
      const response = await this.#complete(request, onText, signal);
      signal?.throwIfAborted();
      this.#count(response, usage);
      const assistant: LlmMessage = {
        role: 'assistant',
        content: response.message.content,
        ...(response.message.toolCalls.length > 0 ? { toolCalls: response.message.toolCalls } : {}),
      };
      produced.push(assistant);
      text = response.message.content ?? '';
      structured = response.structured;
      stopReason = response.stopReason;
      // The forced structured-output tool (Anthropic) is the answer, not a tool to run.
      const calls = response.message.toolCalls.filter((call) => responseFormat === undefined || response.structured === undefined || call.name !== responseFormat.name);
      if (calls.length === 0) break;
      const results =
        (merged.parallelToolCalls ?? true)
          ? await Promise.all(calls.map((call) => this.#runToolCall(call, agentTools)))
          : await calls.reduce<Promise<LlmMessage[]>>(async (done, call) => [...(await done), await this.#runToolCall(call, agentTools)], Promise.resolve([]));
      produced.push(...results);
      if (iterations === maxIterations) stopReason = 'max_iterations';
    }
    if (useHistory) this.history.push(...incoming, ...produced);
    return select({ messages: produced, text, stopReason, iterations, usage, structured });
  }

  #count(response: LlmResponse, call: LlmUsage): void {
    const workflow = currentWorkflowContext();
    const perWorkflow = workflow === undefined ? undefined : workflowTotals(workflow);
    const perModel = (this.usageByModel[response.model] ??= emptyUsage());
    const cost = response.costUsd ?? 0;
    for (const totals of [this.usage, perModel, ...(perWorkflow === undefined ? [] : [perWorkflow])]) {
      totals.calls += 1;
      totals.costUsd = roundCost(totals.costUsd + cost);
    }
    for (const totals of [this.usage, perModel, call, ...(perWorkflow === undefined ? [] : [perWorkflow])]) {
      totals.inputTokens += response.usage.inputTokens;
      totals.outputTokens += response.usage.outputTokens;
      totals.totalTokens += response.usage.totalTokens;
    }
  }

  /**
   * One model round trip: a task inside a workflow; outside one, the provider directly, retried by
   * the same policy the task would have (`llm.*` in `workflow_task_retry_policies`).
   */
  #complete(request: LlmRequest, onText: ((delta: string) => void) | undefined, signal: AbortSignal | undefined): Promise<LlmResponse> {
    const context = currentWorkflowContext();
    const taskName = llmTaskName(this.provider);
    if (context !== undefined) return context.executeTask<LlmResponse>(taskName, [request], undefined);
    return this.#completeHere(taskName, request, onText, signal);
  }

  /** A round trip outside a workflow: the provider, retried by the policy of the task `taskName`. */
  async #completeHere(taskName: string, request: LlmRequest, onText: ((delta: string) => void) | undefined, signal: AbortSignal | undefined): Promise<LlmResponse> {
    const services = this.agent.services();
    const provider = llmProviderOf(services, this.provider);
    const settings = services.settings;
    const policy = taskRetryPolicy(taskName, settings);
    for (let attempt = 1; ; attempt += 1) {
      try {
        const response = onText === undefined ? await provider.complete(request, { settings, signal }) : await provider.stream(request, { settings, signal }, onText);
        return { ...response, costUsd: response.costUsd ?? costOf(settings, response.model, response.usage) };
      } catch (error) {
        if (signal?.aborted === true || !shouldRetry(policy, error, attempt)) throw error;
        const delay = nextRetryDelay(policy, error, attempt);
        await new Promise<void>((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /**
   * Runs one tool call. What the model got wrong (arguments that aren't JSON, a tool that doesn't
   * exist, arguments the server refuses) and the tool's own failures go back to the model as a
   * tool error; a failure of the infrastructure (a server that stays down) raises.
   */
  async #runToolCall(call: LlmToolCall, tools: AgentTool[]): Promise<LlmMessage> {
    const fail = (text: string): LlmMessage => ({ role: 'tool', toolCallId: call.id, name: call.name, content: text, isError: true });
    let args: unknown;
    try {
      args = call.arguments.trim() === '' ? {} : JSON.parse(call.arguments);
    } catch (error) {
      return fail(`the arguments of ${call.name} are not valid JSON (${messageOf(error)}); send a JSON object`);
    }
    if (typeof args !== 'object' || args === null || Array.isArray(args)) return fail(`the arguments of ${call.name} must be a JSON object`);
    if (!tools.some((tool) => tool.name === call.name)) {
      return fail(`there is no tool "${call.name}"; the tools are: ${tools.map((tool) => tool.name).join(', ') || '(none)'}`);
    }
    try {
      const result = await this.agent.callTool(call.name, args as Record<string, unknown>);
      return { role: 'tool', toolCallId: call.id, name: call.name, content: toolResultContent(result), isError: result.isError };
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause;
      const refusal = [error, cause].find((candidate) => McpClientError.is(candidate) && !candidate.retryable);
      if (refusal !== undefined) return fail(messageOf(refusal));
      throw error;
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The JSON Schema of a zod 4 schema (its `toJSONSchema`), or an error saying to pass one. */
function toJsonSchema(schema: StructuredSchema<unknown>): Record<string, unknown> {
  const zodLike = schema as { toJSONSchema?: () => Record<string, unknown>; _zod?: unknown };
  if (typeof zodLike.toJSONSchema === 'function') return zodLike.toJSONSchema();
  throw new WorkflowUsageError('generateStructured: pass a zod 4 schema, or { jsonSchema } with the JSON Schema of your schema');
}

/** The final text of a loop's result. */
function textOf(result: GenerateResult): string {
  return result.text;
}
