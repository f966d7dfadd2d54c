/**
 * Assembles an app's services once: the MCP service, the model providers and the task map that
 * engines schedule. The app calls it at start, and so does a worker process that runs an app's
 * tasks without starting the app. Node only.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Settings } from '../config/schema.js';
import { ConfigError, McpClientError, messageOf, UnknownTaskError, WorkflowUsageError } from '../sandbox/errors.js';
import { providerInstallHint, type LlmProvider } from '../sandbox/llm/llm-provider.js';
import { MCP_TASK_NAMES, type McpService } from '../sandbox/mcp/mcp-service.js';
import type { TaskDefinition } from '../sandbox/model/definitions.js';
import type { WorkflowRegistry } from '../sandbox/model/registry.js';
import { setAppServicesResolver, type AppServices, type TaskMap } from '../sandbox/services.js';
import { builtinPackageEntry, loadInstalledEmbeddingProviders, loadInstalledLlmProviders, type AppDirectories, type ExecutionEngine } from './engine-loading.js';
import type { Executor } from '../sandbox/executor.js';
import { closeRunSessions, embeddingTask, humanInputTask, llmTask, mcpTasks } from './builtin-tasks.js';
import { consoleHumanInput } from './human-input-console.js';
import type { EmbeddingProvider } from '../sandbox/llm/embedding.js';
import { HUMAN_INPUT_TASK, type HumanInputHandler } from '../sandbox/human-input.js';
import type { Logger } from './logger.js';

/** The package whose `createMcpConnectionManager` an app uses for `mcp.servers` unless given an MCP service. */
export const MCP_CLIENT_PACKAGE = '@mcp-agent/mcp-client';

/** Options of {@link createTaskMap}. */
export interface CreateTaskMapOptions {
  registry: WorkflowRegistry;
  settings: Settings;
  /** Adds the `mcp.*` tasks over this service. */
  mcp?: McpService | undefined;
  /** Adds `llm.<provider>.complete` for each. */
  llmProviders?: readonly LlmProvider[] | undefined;
  /** Adds `embedding.<provider>.embed` for each. */
  embeddingProviders?: readonly EmbeddingProvider[] | undefined;
  /** Adds `human_input.request`, answered by this handler. */
  humanInput?: HumanInputHandler | undefined;
  /** Runs every task with these services in scope, so an Agent made inside a task finds its app. */
  scope?: AppServices | undefined;
}

const MCP_TASKS: ReadonlySet<string> = new Set(Object.values(MCP_TASK_NAMES));
const LLM_TASK = /^llm\.(.+)\.complete$/;
const EMBEDDING_TASK = /^embedding\.(.+)\.embed$/;

/** A name taken by a built-in task (`mcp.callTool`, `llm.openai.complete`, ...), whether or not its service is there. */
function isBuiltinTaskName(name: string): boolean {
  return MCP_TASKS.has(name) || LLM_TASK.test(name) || EMBEDDING_TASK.test(name) || name === HUMAN_INPUT_TASK;
}

function reservedNameError(name: string): WorkflowUsageError {
  return new WorkflowUsageError(`the task name "${name}" is reserved for a built-in task; give the app's task another name`);
}

/** Refuses an app task named like a built-in one. */
function refuseBuiltinNames(registry: WorkflowRegistry): void {
  for (const name of registry.tasks.keys()) if (isBuiltinTaskName(name)) throw reservedNameError(name);
}

/** The registry's tasks and the built-in ones, looked up live so tasks registered later are found. */
class AppTaskMap implements TaskMap {
  readonly #builtins: ReadonlyMap<string, TaskDefinition>;
  readonly #registry: WorkflowRegistry;
  readonly #scope: AppServices | undefined;
  readonly #scoped = new WeakMap<TaskDefinition, TaskDefinition>();

  constructor(options: CreateTaskMapOptions) {
    const builtins = [
      ...(options.mcp === undefined ? [] : mcpTasks(options.mcp)),
      ...(options.llmProviders ?? []).map((provider) => llmTask(provider, options.settings)),
      ...(options.embeddingProviders ?? []).map((provider) => embeddingTask(provider, options.settings)),
      ...(options.humanInput === undefined ? [] : [humanInputTask(options.humanInput)]),
    ];
    this.#builtins = new Map(builtins.map((task) => [task.name, task]));
    this.#registry = options.registry;
    this.#scope = options.scope;
  }

  has(name: string): boolean {
    return this.#builtins.has(name) || this.#registry.tasks.has(name);
  }

  get(name: string): TaskDefinition {
    const own = this.#registry.tasks.get(name);
    // A task registered after the map was made is checked here.
    if (own !== undefined && isBuiltinTaskName(name)) throw reservedNameError(name);
    const task = this.#builtins.get(name) ?? own;
    if (task === undefined) throw this.#unknown(name);
    return this.#inScope(task);
  }

  values(): TaskDefinition[] {
    const names = new Set([...this.#registry.tasks.keys(), ...this.#builtins.keys()]);
    return [...names].map((name) => this.get(name));
  }

  #unknown(name: string): UnknownTaskError {
    const names = [...this.#registry.tasks.keys(), ...this.#builtins.keys()];
    if (MCP_TASKS.has(name)) {
      return new UnknownTaskError(name, names, `This engine was given no MCP service: start it through MCPApp, or pass its services' tasks.`);
    }
    const provider = LLM_TASK.exec(name)?.[1];
    if (provider !== undefined) {
      return new UnknownTaskError(name, names, `No "${provider}" model provider is loaded: ${providerInstallHint(provider)}, or pass it to new MCPApp({ llmProviders: [...] }).`);
    }
    const embedder = EMBEDDING_TASK.exec(name)?.[1];
    if (embedder !== undefined) {
      return new UnknownTaskError(
        name,
        names,
        `No "${embedder}" embedding provider is loaded: ${providerInstallHint(embedder)}, or pass it to new MCPApp({ embeddingProviders: [...] }).`,
      );
    }
    if (name === HUMAN_INPUT_TASK) {
      return new UnknownTaskError(name, names, 'This app has no human input handler: pass one to new MCPApp({ humanInput }).');
    }
    return new UnknownTaskError(name, names);
  }

  #inScope(task: TaskDefinition): TaskDefinition {
    const scope = this.#scope;
    if (scope === undefined) return task;
    let scoped = this.#scoped.get(task);
    if (scoped === undefined) {
      const run = task.run;
      // Entering the scope costs about a microsecond; in-process, tasks usually run in it already.
      scoped = Object.freeze({ ...task, run: (...args: unknown[]) => (currentScope() === scope ? run(...args) : runWithAppServices(scope, () => run(...args))) });
      this.#scoped.set(task, scoped);
    }
    return scoped;
  }
}

/**
 * The tasks an engine runs: the registry's (looked up when called, so tasks registered later are
 * found), then the MCP and model tasks of the services given.
 *
 * @example
 * ```ts
 * const tasks = createTaskMap({ registry: app.registry, settings, llmProviders: [llmProvider] });
 * const worker = await createTemporalWorker({ registry: app.registry, settings, logger, tasks }, { workflowsPath });
 * ```
 */
export function createTaskMap(options: CreateTaskMapOptions): TaskMap {
  refuseBuiltinNames(options.registry);
  return new AppTaskMap(options);
}

/** Options of {@link createAppServices}. */
export interface CreateAppServicesOptions {
  registry: WorkflowRegistry;
  settings: Settings;
  logger: Logger;
  /** Where the app's packages are installed (folders tried in order). Default: the working directory. */
  cwd?: AppDirectories;
  /** The MCP service to use (not closed with the services) instead of one made from `mcp.servers`. */
  mcp?: McpService;
  /** Model providers to use instead of the installed `@mcp-agent/providers-*` packages. */
  llmProviders?: readonly LlmProvider[];
  /** Embedding providers to use instead of those the installed `@mcp-agent/providers-*` packages export. */
  embeddingProviders?: readonly EmbeddingProvider[];
  /**
   * Answers `requestHumanInput` in-process (on Temporal a run waits on a signal instead). Default:
   * the console, when it is a terminal.
   */
  humanInput?: HumanInputHandler;
  /** How the MCP client answers servers' requests and signs in; see {@link McpClientOptions}. */
  mcpClient?: McpClientOptions;
}

/**
 * A handler of a server-to-client MCP request, as `@mcp-agent/mcp-client` types it
 * (`SamplingHandler`, `ElicitationHandler`): the request's params and `{ server, signal }`, and
 * the MCP result. Typed loosely here because core does not depend on the MCP SDK.
 */
// biome-ignore lint/suspicious/noExplicitAny: the params are the MCP SDK's; @mcp-agent/mcp-client types them exactly
export type McpClientRequestHandler = (params: any, context: { server: string; signal: AbortSignal }) => Promise<unknown>;

/**
 * The app's own MCP client options, passed to `@mcp-agent/mcp-client`'s
 * `createMcpConnectionManager` (types there: `SamplingHandler`, `ElicitationHandler`,
 * `McpOAuthOptions`). Each wins over what the config builds:
 *
 * - `sampling` answers `sampling/createMessage`. Default: with an `mcp.sampling` section (not
 *   `enabled: false`), a handler over the app's model providers (`mcp.sampling.provider`,
 *   `model`, `max_tokens`), asking the app's human input handler first when `approval: human`.
 *   Without either, servers are not offered sampling.
 * - `elicitation` answers `elicitation/create` (form and URL modes). Default: the console when
 *   `mcp.elicitation.mode: console`; otherwise servers are not offered elicitation.
 * - `oauth` is merged over `{ settings: <the oauth section> }` (a token store, a browser opener).
 *
 * @example
 * ```ts
 * const app = new MCPApp({ name: 'agent', mcpClient: { elicitation: async (params) => ({ action: 'accept', content: { name: 'Ada' } }) } });
 * ```
 */
export interface McpClientOptions {
  sampling?: McpClientRequestHandler | undefined;
  elicitation?: McpClientRequestHandler | undefined;
  oauth?: Record<string, unknown> | undefined;
}

/** What core reads of `@mcp-agent/mcp-client`'s entry. */
interface McpClientModule {
  createMcpConnectionManager?: (options: {
    servers: unknown;
    logger: Logger;
    sampling?: McpClientRequestHandler | undefined;
    elicitation?: McpClientRequestHandler | undefined;
    oauth?: Record<string, unknown>;
  }) => McpService;
  createSamplingHandler?: (options: {
    providers: readonly LlmProvider[];
    settings: Settings;
    config: NonNullable<Settings['mcp']['sampling']>;
    humanInput: HumanInputHandler | undefined;
    logger: Logger;
  }) => McpClientRequestHandler;
  createConsoleElicitationHandler?: () => McpClientRequestHandler;
}

/** What {@link loadMcpService} needs besides the settings to build the MCP client's default handlers. */
interface McpClientContext {
  llmProviders: readonly LlmProvider[];
  humanInput: HumanInputHandler | undefined;
  options: McpClientOptions | undefined;
}

/** An MCP service for an app with no MCP client installed and no servers configured. */
const NO_MCP_SERVERS: McpService = Object.freeze({
  serverNames: () => [],
  listTools: (server: string) => Promise.reject(unconfigured(server)),
  callTool: (request: { server: string }) => Promise.reject(unconfigured(request.server)),
  listPrompts: (server: string) => Promise.reject(unconfigured(server)),
  getPrompt: (request: { server: string }) => Promise.reject(unconfigured(request.server)),
  listResources: (server: string) => Promise.reject(unconfigured(server)),
  readResource: (request: { server: string }) => Promise.reject(unconfigured(request.server)),
  listResourceTemplates: (server: string) => Promise.reject(unconfigured(server)),
  complete: (request: { server: string }) => Promise.reject(unconfigured(request.server)),
  close: () => Promise.resolve(),
});

function unconfigured(server: string): McpClientError {
  return new McpClientError('MCP_UNKNOWN_SERVER', server, `no MCP server "${server}" is configured; add it under mcp.servers in the config (and install ${MCP_CLIENT_PACKAGE})`);
}

/** The MCP service for `mcp.servers`, from the installed MCP client package. */
async function loadMcpService(settings: Settings, logger: Logger, cwd: AppDirectories, client: McpClientContext): Promise<McpService> {
  const servers = settings.mcp?.servers ?? {};
  const entry = builtinPackageEntry(MCP_CLIENT_PACKAGE, cwd);
  if (entry === undefined) {
    if (Object.keys(servers).length === 0) return NO_MCP_SERVERS;
    throw new ConfigError(
      `mcp.servers: connecting to ${Object.keys(servers).join(', ')} needs the package ${MCP_CLIENT_PACKAGE}, which cannot be found from ${typeof cwd === 'string' ? cwd : [...new Set(cwd)].join(' or ')}; ` +
        `install it (pnpm add ${MCP_CLIENT_PACKAGE}) or pass an MCP service: new MCPApp({ mcp })`,
    );
  }
  const loaded = (await import(pathToFileURL(entry).href)) as McpClientModule;
  if (typeof loaded.createMcpConnectionManager !== 'function') {
    throw new ConfigError(`${MCP_CLIENT_PACKAGE} (${entry}) exports no createMcpConnectionManager; install a version that matches @mcp-agent/core`);
  }
  const mcpLogger = logger.child('mcp');
  return loaded.createMcpConnectionManager({
    servers,
    logger: mcpLogger,
    sampling: client.options?.sampling ?? defaultSamplingHandler(loaded, settings, mcpLogger, client, entry),
    elicitation: client.options?.elicitation ?? defaultElicitationHandler(loaded, settings, entry),
    oauth: { settings: settings.oauth, ...client.options?.oauth },
  });
}

/** The sampling handler `mcp.sampling` asks for (over the app's model providers), if any. */
function defaultSamplingHandler(loaded: McpClientModule, settings: Settings, logger: Logger, client: McpClientContext, entry: string): McpClientRequestHandler | undefined {
  const config = settings.mcp?.sampling;
  // With no servers nothing can ask; an app without a model provider still starts.
  if (config === undefined || config.enabled === false || Object.keys(settings.mcp?.servers ?? {}).length === 0) return undefined;
  if (typeof loaded.createSamplingHandler !== 'function') {
    throw new ConfigError(`mcp.sampling: ${MCP_CLIENT_PACKAGE} (${entry}) exports no createSamplingHandler; install a version that matches @mcp-agent/core`);
  }
  try {
    return loaded.createSamplingHandler({ providers: client.llmProviders, settings, config, humanInput: client.humanInput, logger });
  } catch (error) {
    throw new ConfigError(messageOf(error), [], { cause: error });
  }
}

/** The elicitation handler `mcp.elicitation.mode` asks for, if any (`decline`, the default, offers none). */
function defaultElicitationHandler(loaded: McpClientModule, settings: Settings, entry: string): McpClientRequestHandler | undefined {
  if (settings.mcp?.elicitation?.mode !== 'console') return undefined;
  if (typeof loaded.createConsoleElicitationHandler !== 'function') {
    throw new ConfigError(`mcp.elicitation.mode: console: ${MCP_CLIENT_PACKAGE} (${entry}) exports no createConsoleElicitationHandler; install a version that matches @mcp-agent/core`);
  }
  return loaded.createConsoleElicitationHandler();
}

/**
 * Builds an app's services once: the MCP service (from `mcp.servers`, through the installed
 * `@mcp-agent/mcp-client`), the model providers (the installed `@mcp-agent/providers-*`) and the
 * task map engines schedule. `MCPApp` calls it at start; so does `mcp-agent worker`.
 *
 * @throws ConfigError when servers are configured and no MCP client is installed.
 */
export async function createAppServices(options: CreateAppServicesOptions): Promise<AppServices> {
  // Checked before the MCP service is made, so a refused name leaves nothing open.
  refuseBuiltinNames(options.registry);
  const cwd = options.cwd ?? process.cwd();
  const llmProviders = options.llmProviders ?? (await loadInstalledLlmProviders(cwd));
  const embeddingProviders = options.embeddingProviders ?? (await loadInstalledEmbeddingProviders(cwd));
  const humanInput = options.humanInput ?? consoleHumanInput;
  const mcp = options.mcp ?? (await loadMcpService(options.settings, options.logger, cwd, { llmProviders, humanInput, options: options.mcpClient }));
  const ownsMcp = options.mcp === undefined;
  let closed = false;
  const services: AppServices = {
    settings: options.settings,
    mcp,
    llmProviders: new Map(llmProviders.map((provider) => [provider.name, provider])),
    embeddingProviders: new Map(embeddingProviders.map((provider) => [provider.name, provider])),
    humanInput,
    tasks: undefined as unknown as TaskMap,
    async close() {
      if (closed) return;
      closed = true;
      if (ownsMcp) await mcp.close();
    },
  };
  (services as { tasks: TaskMap }).tasks = new AppTaskMap({
    registry: options.registry,
    settings: options.settings,
    mcp,
    llmProviders,
    embeddingProviders,
    humanInput,
    scope: services,
  });
  return Object.freeze(services);
}

// The services of the app whose code is running: set by app.run and around every task. On
// globalThis, so that two copies of this module in one process agree.
const SCOPE_KEY = Symbol.for('mcp-agent.app-services-scope');
const STARTED_KEY = Symbol.for('mcp-agent.app-services-started');
const holder = globalThis as unknown as Record<symbol, unknown>;
const scope = (holder[SCOPE_KEY] ??= new AsyncLocalStorage<AppServices>()) as AsyncLocalStorage<AppServices>;
const started = (holder[STARTED_KEY] ??= new Set<AppServices>()) as Set<AppServices>;

// Installed when this module loads: code outside a workflow finds the services of the enclosing
// app.run or task, else those of the only app started.
setAppServicesResolver(() => scope.getStore() ?? (started.size === 1 ? started.values().next().value : undefined));

/**
 * Counts `services` among the started apps' (for agents outside any app.run when only one app is
 * started) until the returned function is called. `MCPApp` calls it at start.
 */
export function trackStartedServices(services: AppServices): () => void {
  started.add(services);
  return () => {
    started.delete(services);
  };
}

/** The services of the enclosing app.run or task, if any. */
function currentScope(): AppServices | undefined {
  return scope.getStore();
}

/** Runs `fn` with `services` as those of the running app, for agents and LLMs made inside it. */
export function runWithAppServices<R>(services: AppServices, fn: () => R): R {
  return scope.run(services, fn);
}

/**
 * An executor of `engine` for a registry outside `MCPApp` (engine tests, tools), with services
 * made by {@link createAppServices} and closed with the executor.
 *
 * @example
 * ```ts
 * const executor = await createExecutorWithServices(createAsyncioEngine(), { appName: app.name, registry: app.registry, settings, logger, llmProviders: [llmProvider] });
 * ```
 */
export async function createExecutorWithServices(engine: ExecutionEngine, options: CreateAppServicesOptions & { appName: string }): Promise<Executor> {
  const services = await createAppServices(options);
  let executor: Executor;
  try {
    executor = await engine.createExecutor({
      appName: options.appName,
      registry: options.registry,
      settings: options.settings,
      logger: options.logger,
      tasks: services.tasks,
      onRunClosed: closeRunSessions(services.mcp, options.logger),
    });
  } catch (error) {
    await closeQuietly(services, options.logger);
    throw error;
  }
  const untrack = trackStartedServices(services);
  const close = executor.close.bind(executor);
  Object.defineProperty(executor, 'close', {
    configurable: true,
    value: async () => {
      try {
        await close();
      } finally {
        untrack();
        await closeQuietly(services, options.logger);
      }
    },
  });
  return executor;
}

/**
 * Closes `services`, logging instead of throwing when that fails, so that a failure to close does
 * not hide the error that led to it.
 */
export async function closeQuietly(services: AppServices, logger: Logger): Promise<void> {
  try {
    await services.close();
  } catch (error) {
    logger.warn("closing the app's services failed", { error: error instanceof Error ? error.message : String(error) });
  }
}

/**
 * Imports the modules of `workflow_task_modules` (paths relative to the config file's folder, or
 * package names), whose `app.workflowTask(...)` calls register tasks on the app. `MCPApp` does it
 * at start, and so do `mcp-agent worker`, `run` and `replay`, so the same tasks exist everywhere.
 *
 * @throws ConfigError naming the module that can't be imported.
 */
export async function importTaskModules(modules: readonly string[], baseDirectory: string): Promise<void> {
  for (const specifier of modules) {
    const target = specifier.startsWith('.') || path.isAbsolute(specifier) ? pathToFileURL(path.resolve(baseDirectory, specifier)).href : specifier;
    try {
      await import(target);
    } catch (error) {
      throw new ConfigError(`workflow_task_modules: cannot import "${specifier}" (${messageOf(error)}); use a path relative to the config file or an installed package name`, [], {
        cause: error,
      });
    }
  }
}
