/**
 * The workflows, tasks, tools, prompts and resources an app knows, by their stable names. Safe
 * for the workflow sandbox.
 */
import { UnknownTaskError, UnknownWorkflowError, WorkflowUsageError } from '../errors.js';
import type { McpContent, McpPromptResult, McpResourceResult } from '../mcp/mcp-service.js';
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

/**
 * An argument a prompt takes. MCP prompt arguments are strings.
 *
 * @example
 * ```ts
 * const topic: AppPromptArgument = { name: 'topic', description: 'What to write about', required: true };
 * ```
 */
export interface AppPromptArgument {
  /** The argument's name, unique among the prompt's arguments. */
  name: string;
  /** What to give, shown to people picking the prompt. */
  description?: string;
  /** A `prompts/get` without it is refused. Default false. */
  required?: boolean;
}

/**
 * One message of a rendered prompt: a string is a text content item.
 *
 * @example
 * ```ts
 * const message: AppPromptMessage = { role: 'user', content: 'Review this diff for bugs.' };
 * ```
 */
export interface AppPromptMessage {
  role: 'user' | 'assistant';
  /** Text, or an MCP content item (`{ type: 'text', text }`, `{ type: 'image', data, mimeType }`, `{ type: 'resource', resource }`, ...). */
  content: string | McpContent;
}

/**
 * What a prompt's render function returns: a string (one user message), messages, or messages
 * with a description. An agent's `getPrompt` result is one, as it is.
 *
 * @example
 * ```ts
 * const rendered: AppPromptResult = [
 *   { role: 'user', content: 'Summarise the notes below.' },
 *   { role: 'assistant', content: 'Send them.' },
 * ];
 * ```
 */
export type AppPromptResult = string | AppPromptMessage[] | { description?: string | undefined; messages: Array<AppPromptMessage | McpPromptResult['messages'][number]> };

/**
 * What a resource's read function returns: a string or `{ text }` for text, `{ blob }` for bytes
 * (a `Uint8Array`, or a base64 string), with an optional MIME type overriding the resource's. An
 * agent's `readResource` result (`{ contents: [...] }`) is one, as it is.
 *
 * @example
 * ```ts
 * const readme: AppResourceContents = { text: '# Notes', mimeType: 'text/markdown' };
 * const logo: AppResourceContents = { blob: new Uint8Array([0x89, 0x50, 0x4e, 0x47]), mimeType: 'image/png' };
 * ```
 */
export type AppResourceContents = string | { text: string; mimeType?: string | undefined } | { blob: Uint8Array | string; mimeType?: string | undefined } | McpResourceResult;

/**
 * A prompt an app declares with `app.prompt`: the server lists it and, on `prompts/get`, calls
 * `render` with the arguments once the required ones are all there.
 *
 * @example
 * ```ts
 * for (const prompt of app.registry.prompts.values()) console.log(prompt.name, prompt.arguments.map((argument) => argument.name));
 * ```
 */
export interface AppPromptDefinition {
  readonly name: string;
  readonly title: string | undefined;
  readonly description: string | undefined;
  readonly arguments: readonly Readonly<AppPromptArgument>[];
  /** The user's function. */
  readonly render: (args: Readonly<Record<string, string>>) => AppPromptResult | Promise<AppPromptResult>;
}

/**
 * A resource an app declares with `app.resource`: the server lists it and, on `resources/read`
 * of its URI, calls `read`.
 *
 * @example
 * ```ts
 * for (const resource of app.registry.resources.values()) console.log(resource.uri, resource.mimeType);
 * ```
 */
export interface AppResourceDefinition {
  readonly uri: string;
  readonly name: string;
  readonly title: string | undefined;
  readonly description: string | undefined;
  readonly mimeType: string | undefined;
  /** The user's function. */
  readonly read: () => AppResourceContents | Promise<AppResourceContents>;
}

/** Tool names the server keeps for its workflow tools. */
const RESERVED_TOOL_PREFIX = 'workflows-';

/** The names a tool takes: its own, and `<name>-get_status` for an async tool. */
function namesOfTool(tool: AppToolDefinition): string[] {
  return tool.mode === 'async' ? [tool.name, `${tool.name}-get_status`] : [tool.name];
}

/** Workflows, tasks, tools and prompts by name, resources by URI; names and URIs are unique. */
export class WorkflowRegistry {
  readonly #workflows = new Map<string, WorkflowDefinition>();
  readonly #tasks = new Map<string, TaskDefinition>();
  readonly #tools = new Map<string, AppToolDefinition>();
  readonly #prompts = new Map<string, AppPromptDefinition>();
  readonly #resources = new Map<string, AppResourceDefinition>();

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

  /** Adds a prompt. Another prompt of the same name is an error. */
  addPrompt(prompt: AppPromptDefinition): void {
    if (this.#prompts.has(prompt.name)) throw new WorkflowUsageError(`another prompt is named "${prompt.name}"; prompt names must be unique, give one another name`);
    this.#prompts.set(prompt.name, prompt);
  }

  /** Adds a resource. Another resource of the same URI is an error. */
  addResource(resource: AppResourceDefinition): void {
    const existing = this.#resources.get(resource.uri);
    if (existing !== undefined) {
      throw new WorkflowUsageError(`the resource "${resource.name}" has the URI "${resource.uri}", as "${existing.name}" does; resource URIs must be unique, give one another URI`);
    }
    this.#resources.set(resource.uri, resource);
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

  /** The prompts declared with `app.prompt`, by name. */
  get prompts(): ReadonlyMap<string, AppPromptDefinition> {
    return this.#prompts;
  }

  /** The resources declared with `app.resource`, by URI. */
  get resources(): ReadonlyMap<string, AppResourceDefinition> {
    return this.#resources;
  }
}
