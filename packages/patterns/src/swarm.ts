/**
 * The swarm pattern (after OpenAI Swarm): agents share one conversation and hand it to each other
 * through tool calls. A function tool may return another agent (a handoff), a plain value, or a
 * {@link SwarmResult} that also updates the context variables the swarm keeps; an agent's
 * instruction may be a function of those variables. Safe for the workflow sandbox: the loop and
 * the functions run as workflow code, and every model and MCP tool call is a task.
 */
import {
  Agent,
  type AgentFunctionTool,
  type AgentOptions,
  type GenerateResult,
  type GenerateStopReason,
  type LlmMessage,
  type LlmUsage,
  messageOf,
  type RequestParams,
  type UsageNode,
  usageNode,
  WorkflowApplicationError,
  WorkflowUsageError,
} from '@mcp-agent/core/workflow';
import { describe, type Llm, type LlmChoice, type LlmFactory, llmFactoryOf, type Message, PatternLlm } from './llm.js';

/**
 * The variables a swarm keeps for the whole conversation (a customer's id, the booking being
 * changed, ...): given to every {@link SwarmFunction}, used by instruction functions, and updated
 * by functions that return a {@link SwarmResult}. Keep the values JSON-serialisable, so a workflow
 * query can return them.
 *
 * @example
 * ```ts
 * const contextVariables: ContextVariables = { customer: 'John Doe', flight: 'LGA-LAX #1919' };
 * ```
 */
export type ContextVariables = Record<string, unknown>;

/**
 * A swarm agent's instruction: a string, or a function of the current context variables that
 * returns it. The swarm renders it again before every model call of the agent, so it always shows
 * the latest values.
 *
 * @example
 * ```ts
 * const instruction: SwarmInstruction = (vars) => `Help the customer. Their details: ${String(vars.customer ?? 'unknown')}`;
 * ```
 */
export type SwarmInstruction = string | ((contextVariables: Readonly<ContextVariables>) => string);

/**
 * A function tool of a {@link SwarmAgent}: a core `AgentFunctionTool` (any of which can be
 * given) whose `run` also gets the swarm's context variables as a second argument (a frozen copy:
 * to change them, return a {@link SwarmResult}); the model never sees them among the arguments.
 * It returns:
 * - an `Agent` (usually a `SwarmAgent`): a handoff; the next model call is that agent's;
 * - `new DoneAgent()`: the swarm ends after this round (`stopReason: 'done'`);
 * - a {@link SwarmResult} (from {@link swarmResult}): a text for the model, new context
 *   variables, and optionally a handoff;
 * - anything else: the tool's result (a string as it is, other values as JSON).
 *
 * It runs as workflow code, so it must be deterministic: to do I/O it calls a task. When it
 * throws, the error message goes back to the model as the tool's error.
 *
 * @example
 * ```ts
 * const lookUpBooking: SwarmFunction = {
 *   name: 'look_up_booking',
 *   description: 'Finds the customer’s booking.',
 *   run: (_args, vars) => swarmResult({ value: 'Found booking #1919.', contextVariables: { booking: '1919', customer: vars.customer } }),
 * };
 * ```
 */
export interface SwarmFunction {
  name: string;
  description?: string;
  /** JSON Schema of the arguments. Default: an object with any properties. */
  inputSchema?: Record<string, unknown>;
  /** Does the work, given the model's arguments and the swarm's context variables. */
  run(args: Record<string, unknown>, contextVariables: Readonly<ContextVariables>): unknown;
}

/**
 * Options of {@link SwarmAgent}: those of a core `Agent`, with an instruction that may be a
 * function of the context variables and functions that may hand off.
 *
 * @example
 * ```ts
 * const options: SwarmAgentOptions = { name: 'refunds', instruction: 'You handle refunds.', functions: [issueRefund] };
 * ```
 */
export interface SwarmAgentOptions extends Omit<AgentOptions, 'instruction' | 'functions'> {
  /** The agent's instruction (its system prompt in the swarm), or a function of the context variables that returns it. */
  instruction?: SwarmInstruction;
  /** Local tools, which may hand the conversation to another agent. Their names must differ. */
  functions?: SwarmFunction[];
}

/**
 * What a {@link SwarmFunction} returns to do more than answer: `value` is the tool's result the
 * model reads, `contextVariables` are merged into the swarm's, and `agent` (when set) takes the
 * conversation over. Made by {@link swarmResult}.
 *
 * @example
 * ```ts
 * const result = swarmResult({ value: 'Refund of $120 issued.', contextVariables: { refunded: true } });
 * result instanceof SwarmResult; // true
 * ```
 */
export class SwarmResult {
  /** The text the model reads as the tool's result (other values are sent as JSON). */
  readonly value: unknown;
  /** The agent that takes the conversation over, if any. */
  readonly agent: Agent | undefined;
  /** Variables merged into the swarm's context variables. */
  readonly contextVariables: Readonly<ContextVariables>;

  constructor(options: { value?: unknown; agent?: Agent; contextVariables?: ContextVariables }) {
    if (typeof options !== 'object' || options === null) {
      throw new WorkflowUsageError(`swarmResult: expected { value?, agent?, contextVariables? }, got ${describe(options)}`);
    }
    const { value, agent, contextVariables = {} } = options;
    if (agent !== undefined && !(agent instanceof Agent)) {
      throw new WorkflowUsageError(`swarmResult: agent must be a SwarmAgent (or an Agent) to hand the conversation to, got ${describe(agent)}`);
    }
    if (typeof contextVariables !== 'object' || contextVariables === null || Array.isArray(contextVariables)) {
      throw new WorkflowUsageError(`swarmResult: contextVariables must be an object of variables such as { customer: 'John' }, got ${describe(contextVariables)}`);
    }
    this.value = value;
    this.agent = agent;
    this.contextVariables = Object.freeze({ ...contextVariables });
  }
}

/**
 * Makes a {@link SwarmResult}: what a swarm function returns to update the context variables
 * and, optionally, hand the conversation to another agent.
 *
 * @example
 * ```ts
 * const identify: SwarmFunction = {
 *   name: 'identify_customer',
 *   inputSchema: { type: 'object', properties: { email: { type: 'string' } }, required: ['email'] },
 *   run: (args) => swarmResult({ value: 'Customer identified.', agent: support, contextVariables: { email: args.email } }),
 * };
 * ```
 */
export function swarmResult(options: { value?: unknown; agent?: Agent; contextVariables?: ContextVariables }): SwarmResult {
  return new SwarmResult(options);
}

const swarmAgentOptions = new WeakMap<SwarmAgent, SwarmAgentOptions>();

function toolText(value: unknown): unknown {
  if (value instanceof Agent) return transferText(value);
  if (value instanceof SwarmResult) return resultText(value);
  return value;
}

function transferText(agent: Agent): string {
  if (agent instanceof DoneAgent) return 'The case is resolved: the conversation is complete.';
  return `Transferred to ${agent.name}: ${agent.name} now continues the conversation.`;
}

function resultText(result: SwarmResult): unknown {
  if (result.value !== undefined && result.value !== null && result.value !== '') return result.value;
  if (result.agent !== undefined) return transferText(result.agent);
  return 'Done.';
}

function checkedFunctions(name: unknown, functions: unknown): SwarmFunction[] {
  if (functions === undefined) return [];
  if (!Array.isArray(functions)) throw new WorkflowUsageError(`SwarmAgent "${String(name)}": functions must be an array of { name, run }, got ${describe(functions)}`);
  const seen = new Set<string>();
  functions.forEach((fn: unknown, index) => {
    const candidate = fn as Partial<SwarmFunction> | null;
    if (typeof candidate !== 'object' || candidate === null || typeof candidate.name !== 'string' || candidate.name === '' || typeof candidate.run !== 'function') {
      throw new WorkflowUsageError(`SwarmAgent "${String(name)}": functions[${index}] must be { name, description?, inputSchema?, run(args, contextVariables) }, got ${describe(fn)}`);
    }
    if (seen.has(candidate.name)) {
      throw new WorkflowUsageError(`SwarmAgent "${String(name)}": two functions are named "${candidate.name}"; the model calls them by name, so give each a different name`);
    }
    seen.add(candidate.name);
  });
  return functions as SwarmFunction[];
}

// The options of the core Agent a SwarmAgent is, used outside a swarm: functions run with no
// context variables, and a handoff only says so in its text.
function plainAgentOptions(options: SwarmAgentOptions): AgentOptions {
  if (typeof options !== 'object' || options === null) throw new WorkflowUsageError(`new SwarmAgent({ name }): expected options, got ${describe(options)}`);
  const { instruction, functions, ...rest } = options;
  if (instruction !== undefined && typeof instruction !== 'string' && typeof instruction !== 'function') {
    throw new WorkflowUsageError(`SwarmAgent "${String(options.name)}": instruction must be a string or a function (contextVariables) => string, got ${describe(instruction)}`);
  }
  const checked = checkedFunctions(options.name, functions);
  return {
    ...rest,
    ...(typeof instruction === 'string' ? { instruction } : {}),
    functions: checked.map((fn) => wrapFunction(fn, () => Object.freeze({}), toolText)),
  };
}

function wrapFunction(fn: SwarmFunction, variables: () => Readonly<ContextVariables>, settle: (value: unknown) => unknown): AgentFunctionTool {
  return {
    name: fn.name,
    ...(fn.description === undefined ? {} : { description: fn.description }),
    ...(fn.inputSchema === undefined ? {} : { inputSchema: fn.inputSchema }),
    run: async (args) => settle(await fn.run(args, variables())),
  };
}

/**
 * An agent of a swarm: a core `Agent` (name, MCP servers, local functions) whose instruction may
 * be a function of the context variables and whose functions may hand the conversation to another
 * agent. Used as a plain `Agent` outside a swarm, its functions run with no context variables and
 * a handoff only reports itself in the tool's text.
 *
 * @example
 * ```ts
 * const refunds = new SwarmAgent({
 *   name: 'refunds',
 *   instruction: (vars) => `You handle refunds for ${String(vars.customer ?? 'the customer')}.`,
 *   functions: [{ name: 'issue_refund', run: () => 'Refund issued.' }, { name: 'case_resolved', run: () => new DoneAgent() }],
 * });
 * const triage = new SwarmAgent({ name: 'triage', instruction: 'Find out what the customer needs.', functions: [transferTo(refunds)] });
 * ```
 */
export class SwarmAgent extends Agent {
  /** The agent's function tools, as given. */
  readonly functions: readonly SwarmFunction[];
  readonly #instruction: SwarmInstruction | undefined;

  constructor(options: SwarmAgentOptions) {
    super(plainAgentOptions(options));
    this.functions = Object.freeze([...(options.functions ?? [])]);
    this.#instruction = options.instruction;
    swarmAgentOptions.set(this, options);
  }

  /**
   * The instruction for these context variables: the string given, or what the instruction
   * function returns for them.
   *
   * @throws WorkflowUsageError when the function does not return a string;
   *   WorkflowApplicationError (type `SwarmError`) when it throws.
   */
  instructionFor(contextVariables: Readonly<ContextVariables> = {}): string | undefined {
    const instruction = this.#instruction;
    if (typeof instruction !== 'function') return instruction;
    let text: unknown;
    try {
      text = instruction(Object.freeze({ ...contextVariables }));
    } catch (error) {
      throw new WorkflowApplicationError(`SwarmAgent "${this.name}": its instruction function failed: ${messageOf(error)}`, { type: 'SwarmError', nonRetryable: true, cause: error });
    }
    if (typeof text !== 'string') throw new WorkflowUsageError(`SwarmAgent "${this.name}": its instruction function must return a string, got ${describe(text)}`);
    return text;
  }
}

/**
 * The agent that ends a swarm: a function returns `new DoneAgent()` when the case is resolved, and
 * the swarm stops after that round with `stopReason: 'done'`. The next `generate` call starts
 * again with the swarm's first agent.
 *
 * @example
 * ```ts
 * const caseResolved: SwarmFunction = { name: 'case_resolved', description: 'Call when the customer has no more questions.', run: () => new DoneAgent() };
 * ```
 */
export class DoneAgent extends SwarmAgent {
  constructor() {
    super({ name: '__done__', instruction: 'The swarm’s work is complete.' });
  }
}

function toolNameOf(agentName: string): string {
  const slug = agentName
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return `transfer_to_${slug === '' ? 'agent' : slug}`.slice(0, 64);
}

/**
 * A function tool that hands the conversation to `target`, named `transfer_to_<agent name>`
 * (lower case, other characters as `_`). Give a function returning the agent when it is defined
 * later (two agents that hand off to each other), with the tool's `name`.
 *
 * @throws WorkflowUsageError when `target` is a function and no `name` is given.
 *
 * @example
 * ```ts
 * const triage = new SwarmAgent({
 *   name: 'triage',
 *   functions: [transferTo(refunds), transferTo(() => sales, { name: 'transfer_to_sales', description: 'For buying something new.' })],
 * });
 * ```
 */
export function transferTo(target: Agent | (() => Agent), options: { name?: string; description?: string } = {}): SwarmFunction {
  if (target instanceof Agent) {
    return {
      name: options.name ?? toolNameOf(target.name),
      description: options.description ?? `Transfer the conversation to ${target.name}.`,
      inputSchema: { type: 'object', properties: {} },
      run: () => target,
    };
  }
  if (typeof target !== 'function') throw new WorkflowUsageError(`transferTo: expected a SwarmAgent or a function returning one, got ${describe(target as unknown)}`);
  if (typeof options.name !== 'string' || options.name === '') {
    throw new WorkflowUsageError('transferTo(() => agent): the agent is not known yet, so pass the tool’s name: transferTo(() => agent, { name: "transfer_to_agent" })');
  }
  const name = options.name;
  return {
    name,
    description: options.description ?? `Transfer the conversation (${name}).`,
    inputSchema: { type: 'object', properties: {} },
    run: () => {
      const agent: unknown = target();
      if (!(agent instanceof Agent)) throw new WorkflowUsageError(`${name}: the function given to transferTo returned ${describe(agent)}, not an agent`);
      return agent;
    },
  };
}

/**
 * Why a swarm's `generate` ended: `end_turn` when the active agent answered without handing off
 * or calling a tool, `done` when a function returned a {@link DoneAgent}, `max_turns` when it made
 * `maxTurns` model calls.
 *
 * @example
 * ```ts
 * const finished = (reason: SwarmStopReason) => reason !== 'max_turns';
 * ```
 */
export type SwarmStopReason = 'end_turn' | 'done' | 'max_turns';

/**
 * One handoff: the agent that had the conversation and the one that took it.
 *
 * @example
 * ```ts
 * const line = (handoff: SwarmHandoff) => `${handoff.from} -> ${handoff.to}`;
 * ```
 */
export interface SwarmHandoff {
  from: string;
  to: string;
}

/**
 * Options of {@link createSwarm}.
 *
 * @example
 * ```ts
 * const options: SwarmOptions = { agent: triage, contextVariables: { customer: 'John Doe' }, maxTurns: 12 };
 * ```
 */
export interface SwarmOptions extends LlmChoice {
  /** The agent that starts the conversation (a `SwarmAgent`, or a plain `Agent`). */
  agent: Agent;
  /** The context variables at the start. Default: none. */
  contextVariables?: ContextVariables;
  /** Model calls at most in one `generate` call (a handoff counts as the turn that made it). Default 10. */
  maxTurns?: number;
  /** The pattern's name, as usage trees and other patterns show it. Default `swarm`. */
  name?: string;
}

const DEFAULT_MAX_TURNS = 10;

function checkTurns(label: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new WorkflowUsageError(`${label}: expected a whole number >= 1, got ${describe(value)}`);
  return value;
}

function toMessages(message: Message): LlmMessage[] {
  if (typeof message === 'string') return [{ role: 'user', content: message }];
  return Array.isArray(message) ? message : [message];
}

function assistantText(message: LlmMessage): string {
  return message.role === 'assistant' ? (message.content ?? '') : '';
}

/**
 * The swarm as an LLM: `generate` gives the conversation to the active agent's LLM one model call
 * (a turn) at a time. When a function hands off, the next turn is the new agent's, with its own
 * instruction as the system prompt (rendered with the current context variables) and its own
 * tools, over the same conversation. It ends when the active agent answers without calling a
 * tool (`end_turn`), when a function returns a {@link DoneAgent} (`done`), or after `maxTurns`
 * turns (`max_turns`). The conversation, the active agent and the context variables carry over to
 * the next `generate` call. Made by {@link createSwarm}.
 *
 * Parameters given to `generate` go to every agent's LLM, except `systemPrompt` (each agent's
 * instruction is used), `useHistory` (`false` runs the call without the earlier conversation and
 * does not keep it) and `maxIterations` (it replaces `maxTurns` for that call). Tool calls run
 * one at a time unless `parallelToolCalls: true`; when one round hands off more than once, the
 * last handoff wins.
 *
 * @example
 * ```ts
 * const swarm = createSwarm({ agent: triage, contextVariables: { customer: 'John Doe' } });
 * const answer = await swarm.generateStr('My bag did not arrive.');
 * swarm.activeAgent.name; // 'lost_baggage'
 * swarm.stopReason; // 'end_turn'
 * ```
 */
export class Swarm extends PatternLlm {
  readonly kind = 'swarm';
  /** The agent the swarm starts with (and starts again with after a {@link DoneAgent}). */
  readonly startingAgent: Agent;
  /** Model calls at most in one `generate` call. */
  readonly maxTurns: number;
  /** The conversation so far (no system prompt), shared by every agent. */
  readonly history: LlmMessage[] = [];
  readonly #factory: LlmFactory;
  readonly #llms = new Map<Agent, Llm>();
  readonly #handoffs: SwarmHandoff[] = [];
  readonly #variables: ContextVariables;
  #active: Agent;
  #stopReason: SwarmStopReason | undefined;
  #turns = 0;
  #pending: Agent | undefined;
  #running = false;
  #structurer: Llm | undefined;

  constructor(options: SwarmOptions) {
    if (typeof options !== 'object' || options === null) throw new WorkflowUsageError(`createSwarm: expected options { agent }, got ${describe(options)}`);
    super(options.name ?? 'swarm');
    const { agent, contextVariables = {} } = options;
    if (!(agent instanceof Agent)) throw new WorkflowUsageError(`createSwarm: agent must be a SwarmAgent (or an Agent) to start the conversation, got ${describe(agent)}`);
    if (agent instanceof DoneAgent) throw new WorkflowUsageError('createSwarm: agent is a DoneAgent, which ends a swarm; start with the agent that first answers the user');
    if (typeof contextVariables !== 'object' || contextVariables === null || Array.isArray(contextVariables)) {
      throw new WorkflowUsageError(`createSwarm: contextVariables must be an object of variables such as { customer: 'John' }, got ${describe(contextVariables)}`);
    }
    this.startingAgent = agent;
    this.#active = agent;
    this.#variables = { ...contextVariables };
    this.maxTurns = options.maxTurns === undefined ? DEFAULT_MAX_TURNS : checkTurns('createSwarm: maxTurns', options.maxTurns);
    this.#factory = llmFactoryOf(options);
  }

  #answeredBy: Agent | undefined;

  /**
   * The agent whose model made the last turn: the one that answered, or that closed the case
   * (where {@link activeAgent} is then the {@link DoneAgent}). Undefined before the first turn.
   */
  get answeredBy(): Agent | undefined {
    return this.#answeredBy;
  }

  /** The agent that has the conversation now (a {@link DoneAgent} after a `done` ending). */
  get activeAgent(): Agent {
    return this.#active;
  }

  /** A copy of the context variables as they are now. */
  get contextVariables(): ContextVariables {
    return { ...this.#variables };
  }

  /** Why the last `generate` call ended; undefined before the first one ends. */
  get stopReason(): SwarmStopReason | undefined {
    return this.#stopReason;
  }

  /** Turns (model calls) of the last `generate` call. */
  get turns(): number {
    return this.#turns;
  }

  /** Every handoff so far, in order. */
  get handoffs(): SwarmHandoff[] {
    return this.#handoffs.map((handoff) => ({ ...handoff }));
  }

  /**
   * Runs the conversation from `message` until an agent answers, a {@link DoneAgent} is reached
   * or `maxTurns` turns are made. Returns the answer: on `end_turn` the last agent's, otherwise
   * the last text an agent wrote. `stopReason` in the result is `end_turn` for `done` and
   * `max_iterations` for `max_turns`; the swarm's own {@link stopReason} tells them apart.
   *
   * @throws WorkflowUsageError when called while another call of the same swarm runs.
   */
  async generate(message: Message, params: RequestParams = {}): Promise<GenerateResult> {
    if (this.#running) throw new WorkflowUsageError(`swarm "${this.name}": generate was called while another call runs; a swarm holds one conversation, so await each call`);
    this.#running = true;
    try {
      return await this.#run(message, params);
    } finally {
      this.#running = false;
      this.#pending = undefined;
    }
  }

  async #run(message: Message, params: RequestParams): Promise<GenerateResult> {
    const { maxIterations, useHistory, systemPrompt: _ignored, ...rest } = params;
    const maxTurns = maxIterations === undefined ? this.maxTurns : checkTurns('maxIterations', maxIterations);
    const keep = useHistory ?? true;
    if (this.#active instanceof DoneAgent) this.#active = this.startingAgent;
    const incoming = toMessages(message);
    const conversation = [...(keep ? this.history : []), ...incoming];
    const produced: LlmMessage[] = [];
    const usage: LlmUsage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
    let stopReason: SwarmStopReason = 'max_turns';
    let lastStop: GenerateStopReason = 'end_turn';
    let turns = 0;
    this.#turns = 0;
    while (turns < maxTurns) {
      turns += 1;
      this.#turns = turns;
      const agent = this.#active;
      this.#answeredBy = agent;
      const llm = await this.#llmOf(agent);
      const systemPrompt = agent instanceof SwarmAgent ? agent.instructionFor(this.#variables) : agent.instruction;
      this.#pending = undefined;
      const result = await llm.generate([...conversation, ...produced], {
        parallelToolCalls: false,
        ...rest,
        ...(systemPrompt === undefined ? {} : { systemPrompt }),
        maxIterations: 1,
        useHistory: false,
      });
      produced.push(...result.messages);
      usage.inputTokens += result.usage.inputTokens;
      usage.outputTokens += result.usage.outputTokens;
      usage.totalTokens += result.usage.totalTokens;
      lastStop = result.stopReason;
      const next = this.#takeHandoff();
      if (next !== undefined) {
        this.#handoffs.push({ from: agent.name, to: next.name });
        this.#active = next;
        if (next instanceof DoneAgent) {
          stopReason = 'done';
          break;
        }
        continue;
      }
      if (!result.messages.some((produce) => produce.role === 'tool')) {
        stopReason = 'end_turn';
        break;
      }
    }
    this.#stopReason = stopReason;
    if (keep) this.history.push(...incoming, ...produced);
    const last = produced.at(-1);
    const text =
      stopReason === 'end_turn' && last !== undefined
        ? assistantText(last)
        : (produced
            .map(assistantText)
            .filter((candidate) => candidate !== '')
            .at(-1) ?? '');
    const resultStop: GenerateStopReason = stopReason === 'end_turn' ? lastStop : stopReason === 'done' ? 'end_turn' : 'max_iterations';
    return { messages: produced, text, stopReason: resultStop, iterations: turns, usage };
  }

  /** A node per agent that took part, in the order they first did; an LLM that put an answer into a schema comes last. */
  usageTree(): UsageNode {
    const children: Llm[] = [...this.#llms.values()];
    if (this.#structurer !== undefined) children.push(this.#structurer);
    return usageNode(this.name, this.kind, children);
  }

  protected async structuringLlm(): Promise<Llm> {
    this.#structurer ??= await this.#factory(new Agent({ name: `${this.name}_structurer` }));
    return this.#structurer;
  }

  async #llmOf(agent: Agent): Promise<Llm> {
    let llm = this.#llms.get(agent);
    if (llm === undefined) {
      llm = await this.#factory(this.#agentInSwarm(agent));
      this.#llms.set(agent, llm);
    }
    return llm;
  }

  /**
   * The core Agent an agent's LLM uses in this swarm: for a SwarmAgent, one whose functions get
   * this swarm's context variables and report handoffs to it; a plain Agent as it is.
   */
  #agentInSwarm(agent: Agent): Agent {
    if (!(agent instanceof SwarmAgent)) return agent;
    const { instruction, functions = [], ...rest } = swarmAgentOptions.get(agent) as SwarmAgentOptions;
    return new Agent({
      ...rest,
      ...(typeof instruction === 'string' ? { instruction } : {}),
      functions: functions.map((fn) =>
        wrapFunction(
          fn,
          () => Object.freeze({ ...this.#variables }),
          (value) => this.#settle(value),
        ),
      ),
    });
  }

  /** The agent a function of the last turn handed off to (the last one when several did), once. */
  #takeHandoff(): Agent | undefined {
    const next = this.#pending;
    this.#pending = undefined;
    return next;
  }

  /** Applies what a function returned (a handoff, new context variables) and gives the tool's result. */
  #settle(value: unknown): unknown {
    if (value instanceof Agent) {
      this.#pending = value;
    } else if (value instanceof SwarmResult) {
      Object.assign(this.#variables, value.contextVariables);
      if (value.agent !== undefined) this.#pending = value.agent;
    }
    return toolText(value);
  }
}

/**
 * Makes a {@link Swarm}: agents that share one conversation and hand it to each other through
 * their function tools, with context variables every function and instruction can read.
 *
 * @example
 * ```ts
 * const lostBaggage = new SwarmAgent({
 *   name: 'lost_baggage',
 *   instruction: (vars) => `Find the customer’s bag. Flight: ${String(vars.flight)}`,
 *   functions: [{ name: 'initiate_baggage_search', run: () => 'Baggage was found!' }, { name: 'case_resolved', run: () => new DoneAgent() }],
 * });
 * const triage = new SwarmAgent({
 *   name: 'triage',
 *   instruction: 'Find out what the customer needs and transfer them.',
 *   functions: [transferTo(lostBaggage)],
 * });
 *
 * const swarm = createSwarm({ agent: triage, contextVariables: { flight: 'LGA-LAX #1919' }, model: 'gpt-4o-mini' });
 * const answer = await swarm.generateStr('My bag was not delivered!');
 * ```
 */
export function createSwarm(options: SwarmOptions): Swarm {
  return new Swarm(options);
}
