/**
 * The deep orchestrator's plan: its schema (the planner's structured output) and the checks a
 * plan must pass before it runs. Safe for the workflow sandbox.
 */
import { z } from 'zod';

/**
 * The schema of one task of a plan.
 *
 * @example
 * ```ts
 * PlanTaskSchema.parse({ name: 'find', description: 'Find sources', agent: 'researcher', dependsOn: [], requiredKnowledge: [] });
 * ```
 */
export const PlanTaskSchema = z.object({
  name: z.string().describe('A short name, unique across the whole plan and the work already done, such as "collect_prices"'),
  description: z.string().describe('What to do, clear enough to do without asking questions'),
  agent: z.string().describe('The exact name of one of the available agents'),
  dependsOn: z.array(z.string()).describe('Names of tasks of earlier steps (or already completed) whose results this task needs'),
  requiredKnowledge: z.array(z.string()).describe('Keys of known facts this task needs; empty when none'),
});

/**
 * The schema of one step: tasks that run in parallel.
 *
 * @example
 * ```ts
 * PlanStepSchema.parse({ description: 'Research', tasks: [] });
 * ```
 */
export const PlanStepSchema = z.object({
  description: z.string().describe('What this step achieves'),
  tasks: z.array(PlanTaskSchema).describe('Tasks that run in parallel'),
});

/**
 * The schema the planner answers with: sequential steps of parallel tasks.
 *
 * @example
 * ```ts
 * const plan = PlanSchema.parse({ reasoning: 'r', isComplete: false, steps: [{ description: 'Research', tasks: [
 *   { name: 'find', description: 'Find sources', agent: 'researcher', dependsOn: [], requiredKnowledge: [] },
 * ] }] });
 * ```
 */
export const PlanSchema = z.object({
  reasoning: z.string().describe('Why this plan meets the objective'),
  isComplete: z.boolean().describe('True when the objective is already met by the work done; then give no steps'),
  steps: z.array(PlanStepSchema).describe('Sequential steps'),
});

/**
 * A plan: sequential steps, each of tasks that run in parallel on named agents.
 *
 * @example
 * ```ts
 * const plan: Plan = { reasoning: 'nothing to do', isComplete: true, steps: [] };
 * ```
 */
export type Plan = z.infer<typeof PlanSchema>;
/**
 * One step of a {@link Plan}.
 *
 * @example
 * ```ts
 * const step: PlanStep = { description: 'Research', tasks: [] };
 * ```
 */
export type PlanStep = z.infer<typeof PlanStepSchema>;
/**
 * One task of a {@link PlanStep}.
 *
 * @example
 * ```ts
 * const task: PlanTask = { name: 'find', description: 'Find sources', agent: 'researcher', dependsOn: [], requiredKnowledge: [] };
 * ```
 */
export type PlanTask = z.infer<typeof PlanTaskSchema>;

/**
 * The problems of a plan, as sentences the planner can act on; empty when the plan is valid.
 * Checks: steps present (unless the objective is met), no empty step, names and descriptions
 * present, agents among `agents`, task names unique (also against `doneTasks`, the names of tasks
 * already run), and dependencies naming tasks of earlier steps or already run.
 *
 * @example
 * ```ts
 * verifyPlan(plan, ['researcher', 'writer'], new Set(['find_sources']));
 * // ['task "draft" (step 1) names the agent "editor", which does not exist; use one of: researcher, writer']
 * ```
 */
export function verifyPlan(plan: Plan, agents: readonly string[], doneTasks: ReadonlySet<string>): string[] {
  const errors: string[] = [];
  if (plan.steps.length === 0 && !plan.isComplete) {
    errors.push('the plan has no steps; give at least one step, or set isComplete to true if the objective is already met');
  }
  const known = new Set(agents);
  const firstSeen = new Map<string, number>();
  plan.steps.forEach((step, index) => {
    const number = index + 1;
    if (step.tasks.length === 0) errors.push(`step ${number} ("${step.description}") has no tasks; give it at least one task or remove it`);
    for (const task of step.tasks) {
      const label = task.name.trim() === '' ? `a task of step ${number}` : `task "${task.name}" (step ${number})`;
      if (task.name.trim() === '') errors.push(`${label} has an empty name`);
      if (task.description.trim() === '') errors.push(`${label} has an empty description`);
      if (!known.has(task.agent)) errors.push(`${label} names the agent "${task.agent}", which does not exist; use one of: ${agents.join(', ')}`);
      if (task.name.trim() !== '') {
        const seen = firstSeen.get(task.name);
        if (doneTasks.has(task.name)) errors.push(`task name "${task.name}" (step ${number}) is taken by a task already done; choose a new name`);
        else if (seen !== undefined) errors.push(`task name "${task.name}" is used twice (steps ${seen} and ${number}); task names must be unique`);
        else firstSeen.set(task.name, number);
      }
    }
  });
  // Dependencies: a task of an earlier step of this plan, or one already done.
  const stepOf = new Map<string, number>();
  plan.steps.forEach((step, index) => {
    for (const task of step.tasks) if (!stepOf.has(task.name)) stepOf.set(task.name, index + 1);
  });
  plan.steps.forEach((step, index) => {
    const number = index + 1;
    for (const task of step.tasks) {
      for (const dependency of task.dependsOn) {
        if (doneTasks.has(dependency)) continue;
        const at = stepOf.get(dependency);
        if (at === undefined) errors.push(`task "${task.name}" (step ${number}) depends on "${dependency}", which is no task of this plan or of the work done`);
        else if (at >= number) {
          errors.push(`task "${task.name}" (step ${number}) depends on "${dependency}" of step ${at}; a task can only depend on tasks of earlier steps, so move it to a later step`);
        }
      }
    }
  });
  return errors;
}
