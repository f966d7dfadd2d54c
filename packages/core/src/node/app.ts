/**
 * MCPApp: the app's workflows and tasks, its settings, and the executor its config selects.
 */
import path from 'node:path';
import { loadSettings, parseSettings, registeredConfigSections, type Settings, type SettingsInput } from '../config/index.js';
import { loadConfigSections, loadExecutionEngine, loadInstalledLlmProviders, type ExecutionEngine } from './engine-loading.js';
import { MCPAgentError, WorkflowUsageError } from '../sandbox/errors.js';
import type { Executor } from '../sandbox/executor.js';
import { createLogger, type Logger } from './logger.js';
import { MCPAppBase } from '../sandbox/app-base.js';
import type { McpService } from '../sandbox/mcp/mcp-service.js';
import type { LlmProvider } from '../sandbox/llm/llm-provider.js';
import type { EmbeddingProvider } from '../sandbox/llm/embedding.js';
import type { HumanInputHandler } from '../sandbox/human-input.js';
import type { AppServices, ServicesOwner } from '../sandbox/services.js';
import { closeQuietly, createAppServices, importTaskModules, runWithAppServices, trackStartedServices, type CreateAppServicesOptions, type McpClientOptions } from './services.js';
import { closeRunSessions } from './builtin-tasks.js';

/** Options of {@link MCPApp}. */
export interface MCPAppOptions {
  /** The app's name, used in logs and as the default Temporal workflow id prefix. */
  name: string;
  /** Settings given in code; when set, no config file is read. */
  settings?: SettingsInput;
  /** The config file to read instead of searching for `mcp_agent.config.yaml`. */
  configPath?: string;
  /** Engines by name, instead of loading `@mcp-agent/executor-<name>`. */
  engines?: Record<string, ExecutionEngine>;
  /** A logger to use instead of one built from the `logger` settings. */
  logger?: Logger;
  /** Model providers to use instead of the installed `@mcp-agent/providers-*` packages. */
  llmProviders?: LlmProvider[];
  /** Embedding providers to use instead of those of the installed `@mcp-agent/providers-*` packages. */
  embeddingProviders?: EmbeddingProvider[];
  /**
   * Answers `requestHumanInput` in-process and outside workflows. Default: the console (when it
   * is a terminal). On Temporal a run waits on the `__human_input__` signal instead.
   */
  humanInput?: HumanInputHandler;
  /** The MCP service to use (the app does not close it) instead of one made from `mcp.servers`. */
  mcp?: McpService;
  /**
   * The MCP client's own handlers, passed to `@mcp-agent/mcp-client`: `sampling` (answers
   * servers' `sampling/createMessage`; default from `mcp.sampling`, over the app's model
   * providers), `elicitation` (answers `elicitation/create`; default the console under
   * `mcp.elicitation.mode: console`, else not offered), `oauth` (merged over the `oauth` section).
   * Type them with `SamplingHandler` and `ElicitationHandler` of `@mcp-agent/mcp-client`.
   *
   * @example
   * ```ts
   * new MCPApp({ name: 'agent', mcpClient: { elicitation: async () => ({ action: 'decline' }) } });
   * ```
   */
  mcpClient?: McpClientOptions;
  /**
   * Builds the app's services at start; default {@link createAppServices}. Replace it to wrap or
   * substitute services (in tests, say) while keeping one place where they are made.
   */
  createServices?: (options: CreateAppServicesOptions) => Promise<AppServices>;
}

/** What `app.run` hands to your code. */
export interface AppContext {
  app: MCPApp;
  executor: Executor;
  config: Settings;
  logger: Logger;
  /** The app's services: MCP servers, model providers, the tasks its engine runs. */
  services: AppServices;
  /** The MCP servers of `mcp.servers` (the same as `services.mcp`). */
  mcp: McpService;
}

/**
 * An mcp-agent application: registers workflows and tasks, reads `mcp_agent.config.yaml`, and
 * runs your code with the executor that `execution_engine` selects.
 *
 * @example
 * ```ts
 * export const app = new MCPApp({ name: 'quickstart' });
 *
 * @app.workflow
 * export class MyWorkflow extends Workflow<string> {
 *   @app.workflowRun
 *   async run(input: string) { return new WorkflowResult({ value: `Processed: ${input}` }); }
 * }
 *
 * await app.run(async ({ executor }) => {
 *   const handle = await executor.startWorkflow(MyWorkflow, 'Hello');
 *   console.log((await handle.result()).value);
 * });
 * ```
 */
export class MCPApp extends MCPAppBase implements ServicesOwner {
  #options: MCPAppOptions;
  #context: AppContext | undefined;
  /** Stops counting this app's services among the started apps'. */
  #untrack: (() => void) | undefined;
  #initializing: Promise<AppContext> | undefined;

  constructor(options: MCPAppOptions) {
    super(options);
    this.#options = options;
  }

  /**
   * Sets options after construction, before the app starts: the app is usually made in the
   * workflow module, which must stay free of Node-only engine imports, while the starter, a test
   * or the worker knows which engines, settings or logger to use.
   *
   * @throws WorkflowUsageError once the app has started.
   * @example
   * ```ts
   * app.configure({ engines: { asyncio: createAsyncioEngine({ clock: new VirtualClock() }) } });
   * await app.run(async ({ executor }) => ...);
   * ```
   */
  configure(options: Partial<Omit<MCPAppOptions, 'name'>>): this {
    if (this.#context !== undefined || this.#initializing !== undefined) {
      throw new WorkflowUsageError(`app "${this.name}" has started; call configure before initialize or run (or after cleanup)`);
    }
    this.#options = { ...this.#options, ...options, name: this.#options.name };
    return this;
  }

  /** The context of a running app. @throws WorkflowUsageError before `initialize` or `run`. */
  get context(): AppContext {
    if (this.#context === undefined) {
      throw new WorkflowUsageError(`app "${this.name}" is not running; use await app.run(async (context) => ...) or await app.initialize()`);
    }
    return this.#context;
  }

  /** The executor of the running app. */
  get executor(): Executor {
    return this.context.executor;
  }

  /** The settings of the running app. */
  get config(): Settings {
    return this.context.config;
  }

  /** The services of the running app: MCP servers, model providers, the task map. */
  get services(): AppServices {
    return this.context.services;
  }

  /** The logger of the running app. */
  get logger(): Logger {
    return this.context.logger;
  }

  /**
   * Reads the settings, loads `workflow_task_modules` and creates the executor. Safe to call
   * more than once; later calls return the same context.
   *
   * @throws ConfigError for a bad config file or an engine that can't be loaded.
   */
  async initialize(): Promise<AppContext> {
    if (this.#context !== undefined) return this.#context;
    this.#initializing ??= this.#start().finally(() => {
      this.#initializing = undefined;
    });
    return this.#initializing;
  }

  /** Reads the settings: from code, or from the config file (and secrets, environment) found or given. */
  #readSettings(): { settings: Settings; baseDirectory: string; warnings: string[] } {
    if (this.#options.settings !== undefined) {
      const warnings: string[] = [];
      const settings = parseSettings(this.#options.settings, 'settings', { onWarning: (warning) => warnings.push(warning) });
      return { settings, baseDirectory: process.cwd(), warnings };
    }
    const loaded = loadSettings(this.#options.configPath === undefined ? {} : { configPath: this.#options.configPath });
    return { settings: loaded.settings, baseDirectory: loaded.configPath === undefined ? process.cwd() : path.dirname(loaded.configPath), warnings: loaded.warnings };
  }

  async #start(): Promise<AppContext> {
    let { settings, baseDirectory, warnings } = this.#readSettings();
    // Sections such as temporal and openai belong to installed packages, which register them when
    // their config entry loads: read the settings again once they have, so every problem of the
    // file is reported before the engine starts. The engine and the providers may register more.
    // The app's packages: installed where it runs, or next to its config file.
    const packages = [process.cwd(), baseDirectory];
    if (await loadConfigSections(Object.keys(settings), packages)) ({ settings, baseDirectory, warnings } = this.#readSettings());
    const sectionsBefore = registeredConfigSections().size;
    const engine = await loadExecutionEngine(settings.execution_engine, this.#options.engines, packages);
    const llmProviders = this.#options.llmProviders ?? (await loadInstalledLlmProviders(packages));
    if (registeredConfigSections().size !== sectionsBefore) ({ settings, baseDirectory, warnings } = this.#readSettings());
    const logger =
      this.#options.logger ??
      createLogger({
        namespace: this.name,
        level: settings.logger?.level,
        transports: settings.logger?.transports ?? (settings.logger?.type === undefined ? undefined : [settings.logger.type]),
        ...(settings.logger?.path === undefined ? {} : { path: settings.logger.path }),
      });
    // Likely typos (unknown keys) and an empty config file: said once, before anything starts.
    for (const warning of warnings) logger.warn(warning);
    await importTaskModules(settings.workflow_task_modules ?? [], baseDirectory);
    const createServices = this.#options.createServices ?? createAppServices;
    const services = await createServices({
      registry: this.registry,
      settings,
      logger,
      cwd: packages,
      llmProviders,
      ...(this.#options.embeddingProviders === undefined ? {} : { embeddingProviders: this.#options.embeddingProviders }),
      ...(this.#options.humanInput === undefined ? {} : { humanInput: this.#options.humanInput }),
      ...(this.#options.mcpClient === undefined ? {} : { mcpClient: this.#options.mcpClient }),
      ...(this.#options.mcp === undefined ? {} : { mcp: this.#options.mcp }),
    });
    let executor: Executor;
    try {
      executor = await engine.createExecutor({
        appName: this.name,
        registry: this.registry,
        settings,
        logger,
        tasks: services.tasks,
        onRunClosed: closeRunSessions(services.mcp, logger),
      });
    } catch (error) {
      await closeQuietly(services, logger);
      throw error;
    }
    this.#untrack = trackStartedServices(services);
    this.#context = { app: this, executor, config: settings, logger, services, mcp: services.mcp };
    logger.debug('app initialized', { engine: executor.engine, workflows: [...this.registry.workflows.keys()] });
    return this.#context;
  }

  /** Closes the executor and forgets the context. */
  async cleanup(): Promise<void> {
    // A start still under way finishes first, so that what it opens is closed here.
    await this.#initializing?.catch(() => undefined);
    const context = this.#context;
    this.#context = undefined;
    this.#untrack?.();
    this.#untrack = undefined;
    try {
      await context?.executor.close();
    } finally {
      if (context !== undefined) await closeQuietly(context.services, context.logger);
    }
  }

  /**
   * Initializes the app, runs `fn` with its context, and cleans up whatever happens.
   *
   * @example
   * ```ts
   * const value = await app.run(async ({ executor }) => (await executor.executeWorkflow(MyWorkflow, 'x')).value);
   * ```
   */
  async run<R>(fn: (context: AppContext) => Promise<R>): Promise<R> {
    const context = await this.initialize();
    try {
      return await runWithAppServices(context.services, () => fn(context));
    } finally {
      await this.cleanup();
    }
  }
}

/**
 * Runs a program's main function: an mcp-agent error is printed as its message alone (no stack
 * trace) and the process exits with code 1; any other error is printed in full.
 *
 * @example
 * ```ts
 * await runMain(async () => { await app.run(async ({ executor }) => { ... }); });
 * ```
 */
export async function runMain(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    if (MCPAgentError.is(error)) {
      process.stderr.write(`error: ${error.message}\n`);
    } else {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    process.exitCode = 1;
  }
}
