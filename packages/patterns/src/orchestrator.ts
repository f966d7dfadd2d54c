/**
 * The orchestrator-workers pattern: a planner breaks an objective into steps of parallel tasks,
 * each given to one of the available workers by name; the steps run in order, each worker seeing
 * the results so far; a synthesizer writes the final answer from every step's results. Safe for
 * the workflow sandbox: every model call goes through an LLM, so it is a task in a workflow.
 */
import {
  Agent,
  AugmentedLLM,
  type GenerateResult,
  messageOf,
  type RequestParams,
  type UsageNode,
  usageNode,
  WorkflowApplicationError,
  WorkflowUsageError,
} from '@mcp-agent/core/workflow';
import { z } from 'zod';
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
  textResult,
  toLlm,
  usageSince,
} from './llm.js';
import {
  DEFAULT_PLANNER_INSTRUCTION,
  DEFAULT_SYNTHESIZER_INSTRUCTION,
  defaultFullPlanPrompt,
  defaultIterativePlanPrompt,
  defaultPlanRetryPrompt,
  defaultSynthesizePrompt,
  defaultTaskPrompt,
  formatWorkers,
  type OrchestratorPlan,
  type PlanPromptInput,
  type PlanResult,
  type PlanRetryPromptInput,
  type OrchestratorStep,
  type StepResult,
  type SynthesizePromptInput,
  type TaskPromptInput,
  type TaskResult,
  type WorkerInfo,
} from './orchestrator-prompts.js';

/** `full`: plan every step first, then carry them out; `iterative`: plan one step at a time. */
export type PlanType = 'full' | 'iterative';

/**
 * Replacements for the orchestrator's instructions and prompts (as the Python project's
 * `OrchestratorOverrides`). Each prompt is a function of its inputs; the defaults are exported
 * from this package (`defaultFullPlanPrompt`, ...) so an override can extend them.
 *
 * @example
 * ```ts
 * const overrides: OrchestratorOverrides = {
 *   synthesizerInstruction: 'You write short reports for busy readers.',
 *   taskPrompt: (input) => `${defaultTaskPrompt(input)}\nCite your sources.`,
 * };
 * ```
 */
export interface OrchestratorOverrides {
  /** The instruction of the default planner (not of a planner you pass). */
  plannerInstruction?: string;
  /** The instruction of the default synthesizer (not of a synthesizer you pass). */
  synthesizerInstruction?: string;
  /** The planner's prompt in `full` mode. */
  fullPlanPrompt?: (input: PlanPromptInput) => string;
  /** The planner's prompt in `iterative` mode. */
  iterativePlanPrompt?: (input: PlanPromptInput) => string;
  /** A worker's prompt for its task. */
  taskPrompt?: (input: TaskPromptInput) => string;
  /** The synthesizer's prompt. */
  synthesizePrompt?: (input: SynthesizePromptInput) => string;
  /** The message that sends an invalid plan back to the planner. */
  planRetryPrompt?: (input: PlanRetryPromptInput) => string;
}

/**
 * Options of {@link createOrchestrator}. `provider`, `model`, `requestParams` and `llmFactory`
 * say how LLMs are made for the agents given (workers, planner, synthesizer) and for the default
 * planner and synthesizer.
 *
 * @example
 * ```ts
 * const options: OrchestratorOptions = { availableAgents: [finder, writer], planType: 'iterative', model: 'gpt-4o' };
 * ```
 */
export interface OrchestratorOptions extends LlmChoice {
  /** The workers: Agents, LLMs or patterns, each with a unique name (the planner assigns tasks by name). */
  availableAgents: readonly AgentOrLlm[];
  /** Makes the plans. Default: an agent named `planner` with {@link DEFAULT_PLANNER_INSTRUCTION}. */
  planner?: AgentOrLlm;
  /** Writes the final answer. Default: an agent named `synthesizer` with {@link DEFAULT_SYNTHESIZER_INSTRUCTION}. */
  synthesizer?: AgentOrLlm;
  /** Default `full`. */
  planType?: PlanType;
  /** Default `orchestrator`. */
  name?: string;
  /**
   * Planning rounds at most: in `full` mode, plans (each followed by its steps); in `iterative`
   * mode, steps. When reached before the planner judges the objective complete, the synthesizer
   * answers from the results so far, and `lastPlanResult.isComplete` stays false. Default 10.
   */
  maxIterations?: number;
  /** How many times an invalid plan goes back to the planner before a {@link PlanError}. Default 2. */
  maxPlanRetries?: number;
  /** Replacements for the instructions and prompts. */
  overrides?: OrchestratorOverrides;
}

/** What an orchestrator is doing. */
export type OrchestratorPhase = 'idle' | 'planning' | 'executing' | 'synthesizing' | 'done' | 'failed';

/**
 * Where the latest run of an orchestrator stands, as {@link Orchestrator.progress} reports it.
 *
 * @example
 * ```ts
 * const { phase, iteration, planResult } = orchestrator.progress();
 * console.log(phase, iteration, planResult?.stepResults.length);
 * ```
 */
export interface OrchestratorProgress {
  phase: OrchestratorPhase;
  /** The planning round under way (from 1; 0 before the first). */
  iteration: number;
  /** The step whose tasks are running, while `phase` is `executing`. */
  currentStep: OrchestratorStep | undefined;
  /** The run so far; undefined before the first run. */
  planResult: PlanResult | undefined;
}

/** The `type` of a {@link PlanError}. */
export const PLAN_ERROR_TYPE = 'PlanError';

/**
 * The planner gave no valid plan (unknown agent names, a malformed answer) after `maxPlanRetries`
 * retries. A non-retryable `WorkflowApplicationError` of type `PlanError`; `instanceof PlanError`
 * and {@link isPlanError} also recognise it after it crossed a task or workflow boundary, where it
 * arrives as a plain `WorkflowApplicationError` of that type.
 *
 * @example
 * ```ts
 * try {
 *   await orchestrator.generateStr('Grade the essay in essay.md');
 * } catch (error) {
 *   if (isPlanError(error)) console.error('the planner could not make a valid plan:', error.message);
 *   else throw error;
 * }
 * ```
 */
export class PlanError extends WorkflowApplicationError {
  constructor(message: string, options: { cause?: unknown; details?: unknown[] } = {}) {
    super(message, { ...options, type: PLAN_ERROR_TYPE, nonRetryable: true });
  }

  /** True for a plan error, whether a `PlanError` or a `WorkflowApplicationError` of type `PlanError`. */
  static override is(value: unknown): value is PlanError {
    return isPlanError(value);
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return isPlanError(value);
  }
}

/**
 * True for a {@link PlanError}, including one that crossed a task or workflow boundary.
 *
 * @example
 * ```ts
 * if (isPlanError(error)) return new WorkflowResult({ value: 'No plan could be made.' });
 * ```
 */
export function isPlanError(value: unknown): value is PlanError {
  return WorkflowApplicationError.is(value) && value.type === PLAN_ERROR_TYPE;
}

const DEFAULT_MAX_ITERATIONS = 10;
const DEFAULT_MAX_PLAN_RETRIES = 2;

/** What a plan's `parse` found wrong, kept so the planner can be told. */
interface PlanReading {
  problem: string | undefined;
  answer: string | undefined;
}

/** The schema given to the planner's `generateStructured`: it parses leniently and checks agent names. */
interface PlanSchema<T> {
  parse(value: unknown): T;
}

/**
 * The orchestrator-workers pattern as an LLM: `generate(objective)` plans, runs the workers and
 * returns the synthesizer's answer. Make one with {@link createOrchestrator}.
 * `lastPlanResult` and `progress()` describe the latest run, so give each concurrent objective its
 * own orchestrator.
 *
 * @example
 * ```ts
 * const orchestrator = createOrchestrator({ availableAgents: [finder, writer, proofreader] });
 * const report = await orchestrator.generateStr('Load short_story.md and write a graded report to report.md');
 * const steps = orchestrator.lastPlanResult?.stepResults.length;
 * ```
 */
export class Orchestrator extends PatternLlm {
  readonly kind = 'orchestrator';
  readonly planType: PlanType;
  readonly maxIterations: number;
  readonly maxPlanRetries: number;
  /** The workers' names, in the order given. */
  readonly agentNames: readonly string[];
  readonly #sources: ReadonlyMap<string, AgentOrLlm>;
  readonly #factory: LlmFactory;
  readonly #overrides: OrchestratorOverrides;
  readonly #plannerSource: AgentOrLlm;
  readonly #synthesizerSource: AgentOrLlm;
  #planner: Llm | undefined;
  #synthesizer: Llm | undefined;
  readonly #workers = new Map<string, Llm>();
  readonly #used = new Set<string>();
  #ready: Promise<void> | undefined;
  #phase: OrchestratorPhase = 'idle';
  #iteration = 0;
  #currentStep: OrchestratorStep | undefined;
  #planResult: PlanResult | undefined;

  constructor(options: OrchestratorOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new WorkflowUsageError(`createOrchestrator: expected options such as { availableAgents: [finder, writer] }, got ${describe(options)}`);
    }
    super(options.name ?? 'orchestrator');
    const { availableAgents, planType = 'full', maxIterations = DEFAULT_MAX_ITERATIONS, maxPlanRetries = DEFAULT_MAX_PLAN_RETRIES, overrides = {} } = options;
    if (!Array.isArray(availableAgents) || availableAgents.length === 0) {
      throw new WorkflowUsageError(`availableAgents: expected a non-empty array of Agents, LLMs or patterns, got ${describe(availableAgents)}`);
    }
    const sources = new Map<string, AgentOrLlm>();
    const positions = new Map<string, number>();
    availableAgents.forEach((item, index) => {
      if (!(item instanceof Agent) && !isLlm(item)) {
        throw new WorkflowUsageError(`availableAgents[${index}]: expected an Agent, an AugmentedLLM or a pattern, got ${describe(item)}`);
      }
      const name = item.name;
      if (typeof name !== 'string' || name.trim() === '') {
        throw new WorkflowUsageError(`availableAgents[${index}]: a worker needs a non-empty name, got ${JSON.stringify(name)}`);
      }
      const earlier = positions.get(name);
      if (earlier !== undefined) {
        throw new WorkflowUsageError(
          `availableAgents: the name "${name}" is used by entries ${earlier} and ${index}; give each worker a unique name, as the planner assigns tasks by name`,
        );
      }
      positions.set(name, index);
      sources.set(name, item);
    });
    if (planType !== 'full' && planType !== 'iterative') {
      throw new WorkflowUsageError(`planType: expected "full" or "iterative", got ${JSON.stringify(planType)}`);
    }
    if (!Number.isInteger(maxIterations) || maxIterations < 1) {
      throw new WorkflowUsageError(`maxIterations: expected a whole number >= 1, got ${JSON.stringify(maxIterations)}`);
    }
    if (!Number.isInteger(maxPlanRetries) || maxPlanRetries < 0) {
      throw new WorkflowUsageError(`maxPlanRetries: expected a whole number >= 0, got ${JSON.stringify(maxPlanRetries)}`);
    }
    checkOverrides(overrides, options);
    for (const role of ['planner', 'synthesizer'] as const) {
      const given = options[role];
      if (given !== undefined && !(given instanceof Agent) && !isLlm(given)) {
        throw new WorkflowUsageError(`${role}: expected an Agent, an AugmentedLLM or a pattern, got ${describe(given)}`);
      }
    }
    this.planType = planType;
    this.maxIterations = maxIterations;
    this.maxPlanRetries = maxPlanRetries;
    this.agentNames = [...sources.keys()];
    this.#sources = sources;
    this.#factory = llmFactoryOf(options);
    this.#overrides = overrides;
    this.#plannerSource = options.planner ?? new Agent({ name: 'planner', instruction: overrides.plannerInstruction ?? DEFAULT_PLANNER_INSTRUCTION });
    this.#synthesizerSource = options.synthesizer ?? new Agent({ name: 'synthesizer', instruction: overrides.synthesizerInstruction ?? DEFAULT_SYNTHESIZER_INSTRUCTION });
    if (isLlm(this.#plannerSource)) this.#planner = this.#plannerSource;
    if (isLlm(this.#synthesizerSource)) this.#synthesizer = this.#synthesizerSource;
  }

  /**
   * Works towards the objective (the message's text): plans, runs each step's tasks in parallel
   * on the named workers, and returns the synthesizer's answer. `params` (model, temperature,
   * ...) go to the planner, the workers and the synthesizer, without history: each call is a new
   * objective, and every prompt carries what it needs.
   *
   * @throws PlanError when the planner gives no valid plan after `maxPlanRetries` retries.
   */
  async generate(message: Message, params: RequestParams = {}): Promise<GenerateResult> {
    const objective = messageText(message);
    if (objective.trim() === '') throw new WorkflowUsageError(`${this.name}: the objective (the message's text) is empty`);
    await this.#resolve();
    const before = this.usageTree().usage;
    const forwarded = forwardedParams(params);
    const planResult: PlanResult = { objective, plan: undefined, stepResults: [], isComplete: false };
    this.#planResult = planResult;
    this.#iteration = 0;
    this.#currentStep = undefined;
    try {
      while (this.#iteration < this.maxIterations) {
        this.#iteration += 1;
        this.#phase = 'planning';
        const done = planResult.stepResults.map((stepResult) => stepResult.step);
        const plan = await this.#plan(planResult, forwarded);
        planResult.plan = { steps: [...done, ...plan.steps], isComplete: plan.isComplete };
        if (plan.isComplete) {
          planResult.isComplete = true;
          break;
        }
        this.#phase = 'executing';
        for (const [index, step] of plan.steps.entries()) {
          this.#currentStep = step;
          planResult.stepResults.push(await this.#execute(step, plan.steps.slice(index + 1), planResult, forwarded));
        }
        this.#currentStep = undefined;
      }
      this.#phase = 'synthesizing';
      const prompt = (this.#overrides.synthesizePrompt ?? defaultSynthesizePrompt)({ objective, planResult: clonePlanResult(planResult) });
      const answer = await (this.#synthesizer as Llm).generateStr(prompt, forwarded);
      planResult.result = answer;
      this.#phase = 'done';
      return textResult(answer, usageSince(before, this.usageTree().usage), this.#iteration);
    } catch (error) {
      this.#phase = 'failed';
      this.#currentStep = undefined;
      throw error;
    }
  }

  /**
   * The latest run so far (a copy): the objective, the plan, every step's results and, once
   * written, the final answer. Undefined before the first run. A workflow query can return it
   * while the run goes on.
   */
  get lastPlanResult(): PlanResult | undefined {
    return this.#planResult === undefined ? undefined : clonePlanResult(this.#planResult);
  }

  /** What the latest run is doing and what it has done (a copy), for a workflow query. */
  progress(): OrchestratorProgress {
    return {
      phase: this.#phase,
      iteration: this.#iteration,
      currentStep: this.#currentStep === undefined ? undefined : cloneStep(this.#currentStep),
      planResult: this.lastPlanResult,
    };
  }

  /** The usage of the planner, of each worker used so far (in the order given), and of the synthesizer. */
  usageTree(): UsageNode {
    const children: UsageNode[] = [];
    const seen = new Set<Llm>();
    const add = (llm: Llm | undefined, source: AgentOrLlm): void => {
      if (llm === undefined) {
        children.push({ name: source.name, kind: 'llm', usage: { calls: 0, inputTokens: 0, outputTokens: 0, totalTokens: 0, costUsd: 0 }, children: [] });
        return;
      }
      if (seen.has(llm)) return;
      seen.add(llm);
      children.push(llm.usageTree());
    };
    add(this.#planner, this.#plannerSource);
    for (const name of this.agentNames) {
      if (this.#used.has(name)) add(this.#workers.get(name), this.#sources.get(name) as AgentOrLlm);
    }
    add(this.#synthesizer, this.#synthesizerSource);
    return usageNode(this.name, this.kind, children);
  }

  /** The synthesizer puts the answer into a requested structure. */
  protected async structuringLlm(): Promise<Llm> {
    await this.#resolve();
    return this.#synthesizer as Llm;
  }

  /** Makes the LLMs of the agents given, once, in a fixed order. */
  #resolve(): Promise<void> {
    this.#ready ??= (async () => {
      this.#planner ??= await toLlm(this.#plannerSource, this.#factory);
      for (const [name, source] of this.#sources) this.#workers.set(name, await toLlm(source, this.#factory));
      this.#synthesizer ??= await toLlm(this.#synthesizerSource, this.#factory);
    })();
    return this.#ready;
  }

  /** Asks the planner for a plan (or the next step), sending an invalid one back with what is wrong. */
  async #plan(planResult: PlanResult, params: RequestParams): Promise<OrchestratorPlan> {
    const workers = this.agentNames.map((name) => workerInfo(name, this.#sources.get(name) as AgentOrLlm));
    const input: PlanPromptInput = {
      objective: planResult.objective,
      planResult: clonePlanResult(planResult),
      agents: formatWorkers(workers),
      agentNames: this.agentNames,
      workers,
    };
    const full = this.planType === 'full';
    const prompt = full ? (this.#overrides.fullPlanPrompt ?? defaultFullPlanPrompt)(input) : (this.#overrides.iterativePlanPrompt ?? defaultIterativePlanPrompt)(input);
    const planner = this.#planner as Llm;
    const attempts = this.maxPlanRetries + 1;
    let message = prompt;
    let lastProblem = '';
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      const reading: PlanReading = { problem: undefined, answer: undefined };
      const schema = full ? this.#fullPlanSchema(reading) : this.#nextStepSchema(reading);
      try {
        const answer = await planner.generateStructured<OrchestratorPlan>(message, schema, {
          ...params,
          name: full ? 'plan' : 'next_step',
          jsonSchema: full ? this.#fullPlanJsonSchema() : this.#nextStepJsonSchema(),
        });
        // An AugmentedLLM returned what `schema.parse` made; another planner may not call it itself.
        return planner instanceof AugmentedLLM ? answer : schema.parse(answer);
      } catch (error) {
        if (reading.problem === undefined && !isStructuredOutputError(error)) throw error;
        lastProblem = reading.problem ?? messageOf(error);
        message = (this.#overrides.planRetryPrompt ?? defaultPlanRetryPrompt)({
          prompt,
          error: lastProblem,
          previousAnswer: reading.answer,
          agentNames: this.agentNames,
        });
      }
    }
    throw new PlanError(
      `${this.name}: the planner "${planner.name}" gave no valid plan in ${attempts} attempt${attempts === 1 ? '' : 's'}; the last problem: ${lastProblem}. ` +
        `The available agents are: ${this.agentNames.join(', ')}. Raise maxPlanRetries, use a stronger planning model, or describe the agents more clearly.`,
    );
  }

  #fullPlanSchema(reading: PlanReading): PlanSchema<OrchestratorPlan> {
    return {
      parse: (value) =>
        this.#read(reading, value, lenientPlan, (plan) => {
          const steps = plan.steps.map((step) => this.#normalizeStep(step));
          if (plan.isComplete) return { steps: [], isComplete: true };
          if (steps.length === 0) throw new Error('the plan is not complete but has no steps: give at least one step, or set "isComplete" to true');
          const problems = steps.flatMap((step, index) => this.#stepProblems(step, `step ${index + 1}`));
          if (problems.length > 0) throw new Error(problems.join('; '));
          return { steps, isComplete: false };
        }),
    };
  }

  #nextStepSchema(reading: PlanReading): PlanSchema<OrchestratorPlan> {
    return {
      parse: (value) => {
        // A value this schema already returned (a plan) parses as itself.
        if (isPlanShape(value)) return this.#fullPlanSchema(reading).parse(value);
        return this.#read(reading, value, lenientNextStep, (next) => {
          if (next.isComplete) return { steps: [], isComplete: true };
          const step = this.#normalizeStep(next);
          const problems = this.#stepProblems(step, 'the next step');
          if (problems.length > 0) throw new Error(problems.join('; '));
          return { steps: [step], isComplete: false };
        });
      },
    };
  }

  /** Reads a planner's answer: JSON out of text, the shape checked by zod, then `check`; records what is wrong. */
  #read<S, T>(reading: PlanReading, value: unknown, schema: z.ZodType<S>, check: (parsed: S) => T): T {
    reading.problem = undefined;
    const raw = readJson(value);
    reading.answer = typeof raw === 'string' ? raw : JSON.stringify(raw);
    try {
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        throw new Error(
          typeof raw === 'string'
            ? 'the answer is not a JSON object'
            : `the answer does not have the plan's shape: ${parsed.error.issues.map((issue) => `${pathOf(issue.path)}: ${issue.message}`).join('; ')}`,
        );
      }
      return check(parsed.data);
    } catch (error) {
      reading.problem = messageOf(error);
      throw error;
    }
  }

  /** The step with each agent name matched to a worker's (ignoring case and surrounding spaces when that is unambiguous). */
  #normalizeStep(step: { description: string; tasks: Array<{ description: string; agent: string }> }): OrchestratorStep {
    return {
      description: step.description,
      tasks: step.tasks.map((task) => ({ description: task.description, agent: this.#matchAgent(task.agent) })),
    };
  }

  #matchAgent(agent: string): string {
    if (this.#sources.has(agent)) return agent;
    const wanted = agent.trim().toLowerCase();
    const matches = this.agentNames.filter((name) => name.trim().toLowerCase() === wanted);
    return matches.length === 1 ? (matches[0] as string) : agent;
  }

  #stepProblems(step: OrchestratorStep, label: string): string[] {
    if (step.tasks.length === 0) return [`${label} ("${step.description}") has no tasks: give each step at least one task`];
    return step.tasks.flatMap((task, index) => (this.#sources.has(task.agent) ? [] : [`${label}, task ${index + 1}: there is no agent named "${task.agent}"`]));
  }

  #fullPlanJsonSchema(): Record<string, unknown> {
    return cachedJsonSchema('full', this.agentNames, () => z.object({ steps: z.array(strictStep(this.agentNames)), isComplete: z.boolean() }));
  }

  #nextStepJsonSchema(): Record<string, unknown> {
    return cachedJsonSchema('next', this.agentNames, () => strictStep(this.agentNames).extend({ isComplete: z.boolean() }));
  }

  /** Runs a step's tasks in parallel, each on its worker, and returns their results in the step's order. */
  async #execute(step: OrchestratorStep, upcoming: OrchestratorStep[], planResult: PlanResult, params: RequestParams): Promise<StepResult> {
    const completed = planResult.stepResults.map(cloneStepResult);
    const taskPrompt = this.#overrides.taskPrompt ?? defaultTaskPrompt;
    const taskResults = await Promise.all(
      step.tasks.map(async (task): Promise<TaskResult> => {
        const worker = this.#workers.get(task.agent);
        if (worker === undefined) throw new PlanError(`${this.name}: there is no agent named "${task.agent}"; the agents are: ${this.agentNames.join(', ')}`);
        this.#used.add(task.agent);
        const prompt = taskPrompt({ objective: planResult.objective, task: { ...task }, step: cloneStep(step), completed, upcoming: upcoming.map(cloneStep) });
        const result = await worker.generateStr(prompt, params);
        return { task: task.description, agent: task.agent, result };
      }),
    );
    return { step: cloneStep(step), taskResults };
  }
}

/**
 * Makes an {@link Orchestrator}: a planner splits the objective into steps of parallel tasks for
 * the named workers, and a synthesizer writes the answer from their results.
 *
 * @throws WorkflowUsageError for bad options: no workers, two workers with one name, an unknown `planType`, ...
 *
 * @example
 * ```ts
 * const finder = new Agent({ name: 'finder', instruction: 'Find and read files.', serverNames: ['filesystem'] });
 * const writer = new Agent({ name: 'writer', instruction: 'Write files.', serverNames: ['filesystem'] });
 * const orchestrator = createOrchestrator({ availableAgents: [finder, writer], planType: 'iterative', model: 'gpt-4o' });
 * const answer = await orchestrator.generateStr('Summarise notes.md into summary.md');
 * ```
 */
export function createOrchestrator(options: OrchestratorOptions): Orchestrator {
  return new Orchestrator(options);
}

const lenientTask = z.object({ description: z.string().min(1), agent: z.string().min(1) });
const lenientStep = z.object({ description: z.string().default(''), tasks: z.array(lenientTask).default([]) });
const lenientPlan = z.object({ steps: z.array(lenientStep).default([]), isComplete: z.boolean() });
const lenientNextStep = lenientStep.extend({ isComplete: z.boolean() });

/** A step whose tasks' agents must be one of `names`: what the planner is shown as the JSON Schema. */
function strictStep(names: readonly string[]) {
  const agent = z.enum(names as [string, ...string[]]).describe('The name of the agent that does the task');
  return z.object({
    description: z.string().describe('What the step achieves'),
    tasks: z.array(z.object({ description: z.string().describe('What the agent must do'), agent })).describe('Tasks that can run in parallel'),
  });
}

function isPlanShape(value: unknown): value is OrchestratorPlan {
  return typeof value === 'object' && value !== null && Array.isArray((value as OrchestratorPlan).steps) && typeof (value as OrchestratorPlan).isComplete === 'boolean';
}

/** JSON out of a model's text (code fences and surrounding prose removed); other values as they are; `is_complete` read as `isComplete`. */
function readJson(value: unknown): unknown {
  let parsed = value;
  if (typeof value === 'string') {
    const text = value
      .trim()
      .replace(/^```[a-z]*\s*/i, '')
      .replace(/\s*```$/, '');
    const start = text.indexOf('{');
    const end = text.lastIndexOf('}');
    for (const candidate of [text, start >= 0 && end > start ? text.slice(start, end + 1) : undefined]) {
      if (candidate === undefined) continue;
      try {
        parsed = JSON.parse(candidate);
        break;
      } catch {
        // Not JSON: try the next candidate, else keep the text.
      }
    }
  }
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && !('isComplete' in parsed) && 'is_complete' in parsed) {
    const { is_complete: isComplete, ...rest } = parsed as Record<string, unknown>;
    return { ...rest, isComplete };
  }
  return parsed;
}

function pathOf(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(the answer)';
  return path.map((key, index) => (typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${String(key)}`)).join('');
}

function isStructuredOutputError(error: unknown): boolean {
  return WorkflowApplicationError.is(error) && error.type === 'StructuredOutputError';
}

/** The parameters passed on to the planner, workers and synthesizer: the caller's, without history or a system prompt. */
// The JSON Schemas shown to the planner depend only on the plan type and the workers' names, and
// making one takes longer than a model call's own bookkeeping: kept for the most recent teams.
const jsonSchemas = new Map<string, Record<string, unknown>>();
const JSON_SCHEMAS_KEPT = 64;

function cachedJsonSchema(kind: 'full' | 'next', names: readonly string[], make: () => z.ZodType): Record<string, unknown> {
  const key = `${kind}\u0000${names.join('\u0000')}`;
  let schema = jsonSchemas.get(key);
  if (schema === undefined) {
    schema = Object.freeze(z.toJSONSchema(make())) as Record<string, unknown>;
    if (jsonSchemas.size >= JSON_SCHEMAS_KEPT) jsonSchemas.delete(jsonSchemas.keys().next().value as string);
    jsonSchemas.set(key, schema);
  }
  return schema;
}

function forwardedParams(params: RequestParams): RequestParams {
  const { systemPrompt: _systemPrompt, ...rest } = params;
  return { ...rest, useHistory: false };
}

function workerInfo(name: string, source: AgentOrLlm): WorkerInfo {
  const agent = source instanceof Agent ? source : (source as { agent?: unknown }).agent;
  if (agent instanceof Agent) return { name, description: agent.instruction ?? 'An agent (no instruction given).', servers: [...agent.serverNames] };
  const kind = (source as { kind?: unknown }).kind;
  return { name, description: typeof kind === 'string' ? `A workflow pattern (${kind}) made of other agents.` : 'A model.', servers: [] };
}

function checkOverrides(overrides: OrchestratorOverrides, options: OrchestratorOptions): void {
  if (typeof overrides !== 'object' || overrides === null) throw new WorkflowUsageError(`overrides: expected an object, got ${describe(overrides)}`);
  for (const key of ['plannerInstruction', 'synthesizerInstruction'] as const) {
    const value = overrides[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value.trim() === '') throw new WorkflowUsageError(`overrides.${key}: expected a non-empty string, got ${describe(value)}`);
    const role = key === 'plannerInstruction' ? 'planner' : 'synthesizer';
    if (options[role] !== undefined) {
      throw new WorkflowUsageError(`overrides.${key} sets the default ${role}'s instruction, but a ${role} was given: put the instruction on the ${role} you pass`);
    }
  }
  for (const key of ['fullPlanPrompt', 'iterativePlanPrompt', 'taskPrompt', 'synthesizePrompt', 'planRetryPrompt'] as const) {
    const value = overrides[key];
    if (value !== undefined && typeof value !== 'function') {
      throw new WorkflowUsageError(`overrides.${key}: expected a function of the prompt's inputs that returns the prompt, got ${describe(value)}`);
    }
  }
}

function cloneStep(step: OrchestratorStep): OrchestratorStep {
  return { description: step.description, tasks: step.tasks.map((task) => ({ ...task })) };
}

function cloneStepResult(stepResult: StepResult): StepResult {
  return { step: cloneStep(stepResult.step), taskResults: stepResult.taskResults.map((taskResult) => ({ ...taskResult })) };
}

function clonePlanResult(planResult: PlanResult): PlanResult {
  return {
    objective: planResult.objective,
    plan: planResult.plan === undefined ? undefined : { steps: planResult.plan.steps.map(cloneStep), isComplete: planResult.plan.isComplete },
    stepResults: planResult.stepResults.map(cloneStepResult),
    isComplete: planResult.isComplete,
    ...(planResult.result === undefined ? {} : { result: planResult.result }),
  };
}
