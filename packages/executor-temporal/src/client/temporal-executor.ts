/**
 * The client side of the Temporal engine: an `Executor` over a Temporal server. Node only.
 */
import { randomUUID } from 'node:crypto';
import {
  Client,
  type Connection,
  QueryNotRegisteredError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError as TemporalWorkflowFailedError,
  WorkflowNotFoundError as TemporalWorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type WorkflowExecutionDescription,
  type WorkflowExecutionInfo,
  type WorkflowHandle as TemporalWorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure, CancelledFailure, TerminatedFailure, TimeoutFailure, WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import {
  ID_REUSE_POLICIES,
  toMilliseconds,
  type Signal,
  type SignalBus,
  type TargetRunOptions,
  type TaskDefinition,
  type TaskMap,
  type WorkflowDefinition,
  type WorkflowRegistry,
} from '@mcp-agent/core/engine';
import {
  MCPAgentError,
  messageOf,
  UnknownHandlerError,
  UpdateRejectedError,
  WorkflowAlreadyStartedError,
  WorkflowApplicationError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowResult,
  WorkflowUsageError,
  workflowNameOf,
  type Executor,
  type IdReusePolicy,
  type ListWorkflowsOptions,
  type Logger,
  type StartWorkflowOptions,
  type WorkflowClass,
  type WorkflowDescription,
  type WorkflowHandle,
  type WorkflowInputOf,
  type WorkflowValueOf,
  type WorkflowResultData,
  type WorkflowStatus,
  type Duration,
} from '@mcp-agent/core';
import type { Settings } from '@mcp-agent/core/config';
import { listingDataConverter } from '../codec/data-converter.js';
import { fromTemporalFailure } from '../failures.js';
import { assertSerialisable } from '../workflow/context.js';
import { WORKFLOW_MEMO_KEY, WORKFLOW_SEARCH_ATTRIBUTE } from '../run-metadata.js';
import { UNKNOWN_HANDLER_TYPE, UPDATE_REJECTED_TYPE } from '../workflow/dispatcher.js';

/** What a {@link TemporalExecutor} is made of. */
export interface TemporalExecutorParts {
  client: Client;
  /** Closed by `close()` when set. */
  connection?: Connection;
  registry: WorkflowRegistry;
  settings: Settings;
  logger: Logger;
  taskQueue: string;
  /** Run by `close()` before the connection closes: stops an in-process worker. */
  onClose?: () => Promise<void>;
}

const REUSE: Record<IdReusePolicy, { reuse: WorkflowIdReusePolicy; conflict: WorkflowIdConflictPolicy }> = {
  allow_duplicate: { reuse: WorkflowIdReusePolicy.ALLOW_DUPLICATE, conflict: WorkflowIdConflictPolicy.FAIL },
  allow_duplicate_failed_only: { reuse: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY, conflict: WorkflowIdConflictPolicy.FAIL },
  reject_duplicate: { reuse: WorkflowIdReusePolicy.REJECT_DUPLICATE, conflict: WorkflowIdConflictPolicy.FAIL },
  terminate_if_running: { reuse: WorkflowIdReusePolicy.ALLOW_DUPLICATE, conflict: WorkflowIdConflictPolicy.TERMINATE_EXISTING },
};

const STATUS_QUERY_NAMES: Record<WorkflowStatus, string> = {
  RUNNING: 'Running',
  COMPLETED: 'Completed',
  FAILED: 'Failed',
  CANCELLED: 'Canceled',
  TERMINATED: 'Terminated',
  CONTINUED_AS_NEW: 'ContinuedAsNew',
  TIMED_OUT: 'TimedOut',
};

function statusOf(name: string): WorkflowStatus {
  return name === 'CANCELED' ? 'CANCELLED' : (name as WorkflowStatus);
}

function quoted(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** An UnknownHandlerError carrying the message the workflow's default handler wrote (it names the handlers the workflow has). */
function unknownHandler(kind: 'query' | 'update', message: string): UnknownHandlerError {
  const error = new UnknownHandlerError(kind, '', '', []);
  Object.defineProperty(error, 'message', { value: message, configurable: true, writable: true });
  return error;
}

/**
 * A workflow's result as data: a WorkflowResult when the workflow returned one (as mcp-agent
 * workflows do). JSON drops a `value` that is undefined, so the times and metadata the dispatcher
 * always writes mark one too.
 */
function resultOf<T>(value: unknown): WorkflowResult<T> {
  const isResult = typeof value === 'object' && value !== null && ('value' in value || ('metadata' in value && 'startTime' in value && 'endTime' in value));
  if (isResult) return WorkflowResult.fromJSON(value as WorkflowResultData<T>);
  return WorkflowResult.from<T>(value);
}

/**
 * Options of {@link TemporalExecutor.serveTasks}.
 *
 * @example
 * ```ts
 * const options: ServeTasksOptions = { taskQueue: 'reports.gpu', maxConcurrentActivities: 4 };
 * ```
 */
export interface ServeTasksOptions {
  /** The task queue the worker polls; workflows schedule the tasks on it by name. */
  taskQueue: string;
  /** Default `temporal.max_concurrent_activities`. */
  maxConcurrentActivities?: number;
  /** Shown in the Temporal UI as the worker's identity. */
  identity?: string;
  /** How long running tasks get to finish when it stops. Default 10 seconds. */
  shutdownGraceTime?: Duration;
}

/**
 * A worker in this process that runs some tasks as activities, and no workflows. Made by
 * {@link TemporalExecutor.serveTasks}.
 *
 * @example
 * ```ts
 * const served = await executor.serveTasks([task], { taskQueue: 'reports.gpu' });
 * await served.close();
 * ```
 */
export interface ServedTasks {
  /** The task queue it polls. */
  readonly taskQueue: string;
  /** Stops polling, lets running tasks finish (up to the grace time) and closes its connection. Safe to call twice. */
  close(): Promise<void>;
}

/** Executes workflows on a Temporal server; the same `Executor` the in-process engine implements. */
export class TemporalExecutor implements Executor {
  readonly engine = 'temporal';
  readonly client: Client;
  readonly signalBus: SignalBus;
  readonly #parts: TemporalExecutorParts;
  readonly #served = new Set<ServedTasks>();
  #closed = false;

  /** The task queue runs start on unless their options name another (`temporal.task_queue`, or the in-process worker's). */
  get taskQueue(): string {
    return this.#parts.taskQueue;
  }

  /** The settings the executor was made with (its `temporal` section filled in). */
  get settings(): Settings {
    return this.#parts.settings;
  }

  /**
   * Runs a worker in this process that serves only `tasks`, as activities, on `options.taskQueue`:
   * no workflows. It connects with this executor's settings (address, namespace, TLS, payload
   * encryption) and stops with `close()` or when the executor closes. Workflows reach it by
   * scheduling tasks on that queue (`executeTask(task, args, { taskQueue })`, or a run's memo
   * under `mcp_agent.task_queues`). The agent server serves sampling this way.
   *
   * @example
   * ```ts
   * const served = await executor.serveTasks(tasks.values().filter((task) => task.name === 'llm.mcp-sampling.complete'), { taskQueue: 'app.mcp-server.1' });
   * ```
   */
  async serveTasks(tasks: readonly TaskDefinition[], options: ServeTasksOptions): Promise<ServedTasks> {
    if (this.#closed) throw new WorkflowUsageError('serveTasks: this executor is closed');
    if (typeof options.taskQueue !== 'string' || options.taskQueue.trim() === '') {
      throw new WorkflowUsageError(`serveTasks: taskQueue must be a non-empty string, got ${JSON.stringify(options.taskQueue)}`);
    }
    const list = [...tasks];
    const byName = new Map(list.map((task) => [task.name, task]));
    const taskMap: TaskMap = {
      get: (name) => {
        const task = byName.get(name);
        if (task === undefined) throw new WorkflowUsageError(`serveTasks: this worker does not serve task "${name}"; it serves ${[...byName.keys()].join(', ')}`);
        return task;
      },
      has: (name) => byName.has(name),
      values: () => list,
    };
    // Loaded here: a client alone never needs the worker's native module.
    const { createTemporalWorker } = await import('../worker/worker.js');
    const worker = await createTemporalWorker(
      { registry: this.#parts.registry, settings: this.#parts.settings, logger: this.#parts.logger, tasks: taskMap },
      {
        activitiesOnly: true,
        taskQueue: options.taskQueue,
        ...(options.maxConcurrentActivities === undefined ? {} : { maxConcurrentActivities: options.maxConcurrentActivities }),
        ...(options.identity === undefined ? {} : { identity: options.identity }),
        ...(options.shutdownGraceTime === undefined ? {} : { shutdownGraceTime: options.shutdownGraceTime }),
      },
    );
    const running = worker.run();
    running.catch((error: unknown) => this.#parts.logger.error('temporal task worker stopped', { taskQueue: options.taskQueue, error: messageOf(error) }));
    let closing: Promise<void> | undefined;
    const served: ServedTasks = {
      taskQueue: options.taskQueue,
      close: () =>
        (closing ??= (async () => {
          this.#served.delete(served);
          if (worker.getState() === 'RUNNING') worker.shutdown();
          await running.catch(() => undefined);
        })()),
    };
    this.#served.add(served);
    return served;
  }

  constructor(parts: TemporalExecutorParts) {
    this.#parts = parts;
    this.client = parts.client;
    this.signalBus = { sendSignal: (signal: Signal) => this.#sendSignal(signal) };
  }

  get #namespace(): string {
    return this.client.options.namespace;
  }

  // --- starting ---------------------------------------------------------------------------

  startWorkflow<W>(workflow: WorkflowClass<W>, input?: WorkflowInputOf<W>, options?: StartWorkflowOptions): Promise<WorkflowHandle<W>>;
  startWorkflow<W = unknown>(workflowName: string, input?: unknown, options?: StartWorkflowOptions): Promise<WorkflowHandle<W>>;
  async startWorkflow(workflow: WorkflowClass | string, input?: unknown, options: StartWorkflowOptions = {}): Promise<WorkflowHandle<never>> {
    if (this.#closed) throw new WorkflowUsageError('this executor is closed; start workflows inside app.run(...)');
    const name = workflowNameOf(workflow);
    this.#parts.registry.getWorkflow(name);
    const workflowId = options.workflowId ?? `${name}-${randomUUID()}`;
    if (typeof workflowId !== 'string' || workflowId.trim() === '') {
      throw new WorkflowUsageError(`startWorkflow: workflowId must be a non-empty string, got ${JSON.stringify(workflowId)}`);
    }
    const policy: IdReusePolicy = options.idReusePolicy ?? this.#parts.settings.temporal?.id_reuse_policy ?? 'allow_duplicate';
    if (!ID_REUSE_POLICIES.includes(policy)) {
      throw new WorkflowUsageError(`idReusePolicy: expected one of ${ID_REUSE_POLICIES.join(', ')}, got ${JSON.stringify(policy)}`);
    }
    assertSerialisable(input, `input of workflow ${name}`);
    if (options.memo !== undefined) assertSerialisable(options.memo, `memo of workflow ${name}`);
    const { reuse, conflict } = REUSE[policy];
    let started: TemporalWorkflowHandle & { firstExecutionRunId: string };
    try {
      started = await this.client.workflow.start(name, {
        taskQueue: options.taskQueue ?? this.#parts.taskQueue,
        workflowId,
        args: input === undefined ? [] : [input],
        workflowIdReusePolicy: reuse,
        workflowIdConflictPolicy: conflict,
        ...(options.executionTimeout === undefined ? {} : { workflowExecutionTimeout: toMilliseconds(options.executionTimeout, 'executionTimeout') }),
        ...(options.runTimeout === undefined ? {} : { workflowRunTimeout: toMilliseconds(options.runTimeout, 'runTimeout') }),
        ...(options.taskTimeout === undefined ? {} : { workflowTaskTimeout: toMilliseconds(options.taskTimeout, 'taskTimeout') }),
        memo: { [WORKFLOW_MEMO_KEY]: name, ...options.memo },
        ...(this.#parts.settings.temporal?.search_attributes === true ? { typedSearchAttributes: [{ key: WORKFLOW_SEARCH_ATTRIBUTE, value: name }] } : {}),
      });
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) throw await this.#alreadyStarted(workflowId, name, policy, error);
      throw this.#translate(error, workflowId);
    }
    return this.#handle<never>(workflowId, started.firstExecutionRunId, name, true);
  }

  async #alreadyStarted(workflowId: string, name: string, policy: IdReusePolicy, cause: unknown): Promise<WorkflowAlreadyStartedError> {
    let existing: WorkflowExecutionDescription | undefined;
    try {
      existing = await this.client.workflow.getHandle(workflowId).describe();
    } catch {
      existing = undefined;
    }
    const status = existing === undefined ? undefined : statusOf(existing.status.name);
    let message: string;
    if (status === 'RUNNING') {
      message =
        `workflow id "${workflowId}" is already running (${existing?.type}, run ${existing?.runId}); ` +
        'wait for it, choose another id, or start with idReusePolicy "terminate_if_running"';
    } else if (policy === 'reject_duplicate') {
      message = `workflow id "${workflowId}" was used before (last run ${status ?? 'closed'}) and the id reuse policy is reject_duplicate; choose another id`;
    } else {
      message = `workflow id "${workflowId}" last ran to ${status ?? 'a close'} and the id reuse policy is ${policy}, which allows a new run only after a failure`;
    }
    const error = new WorkflowAlreadyStartedError(message, workflowId, name);
    Object.defineProperty(error, 'cause', { value: cause, configurable: true });
    return error;
  }

  executeWorkflow<W>(workflow: WorkflowClass<W>, input?: WorkflowInputOf<W>, options?: StartWorkflowOptions): Promise<WorkflowResult<WorkflowValueOf<W>>>;
  executeWorkflow<W = unknown>(workflowName: string, input?: unknown, options?: StartWorkflowOptions): Promise<WorkflowResult<WorkflowValueOf<W>>>;
  async executeWorkflow(workflow: WorkflowClass | string, input?: unknown, options: StartWorkflowOptions = {}): Promise<WorkflowResult<unknown>> {
    const handle = await this.startWorkflow(workflow as string, input, options);
    return handle.result();
  }

  getHandle<W = unknown>(workflowId: string, runId?: string): WorkflowHandle<W> {
    return this.#handle<W>(workflowId, runId, undefined, false);
  }

  #handle<W>(workflowId: string, runId: string | undefined, workflowName: string | undefined, fromStart: boolean): WorkflowHandle<W> {
    // Operations on a started workflow reach the current run of its chain (cancel, terminate and
    // update are refused for another chain under the same id); a handle made for a run id reaches that run only.
    const targetRunId = fromStart ? undefined : runId;
    const chain = fromStart ? runId : undefined;
    const handle: WorkflowHandle = {
      workflowId,
      runId,
      workflowName,
      result: () => this.#result<unknown>(workflowId, runId, fromStart),
      signal: (signalName: string, ...args: unknown[]) => this.#signal(workflowName, workflowId, targetRunId, signalName, args[0], workflowName !== undefined),
      query: (queryName: string, ...args: unknown[]) => this.#query<unknown>(workflowName, workflowId, targetRunId, queryName, args),
      update: (updateName: string, ...args: unknown[]) => this.#update<unknown>(workflowName, workflowId, targetRunId, updateName, args, chain),
      cancel: () => this.#cancel(workflowId, targetRunId, chain),
      terminate: (reason?: string) => this.#terminate(workflowId, reason, targetRunId, chain),
      describe: () => this.describeWorkflow(workflowId, targetRunId),
    };
    // One implementation serves every workflow class; the types come from the class the caller names.
    return handle as WorkflowHandle<W>;
  }

  async #result<T>(workflowId: string, runId: string | undefined, fromStart: boolean): Promise<WorkflowResult<T>> {
    const handle = this.client.workflow.getHandle(workflowId, fromStart ? undefined : runId, fromStart && runId !== undefined ? { firstExecutionRunId: runId } : {});
    try {
      return resultOf<T>(await handle.result());
    } catch (error) {
      if (error instanceof TemporalWorkflowFailedError) {
        const cause = error.cause;
        const status: WorkflowFailedError['status'] =
          cause instanceof CancelledFailure ? 'CANCELLED' : cause instanceof TerminatedFailure ? 'TERMINATED' : cause instanceof TimeoutFailure ? 'TIMED_OUT' : 'FAILED';
        let finalRunId = runId ?? '';
        try {
          finalRunId = (await this.client.workflow.getHandle(workflowId).describe()).runId;
        } catch {
          // keep the run id the handle knows
        }
        const translated =
          cause instanceof TerminatedFailure ? new WorkflowApplicationError(cause.message, { type: 'Terminated', nonRetryable: true }) : fromTemporalFailure(cause, undefined, true);
        throw new WorkflowFailedError(workflowId, finalRunId, status, translated ?? error.message);
      }
      throw this.#translate(error, workflowId, runId);
    }
  }

  // --- signals, queries, updates ----------------------------------------------------------------

  /** The definition of the workflow at an id (by describing it when its name is not known), checking a name given by the caller. */
  async #definitionFor(
    workflowName: string | undefined,
    workflowId: string,
    runId: string | undefined,
    trustName: boolean,
  ): Promise<{ definition: WorkflowDefinition | undefined; status: WorkflowStatus | undefined; runId: string | undefined }> {
    if (trustName && workflowName !== undefined) {
      return { definition: this.#parts.registry.workflows.get(workflowName), status: undefined, runId };
    }
    // Signals, queries and updates need the name and status only, not the run it continued from.
    const description = this.#description(await this.#describe(workflowId, runId));
    if (workflowName !== undefined && description.workflowName !== workflowName) {
      throw new WorkflowNotFoundError(`workflow "${workflowId}" is a ${description.workflowName}, not a ${workflowName}`, workflowId, runId);
    }
    return { definition: this.#parts.registry.workflows.get(description.workflowName), status: description.status, runId: description.runId };
  }

  #requireRunning(workflowId: string, runId: string | undefined, status: WorkflowStatus | undefined, action: string): void {
    if (status === undefined || status === 'RUNNING') return;
    throw new WorkflowNotFoundError(`cannot ${action}: workflow "${workflowId}" run "${runId}" is not running (${status})`, workflowId, runId);
  }

  async #signal(workflowName: string | undefined, workflowId: string, runId: string | undefined, signalName: string, payload: unknown, trustName: boolean): Promise<void> {
    const target = await this.#definitionFor(workflowName, workflowId, runId, trustName);
    this.#requireRunning(workflowId, target.runId, target.status, `signal "${signalName}"`);
    if (target.definition !== undefined && !target.definition.signals.has(signalName)) {
      throw new UnknownHandlerError('signal', signalName, target.definition.name, [...target.definition.signals.keys()]);
    }
    assertSerialisable(payload, `payload of signal ${signalName}`);
    try {
      await this.client.workflow.getHandle(workflowId, runId).signal(signalName, ...(payload === undefined ? [] : [payload]));
    } catch (error) {
      throw this.#translate(error, workflowId, runId);
    }
  }

  async #query<R>(workflowName: string | undefined, workflowId: string, runId: string | undefined, queryName: string, args: unknown[]): Promise<R> {
    if (workflowName !== undefined) {
      const definition = this.#parts.registry.workflows.get(workflowName);
      if (definition !== undefined && !definition.queries.has(queryName)) {
        throw new UnknownHandlerError('query', queryName, definition.name, [...definition.queries.keys()]);
      }
    }
    args.forEach((argument, index) => assertSerialisable(argument, `argument ${index + 1} of query ${queryName}`));
    try {
      return (await this.client.workflow.getHandle(workflowId, runId).query(queryName, ...args)) as R;
    } catch (error) {
      throw this.#translate(error, workflowId, runId, queryName);
    }
  }

  async #update<R>(workflowName: string | undefined, workflowId: string, runId: string | undefined, updateName: string, args: unknown[], chain?: string): Promise<R> {
    if (workflowName !== undefined) {
      const definition = this.#parts.registry.workflows.get(workflowName);
      if (definition !== undefined && !definition.updates.has(updateName)) {
        throw new UnknownHandlerError('update', updateName, definition.name, [...definition.updates.keys()]);
      }
    }
    args.forEach((argument, index) => assertSerialisable(argument, `argument ${index + 1} of update ${updateName}`));
    try {
      const handle = this.client.workflow.getHandle(workflowId, runId, chain === undefined ? {} : { firstExecutionRunId: chain });
      return (await handle.executeUpdate(updateName, { args: args as [unknown, ...unknown[]] })) as R;
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError) {
        const cause = error.cause;
        if (cause instanceof ApplicationFailure && cause.type === UPDATE_REJECTED_TYPE) {
          throw new UpdateRejectedError(updateName, new WorkflowApplicationError(cause.message, { type: 'UpdateRejected', nonRetryable: true }));
        }
        if (!(cause instanceof ApplicationFailure && cause.type === UNKNOWN_HANDLER_TYPE)) {
          // The handler itself failed: the caller gets its error, as in-process.
          throw fromTemporalFailure(cause) ?? error;
        }
      }
      throw this.#translate(error, workflowId, runId, updateName);
    }
  }

  signalWorkflow(workflowName: string | undefined, workflowId: string, signalName: string, payload?: unknown, options: TargetRunOptions = {}): Promise<void> {
    return this.#signal(workflowName, workflowId, options.runId, signalName, payload, false);
  }

  async queryWorkflow<R = unknown>(workflowName: string | undefined, workflowId: string, queryName: string, ...args: unknown[]): Promise<R> {
    return this.#query<R>(workflowName, workflowId, undefined, queryName, args);
  }

  async updateWorkflow<R = unknown>(workflowName: string | undefined, workflowId: string, updateName: string, ...args: unknown[]): Promise<R> {
    return this.#update<R>(workflowName, workflowId, undefined, updateName, args);
  }

  #sendSignal(signal: Signal): Promise<void> {
    if (typeof signal?.name !== 'string' || typeof signal.workflowId !== 'string') {
      return Promise.reject(new WorkflowUsageError('signalBus.sendSignal: a Signal needs string "name" and "workflowId"'));
    }
    return this.#signal(undefined, signal.workflowId, signal.runId ?? undefined, signal.name, signal.payload, false);
  }

  // --- cancel, terminate, describe, list ---------------------------------------------------

  cancelWorkflow(workflowId: string, runId?: string): Promise<void> {
    return this.#cancel(workflowId, runId, undefined);
  }

  terminateWorkflow(workflowId: string, reason?: string, runId?: string): Promise<void> {
    return this.#terminate(workflowId, reason, runId, undefined);
  }

  /** Refuses an operation on a run that has closed, as the in-process engine does (the server accepts a cancel of a closed run silently). */
  async #requireOpen(workflowId: string, runId: string | undefined, action: string): Promise<void> {
    const description = await this.#describe(workflowId, runId);
    this.#requireRunning(workflowId, description.runId, statusOf(description.status.name), action);
  }

  async #cancel(workflowId: string, runId: string | undefined, chain: string | undefined): Promise<void> {
    await this.#requireOpen(workflowId, runId, 'cancel');
    try {
      await this.client.workflow.getHandle(workflowId, runId, chain === undefined ? {} : { firstExecutionRunId: chain }).cancel();
    } catch (error) {
      throw this.#translate(error, workflowId, runId);
    }
  }

  async #terminate(workflowId: string, reason: string | undefined, runId: string | undefined, chain: string | undefined): Promise<void> {
    await this.#requireOpen(workflowId, runId, 'terminate');
    try {
      await this.client.workflow.getHandle(workflowId, runId, chain === undefined ? {} : { firstExecutionRunId: chain }).terminate(reason);
    } catch (error) {
      throw this.#translate(error, workflowId, runId);
    }
  }

  async describeWorkflow(workflowId: string, runId?: string): Promise<WorkflowDescription> {
    const description = await this.#describe(workflowId, runId);
    return { ...this.#description(description), continuedFromRunId: await this.#continuedFrom(workflowId, description.runId) };
  }

  /** The server's description of a run, without the history read that `describeWorkflow` adds. */
  async #describe(workflowId: string, runId: string | undefined): Promise<WorkflowExecutionDescription> {
    try {
      return await this.client.workflow.getHandle(workflowId, runId).describe();
    } catch (error) {
      throw this.#translate(error, workflowId, runId);
    }
  }

  /** The run a run continued from, read from the first event of its history. */
  async #continuedFrom(workflowId: string, runId: string): Promise<string | undefined> {
    try {
      const response = await this.client.workflowService.getWorkflowExecutionHistory({
        namespace: this.#namespace,
        execution: { workflowId, runId },
        maximumPageSize: 1,
      });
      const started = response.history?.events?.[0]?.workflowExecutionStartedEventAttributes;
      return started?.continuedExecutionRunId || undefined;
    } catch {
      return undefined;
    }
  }

  #description(info: WorkflowExecutionInfo | WorkflowExecutionDescription): WorkflowDescription {
    return {
      workflowId: info.workflowId,
      runId: info.runId,
      workflowName: info.type,
      status: statusOf(info.status.name),
      startTime: info.startTime,
      closeTime: info.closeTime ?? undefined,
      memo: (info.memo ?? {}) as Record<string, unknown>,
      parentWorkflowId: info.parentExecution?.workflowId ?? undefined,
      continuedFromRunId: undefined,
    };
  }

  #listingClient: Client | undefined;

  async listWorkflows(options: ListWorkflowsOptions = {}): Promise<WorkflowDescription[]> {
    const clauses: string[] = [];
    if (options.workflowName !== undefined) clauses.push(`WorkflowType = ${quoted(options.workflowName)}`);
    if (options.status !== undefined) {
      const status = STATUS_QUERY_NAMES[options.status];
      if (status === undefined)
        throw new WorkflowUsageError(`listWorkflows: unknown status ${JSON.stringify(options.status)}; expected one of ${Object.keys(STATUS_QUERY_NAMES).join(', ')}`);
      clauses.push(`ExecutionStatus = ${quoted(status)}`);
    }
    if (options.query !== undefined) clauses.push(`(${options.query})`);
    const limit = options.limit ?? 1_000;
    const found: WorkflowDescription[] = [];
    try {
      // A namespace holds runs of other apps and keys: a memo this client can't read does not fail the list.
      this.#listingClient ??= new Client({
        connection: this.client.connection,
        namespace: this.client.options.namespace,
        dataConverter: listingDataConverter(this.client.options.loadedDataConverter),
      });
      for await (const info of this.#listingClient.workflow.list(clauses.length === 0 ? {} : { query: clauses.join(' AND ') })) {
        found.push(this.#description(info));
        if (found.length >= limit) break;
      }
    } catch (error) {
      throw this.#translate(error, '');
    }
    return found;
  }

  /** The mcp-agent error for a failed call to the server. */
  #translate(error: unknown, workflowId: string, runId?: string, handlerName?: string): unknown {
    if (MCPAgentError.is(error)) return error;
    if (/aborted by closing workflow/i.test(messageOf(error))) {
      return new WorkflowNotFoundError(`${handlerName === undefined ? 'the operation' : `"${handlerName}"`} did not finish: workflow "${workflowId}" closed first`, workflowId, runId);
    }
    if (runId !== undefined && /invalid.*run ?id|run ?id.*(invalid|not a valid)/i.test(`${messageOf(error)} ${messageOf((error as { cause?: unknown }).cause)}`)) {
      return new WorkflowNotFoundError(`workflow "${workflowId}" has no run "${runId}"`, workflowId, runId);
    }
    if (error instanceof TemporalWorkflowNotFoundError) {
      return new WorkflowNotFoundError(`no workflow with id "${workflowId}"${runId === undefined ? '' : ` and run "${runId}"`} (${error.message})`, workflowId, runId);
    }
    if (error instanceof QueryNotRegisteredError) {
      // The server reports a query handler's failure this way too; the workflow's default handler names the queries it has.
      if (/^workflow ".*" has no query "/.test(error.message)) return unknownHandler('query', error.message);
      return new WorkflowApplicationError(`query "${handlerName}" failed: ${error.message}`, { type: 'QueryFailed', nonRetryable: true });
    }
    const failure = error instanceof WorkflowUpdateFailedError ? error.cause : error;
    if (failure instanceof ApplicationFailure && failure.type === UNKNOWN_HANDLER_TYPE) return unknownHandler('update', failure.message);
    const message = messageOf(error);
    const details = messageOf((error as { cause?: unknown }).cause);
    if (/query timed out before a worker could process it/i.test(`${message} ${details}`)) {
      return new WorkflowUsageError(
        `query "${handlerName}" of workflow "${workflowId}" got no answer: no worker took it in time; is a worker for task queue "${this.#parts.taskQueue}" running?`,
      );
    }
    if (/workflow execution already completed|not found/i.test(message)) {
      return new WorkflowNotFoundError(`workflow "${workflowId}"${runId === undefined ? '' : ` run "${runId}"`}: ${message}`, workflowId, runId);
    }
    return fromTemporalFailure(error);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#served].map((served) => served.close()));
    await this.#parts.onClose?.();
    await this.#parts.connection?.close();
  }
}
