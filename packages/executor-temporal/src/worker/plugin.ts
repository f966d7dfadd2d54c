/**
 * `McpAgentPlugin`: an mcp-agent app on a Temporal worker or client the user builds, through
 * Temporal's plugin interface (`@temporalio/plugin`). Node only.
 */
import type { ClientOptions, ClientPlugin } from '@temporalio/client';
import { SimplePlugin } from '@temporalio/plugin';
import type { Worker, WorkerOptions, WorkerPlugin } from '@temporalio/worker';
import { WorkflowUsageError, type MCPApp } from '@mcp-agent/core';
import { assertSearchAttributesRegistered } from '../client/search-attributes.js';
import { clientDataConverter, workerDataConverter } from '../codec/data-converter.js';
import { withTemporalSection } from '../config.js';
import { connectionSettings } from '../connection-options.js';
import type { TracingOptions } from '../telemetry/tracing.js';
import { createActivities } from './activities.js';
import { installRuntime } from './runtime.js';
import { workerTelemetry, type WorkerTelemetry } from './telemetry.js';
import { partsOfApp, resolveBundle, runSessionServers, workerTasks, type TemporalWorkerOptions, type TemporalWorkerParts } from './worker.js';

/** Options of {@link McpAgentPlugin}. */
export interface McpAgentPluginOptions {
  /**
   * The modules that define the app's workflows, when the worker options give neither
   * `workflowsPath` nor `workflowBundle`.
   */
  workflowsPath?: TemporalWorkerOptions['workflowsPath'];
  /** Modules the workflow code imports but never uses at run time, left out of the bundle. */
  ignoreModules?: string[];
  /** Where spans go when `otel.enabled` (instead of the exporters of `otel.exporters`). */
  tracing?: TracingOptions;
}

/**
 * Adds an mcp-agent app to a worker built with `Worker.create`: its workflows, bundled with the
 * framework's dispatcher, telemetry interceptors and embedded config in place of the
 * `workflowsPath` (or prebuilt `workflowBundle`) of the worker options; its tasks and the built-in
 * MCP and model tasks as activities, next to the worker's own; the payload encryption of
 * `temporal.data_converter`; the framework's activity interceptors (metrics, and spans when
 * `otel.enabled`); and, when the options leave it out, the namespace of the settings. On a `Client` it sets the data converter (the app must be initialized first).
 *
 * The app is initialized when the worker is created. MCP servers with `session.scope: run` need
 * a second worker polling a queue of its own, which only `createTemporalWorker` makes: the plugin
 * refuses such settings.
 *
 * @example
 * ```ts
 * const worker = await Worker.create({
 *   connection: await NativeConnection.connect({ address: 'localhost:7233' }),
 *   taskQueue: 'agents',
 *   workflowsPath: fileURLToPath(new URL('./workflows.ts', import.meta.url)),
 *   activities: myOwnActivities,
 *   plugins: [new McpAgentPlugin(app)],
 * });
 * await worker.run();
 * ```
 */
export class McpAgentPlugin implements WorkerPlugin, ClientPlugin {
  readonly name = 'mcp-agent';
  readonly #source: MCPApp | TemporalWorkerParts;
  readonly #options: McpAgentPluginOptions;
  /** The telemetry of each worker this plugin configured, by task queue, closed when it stops. */
  readonly #telemetry = new Map<string, WorkerTelemetry>();

  /** For an app (initialized when a worker is made), or the parts of one (as `createTemporalWorker` takes them). */
  constructor(app: MCPApp | TemporalWorkerParts, options: McpAgentPluginOptions = {}) {
    this.#source = app;
    this.#options = options;
  }

  /**
   * The app's workflows, activities, data converter and interceptors, added to the worker's
   * options as `SimplePlugin` adds them (activities and interceptors appended, the data
   * converter's fields over the worker's). Asynchronous, which `Worker.create` allows: it
   * initializes the app and bundles the workflows.
   */
  async configureWorker(given: WorkerOptions): Promise<WorkerOptions> {
    const source = this.#source;
    const parts = isApp(source) ? await partsOfApp(source) : source;
    const settings = withTemporalSection(parts.settings);
    if (runSessionServers(settings) !== undefined) {
      throw new WorkflowUsageError(
        'McpAgentPlugin: MCP servers with session.scope "run" need a worker that also polls a queue of its own for their calls; ' +
          'create the worker with createTemporalWorkerForApp, or use session.scope "app" or "task"',
      );
    }
    const tasks = workerTasks({ ...parts, settings });
    const { workflowsPath, workflowBundle, bundlerOptions, ...options } = given;
    const ignoreModules = [...(this.#options.ignoreModules ?? []), ...(bundlerOptions?.ignoreModules ?? [])];
    const bundle =
      workflowBundle !== undefined || workflowsPath !== undefined || this.#options.workflowsPath !== undefined
        ? await resolveBundle(
            { ...parts, settings },
            {
              ...(workflowBundle === undefined ? {} : { workflowBundle }),
              ...(workflowsPath === undefined ? {} : { workflowsPath }),
              ...(workflowsPath === undefined && this.#options.workflowsPath !== undefined ? { workflowsPath: this.#options.workflowsPath } : {}),
              ignoreModules,
            },
            tasks,
          )
        : undefined;
    installRuntime(settings, parts.logger);
    const connection = connectionSettings(settings);
    if (settings.temporal?.search_attributes === true && options.connection !== undefined) {
      await assertSearchAttributesRegistered(options.connection, options.namespace ?? connection.namespace, parts.logger);
    }
    const telemetry = workerTelemetry(settings, parts.logger, this.#options.tracing);
    this.#telemetry.set(options.taskQueue, telemetry);
    const dataConverter = workerDataConverter(settings);
    const merged = new SimplePlugin({
      name: this.name,
      activities: createActivities(tasks),
      ...(dataConverter === undefined ? {} : { dataConverter }),
      ...(telemetry.workerOptions.interceptors === undefined ? {} : { workerInterceptors: telemetry.workerOptions.interceptors }),
      // In place of the worker's workflowsPath, left out above: the bundle made from it.
      ...(bundle === undefined ? {} : { workflowBundle: bundle }),
    }).configureWorker({ ...options, namespace: options.namespace ?? connection.namespace, ...(bundlerOptions === undefined ? {} : { bundlerOptions }) });
    const sinks = telemetry.workerOptions.sinks;
    return sinks === undefined ? merged : { ...merged, sinks: { ...merged.sinks, ...sinks } };
  }

  /** Runs the worker, then sends the last spans of its telemetry. */
  async runWorker(worker: Worker, next: (worker: Worker) => Promise<void>): Promise<void> {
    const telemetry = this.#telemetry.get(worker.options.taskQueue);
    try {
      await next(worker);
    } finally {
      await telemetry?.tracing?.close();
    }
  }

  /** The client's data converter: payload encryption when `temporal.data_converter` has a key. */
  configureClient(options: ClientOptions): ClientOptions {
    const source = this.#source;
    const settings = withTemporalSection(isApp(source) ? source.config : source.settings);
    const dataConverter = clientDataConverter(settings);
    return dataConverter === undefined ? options : new SimplePlugin({ name: this.name, dataConverter }).configureClient(options);
  }
}

function isApp(source: MCPApp | TemporalWorkerParts): source is MCPApp {
  return 'initialize' in source;
}
