/**
 * The workflows, tasks and tools an app knows, by their stable names. Safe for the workflow sandbox.
 */
import { UnknownTaskError, UnknownWorkflowError, WorkflowUsageError } from '../errors.js';
import type { TaskDefinition, WorkflowDefinition } from './definitions.js';

/**
 * A JSON Schema of an object: a tool's arguments or its structured result.
 *
 * @example
 * ```ts
 * const inputSchema: ToolObjectSchema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
 * ```
 */
export type ToolObjectSchema = { type: 'object'; [key: string]: unknown };

/**
 * Hints to clients about what a tool does, as MCP defines them.
 *
 * @example
 * ```ts
 * app.tool(lookup, { name: 'lookup', annotations: { readOnlyHint: true, openWorldHint: false } });
 * ```
 */
export interface ToolAnnotations {
  /** A short name for people. */
  title?: string;
  /** The tool changes nothing. */
  readOnlyHint?: boolean;
  /** The tool may destroy or overwrite data. */
  destructiveHint?: boolean;
  /** Calling it again with the same arguments has no further effect. */
  idempotentHint?: boolean;
  /** The tool reaches things outside the server, such as the web. */
  openWorldHint?: boolean;
}

/**
 * A tool an app declares with `app.tool` (mode `sync`: the server runs `fn` and answers with its
 * result) or `app.asyncTool` (mode `async`: the server starts the workflow `workflowName`, whose
 * run method calls `fn`, and answers with the run's ids; `<name>-get_status` reports on it).
 *
 * @example
 * ```ts
 * for (const tool of app.registry.tools.values()) console.log(tool.name, tool.mode);
 * ```
 */
export interface AppToolDefinition {
  readonly name: string;
  readonly mode: 'sync' | 'async';
  readonly description: string | undefined;
  readonly title: string | undefined;
  /** The schema the arguments are checked against; none means any object. */
  readonly inputSchema: ToolObjectSchema | undefined;
  /** Sync tools: the schema the structured result must match. */
  readonly outputSchema: ToolObjectSchema | undefined;
  readonly annotations: ToolAnnotations | undefined;
  /** The user's function, called with the arguments (and, in async mode, the workflow instance). */
  // biome-ignore lint/suspicious/noExplicitAny: the user's function takes its own argument types
  readonly fn: (args: any, workflow?: any) => unknown;
  /** Async tools: the workflow that runs `fn` (named as the tool). */
  readonly workflowName: string | undefined;
}

/** Tool names the server keeps for its workflow tools. */
const RESERVED_TOOL_PREFIX = 'workflows-';

/** The names a tool takes: its own, and `<name>-get_status` for an async tool. */
function namesOfTool(tool: AppToolDefinition): string[] {
  return tool.mode === 'async' ? [tool.name, `${tool.name}-get_status`] : [tool.name];
}

/** Workflows, tasks and tools by name; names are unique. */
export class WorkflowRegistry {
  readonly #workflows = new Map<string, WorkflowDefinition>();
  readonly #tasks = new Map<string, TaskDefinition>();
  readonly #tools = new Map<string, AppToolDefinition>();

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

  /**
   * Adds a tool and, for an async tool, the workflow that runs it. Names are unique across tools
   * (an async tool also takes `<name>-get_status`), and `workflows-...` names are the server's.
   * On a clash nothing is added.
   */
  addTool(tool: AppToolDefinition, workflow?: WorkflowDefinition): void {
    const taken = new Map<string, string>();
    for (const existing of this.#tools.values()) {
      for (const name of namesOfTool(existing)) taken.set(name, existing.name);
    }
    for (const name of namesOfTool(tool)) {
      if (name.startsWith(RESERVED_TOOL_PREFIX)) {
        throw new WorkflowUsageError(`the tool name "${name}" starts with "${RESERVED_TOOL_PREFIX}", which the server keeps for its workflow tools; choose another name`);
      }
      const owner = taken.get(name);
      if (owner !== undefined) {
        const what = owner === name ? `another tool is named "${name}"` : `the async tool "${owner}" serves "${name}" for its status`;
        throw new WorkflowUsageError(`cannot add the tool "${tool.name}": ${what}; tool names must be unique, give one another name`);
      }
    }
    if (workflow !== undefined) {
      const existing = this.#workflows.get(workflow.name);
      if (existing !== undefined && existing.workflowClass !== workflow.workflowClass) {
        throw new WorkflowUsageError(`cannot add the async tool "${tool.name}": a workflow is already named "${workflow.name}"; give the tool another name`);
      }
      this.addWorkflow(workflow);
    }
    this.#tools.set(tool.name, tool);
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

  /** The tools declared with `app.tool` and `app.asyncTool`, by name. */
  get tools(): ReadonlyMap<string, AppToolDefinition> {
    return this.#tools;
  }
}
