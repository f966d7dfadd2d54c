/**
 * The part of {@link MCPApp} that workflow code uses: the registry, the decorators and the tool,
 * prompt and resource declarations. Safe for the workflow sandbox, where `@mcp-agent/core` resolves to an app that
 * has only this part.
 */
import { WorkflowUsageError } from './errors.js';
import {
  createTaskFunction,
  createWorkflowDecorator,
  defineWorkflow,
  getTaskDefinition,
  getWorkflowDefinition,
  workflowQuery,
  workflowRun,
  workflowSignal,
  workflowTask,
  workflowUpdate,
  type FunctionTaskOptions,
  type TaskDefinition,
  type TaskFunction,
  type WorkflowClass,
  type WorkflowDecorator,
  type WorkflowDefinition,
  type WorkflowOptions,
  type WorkflowTaskDecorator,
} from './model/definitions.js';
import {
  WorkflowRegistry,
  type AppPromptArgument,
  type AppPromptDefinition,
  type AppPromptResult,
  type AppResourceContents,
  type AppResourceDefinition,
  type AppToolDefinition,
  type ToolAnnotations,
  type ToolObjectSchema,
} from './model/registry.js';
import { Workflow } from './model/workflow.js';
import { WorkflowResult } from './model/workflow-result.js';

/**
 * Options of `app.tool` and `app.asyncTool`: how the tool is served over MCP.
 *
 * @example
 * ```ts
 * app.tool(async ({ city }: { city: string }) => ({ city, temperature: 21 }), {
 *   name: 'get_weather',
 *   description: 'The temperature in a city, in degrees Celsius.',
 *   inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
 *   outputSchema: { type: 'object', properties: { city: { type: 'string' }, temperature: { type: 'number' } }, required: ['city', 'temperature'] },
 * });
 * ```
 */
export interface AppToolOptions {
  /** The tool's name, unique among the app's tools; for `asyncTool` also its workflow's name. Letters, digits, `_`, `-` and `.`. */
  name: string;
  /** What the tool does, shown to clients' models. */
  description?: string;
  /** A short name for people. */
  title?: string;
  /** The JSON Schema of the arguments (an object schema); calls that do not match it get a tool error. Default: any object. */
  inputSchema?: ToolObjectSchema;
  /** `tool` only: the JSON Schema of the result (an object schema); a result that does not match it is a tool error. */
  outputSchema?: ToolObjectSchema;
  /** Hints to clients about what the tool does. */
  annotations?: ToolAnnotations;
}

const TOOL_NAME = /^[A-Za-z0-9_.-]{1,128}$/;
const ANNOTATION_KEYS = new Set(['title', 'readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint']);

/** Checks the options of `app.tool` / `app.asyncTool` and makes the tool's definition. */
function toolDefinition(method: 'tool' | 'asyncTool', fn: unknown, options: unknown): AppToolDefinition {
  const where = `app.${method}(fn, options)`;
  if (typeof fn !== 'function') throw new WorkflowUsageError(`${where}: fn must be a function, got ${fn === null ? 'null' : typeof fn}`);
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new WorkflowUsageError(`${where}: give the options, at least the name: app.${method}(fn, { name: "get_weather" })`);
  }
  const given = options as Record<string, unknown>;
  const name = given['name'];
  if (typeof name !== 'string' || !TOOL_NAME.test(name)) {
    throw new WorkflowUsageError(`${where}: name must be 1 to 128 letters, digits, "_", "-" or ".", got ${JSON.stringify(name) ?? 'nothing'}`);
  }
  const at = `app.${method}("${name}")`;
  const known = ['name', 'description', 'title', 'inputSchema', 'annotations', ...(method === 'tool' ? ['outputSchema'] : [])];
  for (const key of Object.keys(given)) {
    if (!known.includes(key)) {
      const hint = key === 'outputSchema' ? ': an async tool answers with the ids of the run it starts, not with a result' : `; the options are ${known.join(', ')}`;
      throw new WorkflowUsageError(`${at}: unknown option "${key}"${hint}`);
    }
  }
  for (const key of ['description', 'title'] as const) {
    if (given[key] !== undefined && typeof given[key] !== 'string') throw new WorkflowUsageError(`${at}: ${key} must be a string, got ${typeof given[key]}`);
  }
  for (const key of ['inputSchema', 'outputSchema'] as const) {
    const schema = given[key];
    if (schema === undefined) continue;
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema) || (schema as Record<string, unknown>)['type'] !== 'object') {
      throw new WorkflowUsageError(
        `${at}: ${key} must be a JSON Schema of an object ({ type: 'object', properties: { ... } }), got ${JSON.stringify(schema)?.slice(0, 80) ?? typeof schema}`,
      );
    }
  }
  const annotations = given['annotations'];
  if (annotations !== undefined) {
    if (typeof annotations !== 'object' || annotations === null || Array.isArray(annotations)) throw new WorkflowUsageError(`${at}: annotations must be an object`);
    for (const [key, value] of Object.entries(annotations)) {
      if (!ANNOTATION_KEYS.has(key)) throw new WorkflowUsageError(`${at}: unknown annotation "${key}"; the annotations are ${[...ANNOTATION_KEYS].join(', ')}`);
      if (typeof value !== (key === 'title' ? 'string' : 'boolean')) throw new WorkflowUsageError(`${at}: annotations.${key} must be a ${key === 'title' ? 'string' : 'boolean'}`);
    }
  }
  return Object.freeze({
    name,
    mode: method === 'tool' ? 'sync' : 'async',
    description: given['description'] as string | undefined,
    title: given['title'] as string | undefined,
    inputSchema: given['inputSchema'] as ToolObjectSchema | undefined,
    outputSchema: given['outputSchema'] as ToolObjectSchema | undefined,
    annotations: annotations as ToolAnnotations | undefined,
    fn: fn as AppToolDefinition['fn'],
    workflowName: method === 'asyncTool' ? name : undefined,
  });
}

/**
 * Options of `app.prompt`: how the prompt is listed over MCP.
 *
 * @example
 * ```ts
 * app.prompt(
 *   { name: 'review', description: 'Asks for a code review.', arguments: [{ name: 'diff', required: true }, { name: 'focus' }] },
 *   ({ diff, focus }) => `Review this diff${focus ? `, looking for ${focus}` : ''}:\n\n${diff}`,
 * );
 * ```
 */
export interface AppPromptOptions {
  /** The prompt's name, unique among the app's prompts. Letters, digits, `_`, `-` and `.`. */
  name: string;
  /** A short name for people. */
  title?: string;
  /** What the prompt is for. */
  description?: string;
  /** The arguments it takes (strings); a `prompts/get` missing a required one is refused. */
  arguments?: AppPromptArgument[];
}

/**
 * Options of `app.resource`: how the resource is listed over MCP.
 *
 * @example
 * ```ts
 * app.resource({ uri: 'docs://style-guide', name: 'style-guide', mimeType: 'text/markdown' }, () => readFile('STYLE.md', 'utf8'));
 * ```
 */
export interface AppResourceOptions {
  /** The resource's URI (`<scheme>:<rest>`, such as `docs://style-guide` or `file:///srv/notes.md`), unique among the app's resources. */
  uri: string;
  /** The resource's name, shown to people. */
  name: string;
  /** A short name for people. */
  title?: string;
  /** What the resource holds. */
  description?: string;
  /** The MIME type of its contents, such as `text/markdown`. */
  mimeType?: string;
}

/** The options of `where` are an object with only `known` keys and string values at `strings`. */
function checkOptions(where: string, example: string, options: unknown, known: readonly string[]): Record<string, unknown> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new WorkflowUsageError(`${where}: give the options first: ${example}`);
  const given = options as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!known.includes(key)) throw new WorkflowUsageError(`${where}: unknown option "${key}"; the options are ${known.join(', ')}`);
  }
  return given;
}

function checkStrings(at: string, given: Record<string, unknown>, keys: readonly string[]): void {
  for (const key of keys) {
    if (given[key] !== undefined && typeof given[key] !== 'string') throw new WorkflowUsageError(`${at}: ${key} must be a string, got ${typeof given[key]}`);
  }
}

function checkFunction(at: string, what: string, fn: unknown): void {
  if (typeof fn !== 'function') throw new WorkflowUsageError(`${at}: ${what} must be a function, got ${fn === null ? 'null' : typeof fn}`);
}

/** Checks the options of `app.prompt` and makes the prompt's definition. */
function promptDefinition(options: unknown, render: unknown): AppPromptDefinition {
  const given = checkOptions('app.prompt(options, render)', `app.prompt({ name: "review" }, (args) => "...")`, options, ['name', 'title', 'description', 'arguments']);
  const name = given['name'];
  if (typeof name !== 'string' || !TOOL_NAME.test(name)) {
    throw new WorkflowUsageError(`app.prompt(options, render): name must be 1 to 128 letters, digits, "_", "-" or ".", got ${JSON.stringify(name) ?? 'nothing'}`);
  }
  const at = `app.prompt("${name}")`;
  checkStrings(at, given, ['title', 'description']);
  checkFunction(at, 'render', render);
  const list = given['arguments'] ?? [];
  if (!Array.isArray(list)) throw new WorkflowUsageError(`${at}: arguments must be an array, such as [{ name: "topic", required: true }]`);
  const seen = new Set<string>();
  const args = list.map((argument: unknown, index): Readonly<AppPromptArgument> => {
    if (typeof argument !== 'object' || argument === null || Array.isArray(argument))
      throw new WorkflowUsageError(`${at}: arguments[${index}] must be an object, such as { name: "topic" }`);
    const entry = argument as Record<string, unknown>;
    for (const key of Object.keys(entry)) {
      if (!['name', 'description', 'required'].includes(key))
        throw new WorkflowUsageError(`${at}: arguments[${index}] has the unknown key "${key}"; the keys are name, description, required`);
    }
    if (typeof entry['name'] !== 'string' || entry['name'] === '') throw new WorkflowUsageError(`${at}: arguments[${index}].name must be a non-empty string`);
    if (seen.has(entry['name'])) throw new WorkflowUsageError(`${at}: two arguments are named "${entry['name']}"`);
    seen.add(entry['name']);
    checkStrings(`${at}: arguments[${index}]`, entry, ['description']);
    if (entry['required'] !== undefined && typeof entry['required'] !== 'boolean') throw new WorkflowUsageError(`${at}: arguments[${index}].required must be a boolean`);
    return Object.freeze({ ...entry } as unknown as AppPromptArgument);
  });
  return Object.freeze({
    name,
    title: given['title'] as string | undefined,
    description: given['description'] as string | undefined,
    arguments: Object.freeze(args),
    render: render as AppPromptDefinition['render'],
  });
}

/** A URI: a scheme, a colon and no spaces. */
const RESOURCE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/;

/** Checks the options of `app.resource` and makes the resource's definition. */
function resourceDefinition(options: unknown, read: unknown): AppResourceDefinition {
  const given = checkOptions('app.resource(options, read)', `app.resource({ uri: "docs://readme", name: "readme" }, () => "...")`, options, [
    'uri',
    'name',
    'title',
    'description',
    'mimeType',
  ]);
  const uri = given['uri'];
  if (typeof uri !== 'string' || !RESOURCE_URI.test(uri)) {
    throw new WorkflowUsageError(`app.resource(options, read): uri must be a URI with a scheme and no spaces, such as "docs://readme", got ${JSON.stringify(uri) ?? 'nothing'}`);
  }
  const at = `app.resource("${uri}")`;
  if (typeof given['name'] !== 'string' || given['name'].trim() === '') throw new WorkflowUsageError(`${at}: name must be a non-empty string, such as "readme"`);
  checkStrings(at, given, ['title', 'description', 'mimeType']);
  checkFunction(at, 'read', read);
  return Object.freeze({
    uri,
    name: given['name'],
    title: given['title'] as string | undefined,
    description: given['description'] as string | undefined,
    mimeType: given['mimeType'] as string | undefined,
    read: read as AppResourceDefinition['read'],
  });
}

/** Marks app objects, so that engines recognise one in a module's exports. */
const APP_BRAND = Symbol.for('mcp-agent.app');

/** Registers workflows and tasks; {@link MCPApp} adds config, engines and `run`. */
export class MCPAppBase {
  readonly name: string;
  readonly registry = new WorkflowRegistry();

  constructor(options: { name: string }) {
    if (typeof options?.name !== 'string' || options.name.trim() === '') {
      throw new WorkflowUsageError('new MCPApp({ name }): name must be a non-empty string');
    }
    this.name = options.name;
    Object.defineProperty(this, APP_BRAND, { value: true });
  }

  /** True for an app made by any copy of this package. */
  static isApp(value: unknown): value is MCPAppBase {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[APP_BRAND] === true;
  }

  /** `@app.workflow` or `@app.workflow({ name, signals })`: defines a workflow class and registers it on this app. */
  readonly workflow: WorkflowDecorator = createWorkflowDecorator((definition) => this.registry.addWorkflow(definition));

  /** `@app.workflowRun`: marks the run method. */
  readonly workflowRun = workflowRun;

  /** `@app.workflowSignal`: marks a signal handler. */
  readonly workflowSignal = workflowSignal;

  /** `@app.workflowQuery`: marks a query handler. */
  readonly workflowQuery = workflowQuery;

  /** `@app.workflowUpdate` or `@app.workflowUpdate({ validator })`: marks an update handler. */
  readonly workflowUpdate = workflowUpdate;

  /**
   * Makes a task and registers it on this app: `app.workflowTask(fn, { name, ... })` for a
   * function (the name is required: it is the activity type under Temporal), `@app.workflowTask`
   * on a workflow method (named `<Workflow>.<method>`, registered with its workflow).
   *
   * @example
   * ```ts
   * export const chargeCard = app.workflowTask(async (orderId: string) => { ... }, {
   *   name: 'billing.chargeCard',
   *   retryPolicy: { maximumAttempts: 3, nonRetryableErrorTypes: ['CardDeclined'] },
   * });
   * ```
   */
  readonly workflowTask: WorkflowTaskDecorator = ((first?: unknown, second?: unknown): unknown => {
    const made = (workflowTask as (a?: unknown, b?: unknown) => unknown)(first, second);
    const register = (value: unknown): unknown => {
      const definition = getTaskDefinition(value);
      if (definition !== undefined) this.registry.addTask(definition);
      return value;
    };
    if (typeof first === 'function') return register(made);
    // Options form: wrap the returned decorator so function tasks it makes are registered too.
    return (fn: unknown, context?: unknown) => register((made as (a: unknown, b?: unknown) => unknown)(fn, context));
  }) as WorkflowTaskDecorator;

  /**
   * Declares a tool the app's MCP server offers (the Python `@app.tool`): a call runs
   * `fn(args)` in the server's process and answers with its result, as text and, for an object,
   * as structured content. It is Node code, not workflow code: it may use agents and LLMs through
   * the app, do I/O and read the clock. Returns `fn`.
   *
   * @throws WorkflowUsageError for bad options, or a name another tool has.
   * @example
   * ```ts
   * export const getWeather = app.tool(async ({ city }: { city: string }) => ({ city, temperature: 21 }), {
   *   name: 'get_weather',
   *   description: 'The temperature in a city, in degrees Celsius.',
   *   inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
   * });
   * ```
   */
  tool<A extends object, R>(fn: (args: A) => R | Promise<R>, options: AppToolOptions): (args: A) => R | Promise<R> {
    this.registry.addTool(toolDefinition('tool', fn, options));
    return fn;
  }

  /**
   * Declares a long-running tool (the Python `@app.async_tool`): a workflow named `name` whose
   * run method calls `fn(args, workflow)` and returns its value in a `WorkflowResult`. `fn` is
   * workflow code: it must be deterministic, and may use agents, patterns, tasks and the
   * workflow's own methods (`workflow.sleep`, `workflow.executeTask`, ...). Served, a call starts
   * the workflow and answers with `{ workflow_id, run_id }`; the tool `<name>-get_status` reports
   * the run's status and, once completed, its result.
   *
   * Returns the workflow class: export it from the workflow module, so that a Temporal worker's
   * bundle finds it.
   *
   * @throws WorkflowUsageError for bad options, or a name another tool or workflow has.
   * @example
   * ```ts
   * export const OrchestratorWorkflow = app.asyncTool(
   *   async ({ task }: { task: string }) => {
   *     const planner = new Agent({ name: 'planner', instruction: 'Plan the work.' });
   *     const llm = await planner.attachLlm(llmClassFor('openai'));
   *     return llm.generateStr(task);
   *   },
   *   { name: 'OrchestratorWorkflow', description: 'Plans and runs a review.' },
   * );
   * ```
   */
  asyncTool<A extends object, R>(fn: (args: A, workflow: Workflow<R>) => Promise<R | WorkflowResult<R>>, options: AppToolOptions): WorkflowClass<Workflow<R>> {
    const definition = toolDefinition('asyncTool', fn, options);
    const run = definition.fn;
    const AsyncToolWorkflow = class extends Workflow<R> {
      async run(args: A): Promise<WorkflowResult<R>> {
        return WorkflowResult.from<R>(await run(args ?? {}, this));
      }
    };
    Object.defineProperty(AsyncToolWorkflow, 'name', { value: definition.name });
    this.registry.addTool(definition, defineWorkflow(AsyncToolWorkflow, { name: definition.name }));
    return AsyncToolWorkflow;
  }

  /**
   * Declares a prompt the app's MCP server offers: `prompts/list` lists it, and `prompts/get`
   * calls `render(args)` in the server's process once the required arguments are all there. It is
   * Node code, not workflow code. `render` returns a string (one user message), messages, or
   * `{ description, messages }`. Returns `render`.
   *
   * To offer a prompt of an agent's MCP servers, render it with the agent: `agent.getPrompt`'s
   * result is returned as it is (and `agent.readResource`'s from `app.resource`).
   *
   * @throws WorkflowUsageError for bad options, or a name another prompt has.
   * @example
   * ```ts
   * app.prompt({ name: 'summarise', arguments: [{ name: 'text', required: true }] }, ({ text }) => [
   *   { role: 'user', content: `Summarise in three bullet points:\n\n${text}` },
   * ]);
   *
   * // A prompt of the agent's "github" server, offered as the app's own.
   * const reviewer = new Agent({ name: 'reviewer', serverNames: ['github'], app });
   * app.prompt({ name: 'review_pr', arguments: [{ name: 'pr', required: true }] }, (args) => reviewer.getPrompt('github_review', args));
   * ```
   */
  prompt(
    options: AppPromptOptions,
    render: (args: Readonly<Record<string, string>>) => AppPromptResult | Promise<AppPromptResult>,
  ): (args: Readonly<Record<string, string>>) => AppPromptResult | Promise<AppPromptResult> {
    this.registry.addPrompt(promptDefinition(options, render));
    return render;
  }

  /**
   * Declares a resource the app's MCP server offers: `resources/list` lists it, and
   * `resources/read` of its URI calls `read()` in the server's process (Node code, not workflow
   * code). `read` returns text (a string or `{ text }`) or bytes (`{ blob }`). Returns `read`.
   *
   * @throws WorkflowUsageError for bad options, or a URI another resource has.
   * @example
   * ```ts
   * app.resource({ uri: 'docs://style-guide', name: 'style-guide', mimeType: 'text/markdown' }, () => readFile('STYLE.md', 'utf8'));
   *
   * // A resource of the agent's "docs" server, offered as the app's own.
   * const librarian = new Agent({ name: 'librarian', serverNames: ['docs'], app });
   * app.resource({ uri: 'docs://changelog', name: 'changelog' }, () => librarian.readResource('docs://changelog'));
   * ```
   */
  resource(options: AppResourceOptions, read: () => AppResourceContents | Promise<AppResourceContents>): () => AppResourceContents | Promise<AppResourceContents> {
    this.registry.addResource(resourceDefinition(options, read));
    return read;
  }

  /** Registers a workflow class defined without this app's decorator. */
  registerWorkflow(workflowClass: WorkflowClass, options?: WorkflowOptions): WorkflowDefinition {
    // A class already defined (by a decorator) keeps its definition, so registering it again is harmless.
    const existing = options === undefined ? getWorkflowDefinition(workflowClass) : undefined;
    const definition = existing ?? defineWorkflow(workflowClass, options);
    this.registry.addWorkflow(definition);
    return definition;
  }

  /** Registers a task function made elsewhere, or makes one of a plain function. */
  registerTask<A extends unknown[], R>(task: TaskFunction<A, R> | ((...args: A) => Promise<R>), options?: FunctionTaskOptions): TaskDefinition {
    const definition = getTaskDefinition(task) ?? createTaskFunction(task, options as FunctionTaskOptions).taskDefinition;
    this.registry.addTask(definition);
    return definition;
  }
}
