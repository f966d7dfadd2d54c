/**
 * Temporal workers for an mcp-agent app. Node only.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { WorkflowUsageError, type Duration, type Logger, type MCPApp } from '@mcp-agent/core';
import { createTaskMap, toMilliseconds, type TaskDefinition, type TaskMap, type WorkflowRegistry } from '@mcp-agent/core/engine';
import type { Settings } from '@mcp-agent/core/config';
import { assertSearchAttributesRegistered } from '../client/search-attributes.js';
import { encryptsPayloads, workerDataConverter } from '../codec/data-converter.js';
import { withTemporalSection } from '../config.js';
import { connectionSettings, connectOptions, connectWithin, CONNECT_TIMEOUT_MS } from '../connection-options.js';
import type { WorkflowBundleConfig } from '../workflow/embedded-config.js';
import { DEFAULT_AFFINITY_TIMEOUT_MS, SESSION_WORKER_TASK, sessionWorkerQueueName } from '../workflow/session-affinity.js';
import { createActivities } from './activities.js';
import { bundleWorkflows, withBundleConfig } from './bundle.js';
import { findPrebuiltBundle } from './prebuilt.js';
import { bundleWorkflowsInChild, canBundleInChild, workflowModulePaths } from './bundle-process.js';
import { PreparedWorkflowBundle } from './prepared-bundle.js';
import { installRuntime } from './runtime.js';
import { workerTelemetry } from './telemetry.js';
import type { TracingOptions } from '../telemetry/tracing.js';

/** A workflow bundle made earlier (by {@link bundleWorkflowsForApp} or codegen): its code, or the file holding it. */
export type PrebuiltWorkflowBundle = { code: string } | { codePath: string };

/** Options of a worker; those left out come from the `temporal` settings. */
export interface TemporalWorkerOptions {
  /** The module or modules that define the app's workflows (file paths or `import.meta.url`-relative URLs). */
  workflowsPath?: string | URL | ReadonlyArray<string | URL>;
  /**
   * A bundle made earlier, used instead of bundling `workflowsPath` at start-up; or one
   * `prepareWorkflowBundle` is making, started before the app loaded.
   */
  workflowBundle?: PrebuiltWorkflowBundle | PreparedWorkflowBundle;
  /**
   * Runs no workflows: the worker serves only the tasks of its parts, as activities, on its task
   * queue (give neither `workflowsPath` nor `workflowBundle`). Workflows reach it by scheduling
   * tasks on that queue (`executeTask(task, args, { taskQueue })`, or a run's memo under
   * `mcp_agent.task_queues`). Default false.
   */
  activitiesOnly?: boolean;
  /** Default `temporal.task_queue`, else `mcp-agent`. */
  taskQueue?: string;
  /** Default `temporal.max_concurrent_activities`. */
  maxConcurrentActivities?: number;
  /** Default `temporal.max_concurrent_workflows`. */
  maxConcurrentWorkflows?: number;
  /** Default `temporal.max_cached_workflows`. */
  maxCachedWorkflows?: number;
  /** A connection to use instead of one made from the settings. */
  connection?: NativeConnection;
  /** Modules the workflow code imports but never uses at run time, left out of the bundle. */
  ignoreModules?: string[];
  /** How long running activities get to finish on shutdown. Default 10 seconds. */
  shutdownGraceTime?: Duration;
  /** Bound on connecting to the server, in milliseconds. Default 10,000. */
  connectTimeoutMs?: number;
  /** Shown in the Temporal UI as the worker's identity. */
  identity?: string;
  /** Where spans go when `otel.enabled` (instead of the exporters of `otel.exporters`). */
  tracing?: TracingOptions;
}

/** What a worker needs of an app; `createTemporalWorkerForApp` takes it from the app. */
export interface TemporalWorkerParts {
  registry: WorkflowRegistry;
  settings: Settings;
  logger: Logger;
  /**
   * The tasks the worker runs as activities: the app's and the built-in MCP and model tasks of its
   * services (`AppServices.tasks`). Default: the registry's tasks alone.
   */
  tasks?: TaskMap;
}

/** Every task the worker runs as an activity. */
export function workerTasks(parts: Pick<TemporalWorkerParts, 'registry' | 'settings' | 'tasks'>): TaskDefinition[] {
  return (parts.tasks ?? createTaskMap({ registry: parts.registry, settings: parts.settings })).values();
}

/** The config a workflow bundle carries: retry rules, the default attempt timeout, each task's options. */
export function workflowBundleConfig(settings: Settings, tasks: readonly TaskDefinition[]): WorkflowBundleConfig {
  return JSON.parse(
    JSON.stringify({
      retry: { workflow_task_retry_policies: settings.workflow_task_retry_policies, temporal: { retry_policy: settings.temporal?.retry_policy } },
      timeoutSeconds: settings.temporal?.timeout_seconds,
      heartbeatTimeoutSeconds: settings.temporal?.heartbeat_timeout_seconds,
      tasks: Object.fromEntries(tasks.map((task) => [task.name, task.options])),
      encodeFailures: encryptsPayloads(settings),
      runSessionServers: runSessionServers(settings),
      searchAttributes: settings.temporal?.search_attributes === true,
      tracing: settings.otel?.enabled === true,
    }),
  ) as WorkflowBundleConfig;
}

/** The MCP servers whose session scope is `run`, each with its affinity timeout in ms; undefined when there are none. */
export function runSessionServers(settings: Settings): Record<string, number> | undefined {
  const entries = Object.entries(settings.mcp?.servers ?? {}).flatMap(([name, server]) =>
    server?.session?.scope === 'run'
      ? [[name, server.session.affinity_timeout_seconds === undefined ? DEFAULT_AFFINITY_TIMEOUT_MS : Math.round(server.session.affinity_timeout_seconds * 1_000)] as const]
      : [],
  );
  return entries.length === 0 ? undefined : Object.fromEntries(entries);
}

/**
 * The task that tells a run which worker holds its `run`-scoped MCP sessions: the one that runs
 * it, answering with the task queue it polls for them.
 */
function sessionWorkerTask(sessionQueue: string): TaskDefinition {
  return Object.freeze({ name: SESSION_WORKER_TASK, run: async () => sessionQueue, options: Object.freeze({ name: SESSION_WORKER_TASK }) }) as TaskDefinition;
}

/**
 * Bundles the workflow modules with `config` embedded: in a child process for a worker (`inChild`,
 * so that webpack never loads into the worker's own heap), else in this process (replay, tools).
 */
export async function bundleWith(
  parts: TemporalWorkerParts,
  options: Pick<TemporalWorkerOptions, 'workflowsPath' | 'ignoreModules'>,
  config: WorkflowBundleConfig,
  inChild = false,
): Promise<{ code: string }> {
  const workflowsPaths = workflowModulePaths(options.workflowsPath);
  const logger = parts.logger.child('bundle');
  if (inChild && workflowsPaths.length > 0 && canBundleInChild()) {
    const child = bundleWorkflowsInChild({ workflowsPaths, config, ...(options.ignoreModules === undefined ? {} : { ignoreModules: options.ignoreModules }) }, logger);
    return { code: await child.code };
  }
  const bundle = await bundleWorkflows({
    workflowsPaths,
    config,
    ...(options.ignoreModules === undefined ? {} : { ignoreModules: options.ignoreModules }),
    logger,
  });
  return { code: bundle.code };
}

/** The code of a bundle made earlier, with `config` in place of its placeholder. */
export function loadBundleCode(given: PrebuiltWorkflowBundle, config: WorkflowBundleConfig): { code: string } {
  return { code: withBundleConfig('code' in given ? given.code : readFileSync(given.codePath, 'utf8'), config) };
}

/** Bundles the workflow modules of an app for its workers (to share one bundle between workers, or to build it ahead). */
export async function bundleWorkflowsForParts(parts: TemporalWorkerParts, options: Pick<TemporalWorkerOptions, 'workflowsPath' | 'ignoreModules'>): Promise<{ code: string }> {
  return bundleWith(parts, options, workflowBundleConfig(parts.settings, workerTasks(parts)));
}

/** Refuses a codegen bundle whose workflows call tasks this worker does not register. */
function assertTasksRegistered(activities: ReadonlyArray<{ name: string; source: string }>, tasks: readonly TaskDefinition[]): void {
  // The activity manifest of codegen: every task the workflows call must be registered here.
  const registered = new Set(tasks.map((task) => task.name));
  const missing = activities.filter((activity) => !registered.has(activity.name));
  if (missing.length > 0) {
    throw new WorkflowUsageError(
      `the workflows call tasks this worker does not register: ${missing.map((activity) => `${activity.name} (${activity.source})`).join(', ')}; ` +
        'import the modules that define them before creating the worker, or list them in workflow_task_modules',
    );
  }
}

/** The code of a bundle `prepareWorkflowBundle` started, with `config` embedded; bundled anew when it was made for other options. */
async function resolvePrepared(
  parts: TemporalWorkerParts,
  prepared: PreparedWorkflowBundle,
  options: Pick<TemporalWorkerOptions, 'workflowsPath' | 'ignoreModules'>,
  tasks: readonly TaskDefinition[],
  config: WorkflowBundleConfig,
): Promise<{ code: string }> {
  const given = options.workflowsPath === undefined ? undefined : workflowModulePaths(options.workflowsPath);
  if (given !== undefined && [...given].sort().join('\n') !== [...prepared.workflowsPaths].sort().join('\n')) {
    prepared.cancel();
    throw new WorkflowUsageError(
      `the prepared workflow bundle is of ${prepared.workflowsPaths.join(', ')}, and the worker was given workflowsPath ${given.join(', ')}; prepare the bundle with the same workflowsPath`,
    );
  }
  const prebuilt = await prepared.prebuilt();
  if (prebuilt !== undefined) {
    assertTasksRegistered(prebuilt.activities, tasks);
    parts.logger.debug('temporal worker uses a prebuilt workflow bundle', { codePath: prebuilt.codePath });
    return loadBundleCode({ codePath: prebuilt.codePath }, config);
  }
  const ignoreModules = options.ignoreModules ?? prepared.ignoreModules;
  if (prepared.tracing !== (config.tracing === true) || ignoreModules.join('\n') !== prepared.ignoreModules.join('\n')) {
    parts.logger.debug('the prepared workflow bundle was made for other tracing or ignoreModules settings; bundling again', {
      prepared: { tracing: prepared.tracing, ignoreModules: prepared.ignoreModules },
      worker: { tracing: config.tracing === true, ignoreModules },
    });
    prepared.cancel();
    return bundleWith(parts, { workflowsPath: [...prepared.workflowsPaths], ignoreModules: [...ignoreModules] }, config, true);
  }
  return { code: withBundleConfig(await prepared.code(), config) };
}

/**
 * The worker's bundle with its config embedded: the one given (made earlier, or being made by
 * `prepareWorkflowBundle`), the current one codegen left for the workflow modules, or one
 * bundled now in a child process.
 */
export async function resolveBundle(
  parts: TemporalWorkerParts,
  options: Pick<TemporalWorkerOptions, 'workflowsPath' | 'workflowBundle' | 'ignoreModules'>,
  tasks: readonly TaskDefinition[],
): Promise<{ code: string }> {
  const config = workflowBundleConfig(parts.settings, tasks);
  if (options.workflowBundle instanceof PreparedWorkflowBundle) return resolvePrepared(parts, options.workflowBundle, options, tasks, config);
  const prebuilt = options.workflowBundle === undefined ? findPrebuiltBundle(workflowModulePaths(options.workflowsPath), parts.logger) : undefined;
  const given: PrebuiltWorkflowBundle | undefined = options.workflowBundle ?? prebuilt;
  if (given === undefined) return bundleWith(parts, options, config, true);
  if (prebuilt !== undefined) assertTasksRegistered(prebuilt.activities, tasks);
  parts.logger.debug('temporal worker uses a prebuilt workflow bundle', 'codePath' in given ? { codePath: given.codePath } : {});
  return loadBundleCode(given, config);
}

/**
 * A Temporal worker over given parts. {@link createTemporalWorkerForApp} is the usual way; this
 * one serves engines and tests that hold the parts themselves.
 */
export async function createTemporalWorker(given: TemporalWorkerParts, options: TemporalWorkerOptions = {}): Promise<Worker> {
  const parts = { ...given, settings: withTemporalSection(given.settings) };
  const activitiesOnly = options.activitiesOnly === true;
  if (activitiesOnly && (options.workflowBundle !== undefined || options.workflowsPath !== undefined)) {
    throw new WorkflowUsageError('createTemporalWorker: activitiesOnly runs no workflows; leave out workflowsPath and workflowBundle, or activitiesOnly');
  }
  if (!activitiesOnly && options.workflowBundle === undefined && options.workflowsPath === undefined) {
    throw new WorkflowUsageError(
      'createTemporalWorkerForApp: give workflowsPath (the module that defines the workflows, e.g. new URL("./workflows.ts", import.meta.url)) or a prebuilt workflowBundle',
    );
  }
  const temporal = parts.settings.temporal;
  const connectionOptions = connectionSettings(parts.settings);
  // Before any connection: a missing or malformed key refuses to start the worker.
  const dataConverter = workerDataConverter(parts.settings);
  const taskQueue = options.taskQueue ?? connectionOptions.taskQueue;
  // With `run`-scoped MCP servers the worker also polls a queue of its own for the MCP calls of
  // the runs whose sessions it holds, and answers runs asking where that is.
  const sessionQueue =
    activitiesOnly || runSessionServers(parts.settings) === undefined ? undefined : sessionWorkerQueueName(taskQueue, `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`);
  const tasks = sessionQueue === undefined ? workerTasks(parts) : [...workerTasks(parts), sessionWorkerTask(sessionQueue)];
  // The bundle is made (in a child process) while the worker connects.
  const bundling = activitiesOnly ? undefined : resolveBundle(parts, options, tasks);
  bundling?.catch(() => undefined);
  // Installed only once there is a worker to make: a runtime left without one keeps the process alive.
  const installedRuntime = installRuntime(parts.settings, parts.logger);
  const shutDownRuntime = async (): Promise<void> => {
    if (installedRuntime)
      await Runtime.instance()
        .shutdown()
        .catch(() => undefined);
  };
  let connection: NativeConnection | undefined;
  try {
    connection =
      options.connection ??
      (await connectWithin(
        connectionOptions.address,
        options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
        () => NativeConnection.connect(connectOptions(connectionOptions)),
        connectionOptions,
      ));
    if (parts.settings.temporal?.search_attributes === true) await assertSearchAttributesRegistered(connection, connectionOptions.namespace, parts.logger);
  } catch (error) {
    if (connection !== undefined && options.connection === undefined) await connection.close().catch(() => undefined);
    // Workflow code that can't be bundled is reported first: it needs fixing whatever the server does.
    await bundling?.catch(async (bundleError: unknown) => {
      await shutDownRuntime();
      throw bundleError;
    });
    await shutDownRuntime();
    throw error;
  }
  let workflowBundle: { code: string } | undefined;
  try {
    workflowBundle = await bundling;
  } catch (error) {
    if (options.connection === undefined) await connection.close().catch(() => undefined);
    await shutDownRuntime();
    throw error;
  }
  const maxConcurrentActivities = options.maxConcurrentActivities ?? temporal?.max_concurrent_activities;
  const maxConcurrentWorkflows = options.maxConcurrentWorkflows ?? temporal?.max_concurrent_workflows;
  const maxCachedWorkflows = options.maxCachedWorkflows ?? temporal?.max_cached_workflows;
  const telemetry = workerTelemetry(parts.settings, parts.logger, options.tracing);
  const workerOptions: WorkerOptions = {
    connection,
    namespace: connectionOptions.namespace,
    taskQueue,
    ...(workflowBundle === undefined ? {} : { workflowBundle }),
    activities: createActivities(tasks),
    ...(dataConverter === undefined ? {} : { dataConverter }),
    ...telemetry.workerOptions,
    shutdownGraceTime: options.shutdownGraceTime === undefined ? '10s' : toMilliseconds(options.shutdownGraceTime, 'shutdownGraceTime'),
    ...(maxConcurrentActivities === undefined ? {} : { maxConcurrentActivityTaskExecutions: maxConcurrentActivities }),
    ...(maxConcurrentWorkflows === undefined || activitiesOnly ? {} : { maxConcurrentWorkflowTaskExecutions: maxConcurrentWorkflows }),
    ...(maxCachedWorkflows === undefined || activitiesOnly ? {} : { maxCachedWorkflows }),
    ...(options.identity === undefined ? {} : { identity: options.identity }),
  };
  let worker: Worker;
  try {
    worker = await Worker.create(workerOptions);
  } catch (error) {
    if (options.connection === undefined) await connection.close().catch(() => undefined);
    await shutDownRuntime();
    throw error;
  }
  if (sessionQueue !== undefined) {
    try {
      joinSessionWorker(
        worker,
        await Worker.create({
          connection,
          namespace: connectionOptions.namespace,
          taskQueue: sessionQueue,
          activities: createActivities(tasks.filter((task) => task.name.startsWith('mcp.') && task.name !== SESSION_WORKER_TASK)),
          ...(dataConverter === undefined ? {} : { dataConverter }),
          interceptors: telemetry.workerOptions.interceptors,
          shutdownGraceTime: workerOptions.shutdownGraceTime,
          ...(maxConcurrentActivities === undefined ? {} : { maxConcurrentActivityTaskExecutions: maxConcurrentActivities }),
          ...(options.identity === undefined ? {} : { identity: `${options.identity} (MCP sessions)` }),
        }),
      );
    } catch (error) {
      // The worker made above never ran: run it into a shutdown so that it lets go of the connection.
      const stopped = worker.run();
      worker.shutdown();
      await stopped.catch(() => undefined);
      if (options.connection === undefined) await connection.close().catch(() => undefined);
      await shutDownRuntime();
      throw error;
    }
  }
  parts.logger.debug('temporal worker created', { taskQueue, activities: tasks.length, ...(sessionQueue === undefined ? {} : { sessionQueue }) });
  if (options.connection === undefined) {
    // The connection made here is the worker's: close it once the worker has stopped.
    const run = worker.run.bind(worker);
    worker.run = async () => {
      try {
        await run();
      } finally {
        await connection.close().catch(() => undefined);
      }
    };
  }
  return telemetry.attach(worker);
}

/**
 * Makes `sessionWorker` (polling the worker's own queue for MCP calls) part of `worker`: it runs
 * while `worker` runs, stops when `worker` stops, and a failure of either stops both.
 */
function joinSessionWorker(worker: Worker, sessionWorker: Worker): void {
  const run = worker.run.bind(worker);
  const shutdown = worker.shutdown.bind(worker);
  const stopSessions = (): void => {
    if (sessionWorker.getState() === 'RUNNING') sessionWorker.shutdown();
  };
  worker.run = async () => {
    const sessionsRunning = sessionWorker.run().catch((error: unknown) => {
      if (worker.getState() === 'RUNNING') shutdown();
      throw error;
    });
    try {
      await run();
    } finally {
      stopSessions();
      await sessionsRunning;
    }
  };
  worker.shutdown = () => {
    shutdown();
    stopSessions();
  };
}

/** What a worker needs of an app, which this initializes if needed. */
export async function partsOfApp(app: MCPApp): Promise<TemporalWorkerParts> {
  const context = await app.initialize();
  return { registry: app.registry, settings: context.config, logger: context.logger, tasks: context.services.tasks };
}

/**
 * A Temporal worker for an app: its workflows (bundled for the sandbox), and as activities its
 * tasks, the MCP operations and the model round trips of the installed providers. MCP
 * connections live in the worker and its activities share them. Initializes the app if needed;
 * run it with `await worker.run()`, stop it with `worker.shutdown()`, then `await app.cleanup()`.
 *
 * @example
 * ```ts
 * const worker = await createTemporalWorkerForApp(app, { workflowsPath: new URL('./workflows.ts', import.meta.url) });
 * await worker.run();
 * ```
 */
export async function createTemporalWorkerForApp(app: MCPApp, options: TemporalWorkerOptions = {}): Promise<Worker> {
  return createTemporalWorker(await partsOfApp(app), options);
}

/** Bundles an app's workflow modules once, for several workers or ahead of start-up. */
export async function bundleWorkflowsForApp(app: MCPApp, options: Pick<TemporalWorkerOptions, 'workflowsPath' | 'ignoreModules'>): Promise<{ code: string }> {
  return bundleWorkflowsForParts(await partsOfApp(app), options);
}
