/**
 * The orchestrator's default instructions and prompts, each a function of its inputs so that
 * `overrides` can replace any of them. Plain string building: safe for the workflow sandbox.
 */

/** One task of a plan: what to do, and the name of the worker that does it. */
export interface OrchestratorTask {
  /** What the worker must do, stated so that it can be done without further context. */
  description: string;
  /** The name of one of the orchestrator's `availableAgents`. */
  agent: string;
}

/** One step of a plan: tasks that do not depend on each other and run in parallel. */
export interface OrchestratorStep {
  description: string;
  tasks: OrchestratorTask[];
}

/** What the planner returns in `full` mode: the remaining steps, in order, or `isComplete`. */
export interface OrchestratorPlan {
  steps: OrchestratorStep[];
  /** True when the results so far achieve the objective (then `steps` is ignored). */
  isComplete: boolean;
}

/** What the planner returns in `iterative` mode: the next step only, or `isComplete`. */
export interface OrchestratorNextStep extends OrchestratorStep {
  /** True when the results so far achieve the objective (then the step is ignored). */
  isComplete: boolean;
}

/** A task with the worker that did it and what it answered. */
export interface TaskResult {
  /** The task's description. */
  task: string;
  /** The worker's name. */
  agent: string;
  /** The worker's answer. */
  result: string;
}

/** A step that was carried out, with the result of each of its tasks (in the step's order). */
export interface StepResult {
  step: OrchestratorStep;
  taskResults: TaskResult[];
}

/** Where an orchestrator run stands: the objective, the current plan, and every step's results so far. */
export interface PlanResult {
  objective: string;
  /**
   * The plan as it stands: the steps carried out so far, then those still to do (in `full` mode
   * the rest of the latest plan; in `iterative` mode the next step). Undefined before the first plan.
   */
  plan: OrchestratorPlan | undefined;
  /** The steps carried out so far, in order. */
  stepResults: StepResult[];
  /** True once the planner judged the objective achieved. */
  isComplete: boolean;
  /** The synthesizer's final answer, once written. */
  result?: string;
}

/** How a worker is described to the planner. */
export interface WorkerInfo {
  name: string;
  /** The agent's instruction, or what kind of pattern it is. */
  description: string;
  /** The MCP servers whose tools the worker has. */
  servers: readonly string[];
}

/** Inputs of the planner's prompt (both modes). */
export interface PlanPromptInput {
  objective: string;
  /** The run so far (no steps on the first call). */
  planResult: PlanResult;
  /** The workers, formatted as a numbered list ({@link formatWorkers}). */
  agents: string;
  /** The workers' names: the only values a task's `agent` may take. */
  agentNames: readonly string[];
  /** The workers, as data. */
  workers: readonly WorkerInfo[];
}

/** Inputs of a worker's prompt. */
export interface TaskPromptInput {
  objective: string;
  /** The task this worker must do. */
  task: OrchestratorTask;
  /** The step the task belongs to. */
  step: OrchestratorStep;
  /** The steps already carried out, with their results. */
  completed: readonly StepResult[];
  /** The steps still to do after this one (as the current plan has them). */
  upcoming: readonly OrchestratorStep[];
}

/** Inputs of the synthesizer's prompt. */
export interface SynthesizePromptInput {
  objective: string;
  /** The run: every step's results; `isComplete` is false when the iteration limit stopped it first. */
  planResult: PlanResult;
}

/** Inputs of the message that sends an invalid plan back to the planner. */
export interface PlanRetryPromptInput {
  /** The planner's prompt, as first sent. */
  prompt: string;
  /** What is wrong with the previous answer. */
  error: string;
  /** The previous answer as JSON, when it could be read. */
  previousAnswer: string | undefined;
  /** The workers' names. */
  agentNames: readonly string[];
}

/**
 * The default planner's instruction.
 *
 * @example
 * ```ts
 * const planner = new Agent({ name: 'planner', instruction: `${DEFAULT_PLANNER_INSTRUCTION}\nPrefer few steps.` });
 * ```
 */
export const DEFAULT_PLANNER_INSTRUCTION = [
  'You are an expert planner. Given an objective and a list of agents (each a model with its own tools),',
  'you break the objective into sequential steps. Each step holds tasks that do not depend on each other,',
  'so they can run at the same time, and each task goes to exactly one of the listed agents, by name.',
  'You judge from the results so far whether the objective has been achieved.',
].join(' ');

/**
 * The default synthesizer's instruction.
 *
 * @example
 * ```ts
 * const synthesizer = new Agent({ name: 'synthesizer', instruction: `${DEFAULT_SYNTHESIZER_INSTRUCTION} Answer in French.` });
 * ```
 */
export const DEFAULT_SYNTHESIZER_INSTRUCTION = [
  'You write the final answer to an objective from the results of the steps that were carried out for it.',
  'Combine them into one clear, complete answer. Use only what the results say, and say plainly what is missing.',
].join(' ');

/**
 * The workers as the planner sees them: a numbered list of names, descriptions and servers.
 *
 * @example
 * ```ts
 * formatWorkers([{ name: 'finder', description: 'Finds files.', servers: ['filesystem'] }]);
 * // '1. finder\n   Description: Finds files.\n   Tools from the servers: filesystem'
 * ```
 */
export function formatWorkers(workers: readonly WorkerInfo[]): string {
  return workers
    .map((worker, index) => {
      const servers = worker.servers.length > 0 ? worker.servers.join(', ') : '(none)';
      return `${index + 1}. ${worker.name}\n   Description: ${worker.description}\n   Tools from the servers: ${servers}`;
    })
    .join('\n');
}

/**
 * A step's results as text: the step, then each task with its worker and result.
 *
 * @example
 * ```ts
 * formatStepResult({ step: { description: 'Read', tasks: [] }, taskResults: [{ task: 'Read a.md', agent: 'finder', result: 'Hello' }] }, 1);
 * // 'Step 1: Read\n  - Task: Read a.md (agent: finder)\n    Result: Hello'
 * ```
 */
export function formatStepResult(stepResult: StepResult, number: number): string {
  const tasks = stepResult.taskResults.map((taskResult) => `  - Task: ${taskResult.task} (agent: ${taskResult.agent})\n    Result: ${taskResult.result}`);
  return [`Step ${number}: ${stepResult.step.description}`, ...tasks].join('\n');
}

/**
 * Every step's results as text, or a line saying none has been carried out yet.
 *
 * @example
 * ```ts
 * formatStepResults([]); // 'No steps have been carried out yet.'
 * ```
 */
export function formatStepResults(stepResults: readonly StepResult[]): string {
  if (stepResults.length === 0) return 'No steps have been carried out yet.';
  return stepResults.map((stepResult, index) => formatStepResult(stepResult, index + 1)).join('\n\n');
}

/**
 * The run so far as the planner sees it: the objective, each step's results and the status.
 *
 * @example
 * ```ts
 * formatPlanResult({ objective: 'Grade the essay', plan: undefined, stepResults: [], isComplete: false });
 * ```
 */
export function formatPlanResult(planResult: PlanResult): string {
  return [
    `Objective: ${planResult.objective}`,
    '',
    'Progress so far:',
    formatStepResults(planResult.stepResults),
    '',
    `Status: ${planResult.isComplete ? 'complete' : 'in progress'}`,
  ].join('\n');
}

function formatTasks(step: OrchestratorStep): string[] {
  return step.tasks.map((task) => `   - ${task.description} (agent: ${task.agent})`);
}

const JSON_ONLY = 'Answer with the JSON object only: no code fences, no other text.';

/**
 * The default prompt of the planner in `full` mode: the whole remaining plan.
 *
 * @example
 * ```ts
 * const orchestrator = createOrchestrator({
 *   availableAgents: [finder, writer],
 *   overrides: { fullPlanPrompt: (input) => `${defaultFullPlanPrompt(input)}\nUse at most three steps.` },
 * });
 * ```
 */
export function defaultFullPlanPrompt(input: PlanPromptInput): string {
  return [
    'Plan how to achieve an objective with the agents listed below.',
    '',
    `Objective: ${input.objective}`,
    '',
    formatPlanResult(input.planResult),
    '',
    'Agents:',
    input.agents,
    '',
    'If the results so far achieve the objective, answer with "isComplete": true and no steps.',
    'Otherwise give every remaining step, in order, with "isComplete": false. Steps run one after the other;',
    'the tasks of a step run at the same time, so they must not depend on each other. Each task needs a',
    'description that a model can act on without further context, and the name of exactly one agent from',
    `this list: ${input.agentNames.join(', ')}.`,
    '',
    'The answer is a JSON object of this shape:',
    '{"steps": [{"description": "Step 1", "tasks": [{"description": "Task 1", "agent": "agent name"}]}], "isComplete": false}',
    JSON_ONLY,
  ].join('\n');
}

/**
 * The default prompt of the planner in `iterative` mode: the next step only.
 *
 * @example
 * ```ts
 * const orchestrator = createOrchestrator({
 *   availableAgents: [finder, writer],
 *   planType: 'iterative',
 *   overrides: { iterativePlanPrompt: (input) => `${defaultIterativePlanPrompt(input)}\nPrefer one task per step.` },
 * });
 * ```
 */
export function defaultIterativePlanPrompt(input: PlanPromptInput): string {
  return [
    'Decide the next step towards an objective, to be carried out by the agents listed below.',
    '',
    `Objective: ${input.objective}`,
    '',
    formatPlanResult(input.planResult),
    '',
    'Agents:',
    input.agents,
    '',
    'If the results so far achieve the objective, answer with "isComplete": true and no tasks.',
    'Otherwise give only the next step, with "isComplete": false. Its tasks run at the same time, so they',
    'must not depend on each other. Each task needs a description that a model can act on without further',
    `context, and the name of exactly one agent from this list: ${input.agentNames.join(', ')}.`,
    '',
    'The answer is a JSON object of this shape:',
    '{"description": "The step", "tasks": [{"description": "Task 1", "agent": "agent name"}], "isComplete": false}',
    JSON_ONLY,
  ].join('\n');
}

/**
 * The default prompt of a worker: the objective, the plan with the steps done and to do, the
 * results so far, and its own task.
 *
 * @example
 * ```ts
 * const orchestrator = createOrchestrator({
 *   availableAgents: [finder, writer],
 *   overrides: { taskPrompt: (input) => `${defaultTaskPrompt(input)}\nKeep your answer under 200 words.` },
 * });
 * ```
 */
export function defaultTaskPrompt(input: TaskPromptInput): string {
  const plan: string[] = [];
  let number = 0;
  for (const done of input.completed) {
    number += 1;
    plan.push(`${number}. ${done.step.description} (done)`);
  }
  number += 1;
  plan.push(`${number}. ${input.step.description} (this step)`, ...formatTasks(input.step));
  for (const next of input.upcoming) {
    number += 1;
    plan.push(`${number}. ${next.description} (to do)`);
  }
  return [
    `You are one of several agents working towards this objective: ${input.objective}`,
    '',
    'The plan so far:',
    ...plan,
    '',
    'Results of the steps carried out so far:',
    formatStepResults(input.completed),
    '',
    `Your task: ${input.task.description}`,
    'Do only this task (other agents do the others) and answer with its result.',
  ].join('\n');
}

/**
 * The default prompt of the synthesizer: the objective and every step's results.
 *
 * @example
 * ```ts
 * const orchestrator = createOrchestrator({
 *   availableAgents: [finder, writer],
 *   overrides: { synthesizePrompt: (input) => `${defaultSynthesizePrompt(input)}\nAnswer as a bulleted list.` },
 * });
 * ```
 */
export function defaultSynthesizePrompt(input: SynthesizePromptInput): string {
  return [
    `Write the final answer to this objective: ${input.objective}`,
    '',
    'Results of the steps carried out:',
    formatStepResults(input.planResult.stepResults),
    '',
    input.planResult.isComplete
      ? 'The planner judged that these results achieve the objective.'
      : 'The work stopped at its iteration limit before the planner judged the objective achieved: answer with what the results give, and say what is missing.',
    'Combine the results into one coherent answer.',
  ].join('\n');
}

/**
 * The default message that sends an invalid plan back to the planner: the original prompt, the
 * previous answer, what is wrong with it and the valid agent names.
 *
 * @example
 * ```ts
 * const orchestrator = createOrchestrator({
 *   availableAgents: [finder, writer],
 *   overrides: { planRetryPrompt: (input) => `${defaultPlanRetryPrompt(input)}\nCheck every agent name twice.` },
 * });
 * ```
 */
export function defaultPlanRetryPrompt(input: PlanRetryPromptInput): string {
  return [
    input.prompt,
    '',
    ...(input.previousAnswer === undefined ? [] : ['Your previous answer was:', input.previousAnswer, '']),
    `Your previous answer was rejected: ${input.error}`,
    `The valid agent names are: ${input.agentNames.join(', ')}.`,
    'Answer again with a corrected JSON object.',
  ].join('\n');
}
