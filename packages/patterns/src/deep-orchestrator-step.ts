/**
 * Running one step of a deep orchestrator's plan: its tasks in parallel, inline or in a child
 * workflow (so a long plan keeps each workflow history small). Safe for the workflow sandbox.
 */
import {
  Agent,
  AugmentedLLM,
  isCancellation,
  messageOf,
  type RequestParams,
  type UsageNode,
  Workflow,
  type WorkflowClass,
  type WorkflowOptions,
  WorkflowResult,
  WorkflowUsageError,
} from '@mcp-agent/core/workflow';
import type { TaskOutcome } from './deep-orchestrator-prompts.js';
import { type AgentOrLlm, describe, isLlm, type Llm, type LlmChoice, type LlmFactory, llmFactoryOf, toLlm } from './llm.js';

/**
 * The name the step workflow is registered under unless told otherwise.
 *
 * @example
 * ```ts
 * createDeepOrchestrator({ availableAgents, childWorkflows: { workflow: DEFAULT_STEP_WORKFLOW } });
 * ```
 */
export const DEFAULT_STEP_WORKFLOW = 'DeepOrchestratorStep';

/**
 * A worker as a child workflow receives it: what it takes to make the same agent and LLM again.
 *
 * @example
 * ```ts
 * const spec: DeepOrchestratorAgentSpec = { name: 'researcher', instruction: 'You research.', serverNames: ['fetch'], provider: 'openai', model: 'gpt-4o' };
 * ```
 */
export interface DeepOrchestratorAgentSpec {
  name: string;
  instruction?: string;
  serverNames: string[];
  /** The provider of its LLM; unset when the orchestrator was given an `llmFactory`. */
  provider?: string;
  model?: string;
  requestParams?: RequestParams;
  /** Set when the worker is a pattern (its kind): the step workflow's `agents` option must give it. */
  pattern?: string;
  /** The names of the agent's local tools: functions can't travel as data, so the step workflow's `agents` option must give it. */
  localTools?: string[];
  /** The agent's `allowedTools`, when names. */
  allowedTools?: string[];
  /** Set when the agent's `allowedTools` is a predicate, which can't travel as data either. */
  filtersTools?: boolean;
}

/**
 * One task of a step, with the prompt its worker gets.
 *
 * @example
 * ```ts
 * const task: DeepOrchestratorStepTask = { name: 'find', agent: 'researcher', description: 'Find sources', prompt: '<task>...</task>' };
 * ```
 */
export interface DeepOrchestratorStepTask {
  name: string;
  agent: string;
  description: string;
  prompt: string;
}

/**
 * The input of the step workflow.
 *
 * @example
 * ```ts
 * const input: DeepOrchestratorStepInput = { orchestrator: 'research', step: { number: 1, description: 'Gather' }, tasks: [], agents: [] };
 * ```
 */
export interface DeepOrchestratorStepInput {
  /** The orchestrator's name. */
  orchestrator: string;
  step: { number: number; description: string };
  tasks: DeepOrchestratorStepTask[];
  /** The workers the tasks name. */
  agents: DeepOrchestratorAgentSpec[];
}

/**
 * What the step workflow returns: each task's outcome, in the tasks' order, and its workers'
 * usage trees (the orchestrator adds them to its own).
 *
 * @example
 * ```ts
 * const output: DeepOrchestratorStepOutput = { results: [{ name: 'find', agent: 'researcher', description: 'Find', output: '...' }], usage: [] };
 * ```
 */
export interface DeepOrchestratorStepOutput {
  results: TaskOutcome[];
  usage: UsageNode[];
}

/**
 * Options of {@link defineDeepOrchestratorStepWorkflow} and {@link runDeepOrchestratorStep}.
 *
 * @example
 * ```ts
 * const options: DeepOrchestratorStepOptions = { agents: (spec) => (spec.name === 'calculator' ? calculatorAgent : undefined) };
 * ```
 */
export interface DeepOrchestratorStepOptions {
  /** The workflow name; must match the orchestrator's `childWorkflows.workflow`. Default `DeepOrchestratorStep`. */
  name?: string;
  /** Makes workers' LLMs; default: by each spec's provider, model and request parameters. */
  llmFactory?: LlmFactory;
  /**
   * Gives the worker for a spec, or undefined to build it from the spec. Required for workers
   * that cannot travel as data: patterns, and agents with local functions (`functions`).
   */
  agents?: (spec: DeepOrchestratorAgentSpec) => AgentOrLlm | undefined;
}

/** What a worker's failure is: anything but cancellation and misuse, which end the run. */
function isTaskFailure(error: unknown): boolean {
  return !isCancellation(error) && !(error instanceof WorkflowUsageError);
}

/**
 * Runs the tasks of a step in parallel, each on its worker; a task that fails gives an outcome
 * with `error` rather than failing the step.
 *
 * @example
 * ```ts
 * const outcomes = await runStepTasks(tasks, async (name) => llms[name]);
 * ```
 */
export async function runStepTasks(tasks: readonly DeepOrchestratorStepTask[], workerOf: (agent: string) => Promise<Llm>): Promise<TaskOutcome[]> {
  return Promise.all(
    tasks.map(async (task): Promise<TaskOutcome> => {
      const base = { name: task.name, agent: task.agent, description: task.description };
      try {
        const worker = await workerOf(task.agent);
        const result = await worker.generate(task.prompt, { useHistory: false });
        return { ...base, output: result.text };
      } catch (error) {
        if (!isTaskFailure(error)) throw error;
        return { ...base, error: messageOf(error) };
      }
    }),
  );
}

/**
 * The spec of a worker, for a child workflow.
 *
 * @example
 * ```ts
 * agentSpecOf(new Agent({ name: 'researcher', serverNames: ['fetch'] }), { model: 'gpt-4o' });
 * // { name: 'researcher', serverNames: ['fetch'], provider: 'openai', model: 'gpt-4o' }
 * ```
 */
export function agentSpecOf(item: AgentOrLlm, choice: LlmChoice): DeepOrchestratorAgentSpec {
  if (item instanceof Agent) {
    const allowed = item.allowedTools;
    return {
      name: item.name,
      ...(item.instruction === undefined ? {} : { instruction: item.instruction }),
      serverNames: [...item.serverNames],
      ...(item.localFunctions.length === 0 ? {} : { localTools: item.localFunctions.map((fn) => fn.name) }),
      ...(Array.isArray(allowed) ? { allowedTools: [...allowed] } : typeof allowed === 'function' ? { filtersTools: true } : {}),
      ...(choice.llmFactory === undefined ? { provider: choice.provider ?? 'openai' } : {}),
      ...(choice.llmFactory === undefined && choice.model !== undefined ? { model: choice.model } : {}),
      ...(choice.llmFactory === undefined && choice.requestParams !== undefined ? { requestParams: choice.requestParams } : {}),
    };
  }
  if (item instanceof AugmentedLLM) {
    const { model, ...requestParams } = item.defaultParams;
    return {
      name: item.name,
      ...(item.agent.instruction === undefined ? {} : { instruction: item.agent.instruction }),
      serverNames: [...item.agent.serverNames],
      provider: item.provider,
      ...(model === undefined ? {} : { model }),
      ...(Object.keys(requestParams).length === 0 ? {} : { requestParams }),
    };
  }
  return { name: item.name, serverNames: [], pattern: (item as { kind?: unknown }).kind === undefined ? 'llm' : String((item as { kind?: unknown }).kind) };
}

async function workerFromSpec(spec: DeepOrchestratorAgentSpec, options: DeepOrchestratorStepOptions): Promise<Llm> {
  const factory =
    options.llmFactory ??
    llmFactoryOf({
      ...(spec.provider === undefined ? {} : { provider: spec.provider }),
      ...(spec.model === undefined ? {} : { model: spec.model }),
      ...(spec.requestParams === undefined ? {} : { requestParams: spec.requestParams }),
    });
  const given = options.agents?.(spec);
  if (given !== undefined) {
    if (!(given instanceof Agent) && !isLlm(given)) {
      throw new WorkflowUsageError(`deep orchestrator step: agents(spec) for "${spec.name}" returned ${describe(given)}; return an Agent, an LLM, a pattern or undefined`);
    }
    return toLlm(given, factory);
  }
  const fix = `give it in the step workflow's options: defineDeepOrchestratorStepWorkflow(app, { agents: (spec) => (spec.name === '${spec.name}' ? theWorker : undefined) })`;
  if (spec.localTools !== undefined || spec.filtersTools === true) {
    throw new WorkflowUsageError(
      `deep orchestrator step: the worker "${spec.name}" has ${spec.localTools !== undefined ? `local tools (${spec.localTools.join(', ')})` : 'an allowedTools predicate'}, which cannot be sent to a child workflow as data; ${fix}`,
    );
  }
  if (spec.provider === undefined && spec.pattern === undefined && options.llmFactory === undefined) {
    throw new WorkflowUsageError(
      `deep orchestrator step: the orchestrator makes its workers' LLMs with an llmFactory, which cannot be sent to a child workflow; ` +
        `give the same factory to the step workflow: defineDeepOrchestratorStepWorkflow(app, { llmFactory })`,
    );
  }
  if (spec.pattern !== undefined) {
    throw new WorkflowUsageError(
      `deep orchestrator step: the worker "${spec.name}" is a ${spec.pattern} pattern, which cannot be sent to a child workflow; ` +
        `give it in the step workflow's options: defineDeepOrchestratorStepWorkflow(app, { agents: (spec) => (spec.name === '${spec.name}' ? theWorker : undefined) })`,
    );
  }
  const agent = new Agent({
    name: spec.name,
    ...(spec.instruction === undefined ? {} : { instruction: spec.instruction }),
    serverNames: [...spec.serverNames],
    ...(spec.allowedTools === undefined ? {} : { allowedTools: [...spec.allowedTools] }),
  });
  return factory(agent);
}

function checkInput(input: unknown): DeepOrchestratorStepInput {
  const candidate = input as Partial<DeepOrchestratorStepInput> | undefined;
  if (typeof candidate !== 'object' || candidate === null || !Array.isArray(candidate.tasks) || !Array.isArray(candidate.agents)) {
    throw new WorkflowUsageError(`deep orchestrator step: expected the input a deep orchestrator sends ({ orchestrator, step, tasks, agents }), got ${describe(input)}`);
  }
  return candidate as DeepOrchestratorStepInput;
}

/**
 * Runs one step as the step workflow does: makes each worker named by the tasks from its spec
 * (or `options.agents`), runs the tasks in parallel, and returns their outcomes and the workers'
 * usage. Call it from your own workflow class to add to what the step workflow does.
 *
 * @example
 * ```ts
 * @app.workflow({ name: 'DeepOrchestratorStep' })
 * class MyStep extends Workflow<DeepOrchestratorStepOutput> {
 *   @app.workflowRun
 *   async run(input: DeepOrchestratorStepInput) {
 *     return new WorkflowResult({ value: await runDeepOrchestratorStep(input, { llmFactory }) });
 *   }
 * }
 * ```
 */
export async function runDeepOrchestratorStep(input: DeepOrchestratorStepInput, options: DeepOrchestratorStepOptions = {}): Promise<DeepOrchestratorStepOutput> {
  const checked = checkInput(input);
  const specs = new Map(checked.agents.map((spec) => [spec.name, spec]));
  const workers = new Map<string, Promise<Llm>>();
  const workerOf = (name: string): Promise<Llm> => {
    let worker = workers.get(name);
    if (worker === undefined) {
      const spec = specs.get(name);
      if (spec === undefined) return Promise.reject(new WorkflowUsageError(`deep orchestrator step: no agent spec for "${name}" in the input`));
      worker = workerFromSpec(spec, options);
      workers.set(name, worker);
    }
    return worker;
  };
  const results = await runStepTasks(checked.tasks, workerOf);
  const made = await Promise.all([...workers.values()].map((worker) => worker.catch(() => undefined)));
  return { results, usage: made.filter((worker): worker is Llm => worker !== undefined).map((worker) => worker.usageTree()) };
}

/**
 * An app, as far as registering a workflow goes (an `MCPApp`).
 *
 * @example
 * ```ts
 * const registrar: WorkflowRegistrar = app;
 * ```
 */
export interface WorkflowRegistrar {
  registerWorkflow(workflowClass: WorkflowClass, options?: WorkflowOptions): unknown;
}

/**
 * Defines and registers on `app` the workflow that runs one step of a deep orchestrator's plan
 * in a child workflow (the orchestrator's `childWorkflows` option). Call it once, at the top of
 * a module of workflow code, with the same name as the orchestrator's `childWorkflows.workflow`
 * (default `DeepOrchestratorStep`). Workers are rebuilt in the child from their specs (name,
 * instruction, servers, provider, model); give the ones that cannot travel as data (patterns,
 * agents with local functions) with `agents`.
 *
 * @returns The workflow class (also exportable, for engines that find workflows by export).
 * @example
 * ```ts
 * export const DeepStep = defineDeepOrchestratorStepWorkflow(app);
 *
 * const orchestrator = createDeepOrchestrator({ availableAgents: [researcher, writer], childWorkflows: true });
 * ```
 */
export function defineDeepOrchestratorStepWorkflow(app: WorkflowRegistrar, options: DeepOrchestratorStepOptions = {}): WorkflowClass<Workflow<DeepOrchestratorStepOutput>> {
  if (typeof app !== 'object' || app === null || typeof app.registerWorkflow !== 'function') {
    throw new WorkflowUsageError(`defineDeepOrchestratorStepWorkflow(app): expected an MCPApp, got ${describe(app)}`);
  }
  const name = options.name ?? DEFAULT_STEP_WORKFLOW;
  if (typeof name !== 'string' || name.trim() === '') throw new WorkflowUsageError(`defineDeepOrchestratorStepWorkflow: name must be a non-empty string, got ${JSON.stringify(name)}`);
  class DeepOrchestratorStepWorkflow extends Workflow<DeepOrchestratorStepOutput> {
    async run(input: DeepOrchestratorStepInput): Promise<WorkflowResult<DeepOrchestratorStepOutput>> {
      return new WorkflowResult({ value: await runDeepOrchestratorStep(input, options) });
    }
  }
  app.registerWorkflow(DeepOrchestratorStepWorkflow, { name });
  return DeepOrchestratorStepWorkflow;
}
