/**
 * Agent: a name, an instruction, and the tools of its MCP servers and local functions. Safe for
 * the workflow sandbox: inside a workflow every MCP operation runs as a task (an activity under
 * Temporal); outside one it goes to the running app's MCP service.
 */
import { isCancellation, McpClientError, WorkflowUsageError } from '../errors.js';
import {
  MCP_TASK_NAMES,
  type McpPromptDescriptor,
  type McpPromptResult,
  type McpResourceDescriptor,
  type McpResourceResult,
  type McpService,
  type McpToolDescriptor,
  type McpToolResult,
} from '../mcp/mcp-service.js';
import { NamespacedIndex } from '../mcp/tool-index.js';
import { currentWorkflowContext } from '../model/workflow-context.js';
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
}

/** What `attachLlm` accepts: an LLM class (such as `OpenAIAugmentedLLM`) built with the agent. */
export type AugmentedLLMClass<T> = new (options: { agent: Agent }) => T;

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
  #prompts: Promise<Array<McpPromptDescriptor & { namespacedName: string }>> | undefined;
  #resources: Promise<McpResourceDescriptor[]> | undefined;
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
  }

  /** The agent's local tools, as given. */
  get localFunctions(): readonly AgentFunctionTool[] {
    return this.#options.functions ?? [];
  }

  /** The tools the agent keeps, as given: names, a predicate, or undefined for all. */
  get allowedTools(): AgentOptions['allowedTools'] {
    return this.#options.allowedTools;
  }

  /** Lists the tools of every server once (one recorded task per server under Temporal). Safe to call again. */
  initialize(): Promise<this> {
    if (this.#closed) return Promise.reject(new WorkflowUsageError(`Agent "${this.name}" is closed`));
    this.#initializing ??= (async () => {
      const listings = await Promise.all(this.serverNames.map((server) => this.#invoke<McpToolDescriptor[]>(MCP_TASK_NAMES.listTools, [server])));
      this.#tools = new NamespacedIndex(listings.flatMap((tools, index) => tools.map((tool) => ({ server: this.serverNames[index] as string, name: tool.name, item: tool }))));
      return this;
    })();
    this.#initializing.catch(() => {
      this.#initializing = undefined;
    });
    return this.#initializing;
  }

  /**
   * Closes the agent: its tools, prompts and resources can't be used any more. Connections belong
   * to the process and stay pooled for other agents.
   */
  async close(): Promise<void> {
    this.#closed = true;
    this.#tools = undefined;
    this.#prompts = undefined;
    this.#resources = undefined;
  }

  #requireOpen(): void {
    if (this.#closed) throw new WorkflowUsageError(`Agent "${this.name}" is closed; make a new Agent to use its servers again`);
  }

  async [ASYNC_DISPOSE](): Promise<void> {
    await this.close();
  }

  /** The agent's tools: its servers' tools (filtered by `allowedTools`) and its local functions. */
  async listTools(): Promise<AgentTool[]> {
    this.#requireOpen();
    const index = await this.#index();
    const tools: AgentTool[] = index.items.map(({ server, name, namespacedName, item }) => ({
      name: namespacedName,
      description: item.description,
      inputSchema: item.inputSchema,
      server,
      toolName: name,
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
   * @throws McpClientError `MCP_UNKNOWN_TOOL` naming the available tools.
   */
  async callTool(name: string, args: Record<string, unknown> = {}): Promise<McpToolResult> {
    this.#requireOpen();
    const tools = await this.listTools();
    const fn = (this.#options.functions ?? []).find((candidate) => candidate.name === name);
    if (fn !== undefined && tools.some((tool) => tool.server === undefined && tool.name === name)) {
      return this.#runFunction(fn, args);
    }
    const index = await this.#index();
    const entry = index.resolve(name);
    const offered = entry === undefined ? undefined : tools.find((tool) => tool.name === entry.namespacedName);
    if (entry === undefined || offered === undefined) {
      const servers = index.serversWith(name);
      const hint = servers.length > 1 ? ` "${name}" is on ${servers.join(' and ')}: use ${servers.map((server) => `${server}_${name}`).join(' or ')}.` : '';
      throw new McpClientError(
        'MCP_UNKNOWN_TOOL',
        entry?.server ?? this.serverNames.join(','),
        `agent "${this.name}" has no tool "${name}".${hint} Its tools: ${tools.map((tool) => tool.name).join(', ') || '(none)'}`,
      );
    }
    return this.#invoke<McpToolResult>(MCP_TASK_NAMES.callTool, [{ server: entry.server, tool: entry.name, arguments: args }]);
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

  /** The prompts of every server, named `server_prompt` (listed once, as tools are). */
  async listPrompts(): Promise<Array<McpPromptDescriptor & { namespacedName: string }>> {
    this.#requireOpen();
    this.#prompts ??= (async () => {
      const listings = await Promise.all(this.serverNames.map((server) => this.#invoke<McpPromptDescriptor[]>(MCP_TASK_NAMES.listPrompts, [server])));
      const index = new NamespacedIndex(listings.flatMap((prompts, i) => prompts.map((prompt) => ({ server: this.serverNames[i] as string, name: prompt.name, item: prompt }))));
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

  /** The resources of every server (listed once, as tools are). */
  async listResources(): Promise<McpResourceDescriptor[]> {
    this.#requireOpen();
    this.#resources ??= Promise.all(this.serverNames.map((server) => this.#invoke<McpResourceDescriptor[]>(MCP_TASK_NAMES.listResources, [server]))).then((listings) => listings.flat());
    this.#resources.catch(() => {
      this.#resources = undefined;
    });
    return this.#resources;
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
  async attachLlm<T>(llmClass: AugmentedLLMClass<T>): Promise<T> {
    await this.initialize();
    return new llmClass({ agent: this });
  }

  async #index(): Promise<NamespacedIndex<McpToolDescriptor>> {
    if (this.#tools === undefined) await this.initialize();
    return this.#tools as NamespacedIndex<McpToolDescriptor>;
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
      default:
        return Promise.reject(new WorkflowUsageError(`Agent: no MCP operation "${taskName}"`));
    }
  }
}
