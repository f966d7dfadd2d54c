/**
 * Agent: a name, an instruction, and the tools of its MCP servers and local functions. Safe for
 * the workflow sandbox: inside a workflow every MCP operation runs as a task (an activity under
 * Temporal); outside one it goes to the running app's MCP service.
 */
import { isCancellation, McpClientError, messageOf, WorkflowUsageError } from '../errors.js';
import {
  fillUriTemplate,
  MCP_TASK_NAMES,
  toolListFingerprint,
  type McpCompleteRequest,
  type McpCompletionResult,
  type McpListVersions,
  type McpProgress,
  type McpPromptDescriptor,
  type McpPromptResult,
  type McpResourceDescriptor,
  type McpResourceResult,
  type McpResourceTemplateDescriptor,
  type McpService,
  type McpToolDescriptor,
  type McpToolResult,
} from '../mcp/mcp-service.js';
import { NamespacedIndex } from '../mcp/tool-index.js';
import { currentWorkflowContext, schedulesOnCall } from '../model/workflow-context.js';
import { servicesOf, type AppServices, type ServicesOwner } from '../services.js';

/** A tool the agent runs itself, without an MCP server. */
export interface AgentFunctionTool {
  name: string;
  description?: string;
  /** JSON Schema of the arguments. Default: an object with any properties. */
  inputSchema?: Record<string, unknown>;
  /**
   * Does the work. Inside a workflow it runs as workflow code, so it must be deterministic; give a
   * task function (`app.workflowTask`) to do I/O, and it runs as a task.
   */
  run(args: Record<string, unknown>): unknown;
}

/** A tool as the agent offers it to a model. */
export interface AgentTool {
  /** The name a model calls it by: `server_tool` for MCP tools, the function's name for local ones. */
  name: string;
  description: string | undefined;
  inputSchema: Record<string, unknown>;
  /** The MCP server, or undefined for a local function. */
  server: string | undefined;
  /** The tool's name on its server, or the function's name. */
  toolName: string;
  /** A display name, as the server gave it. */
  title?: string | undefined;
  /** The JSON Schema of the tool's `structuredContent`, as the server gave it. */
  outputSchema?: Record<string, unknown> | undefined;
  /** Hints about the tool (`readOnlyHint`, `destructiveHint`, ...), as the server gave them. */
  annotations?: Record<string, unknown> | undefined;
}

/** A server whose tools the agent could not list, and why. */
export interface UnavailableServer {
  server: string;
  /** The error's message: what failed and, where known, what to do. */
  reason: string;
}

/**
 * Options of one {@link Agent.callTool}.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * await agent.callTool('everything_longRunningOperation', { duration: 5 }, {
 *   timeoutMilliseconds: 30_000,
 *   signal: controller.signal,
 *   onProgress: ({ progress, total }) => console.log(`${progress}/${total ?? '?'}`),
 * });
 * ```
 */
export interface AgentToolCallOptions {
  /**
   * This call's timeout. Outside a workflow it bounds the MCP request (as the MCP service's
   * `timeoutMilliseconds`); inside one it is the task's `startToCloseTimeout`, so each attempt
   * gets that long and a timed-out attempt is retried by the task's retry policy.
   */
  timeoutMilliseconds?: number | undefined;
  /**
   * Cancels the call: outside a workflow the server gets `notifications/cancelled`; inside one the
   * call rejects with the signal's reason and the task runs to its end unobserved (cancel the
   * workflow to stop the task itself).
   */
  signal?: AbortSignal | undefined;
  /**
   * Receives the tool's progress notifications. Outside a workflow only: inside one, the task
   * runs elsewhere (a Temporal worker) and the callback is not called.
   */
  onProgress?: ((progress: McpProgress) => void) | undefined;
}

/** Options of {@link Agent}. */
export interface AgentOptions {
  name: string;
  /** The system prompt an attached LLM uses. */
  instruction?: string;
  /** Names from `mcp.servers` in the config. */
  serverNames?: string[];
  /** Local tools. */
  functions?: AgentFunctionTool[];
  /** Keeps only these tools (namespaced or plain names), or those the predicate accepts. */
  allowedTools?: string[] | ((tool: AgentTool) => boolean);
  /**
   * The app whose services (MCP servers, model providers, settings) the agent uses outside a
   * workflow. Default: the app of the enclosing `app.run`, else the only app started.
   */
  app?: ServicesOwner;
  /** The MCP service to use outside a workflow instead of the app's. */
  mcp?: McpService;
  /**
   * When true, a server whose tools can't be listed fails `initialize` (and every call that lists
   * tools), as it did before this option existed. Default false: its tools are missing, a warning
   * is logged and {@link Agent.unavailableServers} says why, and the other servers' tools work.
   */
  strictServers?: boolean;
  /**
   * Receives the warning about an unavailable server. Default: `console.warn`, which inside a
   * Temporal workflow is the workflow logger (quiet during replay).
   */
  logger?: { warn(message: string, data?: Record<string, unknown>): void };
}

/** What `attachLlm` accepts: an LLM class (such as `OpenAIAugmentedLLM`) built with the agent. */
export type AugmentedLLMClass<T> = new (options: { agent: Agent }) => T;

/** What a tool name calls: a local function, or a server's tool. */
type ToolTarget = { kind: 'function'; fn: AgentFunctionTool } | { kind: 'server'; server: string; tool: string };

const LISTED_TOOLS = Symbol('mcp-agent.agent.listedTools');

/**
 * An agent's tools when they can be given without listing first, else undefined (also for an
 * object that is not an {@link Agent}). Inside core only: the LLM loop reads them without a promise.
 */
export function listedToolsOf(agent: Agent): AgentTool[] | undefined {
  return agent instanceof Agent ? agent[LISTED_TOOLS]() : undefined;
}

const ASYNC_DISPOSE: typeof Symbol.asyncDispose =
  (Symbol as { asyncDispose?: typeof Symbol.asyncDispose }).asyncDispose ?? (Symbol.for('Symbol.asyncDispose') as typeof Symbol.asyncDispose);

/**
 * An agent, as in the Python project: its tools are its MCP servers' tools (named
 * `server_tool`) and its local functions.
 *
 * @example
 * ```ts
 * await using agent = await new Agent({ name: 'finder', serverNames: ['filesystem'] }).initialize();
 * const tools = await agent.listTools();
 * const result = await agent.callTool('filesystem_read_file', { path: '/tmp/notes.txt' });
 * ```
 */
export class Agent {
  readonly name: string;
  readonly instruction: string | undefined;
  readonly serverNames: readonly string[];
  /** The app given in the options, if any. */
  readonly app: ServicesOwner | undefined;
  readonly #options: AgentOptions;
  #tools: NamespacedIndex<McpToolDescriptor> | undefined;
  /** Each available server's tools, as listed (after the server's `allowed_tools`). */
  readonly #serverTools = new Map<string, McpToolDescriptor[]>();
  /** The fingerprint of each server's list in {@link #serverTools}, computed when first needed. */
  readonly #fingerprints = new Map<string, string>();
  /** Servers to list again before the tools are next used: a tool result said their list changed. */
  readonly #stale = new Set<string>();
  /** Servers whose tools could not be listed, and why. */
  readonly #unavailable = new Map<string, string>();
  /** Outside a workflow: the service's list versions when each server's lists were last listed. */
  readonly #listedVersions = new Map<string, McpListVersions>();
  /** A re-listing in progress, shared by concurrent callers. */
  #refreshing: Promise<void> | undefined;
  #prompts: Promise<Array<McpPromptDescriptor & { namespacedName: string }>> | undefined;
  #resources: Promise<McpResourceDescriptor[]> | undefined;
  #resourceTemplates: Promise<McpResourceTemplateDescriptor[]> | undefined;
  #initializing: Promise<this> | undefined;
  #closed = false;

  constructor(options: AgentOptions) {
    if (typeof options?.name !== 'string' || options.name === '') throw new WorkflowUsageError('new Agent({ name }): name must be a non-empty string');
    for (const server of options.serverNames ?? []) {
      if (typeof server !== 'string' || server === '') throw new WorkflowUsageError(`Agent "${options.name}": serverNames must be non-empty strings, got ${JSON.stringify(server)}`);
    }
    this.name = options.name;
    this.instruction = options.instruction;
    this.serverNames = Object.freeze([...(options.serverNames ?? [])]);
    this.app = options.app;
    this.#options = options;
    currentWorkflowContext()?.noteAgent?.(this.name);
  }

  /** The agent's local tools, as given. */
  get localFunctions(): readonly AgentFunctionTool[] {
    return this.#options.functions ?? [];
  }

  /** The tools the agent keeps, as given: names, a predicate, or undefined for all. */
  get allowedTools(): AgentOptions['allowedTools'] {
    return this.#options.allowedTools;
  }

  /**
   * Lists the tools of every server once (one recorded task per server under Temporal). Safe to
   * call again. A server whose tools can't be listed (inside a workflow: whose task failed after
   * its retries) is left out and reported by {@link unavailableServers}, unless `strictServers`.
   *
   * @throws the listing's error with `strictServers`; a cancellation, a usage error and
   *   `MCP_UNKNOWN_SERVER` (a name missing from `mcp.servers`) always.
   */
  initialize(): Promise<this> {
    if (this.#closed) return Promise.reject(new WorkflowUsageError(`Agent "${this.name}" is closed`));
    if (this.#initializing === undefined) {
      if (this.serverNames.length === 0 && schedulesOnCall(currentWorkflowContext())) {
        // Nothing to list: ready now, with no turn of the microtask queue.
        this.#tools = new NamespacedIndex<McpToolDescriptor>([]);
        this.#initializing = Promise.resolve(this);
        return this.#initializing;
      }
      const initializing = this.#listServers(this.serverNames).then(() => this);
      this.#initializing = initializing;
      initializing.catch(() => {
        if (this.#initializing === initializing) this.#initializing = undefined;
      });
    }
    return this.#initializing;
  }

  /**
   * The servers whose tools could not be listed, with the reason, in `serverNames` order. Their
   * tools are missing from {@link listTools}; {@link refreshTools} tries them again.
   *
   * @example
   * ```ts
   * for (const { server, reason } of agent.unavailableServers()) console.warn(`${server}: ${reason}`);
   * ```
   */
  unavailableServers(): UnavailableServer[] {
    return this.serverNames.filter((server) => this.#unavailable.has(server)).map((server) => ({ server, reason: this.#unavailable.get(server) as string }));
  }

  /**
   * Lists the tools of these servers again (default: every server, unavailable ones included):
   * one new `mcp.listTools` task per server inside a workflow.
   *
   * @example
   * ```ts
   * await agent.refreshTools(agent.unavailableServers().map(({ server }) => server));
   * ```
   */
  async refreshTools(servers: readonly string[] = this.serverNames): Promise<void> {
    this.#requireOpen();
    for (const server of servers) {
      if (!this.serverNames.includes(server)) throw new WorkflowUsageError(`Agent "${this.name}" has no server "${server}"; its servers: ${this.serverNames.join(', ') || '(none)'}`);
    }
    if (this.#tools === undefined) {
      await this.initialize();
      return;
    }
    await this.#refreshing?.catch(() => undefined);
    await this.#listServers(servers);
  }

  /**
   * Lists the tools of the servers (concurrently; one task each inside a workflow) and rebuilds the
   * index. A failed server is recorded as unavailable, or raises with `strictServers`.
   */
  async #listServers(servers: readonly string[]): Promise<void> {
    const versions = servers.map((server) => this.#serviceVersions(server));
    const settled = await Promise.allSettled(servers.map((server) => this.#invoke<McpToolDescriptor[]>(MCP_TASK_NAMES.listTools, [server])));
    const failure = settled.find((outcome) => outcome.status === 'rejected' && (this.#options.strictServers === true || mustRaise(outcome.reason)));
    if (failure !== undefined) throw (failure as PromiseRejectedResult).reason;
    settled.forEach((outcome, index) => {
      const server = servers[index] as string;
      this.#fingerprints.delete(server);
      this.#stale.delete(server);
      const version = versions[index];
      if (version !== undefined) {
        // Only the tools were listed: the versions of prompts and resources keep their own readings.
        const previous = this.#listedVersions.get(server);
        this.#listedVersions.set(server, { tools: version.tools, prompts: previous?.prompts ?? version.prompts, resources: previous?.resources ?? version.resources });
      }
      if (outcome.status === 'fulfilled') {
        this.#serverTools.set(server, outcome.value);
        this.#unavailable.delete(server);
        return;
      }
      const reason = messageOf(outcome.reason);
      this.#serverTools.delete(server);
      this.#unavailable.set(server, reason);
      this.#warn(`agent "${this.name}": MCP server "${server}" is unavailable, its tools are left out: ${reason}`, { agent: this.name, server, reason });
    });
    this.#tools = new NamespacedIndex(this.serverNames.flatMap((server) => (this.#serverTools.get(server) ?? []).map((tool) => ({ server, name: tool.name, item: tool }))));
  }

  /**
   * Closes the agent: its tools, prompts and resources can't be used any more. Connections belong
   * to the process and stay pooled for other agents.
   */
  async close(): Promise<void> {
    this.#closed = true;
    this.#tools = undefined;
    this.#serverTools.clear();
    this.#prompts = undefined;
    this.#resources = undefined;
    this.#resourceTemplates = undefined;
  }

  #requireOpen(): void {
    if (this.#closed) throw new WorkflowUsageError(`Agent "${this.name}" is closed; make a new Agent to use its servers again`);
  }

  async [ASYNC_DISPOSE](): Promise<void> {
    await this.close();
  }

  /**
   * The agent's tools when they can be given without listing first (as {@link listTools} would
   * give them), else undefined: for the LLM loop, which then needs no promise to read them.
   */
  [LISTED_TOOLS](): AgentTool[] | undefined {
    if (this.#closed) return undefined;
    const index = this.#listedIndex();
    return index === undefined ? undefined : this.#agentTools(index);
  }

  /** The agent's tools: its servers' tools (filtered by `allowedTools`) and its local functions. */
  listTools(): Promise<AgentTool[]> {
    // Not an async function: once the tools are listed this makes one promise, and Temporal's
    // workflow runtime records a stack trace for every promise that workflow code makes.
    try {
      this.#requireOpen();
      const index = this.#listedIndex();
      if (index !== undefined) return Promise.resolve(this.#agentTools(index));
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#index().then((index) => this.#agentTools(index));
  }

  /** The tools of `index` and the local functions, filtered by `allowedTools`. */
  #agentTools(index: NamespacedIndex<McpToolDescriptor>): AgentTool[] {
    const tools: AgentTool[] = index.items.map(({ server, name, namespacedName, item }) => ({
      name: namespacedName,
      description: item.description,
      inputSchema: item.inputSchema,
      server,
      toolName: name,
      ...(item.title === undefined ? {} : { title: item.title }),
      ...(item.outputSchema === undefined ? {} : { outputSchema: item.outputSchema }),
      ...(item.annotations === undefined ? {} : { annotations: item.annotations }),
    }));
    for (const fn of this.#options.functions ?? []) {
      tools.push({
        name: fn.name,
        description: fn.description,
        inputSchema: fn.inputSchema ?? { type: 'object', additionalProperties: true },
        server: undefined,
        toolName: fn.name,
      });
    }
    return tools.filter((tool) => this.#allowed(tool));
  }

  #allowed(tool: AgentTool): boolean {
    const allowed = this.#options.allowedTools;
    if (allowed === undefined) return true;
    if (typeof allowed === 'function') return allowed(tool);
    return allowed.includes(tool.name) || allowed.includes(tool.toolName);
  }

  /**
   * Calls a tool by the name `listTools` gives (`server_tool`), by its plain name when only one
   * server has it, or a local function by name. A tool's own failure comes back as a result with
   * `isError: true`.
   *
   * `options` sets this call's timeout, an abort signal and a progress callback (see
   * {@link AgentToolCallOptions} for how each works inside a workflow). A result saying that the
   * server's tool list changed makes the agent list that server's tools again before they are
   * next used (a new recorded `mcp.listTools` task inside a workflow).
   *
   * @throws McpClientError `MCP_UNKNOWN_TOOL` naming the available tools (a tool of an
   *   unavailable server also names that server and why).
   */
  callTool(name: string, args: Record<string, unknown> = {}, options: AgentToolCallOptions = {}): Promise<McpToolResult> {
    if (!schedulesOnCall(currentWorkflowContext())) return this.#callToolStepwise(name, args, options);
    // Not an async function: with the tools listed, the task is scheduled before this returns.
    try {
      this.#requireOpen();
      const index = this.#listedIndex();
      if (index === undefined) return this.#index().then(() => this.callTool(name, args, options));
      const target = this.#toolTarget(name, this.#agentTools(index), index);
      if (target.kind === 'function') return this.#runFunction(target.fn, args);
      const { server, tool } = target;
      return this.#callServerTool({ server, tool, arguments: args }, options).then((result) => {
        this.#noteToolListFingerprint(server, result.toolListFingerprint);
        return result;
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * `callTool` as runs recorded before the change `mcp-agent.schedule-on-call` made it: the same
   * awaits, so that their tasks are scheduled in the order their histories hold.
   */
  async #callToolStepwise(name: string, args: Record<string, unknown>, options: AgentToolCallOptions): Promise<McpToolResult> {
    this.#requireOpen();
    const tools = await this.listTools();
    const fn = (this.#options.functions ?? []).find((candidate) => candidate.name === name);
    if (fn !== undefined && tools.some((tool) => tool.server === undefined && tool.name === name)) {
      return this.#runFunction(fn, args);
    }
    const index = await this.#index();
    const target = this.#toolTarget(name, tools, index);
    // A local function was run above, before the index was awaited, as these runs did.
    if (target.kind === 'function') return this.#runFunction(target.fn, args);
    const result = await this.#callServerTool({ server: target.server, tool: target.tool, arguments: args }, options);
    this.#noteToolListFingerprint(target.server, result.toolListFingerprint);
    return result;
  }

  /**
   * What `name` calls among `tools`: a local function, or a server's tool by its index entry.
   *
   * @throws McpClientError `MCP_UNKNOWN_TOOL` naming the available tools.
   */
  #toolTarget(name: string, tools: AgentTool[], index: NamespacedIndex<McpToolDescriptor>): ToolTarget {
    const fn = (this.#options.functions ?? []).find((candidate) => candidate.name === name);
    if (fn !== undefined && tools.some((tool) => tool.server === undefined && tool.name === name)) return { kind: 'function', fn };
    const entry = index.resolve(name);
    const offered = entry === undefined ? undefined : tools.find((tool) => tool.name === entry.namespacedName);
    if (entry === undefined || offered === undefined) {
      const servers = index.serversWith(name);
      const hint = servers.length > 1 ? ` "${name}" is on ${servers.join(' and ')}: use ${servers.map((server) => `${server}_${name}`).join(' or ')}.` : '';
      const unavailable = this.unavailableServers();
      const missing = unavailable.length === 0 ? '' : ` Unavailable: ${unavailable.map(({ server, reason }) => `${server} (${reason})`).join('; ')}.`;
      throw new McpClientError(
        'MCP_UNKNOWN_TOOL',
        entry?.server ?? this.serverNames.join(','),
        `agent "${this.name}" has no tool "${name}".${hint} Its tools: ${tools.map((tool) => tool.name).join(', ') || '(none)'}.${missing}`,
      );
    }
    return { kind: 'server', server: entry.server, tool: entry.name };
  }

  /**
   * Inside a workflow: the `mcp.callTool` task, its timeout the task's. Outside: the service, with
   * every option. Not an async function: a call without a signal adds no promise to the task's.
   */
  #callServerTool(request: { server: string; tool: string; arguments: Record<string, unknown> }, options: AgentToolCallOptions): Promise<McpToolResult> {
    const { signal, timeoutMilliseconds, onProgress } = options;
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    const context = currentWorkflowContext();
    if (context === undefined) {
      const service = this.#options.mcp ?? this.services().mcp;
      return service.callTool(request, { signal, timeoutMilliseconds, onProgress });
    }
    const task = context.executeTask<McpToolResult>(MCP_TASK_NAMES.callTool, [request], timeoutMilliseconds === undefined ? undefined : { startToCloseTimeout: timeoutMilliseconds });
    return signal === undefined ? task : untilAborted(task, signal);
  }

  /** A tool result carried the server's tool-list fingerprint: a different one makes the server stale. */
  #noteToolListFingerprint(server: string, fingerprint: string | undefined): void {
    if (fingerprint === undefined) return;
    const tools = this.#serverTools.get(server);
    if (tools === undefined) return;
    let held = this.#fingerprints.get(server);
    if (held === undefined) {
      held = toolListFingerprint(tools);
      this.#fingerprints.set(server, held);
    }
    if (held !== fingerprint) this.#stale.add(server);
  }

  async #runFunction(fn: AgentFunctionTool, args: Record<string, unknown>): Promise<McpToolResult> {
    try {
      const value = await fn.run(args);
      const text = typeof value === 'string' ? value : JSON.stringify(value ?? null);
      return { content: [{ type: 'text', text }], isError: false };
    } catch (error) {
      // A cancellation, or a mistake in the app's own code, ends the call; anything else the
      // function threw goes back to the model as the tool's error.
      if (isCancellation(error) || error instanceof WorkflowUsageError) throw error;
      return { content: [{ type: 'text', text: error instanceof Error ? error.message : String(error) }], isError: true };
    }
  }

  /**
   * The prompts of every server, named `server_prompt`. Listed once, as tools are; outside a
   * workflow listed again after a server announced a change. Unavailable servers are left out.
   */
  async listPrompts(): Promise<Array<McpPromptDescriptor & { namespacedName: string }>> {
    this.#requireOpen();
    if (this.#serviceListsMoved('prompts')) this.#prompts = undefined;
    this.#prompts ??= (async () => {
      const listings = await this.#listEach<McpPromptDescriptor>(MCP_TASK_NAMES.listPrompts);
      const index = new NamespacedIndex(listings.flatMap(([server, prompts]) => prompts.map((prompt) => ({ server, name: prompt.name, item: prompt }))));
      return index.items.map((entry) => ({ ...entry.item, namespacedName: entry.namespacedName }));
    })();
    this.#prompts.catch(() => {
      this.#prompts = undefined;
    });
    return this.#prompts;
  }

  /** Fills in a prompt by its namespaced name (or plain name when only one server has it). */
  async getPrompt(name: string, args: Record<string, string> = {}): Promise<McpPromptResult> {
    const prompts = await this.listPrompts();
    const matches = prompts.filter((prompt) => prompt.namespacedName === name || prompt.name === name);
    const prompt = matches.find((candidate) => candidate.namespacedName === name) ?? (matches.length === 1 ? matches[0] : undefined);
    if (prompt === undefined) {
      throw new McpClientError(
        'MCP_UNKNOWN_TOOL',
        this.serverNames.join(','),
        `agent "${this.name}" has no prompt "${name}"; its prompts: ${prompts.map((candidate) => candidate.namespacedName).join(', ') || '(none)'}`,
      );
    }
    return this.#invoke<McpPromptResult>(MCP_TASK_NAMES.getPrompt, [{ server: prompt.server, name: prompt.name, arguments: args }]);
  }

  /**
   * The resources of every server. Listed once, as tools are; outside a workflow listed again
   * after a server announced a change. Unavailable servers are left out.
   */
  async listResources(): Promise<McpResourceDescriptor[]> {
    this.#requireOpen();
    if (this.#serviceListsMoved('resources')) {
      this.#resources = undefined;
      this.#resourceTemplates = undefined;
    }
    this.#resources ??= this.#listEach<McpResourceDescriptor>(MCP_TASK_NAMES.listResources).then((listings) => listings.flatMap(([, resources]) => resources));
    this.#resources.catch(() => {
      this.#resources = undefined;
    });
    return this.#resources;
  }

  /**
   * The resource templates of every server (`resources/templates/list`; one `mcp.listResourceTemplates`
   * task per server inside a workflow). Unavailable servers are left out.
   *
   * @example
   * ```ts
   * const [template] = await agent.listResourceTemplates();
   * const { contents } = await agent.readResourceFromTemplate(template.uriTemplate, { resourceId: '1' }, template.server);
   * ```
   */
  async listResourceTemplates(): Promise<McpResourceTemplateDescriptor[]> {
    this.#requireOpen();
    if (this.#serviceListsMoved('resources')) {
      this.#resources = undefined;
      this.#resourceTemplates = undefined;
    }
    this.#resourceTemplates ??= this.#listEach<McpResourceTemplateDescriptor>(MCP_TASK_NAMES.listResourceTemplates).then((listings) => listings.flatMap(([, templates]) => templates));
    this.#resourceTemplates.catch(() => {
      this.#resourceTemplates = undefined;
    });
    return this.#resourceTemplates;
  }

  /**
   * Reads the resource a template names once filled with `variables` (RFC 6570 level 1:
   * `{name}`, percent-encoded), from `server` or else the one server whose templates include it.
   *
   * @throws TypeError naming a variable the template needs and `variables` lacks.
   * @throws McpClientError `MCP_UNKNOWN_TOOL` when no server, or several, list the template.
   * @example
   * ```ts
   * const { contents } = await agent.readResourceFromTemplate('demo://resource/dynamic/text/{resourceId}', { resourceId: '2' });
   * ```
   */
  async readResourceFromTemplate(uriTemplate: string, variables: Readonly<Record<string, string | number | boolean>>, server?: string): Promise<McpResourceResult> {
    const uri = fillUriTemplate(uriTemplate, variables);
    let target = server;
    if (target === undefined) {
      const owners = (await this.listResourceTemplates()).filter((template) => template.uriTemplate === uriTemplate).map((template) => template.server);
      if (owners.length !== 1) {
        throw new McpClientError(
          'MCP_UNKNOWN_TOOL',
          this.serverNames.join(','),
          owners.length === 0
            ? `agent "${this.name}": no server lists the resource template "${uriTemplate}"`
            : `agent "${this.name}": the template "${uriTemplate}" is on ${owners.join(' and ')}; pass the server`,
        );
      }
      target = owners[0] as string;
    }
    return this.readResource(uri, target);
  }

  /**
   * Suggestions for a prompt argument or a resource template variable (`completion/complete`; an
   * `mcp.complete` task inside a workflow).
   *
   * @example
   * ```ts
   * const { values } = await agent.complete({ server: 'everything', ref: { type: 'ref/prompt', name: 'completable-prompt' }, argument: { name: 'department', value: 'S' } });
   * ```
   */
  async complete(request: McpCompleteRequest): Promise<McpCompletionResult> {
    this.#requireOpen();
    if (!this.serverNames.includes(request.server)) {
      throw new WorkflowUsageError(`Agent "${this.name}" has no server "${request.server}"; its servers: ${this.serverNames.join(', ') || '(none)'}`);
    }
    return this.#invoke<McpCompletionResult>(MCP_TASK_NAMES.complete, [request]);
  }

  /**
   * Lists something of every available server (one task each inside a workflow): a failed server
   * is recorded as unavailable and left out, or raises with `strictServers`.
   */
  async #listEach<T>(taskName: string): Promise<Array<[string, T[]]>> {
    const servers = this.serverNames.filter((server) => !this.#unavailable.has(server));
    for (const server of servers) this.#noteServiceVersions(server);
    const settled = await Promise.allSettled(servers.map((server) => this.#invoke<T[]>(taskName, [server])));
    const failure = settled.find((outcome) => outcome.status === 'rejected' && (this.#options.strictServers === true || mustRaise(outcome.reason)));
    if (failure !== undefined) throw (failure as PromiseRejectedResult).reason;
    const listings: Array<[string, T[]]> = [];
    settled.forEach((outcome, index) => {
      const server = servers[index] as string;
      if (outcome.status === 'fulfilled') {
        listings.push([server, outcome.value]);
        return;
      }
      const reason = messageOf(outcome.reason);
      this.#unavailable.set(server, reason);
      this.#warn(`agent "${this.name}": MCP server "${server}" is unavailable, left out: ${reason}`, { agent: this.name, server, reason });
    });
    return listings;
  }

  /** Reads a resource by URI from the server that lists it (or from `server` when given). */
  async readResource(uri: string, server?: string): Promise<McpResourceResult> {
    let target = server;
    if (target === undefined) {
      const owners = (await this.listResources()).filter((resource) => resource.uri === uri).map((resource) => resource.server);
      if (owners.length !== 1) {
        throw new McpClientError(
          'MCP_UNKNOWN_TOOL',
          this.serverNames.join(','),
          owners.length === 0 ? `agent "${this.name}": no server lists the resource "${uri}"` : `agent "${this.name}": "${uri}" is on ${owners.join(' and ')}; pass the server`,
        );
      }
      target = owners[0] as string;
    }
    return this.#invoke<McpResourceResult>(MCP_TASK_NAMES.readResource, [{ server: target, uri }]);
  }

  /**
   * Attaches an LLM to this agent (initializing it first): `await agent.attachLlm(OpenAIAugmentedLLM)`.
   */
  attachLlm<T>(llmClass: AugmentedLLMClass<T>): Promise<T> {
    const initializing = this.initialize();
    if (this.#tools === undefined || !schedulesOnCall(currentWorkflowContext())) return initializing.then(() => new llmClass({ agent: this }));
    // Listed already: attached now, with no turn of the microtask queue.
    try {
      return Promise.resolve(new llmClass({ agent: this }));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * The tool index, listing first when needed: at the first use, and for servers whose list
   * changed (a tool result said so; outside a workflow also the service's list versions).
   */
  async #index(): Promise<NamespacedIndex<McpToolDescriptor>> {
    if (this.#tools === undefined) await this.initialize();
    this.#noteMovedToolLists();
    while (this.#stale.size > 0 || this.#refreshing !== undefined) {
      if (this.#refreshing === undefined) {
        const refreshing = this.#listServers(this.serverNames.filter((server) => this.#stale.has(server))).finally(() => {
          if (this.#refreshing === refreshing) this.#refreshing = undefined;
        });
        this.#refreshing = refreshing;
      }
      await this.#refreshing;
    }
    return this.#tools as NamespacedIndex<McpToolDescriptor>;
  }

  /** The tool index when it can be used without listing first (as {@link #index} would return it), else undefined. */
  #listedIndex(): NamespacedIndex<McpToolDescriptor> | undefined {
    if (this.#tools === undefined) return undefined;
    this.#noteMovedToolLists();
    return this.#stale.size === 0 && this.#refreshing === undefined ? this.#tools : undefined;
  }

  /** Outside a workflow: marks stale the servers whose tool list changed in the service since it was listed. */
  #noteMovedToolLists(): void {
    if (currentWorkflowContext() !== undefined) return;
    for (const server of this.#serverTools.keys()) {
      const listed = this.#listedVersions.get(server);
      const now = this.#serviceVersions(server);
      if (listed !== undefined && now !== undefined && now.tools !== listed.tools) this.#stale.add(server);
    }
  }

  /** Logs a warning to the agent's logger, else the console (the workflow logger inside a Temporal workflow). */
  #warn(message: string, data: Record<string, unknown>): void {
    const logger = this.#options.logger ?? (globalThis as { console?: { warn(message: string, data?: unknown): void } }).console;
    logger?.warn(message, data);
  }

  /** Outside a workflow, the service's list versions of a server, when the service keeps them. */
  #serviceVersions(server: string): McpListVersions | undefined {
    if (currentWorkflowContext() !== undefined) return undefined;
    const service = this.#options.mcp ?? this.#servicesOrUndefined()?.mcp;
    try {
      return service?.listVersions?.(server);
    } catch {
      return undefined;
    }
  }

  #servicesOrUndefined(): AppServices | undefined {
    try {
      return this.services();
    } catch {
      return undefined;
    }
  }

  /** Remembers the service's versions of a server's prompts and resources as they are listed. */
  #noteServiceVersions(server: string): void {
    const now = this.#serviceVersions(server);
    if (now === undefined) return;
    const listed = this.#listedVersions.get(server);
    this.#listedVersions.set(server, { tools: listed?.tools ?? now.tools, prompts: now.prompts, resources: now.resources });
  }

  /** Outside a workflow: true when the service says a server's prompts or resources changed since they were listed. */
  #serviceListsMoved(list: 'prompts' | 'resources'): boolean {
    if (currentWorkflowContext() !== undefined) return false;
    return this.serverNames.some((server) => {
      const listed = this.#listedVersions.get(server);
      const now = this.#serviceVersions(server);
      return listed !== undefined && now !== undefined && now[list] !== listed[list];
    });
  }

  /**
   * The services this agent (and an LLM attached to it) uses outside a workflow: its app's, or
   * those of the app running the caller.
   *
   * @throws WorkflowUsageError when no app can be found.
   */
  services(): AppServices {
    return servicesOf(this.app);
  }

  /** Inside a workflow: a task of the engine. Outside: the MCP service directly. */
  #invoke<R>(taskName: string, args: unknown[]): Promise<R> {
    const context = currentWorkflowContext();
    if (context !== undefined) return context.executeTask<R>(taskName, args, undefined);
    const service = this.#options.mcp ?? this.services().mcp;
    const [first] = args as [never];
    switch (taskName) {
      case MCP_TASK_NAMES.listTools:
        return service.listTools(first) as Promise<R>;
      case MCP_TASK_NAMES.callTool:
        return service.callTool(first) as Promise<R>;
      case MCP_TASK_NAMES.listPrompts:
        return service.listPrompts(first) as Promise<R>;
      case MCP_TASK_NAMES.getPrompt:
        return service.getPrompt(first) as Promise<R>;
      case MCP_TASK_NAMES.listResources:
        return service.listResources(first) as Promise<R>;
      case MCP_TASK_NAMES.readResource:
        return service.readResource(first) as Promise<R>;
      case MCP_TASK_NAMES.listResourceTemplates:
        if (service.listResourceTemplates === undefined) return Promise.reject(unsupported('listResourceTemplates', first));
        return service.listResourceTemplates(first) as Promise<R>;
      case MCP_TASK_NAMES.complete:
        if (service.complete === undefined) return Promise.reject(unsupported('complete', (first as McpCompleteRequest).server));
        return service.complete(first) as Promise<R>;
      default:
        return Promise.reject(new WorkflowUsageError(`Agent: no MCP operation "${taskName}"`));
    }
  }
}

/**
 * Errors that end an agent's listing whatever `strictServers` says: a cancellation, a mistake in
 * the app's code, and a server name missing from `mcp.servers` (a typo, not an outage).
 */
function mustRaise(error: unknown): boolean {
  if (isCancellation(error)) return true;
  for (let current = error, depth = 0; current !== undefined && current !== null && depth < 10; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (code === 'WORKFLOW_USAGE' || code === 'MCP_UNKNOWN_SERVER') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * The task's outcome, or a rejection with the signal's reason once it aborts first. The task runs
 * on unobserved after an abort.
 */
async function untilAborted<T>(task: Promise<T>, signal: AbortSignal): Promise<T> {
  let stop: (() => void) | undefined;
  const aborted = new Promise<never>((_resolve, reject) => {
    stop = () => reject(signal.reason);
    signal.addEventListener('abort', stop, { once: true });
  });
  try {
    return await Promise.race([task, aborted]);
  } finally {
    if (stop !== undefined) signal.removeEventListener('abort', stop);
    task.catch(() => undefined);
  }
}

/** What an optional operation raises when the MCP service lacks it. */
function unsupported(operation: string, server: string): McpClientError {
  return new McpClientError('MCP_PROTOCOL_ERROR', server, `the MCP service has no ${operation}(); use the MCP service of @mcp-agent/mcp-client, or add ${operation} to yours`, {
    retryable: false,
  });
}
