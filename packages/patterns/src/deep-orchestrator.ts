/**
 * The deep orchestrator: the long-horizon orchestrator. It plans (sequential steps of parallel
 * tasks on named agents), runs a step at a time, extracts key facts from the results into a
 * knowledge base that later prompts include, checks its policy and budgets between steps,
 * replans when needed, and writes the final answer from the best it has. Safe for the workflow
 * sandbox; each step may run in a child workflow to keep histories small.
 */
import { z } from 'zod';
import {
  Agent,
  type GenerateResult,
  type LlmUsage,
  messageOf,
  type RequestParams,
  type StructuredSchema,
  type UsageNode,
  type UsageTotals,
  usageNode,
  WorkflowApplicationError,
  WorkflowUsageError,
} from '@mcp-agent/core/workflow';
import { currentWorkflowContext } from '@mcp-agent/core/engine/workflow';
import { type BudgetName, type BudgetReport, BudgetTracker, type DeepOrchestratorBudget, resolveBudget } from './deep-orchestrator-budget.js';
import { ExtractedKnowledgeSchema, type KnowledgeItem, KnowledgeBase } from './deep-orchestrator-knowledge.js';
import { type Plan, PlanSchema, type PlanStep, verifyPlan } from './deep-orchestrator-plan.js';
import {
  type AgentDescription,
  extractionPrompt,
  KNOWLEDGE_EXTRACTOR_INSTRUCTION,
  PLANNER_INSTRUCTION,
  planningPrompt,
  type StepOutcome,
  SYNTHESIZER_INSTRUCTION,
  synthesisPrompt,
  type TaskOutcome,
  taskPrompt,
  VERIFIER_INSTRUCTION,
  verificationPrompt,
} from './deep-orchestrator-prompts.js';
import {
  agentSpecOf,
  DEFAULT_STEP_WORKFLOW,
  type DeepOrchestratorStepInput,
  type DeepOrchestratorStepOutput,
  type DeepOrchestratorStepTask,
  runStepTasks,
} from './deep-orchestrator-step.js';
import { type AgentOrLlm, describe, isLlm, type Llm, type LlmChoice, type LlmFactory, llmFactoryOf, type Message, messageText, PatternLlm, toLlm, usageSince } from './llm.js';

/**
 * What the policy may decide after a step.
 *
 * @example
 * ```ts
 * const decide = (state: PolicyState): PolicyDecision | undefined => (state.knowledge.length >= 10 ? 'complete' : undefined);
 * ```
 */
export type PolicyDecision = 'continue' | 'replan' | 'complete' | 'stop';

/**
 * What the policy sees after a step.
 *
 * @example
 * ```ts
 * const decide = (state: PolicyState) => (state.failedTasks > 0 && state.remainingSteps === 0 ? 'replan' : undefined);
 * ```
 */
export interface PolicyState {
  /** The step just run, with its tasks' outcomes. */
  step: StepOutcome;
  /** Tasks of that step that failed. */
  failedTasks: number;
  /** Steps in a row (this one included) with a failed task. */
  consecutiveFailedSteps: number;
  /** Steps of the current plan still to run. */
  remainingSteps: number;
  /** Replans done so far, and at most. */
  replans: number;
  maxReplans: number;
  budget: BudgetReport;
  knowledge: readonly KnowledgeItem[];
}

/**
 * When the deep orchestrator replans, stops or calls the objective met. After each step it checks,
 * in order: the budgets (stop when one is used up), your `decide` (when it returns a decision),
 * failures (stop after `maxConsecutiveFailedSteps` failing steps; replan when a step has
 * `replanAfterFailedTasks` failed tasks), and the verifier (done when it says the objective is met
 * with `minConfidence`; when the plan has run out and it is not met, replan, or stop once
 * `maxReplans` is reached).
 *
 * @example
 * ```ts
 * const policy: DeepOrchestratorPolicy = { verify: 'each_step', minConfidence: 0.9, replanAfterFailedTasks: 2 };
 * ```
 */
export interface DeepOrchestratorPolicy {
  /** Failed tasks in one step that make it replan (while replans are left). Default 1. */
  replanAfterFailedTasks?: number;
  /** Steps in a row with failed tasks after which it stops and answers with what it has. Default 3. */
  maxConsecutiveFailedSteps?: number;
  /** When the verifier checks the objective: after every step, or when the plan has run out (default; one call less per step). */
  verify?: 'each_step' | 'end_of_plan';
  /** The verifier's confidence (0 to 1) needed to call the objective met. Default 0.8. */
  minConfidence?: number;
  /** The share of a budget at which no new step starts, keeping the rest for the final answer. Default 0.9. */
  budgetThreshold?: number;
  /**
   * Your own rule, asked after each step once the budgets are checked. Return a decision to
   * take it (`continue` skips the failure rules), or undefined to let the rules above decide.
   */
  decide?: (state: PolicyState) => PolicyDecision | undefined;
}

/**
 * Why a run stopped: `completed` (the verifier, the planner or your policy said the objective is
 * met), `budget_exceeded` (see `exceededBudget`), `max_replans` (the plans ran out, the objective
 * is not verified met, and no replans are left), `too_many_failures`, `stopped_by_policy`.
 *
 * @example
 * ```ts
 * if (result.stopReason === 'budget_exceeded') console.log(`stopped by the ${result.exceededBudget} budget`);
 * ```
 */
export type DeepOrchestratorStopReason = 'completed' | 'budget_exceeded' | 'max_replans' | 'too_many_failures' | 'stopped_by_policy';

/**
 * Options of {@link createDeepOrchestrator}.
 *
 * @example
 * ```ts
 * const options: DeepOrchestratorOptions = { availableAgents: [researcher, writer], budget: { maxTokens: 200_000 }, maxReplans: 2 };
 * ```
 */
export interface DeepOrchestratorOptions extends LlmChoice {
  /** The agents (or LLMs, or patterns) the planner may give tasks to, by name. */
  availableAgents: AgentOrLlm[];
  /** Default `deep-orchestrator`. */
  name?: string;
  /** Limits on tokens, cost and time; see {@link DeepOrchestratorBudget}. */
  budget?: DeepOrchestratorBudget;
  /** Steps run at most in one generate call (across plans). Default 20. */
  maxIterations?: number;
  /** New plans at most after the first. Default 3. */
  maxReplans?: number;
  /** Plans asked for at most each time it plans, when the planner's plans are rejected. Default 3. */
  maxPlanAttempts?: number;
  policy?: DeepOrchestratorPolicy;
  /**
   * Run each step's tasks in a child workflow (when running inside a workflow; outside one, they
   * run inline): `true` for the workflow `DeepOrchestratorStep`, or `{ workflow: 'Name' }`. Register
   * it with `defineDeepOrchestratorStepWorkflow(app)`.
   */
  childWorkflows?: boolean | { workflow?: string };
}

/**
 * A task of the step being run.
 *
 * @example
 * ```ts
 * const task: DeepOrchestratorTaskInfo = { name: 'find', agent: 'researcher', description: 'Find sources' };
 * ```
 */
export interface DeepOrchestratorTaskInfo {
  name: string;
  agent: string;
  description: string;
}

/**
 * A snapshot of a run, plain JSON, for a workflow query.
 *
 * @example
 * ```ts
 * @app.workflowQuery
 * progress() { return this.orchestrator.progress(); }
 * ```
 */
export interface DeepOrchestratorProgress {
  status: 'idle' | 'planning' | 'executing' | 'extracting' | 'verifying' | 'synthesizing' | 'done' | 'failed';
  objective?: string;
  /** The plan being followed, as the planner gave it. */
  plan?: Plan;
  /** The step running now. */
  currentStep?: { number: number; description: string; tasks: DeepOrchestratorTaskInfo[] };
  completedSteps: StepOutcome[];
  knowledge: KnowledgeItem[];
  budget: BudgetReport;
  replans: number;
  stopReason?: DeepOrchestratorStopReason;
  exceededBudget?: BudgetName;
  /** Things that went wrong without stopping the run (a knowledge extraction that failed, ...). */
  warnings: string[];
}

/**
 * What {@link DeepOrchestrator.orchestrate} returns: the answer, why the work stopped, and the work.
 *
 * @example
 * ```ts
 * const { text, stopReason, exceededBudget } = await orchestrator.orchestrate('Compare the three vendors');
 * ```
 */
export interface DeepOrchestratorResult {
  text: string;
  stopReason: DeepOrchestratorStopReason;
  exceededBudget?: BudgetName;
  steps: StepOutcome[];
  knowledge: KnowledgeItem[];
  budget: BudgetReport;
  replans: number;
  /** Tokens of the whole run, final answer included. */
  usage: LlmUsage;
  /** The final answer's own generate result. */
  synthesis: GenerateResult;
}

const VerificationSchema = z.object({
  isComplete: z.boolean().describe('True when the objective is met by the work done'),
  confidence: z.number().describe('How sure you are, from 0 to 1'),
  reasoning: z.string().describe('Why'),
  missing: z.array(z.string()).describe('What is still missing; empty when nothing is'),
});
type Verification = z.infer<typeof VerificationSchema>;

const RUN_PARAMS: RequestParams = { useHistory: false };

const BUDGET_WORDS: Record<BudgetName, string> = { tokens: 'token budget', costUsd: 'cost budget', time: 'time budget', iterations: 'step limit (maxIterations)' };

function wholeNumber(value: unknown, what: string, minimum: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum) {
    throw new WorkflowUsageError(`${what}: expected a whole number >= ${minimum}, got ${JSON.stringify(value) ?? String(value)}`);
  }
  return value;
}

function share(value: unknown, what: string, fallback: number, allowZero: boolean): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value) || value > 1 || value < 0 || (!allowZero && value === 0)) {
    throw new WorkflowUsageError(`${what}: expected a number ${allowZero ? 'from 0' : 'above 0 and up'} to 1, got ${JSON.stringify(value) ?? String(value)}`);
  }
  return value;
}

function isStructuredOutputError(error: unknown): error is WorkflowApplicationError {
  return WorkflowApplicationError.is(error) && (error as WorkflowApplicationError).type === 'StructuredOutputError';
}

function emptyNode(name: string, kind: string): UsageNode {
  return { name, kind, usage: { calls: 0, inputTokens: 0, outputTokens: 0, totalTokens: 0, costUsd: 0 }, children: [] };
}

/** One node for a worker used inline and in child workflows: usage and models added up. */
function mergeNodes(name: string, nodes: readonly UsageNode[]): UsageNode {
  if (nodes.length === 1) return nodes[0] as UsageNode;
  if (nodes.length === 0) return emptyNode(name, 'llm');
  const sum = usageNode(name, nodes[0]?.kind ?? 'llm', nodes);
  const models: Record<string, UsageTotals> = {};
  for (const node of nodes) {
    for (const [model, totals] of Object.entries(node.models ?? {})) {
      const into = (models[model] ??= { calls: 0, inputTokens: 0, outputTokens: 0, totalTokens: 0, costUsd: 0 });
      into.calls += totals.calls;
      into.inputTokens += totals.inputTokens;
      into.outputTokens += totals.outputTokens;
      into.totalTokens += totals.totalTokens;
      into.costUsd = Math.round((into.costUsd + totals.costUsd) * 1e9) / 1e9;
    }
  }
  return { ...sum, ...(Object.keys(models).length > 0 ? { models } : {}), children: nodes.flatMap((node) => node.children) };
}

function workerDescription(item: AgentOrLlm): string {
  const held = (item as { agent?: unknown }).agent;
  const agent = item instanceof Agent ? item : held instanceof Agent ? held : undefined;
  if (agent !== undefined) {
    const servers = agent.serverNames.length > 0 ? ` (tools from: ${agent.serverNames.join(', ')})` : '';
    return `${agent.instruction ?? 'a general assistant'}${servers}`;
  }
  const kind = (item as { kind?: unknown }).kind;
  return typeof kind === 'string' ? `a ${kind} of agents` : 'a general assistant';
}

function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * The deep orchestrator, for objectives that take many steps. It asks a planner for a plan
 * (zod-validated: steps of parallel tasks, each on one of `availableAgents`, with the earlier tasks
 * whose results it needs and the facts it needs), checks it (unknown agents, empty steps,
 * duplicate names, bad dependencies) and sends the errors back, up to `maxPlanAttempts` times,
 * then fails with a `PlanError`. It runs a step at a time, its tasks in parallel (inline, or in a
 * child workflow per step), then has an extractor take the key facts of the results into its
 * knowledge base, which later task prompts, the verifier, the planner and the synthesizer see.
 * Between steps it checks its budgets (tokens, cost, workflow time, steps) and its policy, replans
 * when told (at most `maxReplans` times), and finally a synthesizer writes the answer from the
 * work done, also when a budget stopped it early.
 *
 * One run at a time per instance; each generate call starts with a new plan and an empty
 * knowledge base. `progress()` reads the run's state (for a workflow query); `usageTree()` has
 * the planner, knowledge extractor, verifier, workers and synthesizer. The planner and the other
 * helpers are agents named `planner`, `knowledge-extractor`, `verifier` and `synthesizer`, given
 * their LLMs by `llmFactory` (or `provider` and `model`), which may choose by name.
 *
 * @example
 * ```ts
 * const orchestrator = createDeepOrchestrator({ availableAgents: [researcher, analyst, writer], budget: { maxTokens: 300_000 } });
 * const { text, stopReason } = await orchestrator.orchestrate('Write a market study of electric bikes in France');
 * ```
 */
export class DeepOrchestrator extends PatternLlm {
  readonly kind = 'deep-orchestrator';
  readonly maxIterations: number;
  readonly maxReplans: number;
  readonly maxPlanAttempts: number;
  readonly #workers: ReadonlyMap<string, AgentOrLlm>;
  readonly #workerLlms = new Map<string, Promise<Llm>>();
  readonly #childUsage = new Map<string, UsageNode[]>();
  readonly #factory: LlmFactory;
  readonly #choice: LlmChoice;
  readonly #policy: Required<Omit<DeepOrchestratorPolicy, 'decide'>> & Pick<DeepOrchestratorPolicy, 'decide'>;
  readonly #budget: BudgetTracker;
  readonly #childWorkflow: string | undefined;
  readonly #helpers = new Map<string, Llm>();
  readonly #helperPromises = new Map<string, Promise<Llm>>();
  readonly #knowledge = new KnowledgeBase();
  #running = false;
  #state: Omit<DeepOrchestratorProgress, 'knowledge' | 'budget'> = { status: 'idle', completedSteps: [], replans: 0, warnings: [] };
  #results = new Map<string, TaskOutcome>();

  constructor(options: DeepOrchestratorOptions) {
    if (typeof options !== 'object' || options === null) throw new WorkflowUsageError(`createDeepOrchestrator: expected options { availableAgents, ... }, got ${describe(options)}`);
    super(options.name ?? 'deep-orchestrator');
    const agents = options.availableAgents;
    if (!Array.isArray(agents) || agents.length === 0) {
      throw new WorkflowUsageError(`createDeepOrchestrator: availableAgents must be a non-empty array of Agents, LLMs or patterns, got ${describe(agents)}`);
    }
    const workers = new Map<string, AgentOrLlm>();
    agents.forEach((item, index) => {
      if (!(item instanceof Agent) && !isLlm(item)) {
        throw new WorkflowUsageError(`createDeepOrchestrator: availableAgents[${index}] is ${describe(item)}; expected an Agent, an AugmentedLLM or a pattern`);
      }
      if (workers.has(item.name))
        throw new WorkflowUsageError(`createDeepOrchestrator: two available agents are named "${item.name}"; the planner picks agents by name, so give each a distinct name`);
      workers.set(item.name, item);
    });
    this.#workers = workers;
    this.#choice = { ...(options.provider === undefined ? {} : { provider: options.provider }), ...(options.model === undefined ? {} : { model: options.model }) };
    if (options.requestParams !== undefined) this.#choice.requestParams = options.requestParams;
    if (options.llmFactory !== undefined) {
      if (typeof options.llmFactory !== 'function')
        throw new WorkflowUsageError(`createDeepOrchestrator: llmFactory must be a function (agent) => LLM, got ${describe(options.llmFactory)}`);
      this.#choice.llmFactory = options.llmFactory;
    }
    this.#factory = llmFactoryOf(this.#choice);
    this.maxIterations = wholeNumber(options.maxIterations, 'createDeepOrchestrator: maxIterations', 1, 20);
    this.maxReplans = wholeNumber(options.maxReplans, 'createDeepOrchestrator: maxReplans', 0, 3);
    this.maxPlanAttempts = wholeNumber(options.maxPlanAttempts, 'createDeepOrchestrator: maxPlanAttempts', 1, 3);
    const policy = options.policy ?? {};
    if (typeof policy !== 'object' || policy === null) throw new WorkflowUsageError(`createDeepOrchestrator: policy must be an object, got ${describe(policy)}`);
    if (policy.verify !== undefined && policy.verify !== 'each_step' && policy.verify !== 'end_of_plan') {
      throw new WorkflowUsageError(`createDeepOrchestrator: policy.verify must be 'each_step' or 'end_of_plan', got ${JSON.stringify(policy.verify)}`);
    }
    if (policy.decide !== undefined && typeof policy.decide !== 'function') {
      throw new WorkflowUsageError(`createDeepOrchestrator: policy.decide must be a function (state) => decision, got ${describe(policy.decide)}`);
    }
    this.#policy = {
      replanAfterFailedTasks: wholeNumber(policy.replanAfterFailedTasks, 'createDeepOrchestrator: policy.replanAfterFailedTasks', 1, 1),
      maxConsecutiveFailedSteps: wholeNumber(policy.maxConsecutiveFailedSteps, 'createDeepOrchestrator: policy.maxConsecutiveFailedSteps', 1, 3),
      verify: policy.verify ?? 'end_of_plan',
      minConfidence: share(policy.minConfidence, 'createDeepOrchestrator: policy.minConfidence', 0.8, true),
      budgetThreshold: share(policy.budgetThreshold, 'createDeepOrchestrator: policy.budgetThreshold', 0.9, false),
      ...(policy.decide === undefined ? {} : { decide: policy.decide }),
    };
    this.#budget = new BudgetTracker(resolveBudget(options.budget, this.maxIterations), this.#policy.budgetThreshold);
    const child = options.childWorkflows;
    if (child === undefined || child === false) this.#childWorkflow = undefined;
    else if (child === true) this.#childWorkflow = DEFAULT_STEP_WORKFLOW;
    else if (typeof child === 'object' && child !== null && (child.workflow === undefined || (typeof child.workflow === 'string' && child.workflow.trim() !== ''))) {
      this.#childWorkflow = child.workflow ?? DEFAULT_STEP_WORKFLOW;
    } else {
      throw new WorkflowUsageError(`createDeepOrchestrator: childWorkflows must be true, false or { workflow: 'DeepOrchestratorStep' }, got ${JSON.stringify(child)}`);
    }
  }

  /** The names of the agents the planner may use. */
  get agentNames(): string[] {
    return [...this.#workers.keys()];
  }

  /** The state of the current (or last) run, as plain JSON. */
  progress(): DeepOrchestratorProgress {
    return copy({ ...this.#state, knowledge: [...this.#knowledge.items], budget: this.#budget.report() });
  }

  usageTree(): UsageNode {
    const helper = (name: string): UsageNode => this.#helpers.get(name)?.usageTree() ?? emptyNode(name, 'llm');
    const workers = [...this.#workers.keys()].map((name) => {
      const inline = this.#helpers.get(`worker:${name}`);
      return mergeNodes(name, [...(inline === undefined ? [] : [inline.usageTree()]), ...(this.#childUsage.get(name) ?? [])]);
    });
    return usageNode(this.name, this.kind, [helper('planner'), helper('knowledge-extractor'), helper('verifier'), usageNode('workers', 'workers', workers), helper('synthesizer')]);
  }

  protected structuringLlm(): Promise<Llm> {
    return this.#helper('synthesizer', SYNTHESIZER_INSTRUCTION);
  }

  /** The LLM of a helper agent, made once. */
  #helper(name: string, instruction: string): Promise<Llm> {
    let made = this.#helperPromises.get(name);
    if (made === undefined) {
      made = Promise.resolve(this.#factory(new Agent({ name, instruction }))).then((llm) => {
        this.#helpers.set(name, llm);
        return llm;
      });
      this.#helperPromises.set(name, made);
    }
    return made;
  }

  #worker(name: string): Promise<Llm> {
    let made = this.#workerLlms.get(name);
    if (made === undefined) {
      const item = this.#workers.get(name);
      if (item === undefined) return Promise.reject(new WorkflowUsageError(`deep orchestrator "${this.name}": no agent "${name}"`));
      made = toLlm(item, this.#factory).then((llm) => {
        this.#helpers.set(`worker:${name}`, llm);
        return llm;
      });
      this.#workerLlms.set(name, made);
    }
    return made;
  }

  async generate(message: Message, params: RequestParams = {}): Promise<GenerateResult> {
    const result = await this.orchestrate(message, params);
    return { ...result.synthesis, usage: result.usage };
  }

  /**
   * Runs the orchestrator on an objective and returns the answer with why it stopped, the steps
   * run, the knowledge gathered and the budget spent. `params` apply to the final answer.
   *
   * @throws WorkflowApplicationError `PlanError` (non-retryable) when the planner gives no valid plan in `maxPlanAttempts` tries.
   */
  async orchestrate(message: Message, params: RequestParams = {}): Promise<DeepOrchestratorResult> {
    if (this.#running) {
      throw new WorkflowUsageError(`deep orchestrator "${this.name}" is already running; it runs one objective at a time, so make another instance to run two at once`);
    }
    this.#running = true;
    const before = this.usageTree().usage;
    this.#budget.start(before);
    this.#knowledge.clear();
    this.#results = new Map();
    const objective = messageText(message);
    this.#state = { status: 'planning', objective, completedSteps: [], replans: 0, warnings: [] };
    try {
      const { stopReason, exceededBudget } = await this.#execute(objective);
      this.#state.stopReason = stopReason;
      if (exceededBudget !== undefined) this.#state.exceededBudget = exceededBudget;
      delete this.#state.currentStep;
      this.#state.status = 'synthesizing';
      const synthesizer = await this.#helper('synthesizer', SYNTHESIZER_INSTRUCTION);
      const synthesis = await synthesizer.generate(synthesisPrompt(objective, this.#state.completedSteps, this.#knowledge.relevant([], 50), this.#stopNote(stopReason, exceededBudget)), {
        ...params,
        useHistory: false,
      });
      this.#state.status = 'done';
      this.#spend();
      const after = this.usageTree().usage;
      return {
        text: synthesis.text,
        stopReason,
        ...(exceededBudget === undefined ? {} : { exceededBudget }),
        steps: copy(this.#state.completedSteps),
        knowledge: [...this.#knowledge.items],
        budget: this.#budget.report(),
        replans: this.#state.replans,
        usage: usageSince(before, after),
        synthesis,
      };
    } catch (error) {
      this.#state.status = 'failed';
      throw error;
    } finally {
      this.#running = false;
    }
  }

  #stopNote(stopReason: DeepOrchestratorStopReason, budget: BudgetName | undefined): string | undefined {
    switch (stopReason) {
      case 'completed':
        return undefined;
      case 'budget_exceeded':
        return `The work was stopped before the plan was finished because the ${BUDGET_WORDS[budget ?? 'tokens']} was used up. Answer as well as the work done allows, and say what is missing.`;
      case 'max_replans':
        return 'The work was stopped without the objective being verified as met, after the allowed number of new plans. Answer as well as the work done allows, and say what is missing.';
      case 'too_many_failures':
        return 'The work was stopped because too many tasks failed. Answer as well as the work done allows, and say what is missing.';
      case 'stopped_by_policy':
        return 'The work was stopped early. Answer as well as the work done allows, and say what is missing.';
    }
  }

  #spend(): BudgetReport {
    this.#budget.update(this.usageTree().usage, this.#state.completedSteps.length);
    return this.#budget.report();
  }

  /** Plans, runs steps and applies the policy; returns why it stopped. */
  async #execute(objective: string): Promise<{ stopReason: DeepOrchestratorStopReason; exceededBudget?: BudgetName }> {
    const first = await this.#plan(objective, undefined);
    if (first.isComplete) return { stopReason: 'completed' };
    let queue: PlanStep[] = [...first.steps];
    let consecutiveFailedSteps = 0;
    for (;;) {
      this.#spend();
      const exhausted = this.#budget.exhausted(true);
      if (exhausted !== undefined) return { stopReason: 'budget_exceeded', exceededBudget: exhausted };
      const next = queue.shift();
      if (next === undefined) return { stopReason: 'max_replans' };
      const step = await this.#runStep(objective, next);
      await this.#extract(objective, step);
      const budget = this.#spend();
      const exhaustedAfter = this.#budget.exhausted(false);
      if (exhaustedAfter !== undefined) return { stopReason: 'budget_exceeded', exceededBudget: exhaustedAfter };

      const failed = step.tasks.filter((task) => task.error !== undefined);
      consecutiveFailedSteps = failed.length > 0 ? consecutiveFailedSteps + 1 : 0;
      const state: PolicyState = {
        step: copy(step),
        failedTasks: failed.length,
        consecutiveFailedSteps,
        remainingSteps: queue.length,
        replans: this.#state.replans,
        maxReplans: this.maxReplans,
        budget,
        knowledge: copy([...this.#knowledge.items]),
      };
      const decision = this.#policy.decide?.(state);
      if (decision !== undefined && decision !== 'continue' && decision !== 'replan' && decision !== 'complete' && decision !== 'stop') {
        throw new WorkflowUsageError(
          `deep orchestrator "${this.name}": policy.decide returned ${JSON.stringify(decision)}; return 'continue', 'replan', 'complete', 'stop' or undefined`,
        );
      }
      if (decision === 'stop') return { stopReason: 'stopped_by_policy' };
      if (decision === 'complete') return { stopReason: 'completed' };
      let replanReason: string | undefined;
      if (decision === 'replan') replanReason = `After step ${step.number}, the policy asked for a new plan.`;
      else if (decision === undefined && failed.length > 0) {
        if (consecutiveFailedSteps >= this.#policy.maxConsecutiveFailedSteps) return { stopReason: 'too_many_failures' };
        if (failed.length >= this.#policy.replanAfterFailedTasks) {
          replanReason = `Tasks of step ${step.number} failed:\n${failed.map((task) => `- ${task.name} (${task.agent}): ${task.error}`).join('\n')}`;
        }
      }
      if (replanReason !== undefined && this.#state.replans < this.maxReplans) {
        const plan = await this.#plan(objective, replanReason);
        if (plan.isComplete) return { stopReason: 'completed' };
        queue = [...plan.steps];
        continue;
      }
      if (queue.length === 0 || this.#policy.verify === 'each_step') {
        const verification = await this.#verify(objective, queue);
        if (verification.isComplete && verification.confidence >= this.#policy.minConfidence) return { stopReason: 'completed' };
        if (queue.length === 0) {
          if (this.#state.replans >= this.maxReplans) return { stopReason: 'max_replans' };
          const missing = verification.missing.length > 0 ? `\nMissing:\n${verification.missing.map((item) => `- ${item}`).join('\n')}` : '';
          const plan = await this.#plan(objective, `The plan is done but the objective is not met yet: ${verification.reasoning}${missing}`);
          if (plan.isComplete) return { stopReason: 'completed' };
          queue = [...plan.steps];
        }
      }
    }
  }

  /** Asks the planner for a valid plan, sending back the errors of rejected ones; counts a replan when `reason` is set. */
  async #plan(objective: string, reason: string | undefined): Promise<Plan> {
    this.#state.status = 'planning';
    const planner = await this.#helper('planner', PLANNER_INSTRUCTION);
    const agents: AgentDescription[] = [...this.#workers.entries()].map(([name, item]) => ({ name, description: workerDescription(item) }));
    const done = new Set(this.#results.keys());
    let rejected: { plan: unknown; errors: string[] } | undefined;
    for (let attempt = 1; attempt <= this.maxPlanAttempts; attempt += 1) {
      const prompt = planningPrompt({
        objective,
        agents,
        completedSteps: this.#state.completedSteps,
        knowledge: this.#knowledge.relevant([], 30),
        replanReason: reason,
        rejected,
      });
      let plan: Plan;
      try {
        plan = await planner.generateStructured(prompt, PlanSchema as StructuredSchema<Plan>, { ...RUN_PARAMS, name: 'plan' });
      } catch (error) {
        if (!isStructuredOutputError(error)) throw error;
        rejected = { plan: '(not a plan matching the schema)', errors: [messageOf(error)] };
        continue;
      }
      const errors = verifyPlan(plan, this.agentNames, done);
      if (errors.length === 0) {
        if (reason !== undefined) this.#state.replans += 1;
        this.#state.plan = plan;
        return plan;
      }
      rejected = { plan, errors };
    }
    throw new WorkflowApplicationError(
      `deep orchestrator "${this.name}": the planner gave no valid plan in ${this.maxPlanAttempts} attempt${this.maxPlanAttempts === 1 ? '' : 's'}; the last one was rejected because: ${(rejected?.errors ?? []).join('; ')}`,
      { type: 'PlanError', nonRetryable: true, details: [rejected?.errors ?? []] },
    );
  }

  /** Runs one step's tasks (inline or in a child workflow) and records their outcomes. */
  async #runStep(objective: string, planned: PlanStep): Promise<StepOutcome> {
    const number = this.#state.completedSteps.length + 1;
    this.#state.status = 'executing';
    this.#state.currentStep = { number, description: planned.description, tasks: planned.tasks.map(({ name, agent, description }) => ({ name, agent, description })) };
    const tasks: DeepOrchestratorStepTask[] = planned.tasks.map((task) => ({
      name: task.name,
      agent: task.agent,
      description: task.description,
      prompt: taskPrompt({
        objective,
        name: task.name,
        description: task.description,
        knowledge: this.#knowledge.relevant(task.requiredKnowledge),
        dependencies: task.dependsOn.map((name) => this.#results.get(name)).filter((outcome): outcome is TaskOutcome => outcome !== undefined),
      }),
    }));
    const context = currentWorkflowContext();
    let outcomes: TaskOutcome[];
    if (this.#childWorkflow !== undefined && context !== undefined) {
      const names = [...new Set(tasks.map((task) => task.agent))];
      const input: DeepOrchestratorStepInput = {
        orchestrator: this.name,
        step: { number, description: planned.description },
        tasks,
        agents: names.map((name) => agentSpecOf(this.#workers.get(name) as AgentOrLlm, this.#choice)),
      };
      const handle = await context.startChild<DeepOrchestratorStepOutput>(this.#childWorkflow, input, undefined);
      const output = (await handle.result()).value;
      if (output === undefined || !Array.isArray(output.results) || output.results.length !== tasks.length) {
        throw new WorkflowApplicationError(
          `deep orchestrator "${this.name}": the step workflow "${this.#childWorkflow}" returned ${describe(output)}, not the results of the ${tasks.length} tasks; register it with defineDeepOrchestratorStepWorkflow(app)`,
          { type: 'StepWorkflowError', nonRetryable: true },
        );
      }
      for (const node of output.usage ?? []) this.#childUsage.set(node.name, [...(this.#childUsage.get(node.name) ?? []), node]);
      outcomes = output.results;
    } else {
      outcomes = await runStepTasks(tasks, (name) => this.#worker(name));
    }
    const step: StepOutcome = { number, description: planned.description, tasks: outcomes };
    for (const outcome of outcomes) this.#results.set(outcome.name, outcome);
    this.#state.completedSteps.push(step);
    delete this.#state.currentStep;
    return step;
  }

  /**
   * Asks for structured output, sending a rejected answer's error back once; returns undefined
   * (and records a warning) when both answers are rejected.
   */
  async #structured<T>(llm: Llm, prompt: string, schema: StructuredSchema<T>, name: string, what: string): Promise<T | undefined> {
    let current = prompt;
    for (let attempt = 1; attempt <= 2; attempt += 1) {
      try {
        return await llm.generateStructured(current, schema, { ...RUN_PARAMS, name });
      } catch (error) {
        if (!isStructuredOutputError(error)) throw error;
        if (attempt === 2) {
          this.#state.warnings.push(`${what}: ${messageOf(error)}`);
          return undefined;
        }
        current = `${prompt}\n\nYour previous answer was rejected: ${messageOf(error)}\nAnswer again, matching the requested structure.`;
      }
    }
    return undefined;
  }

  /** Has the extractor take the key facts of a step's results into the knowledge base. */
  async #extract(objective: string, step: StepOutcome): Promise<void> {
    if (!step.tasks.some((task) => task.error === undefined && (task.output ?? '') !== '')) return;
    this.#state.status = 'extracting';
    const extractor = await this.#helper('knowledge-extractor', KNOWLEDGE_EXTRACTOR_INSTRUCTION);
    const extracted = await this.#structured(
      extractor,
      extractionPrompt(objective, step),
      ExtractedKnowledgeSchema,
      'knowledge',
      `knowledge extraction after step ${step.number} failed`,
    );
    if (extracted === undefined) return;
    this.#knowledge.add(extracted.facts.slice(0, 10).map((fact) => ({ ...fact, step: step.number })));
  }

  /** Asks the verifier whether the objective is met; a failed verification counts as not met. */
  async #verify(objective: string, remaining: PlanStep[]): Promise<Verification> {
    this.#state.status = 'verifying';
    const verifier = await this.#helper('verifier', VERIFIER_INSTRUCTION);
    const prompt = verificationPrompt(objective, this.#state.completedSteps, this.#knowledge.relevant([], 30), remaining);
    return (
      (await this.#structured(verifier, prompt, VerificationSchema, 'verification', 'verification failed')) ?? {
        isComplete: false,
        confidence: 0,
        reasoning: 'the verifier gave no valid answer',
        missing: [],
      }
    );
  }
}

/**
 * Makes a {@link DeepOrchestrator}: plan, run step by step with knowledge between steps, replan
 * under a policy, stop within budgets, and answer.
 *
 * @example
 * ```ts
 * const orchestrator = createDeepOrchestrator({
 *   availableAgents: [researcher, writer],
 *   model: 'gpt-4o',
 *   budget: { maxTokens: 200_000, maxCostUsd: 2, maxTime: '20 minutes' },
 *   childWorkflows: true, // with defineDeepOrchestratorStepWorkflow(app) in the workflow code
 * });
 * const answer = await orchestrator.generateStr('Research and write a report on heat pumps');
 * ```
 */
export function createDeepOrchestrator(options: DeepOrchestratorOptions): DeepOrchestrator {
  return new DeepOrchestrator(options);
}
