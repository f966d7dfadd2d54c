/**
 * The parallel pattern (map-reduce): the same message goes to several agents, LLMs, patterns or
 * functions at once (fan-out), and their answers are combined by one more (fan-in). Safe for the
 * workflow sandbox: the branches run concurrently with `Promise.all`, and every model call is a task.
 */
import {
  Agent,
  AugmentedLLM,
  type GenerateResult,
  isCancellation,
  type LlmUsage,
  messageOf,
  type RequestParams,
  type StructuredSchema,
  type UsageNode,
  usageNode,
  WorkflowApplicationError,
  WorkflowUsageError,
} from '@mcp-agent/core/workflow';
import {
  type AgentOrLlm,
  describe,
  isLlm,
  type Llm,
  type LlmChoice,
  type LlmFactory,
  llmFactoryOf,
  type Message,
  messageText,
  PatternLlm,
  type StructuredOptions,
  textResult,
  toLlm,
} from './llm.js';

/**
 * A fan-out branch written as code: it gets the text of the message and returns anything (a
 * string is used as it is; other values are turned into JSON for a fan-in LLM). It runs as
 * workflow code, so it must be deterministic: to do I/O (HTTP, files, the clock) it calls a task.
 *
 * @example
 * ```ts
 * const wordCount: FanOutFunction = (message) => message.split(/\s+/).length;
 * ```
 */
export type FanOutFunction = (message: string) => unknown;

/**
 * One fan-out branch: an agent (given an LLM by the factory), an LLM or pattern, or a function.
 *
 * @example
 * ```ts
 * const branches: FanOutItem[] = [new Agent({ name: 'critic', instruction: 'Find flaws.' }), wordCount];
 * ```
 */
export type FanOutItem = AgentOrLlm | FanOutFunction;

/**
 * What one fan-out branch produced: its answer, or (with `onError: 'collect'`) its failure.
 *
 * @example
 * ```ts
 * const line = (result: FanOutResult) => (result.ok ? `${result.name}: ${result.text}` : `${result.name} failed: ${result.error.message}`);
 * ```
 */
export type FanOutResult = FanOutSuccess | FanOutFailure;

/**
 * A branch that answered.
 *
 * @example
 * ```ts
 * const success: FanOutSuccess = { name: 'critic', ok: true, text: 'Too long.', value: 'Too long.' };
 * ```
 */
export interface FanOutSuccess {
  /** The branch's name: the agent's or LLM's name, or the function's (`function_<index>` when it has none). */
  name: string;
  ok: true;
  /** The answer as text: an LLM's text, a function's string, or its value as JSON. */
  text: string;
  /** The answer itself: an LLM's `GenerateResult`, or what a function returned. */
  value: unknown;
}

/**
 * A branch that failed (reported only with `onError: 'collect'`).
 *
 * @example
 * ```ts
 * const failure: FanOutFailure = { name: 'critic', ok: false, error: new Error('rate limited') };
 * ```
 */
export interface FanOutFailure {
  name: string;
  ok: false;
  /** Why it failed. */
  error: Error;
}

/**
 * The fan-out's results keyed by branch name, in the order of `fanOut`.
 *
 * @example
 * ```ts
 * const answers = (results: FanOutResults) => Object.values(results).filter((result) => result.ok);
 * ```
 */
export type FanOutResults = Record<string, FanOutResult>;

/**
 * A fan-in written as code: it gets the fan-out's results and returns the answer, as text or as a
 * `GenerateResult`. Like a {@link FanOutFunction}, it runs as workflow code and must be deterministic.
 *
 * @example
 * ```ts
 * const longest: FanInFunction = (results) =>
 *   Object.values(results).reduce((best, result) => (result.ok && result.text.length > best.length ? result.text : best), '');
 * ```
 */
export type FanInFunction = (results: FanOutResults) => string | GenerateResult | Promise<string | GenerateResult>;

/**
 * What happens when a fan-out branch fails: `fail_fast` fails the call with the first failure's
 * error; `collect` hands the failures to the fan-in with the answers and fails only when every
 * branch failed.
 *
 * @example
 * ```ts
 * const policy: ParallelErrorPolicy = 'collect';
 * ```
 */
export type ParallelErrorPolicy = 'fail_fast' | 'collect';

/**
 * Options of {@link createParallelLlm}.
 *
 * @example
 * ```ts
 * const options: ParallelLlmOptions = { fanOut: [researcher, critic], fanIn: editor, onError: 'collect' };
 * ```
 */
export interface ParallelLlmOptions extends LlmChoice {
  /** The branches, all given the same message at once. At least one; their names must differ. */
  fanOut: readonly FanOutItem[];
  /** Combines the branches' results: an agent or LLM (asked with every answer under its branch's name) or a function. */
  fanIn: AgentOrLlm | FanInFunction;
  /** The pattern's name, as usage trees and other patterns show it. Default `parallel`. */
  name?: string;
  /** What a failed branch does. Default `fail_fast`. */
  onError?: ParallelErrorPolicy;
}

type Branch = { name: string; item: FanOutItem };

const ERROR_POLICIES: readonly ParallelErrorPolicy[] = ['fail_fast', 'collect'];

function isGenerateResult(value: unknown): value is GenerateResult {
  return typeof value === 'object' && value !== null && typeof (value as GenerateResult).text === 'string' && Array.isArray((value as GenerateResult).messages);
}

function valueText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  if (isGenerateResult(value)) return value.text;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(messageOf(error));
}

function addUsage(into: LlmUsage, from: LlmUsage | undefined): void {
  if (from === undefined) return;
  into.inputTokens += from.inputTokens;
  into.outputTokens += from.outputTokens;
  into.totalTokens += from.totalTokens;
}

function branchesOf(fanOut: unknown): Branch[] {
  if (!Array.isArray(fanOut) || fanOut.length === 0) {
    throw new WorkflowUsageError(`fanOut: expected a non-empty array of agents, LLMs, patterns or functions, got ${Array.isArray(fanOut) ? 'an empty array' : describe(fanOut)}`);
  }
  const branches: Branch[] = [];
  const seen = new Map<string, number>();
  fanOut.forEach((item: unknown, index) => {
    let name: string;
    if (typeof item === 'function') name = item.name || `function_${index}`;
    else if (item instanceof Agent || isLlm(item)) name = item.name;
    else throw new WorkflowUsageError(`fanOut[${index}]: expected an Agent, an AugmentedLLM, a pattern or a function (message) => answer, got ${describe(item)}`);
    const first = seen.get(name);
    if (first !== undefined) {
      throw new WorkflowUsageError(
        `fanOut: items ${first} and ${index} are both named "${name}"; the fan-in gets the results by name, so give each agent, LLM or function a different name`,
      );
    }
    seen.set(name, index);
    branches.push({ name, item: item as FanOutItem });
  });
  return branches;
}

/**
 * The prompt a fan-in agent or LLM gets: the request, then each branch's answer (or failure) under
 * its name, in the order of `fanOut`.
 */
function fanInPrompt(request: string, results: FanOutResults): string {
  const sections = Object.values(results).map((result) =>
    result.ok ? `<answer name="${result.name}">\n${result.text}\n</answer>` : `<answer name="${result.name}" failed="true">\nThis branch failed: ${result.error.message}\n</answer>`,
  );
  const count = sections.length;
  return [
    `${count} ${count === 1 ? 'agent' : 'agents'} worked on the same request; each answer is below, under the name of the agent that gave it. Combine them into one answer to the request.`,
    `<request>\n${request}\n</request>`,
    ...sections,
  ].join('\n\n');
}

/**
 * The parallel pattern as an LLM: `generate` sends the message to every fan-out branch at once,
 * then gives their results, keyed by name, to the fan-in, whose answer it returns. Made by
 * {@link createParallelLlm}; usable wherever an AugmentedLLM is, including inside other patterns.
 *
 * @example
 * ```ts
 * const review = createParallelLlm({ fanOut: [grammar, style, facts], fanIn: editor });
 * const { text, usage } = await review.generate(essay);
 * const perBranch = review.usageTree().children; // grammar, style, facts, editor
 * ```
 */
export class ParallelLLM extends PatternLlm {
  readonly kind = 'parallel';
  /** What a failed branch does. */
  readonly onError: ParallelErrorPolicy;
  readonly #branches: Branch[];
  readonly #fanIn: AgentOrLlm | FanInFunction;
  readonly #factory: LlmFactory;
  // Filled by #resolve: the LLM of each agent or LLM branch, and of the fan-in.
  readonly #llms = new Map<string, Llm>();
  #fanInLlm: Llm | undefined;
  #structurer: Llm | undefined;
  #resolving: Promise<void> | undefined;

  constructor(options: ParallelLlmOptions) {
    if (typeof options !== 'object' || options === null) throw new WorkflowUsageError(`createParallelLlm: expected options { fanOut, fanIn }, got ${describe(options)}`);
    super(options.name ?? 'parallel');
    this.#branches = branchesOf(options.fanOut);
    const { fanIn } = options;
    if (!(typeof fanIn === 'function' || fanIn instanceof Agent || isLlm(fanIn))) {
      throw new WorkflowUsageError(`fanIn: expected an Agent, an AugmentedLLM, a pattern or a function (results) => answer, got ${describe(fanIn)}`);
    }
    this.#fanIn = fanIn;
    const onError = options.onError ?? 'fail_fast';
    if (!ERROR_POLICIES.includes(onError)) {
      throw new WorkflowUsageError(`onError: expected 'fail_fast' or 'collect', got ${JSON.stringify(onError)}`);
    }
    this.onError = onError;
    this.#factory = llmFactoryOf(options);
  }

  /** The branches' names, in the order of `fanOut`. */
  get branchNames(): string[] {
    return this.#branches.map((branch) => branch.name);
  }

  /**
   * Sends the message to every branch at once and returns the fan-in's answer; `usage` counts
   * the tokens of the branches and of the fan-in.
   *
   * @throws the first branch failure's error (`fail_fast`), or a WorkflowApplicationError of
   *   type `ParallelError` when every branch failed (`collect`).
   */
  async generate(message: Message, params?: RequestParams): Promise<GenerateResult> {
    const usage: LlmUsage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
    const results = await this.#fanOut(message, params, usage);
    if (typeof this.#fanIn === 'function') {
      const answer: unknown = await this.#fanIn(results);
      if (typeof answer === 'string') return textResult(answer, usage);
      if (isGenerateResult(answer)) {
        addUsage(usage, answer.usage);
        return { ...answer, usage };
      }
      throw new WorkflowUsageError(`fanIn: the function ${this.#fanIn.name || '(anonymous)'} returned ${describe(answer)}; return the answer as a string or a GenerateResult`);
    }
    const fanIn = this.#fanInLlm as Llm;
    const answer = await fanIn.generate(fanInPrompt(messageText(message), results), params);
    addUsage(usage, answer.usage);
    return { ...answer, usage };
  }

  /**
   * Runs the fan-out, then asks the fan-in for output matching `schema` (as the answer). With a
   * function as fan-in, its answer is put into the schema by an LLM.
   */
  override async generateStructured<T>(message: Message, schema: StructuredSchema<T>, options: StructuredOptions = {}): Promise<T> {
    if (typeof this.#fanIn === 'function') return super.generateStructured(message, schema, options);
    const { name: _name, jsonSchema: _jsonSchema, ...params } = options;
    const results = await this.#fanOut(message, params, { inputTokens: 0, outputTokens: 0, totalTokens: 0 });
    return (this.#fanInLlm as Llm).generateStructured(fanInPrompt(messageText(message), results), schema, options);
  }

  /** A node per fan-out branch (in order), then the fan-in's; an LLM that put a function fan-in's answer into a schema comes last. */
  usageTree(): UsageNode {
    const children: UsageNode[] = this.#branches.map((branch) => this.#nodeOf(branch.name, branch.item, this.#llms.get(branch.name)));
    const fanIn = this.#fanIn;
    children.push(this.#nodeOf(typeof fanIn === 'function' ? fanIn.name || 'fan_in' : fanIn.name, fanIn, this.#fanInLlm));
    if (this.#structurer !== undefined) children.push(this.#structurer.usageTree());
    return usageNode(this.name, this.kind, children);
  }

  protected async structuringLlm(): Promise<Llm> {
    await this.#resolve();
    const plain = [this.#fanInLlm, ...this.#llms.values()].find((llm) => llm instanceof AugmentedLLM);
    if (plain !== undefined) return plain;
    this.#structurer ??= await this.#factory(new Agent({ name: `${this.name}_structurer` }));
    return this.#structurer;
  }

  #nodeOf(name: string, item: FanOutItem | FanInFunction, llm: Llm | undefined): UsageNode {
    if (llm !== undefined) return llm.usageTree();
    if (isLlm(item)) return item.usageTree();
    return usageNode(name, typeof item === 'function' ? 'function' : 'llm', []);
  }

  async #resolve(): Promise<void> {
    this.#resolving ??= (async () => {
      for (const branch of this.#branches) {
        if (typeof branch.item !== 'function') this.#llms.set(branch.name, await toLlm(branch.item, this.#factory));
      }
      if (typeof this.#fanIn !== 'function') this.#fanInLlm = await toLlm(this.#fanIn, this.#factory);
    })().catch((error: unknown) => {
      this.#resolving = undefined;
      throw error;
    });
    return this.#resolving;
  }

  async #fanOut(message: Message, params: RequestParams | undefined, usage: LlmUsage): Promise<FanOutResults> {
    await this.#resolve();
    const text = messageText(message);
    const run = async (branch: Branch): Promise<FanOutSuccess> => {
      if (typeof branch.item === 'function') {
        const value = await branch.item(text);
        return { name: branch.name, ok: true, text: valueText(value), value };
      }
      const result = await (this.#llms.get(branch.name) as Llm).generate(message, params);
      addUsage(usage, result.usage);
      return { name: branch.name, ok: true, text: result.text, value: result };
    };
    let settled: FanOutResult[];
    if (this.onError === 'fail_fast') {
      settled = await Promise.all(this.#branches.map((branch) => run(branch)));
    } else {
      settled = await Promise.all(
        this.#branches.map((branch) =>
          run(branch).catch((error: unknown): FanOutFailure => {
            if (isCancellation(error)) throw error;
            return { name: branch.name, ok: false, error: toError(error) };
          }),
        ),
      );
      const failures = settled.filter((result): result is FanOutFailure => !result.ok);
      if (failures.length === settled.length) {
        throw new WorkflowApplicationError(`${this.name}: every fan-out branch failed: ${failures.map((failure) => `${failure.name}: ${failure.error.message}`).join('; ')}`, {
          type: 'ParallelError',
          nonRetryable: true,
          cause: failures[0]?.error,
          details: failures.map((failure) => ({ branch: failure.name, error: failure.error.message })),
        });
      }
    }
    const results: FanOutResults = {};
    for (const result of settled) results[result.name] = result;
    return results;
  }
}

/**
 * Makes a {@link ParallelLLM}: every fan-out branch gets the same message at once, and the fan-in
 * combines their results, keyed by branch name, into the answer.
 *
 * @example
 * ```ts
 * const proofreader = new Agent({ name: 'proofreader', instruction: 'Review the story for grammar and spelling.' });
 * const factChecker = new Agent({ name: 'fact_checker', instruction: 'Check the story for factual consistency.' });
 * const grader = new Agent({ name: 'grader', instruction: 'Compile the reviews into one graded report.' });
 * const wordCount = (story: string) => `${story.split(/\s+/).length} words`;
 *
 * const review = createParallelLlm({ fanOut: [proofreader, factChecker, wordCount], fanIn: grader, model: 'gpt-4o-mini' });
 * const report = await review.generateStr(story);
 * ```
 */
export function createParallelLlm(options: ParallelLlmOptions): ParallelLLM {
  return new ParallelLLM(options);
}
