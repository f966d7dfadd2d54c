/**
 * The instructions and prompts of the deep orchestrator: planner, workers' task prompts,
 * knowledge extractor, verifier and synthesizer. Plain string building, safe for the workflow
 * sandbox and deterministic.
 */
import type { KnowledgeItem } from './deep-orchestrator-knowledge.js';
import type { Plan } from './deep-orchestrator-plan.js';

/**
 * The planner's system prompt.
 *
 * @example
 * ```ts
 * const planner = new Agent({ name: 'planner', instruction: PLANNER_INSTRUCTION });
 * ```
 */
export const PLANNER_INSTRUCTION = `You are the planner of a deep orchestrator. You break an objective into sequential steps; each step holds tasks that run in parallel, each task done by one of the available agents.

Rules:
- Give every task a short, unique name (such as "collect_prices") and a description clear enough to do without asking questions.
- Use only the agents listed as available, by their exact names.
- Tasks of the same step run at the same time and cannot see each other's results. A task that needs another task's result goes in a later step and lists that task's name in dependsOn.
- dependsOn may name tasks of earlier steps and tasks already completed; nothing else.
- requiredKnowledge lists keys of known facts the task needs (empty when none).
- Do not plan work that is already done; build on it.
- When the objective is already met by the work done, set isComplete to true and give no steps.`;

/**
 * The knowledge extractor's system prompt.
 *
 * @example
 * ```ts
 * const extractor = new Agent({ name: 'knowledge-extractor', instruction: KNOWLEDGE_EXTRACTOR_INSTRUCTION });
 * ```
 */
export const KNOWLEDGE_EXTRACTOR_INSTRUCTION = `You extract the key facts from the results of tasks, so that later tasks can use them without reading the results again.
Keep only facts worth reusing: findings, figures, names, decisions, limitations. Give each a short key, its value as a sentence or a figure, and your confidence from 0 to 1.`;

/**
 * The verifier's system prompt.
 *
 * @example
 * ```ts
 * const verifier = new Agent({ name: 'verifier', instruction: VERIFIER_INSTRUCTION });
 * ```
 */
export const VERIFIER_INSTRUCTION = `You check whether an objective has been met by the work done so far. Be strict but fair: say what was achieved and what is still missing, and how confident you are (0 to 1).`;

/**
 * The synthesizer's system prompt.
 *
 * @example
 * ```ts
 * const synthesizer = new Agent({ name: 'synthesizer', instruction: SYNTHESIZER_INSTRUCTION });
 * ```
 */
export const SYNTHESIZER_INSTRUCTION = `You write the final answer to an objective from the results of the tasks done for it and the facts gathered. Address every part of the objective, use the results faithfully, and say plainly what could not be done.`;

/**
 * A task's result as prompts show it.
 *
 * @example
 * ```ts
 * const outcome: TaskOutcome = { name: 'find', agent: 'researcher', description: 'Find sources', output: 'Three sources.' };
 * ```
 */
export interface TaskOutcome {
  /** The task's unique name. */
  name: string;
  /** The agent that did it. */
  agent: string;
  /** What the task was. */
  description: string;
  /** The worker's answer, when it succeeded. */
  output?: string;
  /** Why it failed, when it did. */
  error?: string;
}

/**
 * A step that ran, as prompts and progress show it.
 *
 * @example
 * ```ts
 * const step: StepOutcome = { number: 1, description: 'Research', tasks: [outcome] };
 * ```
 */
export interface StepOutcome {
  /** 1-based, counting every step run in this generate call (across plans). */
  number: number;
  description: string;
  tasks: TaskOutcome[];
}

/**
 * How much of a result prompts show at most, in characters.
 *
 * @example
 * ```ts
 * const shown = output.slice(0, MAX_RESULT_CHARS);
 * ```
 */
export const MAX_RESULT_CHARS = 4_000;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}\n[... ${text.length - max} more characters]`;
}

function knowledgeLines(items: readonly KnowledgeItem[]): string {
  return items.map((item) => `- ${item.key}: ${item.value} (confidence ${item.confidence.toFixed(2)})`).join('\n');
}

/**
 * What the planner is told about each agent.
 *
 * @example
 * ```ts
 * const agent: AgentDescription = { name: 'researcher', description: 'You research facts.' };
 * ```
 */
export interface AgentDescription {
  name: string;
  description: string;
}

/**
 * The planner's prompt: objective, agents, progress, knowledge, and, on a retry, the rejected plan with its errors.
 *
 * @example
 * ```ts
 * planningPrompt({ objective: 'Compare vendors', agents: [agent], completedSteps: [], knowledge: [], replanReason: undefined, rejected: undefined });
 * ```
 */
export function planningPrompt(input: {
  objective: string;
  agents: readonly AgentDescription[];
  completedSteps: readonly StepOutcome[];
  knowledge: readonly KnowledgeItem[];
  replanReason: string | undefined;
  rejected: { plan: unknown; errors: readonly string[] } | undefined;
}): string {
  const parts = [`<objective>\n${input.objective}\n</objective>`];
  parts.push(`<available_agents>\n${input.agents.map((agent) => `- ${agent.name}: ${agent.description}`).join('\n')}\n</available_agents>`);
  if (input.completedSteps.length > 0) {
    const steps = input.completedSteps.map((step) => {
      const tasks = step.tasks.map((task) =>
        task.error === undefined ? `  - ${task.name} (${task.agent}): done. Result: ${clip(task.output ?? '', 500)}` : `  - ${task.name} (${task.agent}): FAILED: ${task.error}`,
      );
      return `Step ${step.number}: ${step.description}\n${tasks.join('\n')}`;
    });
    parts.push(`<completed_work>\n${steps.join('\n')}\n</completed_work>`);
  }
  if (input.knowledge.length > 0) parts.push(`<knowledge>\n${knowledgeLines(input.knowledge)}\n</knowledge>`);
  if (input.replanReason !== undefined) parts.push(`<why_replan>\n${input.replanReason}\n</why_replan>`);
  if (input.rejected !== undefined) {
    parts.push(`<rejected_plan>\n${JSON.stringify(input.rejected.plan, null, 2)}\n</rejected_plan>`);
    parts.push(`<plan_errors>\n${input.rejected.errors.map((error) => `- ${error}`).join('\n')}\n</plan_errors>`);
    parts.push('The plan above was rejected. Make a new plan that fixes every error listed.');
  }
  parts.push(input.completedSteps.length > 0 ? 'Plan the remaining work to meet the objective.' : 'Plan the work to meet the objective.');
  return parts.join('\n\n');
}

/**
 * A worker's prompt for one task: the objective, the task, the relevant facts and the results it depends on.
 *
 * @example
 * ```ts
 * taskPrompt({ objective: 'Compare vendors', name: 'find', description: 'Find vendors', knowledge: [], dependencies: [] });
 * ```
 */
export function taskPrompt(input: { objective: string; name: string; description: string; knowledge: readonly KnowledgeItem[]; dependencies: readonly TaskOutcome[] }): string {
  const parts = [`<objective>\n${input.objective}\n</objective>`, `<task name="${input.name}">\n${input.description}\n</task>`];
  if (input.knowledge.length > 0) parts.push(`<knowledge>\n${knowledgeLines(input.knowledge)}\n</knowledge>`);
  if (input.dependencies.length > 0) {
    const results = input.dependencies.map((task) =>
      task.error === undefined ? `<result task="${task.name}">\n${task.output ?? ''}\n</result>` : `<result task="${task.name}" failed="true">\n${task.error}\n</result>`,
    );
    parts.push(`<earlier_results>\n${results.join('\n')}\n</earlier_results>`);
  }
  parts.push('Do this task, and only this task, as part of the objective. Answer with its result.');
  return parts.join('\n\n');
}

/**
 * The extractor's prompt: the results of one step.
 *
 * @example
 * ```ts
 * extractionPrompt('Compare vendors', step);
 * ```
 */
export function extractionPrompt(objective: string, step: StepOutcome): string {
  const results = step.tasks
    .filter((task) => task.error === undefined && task.output !== undefined && task.output !== '')
    .map((task) => `<result task="${task.name}">\n${clip(task.output ?? '', MAX_RESULT_CHARS)}\n</result>`);
  return `<objective>\n${objective}\n</objective>\n\n<step number="${step.number}">${step.description}</step>\n\n${results.join('\n')}\n\nExtract up to 10 key facts from these results.`;
}

function workLines(steps: readonly StepOutcome[]): string {
  return steps
    .map((step) => {
      const tasks = step.tasks.map((task) =>
        task.error === undefined
          ? `<result task="${task.name}" agent="${task.agent}">\n${clip(task.output ?? '', MAX_RESULT_CHARS)}\n</result>`
          : `<result task="${task.name}" agent="${task.agent}" failed="true">\n${task.error}\n</result>`,
      );
      return `<step number="${step.number}" description="${step.description}">\n${tasks.join('\n')}\n</step>`;
    })
    .join('\n');
}

/**
 * The verifier's prompt.
 *
 * @example
 * ```ts
 * verificationPrompt('Compare vendors', [step], [], []);
 * ```
 */
export function verificationPrompt(objective: string, steps: readonly StepOutcome[], knowledge: readonly KnowledgeItem[], remaining: Plan['steps']): string {
  const parts = [`<objective>\n${objective}\n</objective>`, `<work_done>\n${workLines(steps)}\n</work_done>`];
  if (knowledge.length > 0) parts.push(`<knowledge>\n${knowledgeLines(knowledge)}\n</knowledge>`);
  if (remaining.length > 0) parts.push(`<steps_still_planned>\n${remaining.map((step) => `- ${step.description}`).join('\n')}\n</steps_still_planned>`);
  parts.push('Is the objective met by the work done?');
  return parts.join('\n\n');
}

/**
 * The synthesizer's prompt; `note` says why the work stopped when it stopped early.
 *
 * @example
 * ```ts
 * synthesisPrompt('Compare vendors', [step], [], undefined);
 * ```
 */
export function synthesisPrompt(objective: string, steps: readonly StepOutcome[], knowledge: readonly KnowledgeItem[], note: string | undefined): string {
  const parts = [`<objective>\n${objective}\n</objective>`];
  if (steps.length > 0) parts.push(`<work_done>\n${workLines(steps)}\n</work_done>`);
  if (knowledge.length > 0) parts.push(`<knowledge>\n${knowledgeLines(knowledge)}\n</knowledge>`);
  if (note !== undefined) parts.push(`<note>\n${note}\n</note>`);
  parts.push('Write the final answer to the objective.');
  return parts.join('\n\n');
}
