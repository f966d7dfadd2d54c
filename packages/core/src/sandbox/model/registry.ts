/**
 * The workflows and tasks an app knows, by their stable names. Safe for the workflow sandbox.
 */
import { UnknownTaskError, UnknownWorkflowError, WorkflowUsageError } from '../errors.js';
import type { TaskDefinition, WorkflowDefinition } from './definitions.js';

/** Workflows and tasks by name; names are unique. */
export class WorkflowRegistry {
  readonly #workflows = new Map<string, WorkflowDefinition>();
  readonly #tasks = new Map<string, TaskDefinition>();

  /** Adds a workflow and the tasks declared on it. Adding the same definition twice is allowed. */
  addWorkflow(definition: WorkflowDefinition): void {
    const existing = this.#workflows.get(definition.name);
    if (existing !== undefined && existing.workflowClass !== definition.workflowClass) {
      throw new WorkflowUsageError(`two workflow classes are named "${definition.name}"; give one another name with @app.workflow({ name: "..." })`);
    }
    // Check the tasks first, so that a clash leaves the registry as it was.
    for (const task of definition.tasks) this.#checkTask(task);
    this.#workflows.set(definition.name, definition);
    for (const task of definition.tasks) this.addTask(task);
  }

  /** Adds a task. Another task of the same name is an error. */
  addTask(task: TaskDefinition): void {
    this.#checkTask(task);
    this.#tasks.set(task.name, task);
  }

  #checkTask(task: TaskDefinition): void {
    const existing = this.#tasks.get(task.name);
    if (existing !== undefined && existing !== task) {
      throw new WorkflowUsageError(`two tasks are named "${task.name}"; task names must be unique, give one another name`);
    }
  }

  /** @throws UnknownWorkflowError listing the registered names. */
  getWorkflow(name: string): WorkflowDefinition {
    const definition = this.#workflows.get(name);
    if (definition === undefined) throw new UnknownWorkflowError(name, [...this.#workflows.keys()]);
    return definition;
  }

  /** @throws UnknownTaskError listing the registered names. */
  getTask(name: string): TaskDefinition {
    const task = this.#tasks.get(name);
    if (task === undefined) throw new UnknownTaskError(name, [...this.#tasks.keys()]);
    return task;
  }

  get workflows(): ReadonlyMap<string, WorkflowDefinition> {
    return this.#workflows;
  }

  get tasks(): ReadonlyMap<string, TaskDefinition> {
    return this.#tasks;
  }
}
