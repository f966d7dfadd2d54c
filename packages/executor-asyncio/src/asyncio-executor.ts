/**
 * The in-process execution engine. Not durable, but it keeps every workflow semantic Temporal
 * has, so that switching `execution_engine` changes nothing a workflow or its caller can observe.
 */
import { randomUUID } from 'node:crypto';
import {
  isCancellation,
  TimeoutError,
  UnknownHandlerError,
  UpdateRejectedError,
  WorkflowApplicationError,
  WorkflowFailedError,
  workflowNameOf,
  WorkflowNotFoundError,
  WorkflowResult,
  WorkflowUsageError,
  type Executor,
  type ListWorkflowsOptions,
  type Logger,
  type StartWorkflowOptions,
  type TaskCallOptions,
  type WorkflowClass,
  type WorkflowDescription,
  type WorkflowHandle,
  type WorkflowInputOf,
  type WorkflowValueOf,
  type WorkflowStatus,
} from '@mcp-agent/core';
import {
  createTaskMap,
  toMilliseconds,
  type CreateExecutorOptions,
  type ExecutionEngine,
  type Signal,
  type SignalBus,
  type TargetRunOptions,
  type WorkflowRegistry,
} from '@mcp-agent/core/engine';
import type { Settings } from '@mcp-agent/core/config';
import { RealClock, type Clock } from './clock.js';
import { Executions, idReusePolicyOf } from './executions.js';
import { asReportedFailure, roundTrip } from './serialisation.js';
import { TaskRunner } from './task-runner.js';
import { continueAsNewInput, Execution, WorkflowRun, type Pending, type RunHost } from './workflow-run.js';

/** Options of the in-process engine. */
export interface AsyncioEngineOptions {
  /** The clock for workflow time, sleeps, timeouts and retry backoff. Default: the real clock. */
  clock?: Clock;
  /** Closed executions kept for describe, list, query and id reuse checks. Default 10,000; older ones are forgotten first. */
  retainClosedExecutions?: number;
  /** Runs of one `continueAsNew` chain kept for describe and query. Default 100; older closed ones are forgotten first. */
  retainRunsPerExecution?: number;
}

/**
 * The in-process {@link Executor}. Create it through {@link createAsyncioEngine} and `MCPApp`.
 */
export class AsyncioExecutor implements Executor, RunHost {
  readonly engine = 'asyncio';
  readonly clock: Clock;
  readonly signalBus: SignalBus;
  reactionsPending = 0;
  readonly #registry: WorkflowRegistry;
  readonly #settings: Settings;
  readonly #logger: Logger;
  readonly #executions: Executions;
  readonly #taskRunner: TaskRunner;
  readonly #onRunClosed: CreateExecutorOptions['onRunClosed'];
  #closed = false;

  constructor(options: CreateExecutorOptions, engineOptions: AsyncioEngineOptions = {}) {
    this.#registry = options.registry;
    this.#settings = options.settings;
    this.#logger = options.logger;
    this.clock = engineOptions.clock ?? new RealClock();
    this.clock.addIdleCheck(() => this.reactionsPending === 0);
    this.#executions = new Executions(engineOptions.retainClosedExecutions ?? 10_000, Math.max(1, engineOptions.retainRunsPerExecution ?? 100));
    this.signalBus = { sendSignal: (signal: Signal) => this.#sendSignal(signal) };
    // The tasks it runs: the app's and the built-in ones its services provide.
    const tasks = options.tasks ?? createTaskMap({ registry: options.registry, settings: options.settings });
    this.#taskRunner = new TaskRunner(this.clock, options.settings, options.logger, tasks);
    this.#onRunClosed = options.onRunClosed;
  }

  // --- starting -----------------------------------------------------------------------

  startWorkflow<W>(workflow: WorkflowClass<W>, input?: WorkflowInputOf<W>, options?: StartWorkflowOptions): Promise<WorkflowHandle<W>>;
  startWorkflow<W = unknown>(workflowName: string, input?: unknown, options?: StartWorkflowOptions): Promise<WorkflowHandle<W>>;
  async startWorkflow(workflow: WorkflowClass | string, input?: unknown, options: StartWorkflowOptions = {}): Promise<WorkflowHandle<never>> {
    const name = workflowNameOf(workflow);
    const execution = this.#startExecution(name, input, options, undefined);
    return this.#handle(execution.workflowId, undefined, execution);
  }

  executeWorkflow<W>(workflow: WorkflowClass<W>, input?: WorkflowInputOf<W>, options?: StartWorkflowOptions): Promise<WorkflowResult<WorkflowValueOf<W>>>;
  executeWorkflow<W = unknown>(workflowName: string, input?: unknown, options?: StartWorkflowOptions): Promise<WorkflowResult<WorkflowValueOf<W>>>;
  async executeWorkflow(workflow: WorkflowClass | string, input?: unknown, options: StartWorkflowOptions = {}): Promise<WorkflowResult<unknown>> {
    const handle = await this.startWorkflow(workflow as string, input, options);
    return handle.result();
  }

  startChildExecution(name: string, input: unknown, options: StartWorkflowOptions, parent: NonNullable<Execution['parent']>): Execution {
    return this.#startExecution(name, input, options, parent);
  }

  /** Starts an execution (a top-level workflow or a child). Throws synchronously on bad input. */
  #startExecution(name: string, input: unknown, options: StartWorkflowOptions, parent: Execution['parent']): Execution {
    if (this.#closed) throw new WorkflowUsageError('this executor is closed; start workflows inside app.run(...)');
    const definition = this.#registry.getWorkflow(name);
    const workflowId = options.workflowId ?? `${name}-${randomUUID()}`;
    if (typeof workflowId !== 'string' || workflowId.trim() === '') {
      throw new WorkflowUsageError(`startWorkflow: workflowId must be a non-empty string, got ${JSON.stringify(workflowId)}`);
    }
    const policy = idReusePolicyOf(options.idReusePolicy ?? this.#settings.temporal?.id_reuse_policy);
    const executionTimeout = options.executionTimeout === undefined ? undefined : toMilliseconds(options.executionTimeout, 'executionTimeout');
    if (options.runTimeout !== undefined) toMilliseconds(options.runTimeout, 'runTimeout');
    if (options.taskTimeout !== undefined) toMilliseconds(options.taskTimeout, 'taskTimeout');
    const copiedInput = roundTrip(input, `input of workflow ${name}`);
    const memo = options.memo === undefined ? undefined : roundTrip(options.memo, `memo of workflow ${name}`);

    const replaced = this.#executions.admit(workflowId, name, policy);
    if (replaced !== undefined) this.terminateExecution(replaced, 'replaced by a new run (id reuse policy terminate_if_running)');

    const execution = new Execution(workflowId, definition, { ...options, ...(memo === undefined ? {} : { memo }) }, parent);
    this.#executions.add(execution);
    if (executionTimeout !== undefined) {
      execution.executionTimer = this.clock.setTimer(executionTimeout, () => {
        this.#closeExecution(execution, 'TIMED_OUT', new TimeoutError('execution', `workflow ${workflowId} exceeded its execution timeout of ${executionTimeout} ms`));
      });
    }
    this.#startRun(execution, copiedInput, undefined);
    this.#logger.debug('workflow started', { workflow: name, workflowId });
    return execution;
  }

  #startRun(execution: Execution, input: unknown, continuedFromRunId: string | undefined): void {
    const runId = continuedFromRunId === undefined ? execution.firstRunId : randomUUID();
    const run = new WorkflowRun(this, execution, runId, continuedFromRunId);
    this.#executions.addRun(execution, run);
    const onRunClosed = this.#onRunClosed;
    if (onRunClosed !== undefined) {
      run.onClose(() => {
        try {
          onRunClosed({ workflowId: execution.workflowId, runId });
        } catch (error) {
          this.#logger.warn(`an onRunClosed callback failed: ${error instanceof Error ? error.message : String(error)}`, { workflowId: execution.workflowId, runId });
        }
      });
    }
    const runTimeout = execution.options.runTimeout === undefined ? undefined : toMilliseconds(execution.options.runTimeout, 'runTimeout');
    if (runTimeout !== undefined) {
      run.runTimer = this.clock.setTimer(runTimeout, () => {
        if (run.closed) return;
        this.#closeExecution(execution, 'TIMED_OUT', new TimeoutError('run', `workflow ${execution.workflowId} run ${run.info.runId} exceeded its run timeout of ${runTimeout} ms`));
      });
    }
    const method = (run.instance as Record<string, unknown>)[execution.definition.runMethod] as (input: unknown) => unknown;
    queueMicrotask(() => {
      if (run.closed) return;
      let outcome: Promise<unknown>;
      try {
        outcome = Promise.resolve(run.inScope(() => method.call(run.instance, input)));
      } catch (error) {
        outcome = Promise.reject(error);
      }
      outcome.then(
        (value) => this.#completeRun(run, value),
        (error: unknown) => {
          const continued = continueAsNewInput(error);
          if (continued !== undefined) this.continueRun(run, continued.input);
          else this.failRun(run, error);
        },
      );
    });
  }

  /** Ends a run that continued as new and starts the next one with `input`. */
  continueRun(run: WorkflowRun, input: unknown): void {
    if (run.closed) return;
    run.close('CONTINUED_AS_NEW');
    this.#logger.debug('workflow continued as new', { workflowId: run.info.workflowId, runId: run.info.runId });
    this.#startRun(run.execution, input, run.info.runId);
  }

  #completeRun(run: WorkflowRun, value: unknown): void {
    if (run.closed) return;
    let result: WorkflowResult<unknown>;
    try {
      result = WorkflowResult.fromJSON(roundTrip(WorkflowResult.from(value).toJSON(), `result of workflow ${run.info.workflowName}`));
    } catch (serialisationError) {
      this.failRun(run, serialisationError);
      return;
    }
    result.startTime ??= run.info.runStartTime.getTime();
    result.endTime ??= this.clock.now();
    this.#closeExecution(run.execution, 'COMPLETED', undefined, result);
  }

  /** Fails the run: CANCELLED when it ends with a cancellation after a cancel request, else FAILED. */
  failRun(run: WorkflowRun, error: unknown): void {
    if (run.closed) return;
    const status: WorkflowStatus = run.cancellationRequested && isCancellation(error) ? 'CANCELLED' : 'FAILED';
    this.#closeExecution(run.execution, status, asReportedFailure(error));
  }

  #closeExecution(execution: Execution, status: WorkflowStatus, cause?: unknown, result?: WorkflowResult<unknown>): void {
    if (execution.closedStatus !== undefined) return;
    execution.closedStatus = status;
    if (execution.executionTimer !== undefined) this.clock.clearTimer(execution.executionTimer);
    const run = execution.current;
    run.close(status);
    if (status === 'COMPLETED' && result !== undefined) {
      execution.resolve(result);
    } else {
      execution.reject(new WorkflowFailedError(execution.workflowId, run.info.runId, status as WorkflowFailedError['status'], cause));
    }
    this.#logger.debug('workflow closed', { workflowId: execution.workflowId, runId: run.info.runId, status });
    this.#executions.closed(execution);
  }

  terminateExecution(execution: Execution, reason: string): void {
    this.#closeExecution(execution, 'TERMINATED', new WorkflowApplicationError(reason, { type: 'Terminated', nonRetryable: true }));
  }

  cancelExecution(execution: Execution): void {
    if (execution.closedStatus !== undefined) return;
    execution.current.requestCancel();
  }

  // --- tasks -----------------------------------------------------------------------------

  /**
   * Runs a task's attempts under its retry policy and timeouts. Rejects with TaskFailedError when
   * it gives up, and with CancelledError when the workflow's cancellation reaches it.
   */
  runTask(run: WorkflowRun, taskName: string, args: unknown[], options: TaskCallOptions | undefined, entry: Pending): Promise<unknown> {
    return this.#taskRunner.runTask(run, taskName, args, options, entry);
  }

  // --- talking to workflows ----------------------------------------------------------------

  #requireRunning(run: WorkflowRun, action: string): void {
    if (!run.closed) return;
    throw new WorkflowNotFoundError(`cannot ${action}: workflow "${run.info.workflowId}" run "${run.info.runId}" is not running (${run.status})`, run.info.workflowId, run.info.runId);
  }

  signalExecution(execution: Execution, signalName: string, payload: unknown): Promise<void> {
    return this.#signal(execution.current, signalName, payload);
  }

  async #signal(run: WorkflowRun, signalName: string, payload: unknown): Promise<void> {
    this.#requireRunning(run, `signal "${signalName}"`);
    if (!run.definition.signals.has(signalName)) {
      throw new UnknownHandlerError('signal', signalName, run.info.workflowName, [...run.definition.signals.keys()]);
    }
    const copied = roundTrip(payload, `payload of signal ${signalName}`);
    const methodName = run.definition.signals.get(signalName);
    if (methodName !== undefined) {
      const handler = (run.instance as Record<string, unknown>)[methodName] as (payload: unknown) => unknown;
      const ended = (error: unknown): void => {
        const continued = continueAsNewInput(error);
        if (continued !== undefined) this.continueRun(run, continued.input);
        else this.failRun(run, error);
      };
      try {
        const returned = run.inScope(() => handler.call(run.instance, copied));
        if (returned instanceof Promise) returned.then(() => run.poke(), ended);
      } catch (error) {
        ended(error);
        return;
      }
    }
    run.deliverToMailbox(signalName, copied);
    run.poke();
  }

  #sendSignal(signal: Signal): Promise<void> {
    if (typeof signal?.name !== 'string' || typeof signal.workflowId !== 'string') {
      return Promise.reject(new WorkflowUsageError('signalBus.sendSignal: a Signal needs string "name" and "workflowId"'));
    }
    return this.#signal(this.#executions.findRun(signal.workflowId, signal.runId ?? undefined), signal.name, signal.payload);
  }

  async #query(run: WorkflowRun, queryName: string, args: unknown[]): Promise<unknown> {
    const methodName = run.definition.queries.get(queryName);
    if (methodName === undefined) {
      throw new UnknownHandlerError('query', queryName, run.info.workflowName, [...run.definition.queries.keys()]);
    }
    const handler = (run.instance as Record<string, unknown>)[methodName] as (...args: unknown[]) => unknown;
    const copiedArgs = args.map((arg, index) => roundTrip(arg, `argument ${index + 1} of query ${queryName}`));
    const value = run.inScope(() => handler.apply(run.instance, copiedArgs));
    if (value instanceof Promise) {
      throw new WorkflowUsageError(`query "${queryName}" of ${run.info.workflowName} returned a Promise; query handlers must be synchronous`);
    }
    return roundTrip(value, `result of query ${queryName}`);
  }

  async #update(run: WorkflowRun, updateName: string, args: unknown[]): Promise<unknown> {
    this.#requireRunning(run, `update "${updateName}"`);
    const update = run.definition.updates.get(updateName);
    if (update === undefined) {
      throw new UnknownHandlerError('update', updateName, run.info.workflowName, [...run.definition.updates.keys()]);
    }
    const copiedArgs = args.map((arg, index) => roundTrip(arg, `argument ${index + 1} of update ${updateName}`));
    if (update.validator !== undefined) {
      const validator = update.validator;
      try {
        run.inScope(() => validator.apply(run.instance, copiedArgs));
      } catch (error) {
        throw new UpdateRejectedError(updateName, error);
      }
    }
    const handler = (run.instance as Record<string, unknown>)[update.methodName] as (...args: unknown[]) => unknown;
    // An update whose run closes before its handler finishes fails, as it does on Temporal.
    let stopListening = (): void => undefined;
    const closed = new Promise<never>((_resolve, reject) => {
      stopListening = run.onClose((status) =>
        reject(
          new WorkflowNotFoundError(
            `update "${updateName}" did not finish: workflow "${run.info.workflowId}" run "${run.info.runId}" closed (${status}) first`,
            run.info.workflowId,
            run.info.runId,
          ),
        ),
      );
    });
    closed.catch(() => undefined);
    try {
      const value = await Promise.race([Promise.resolve(run.inScope(() => handler.apply(run.instance, copiedArgs))), closed]);
      return roundTrip(value, `result of update ${updateName}`);
    } finally {
      stopListening();
      run.poke();
    }
  }

  #handle<W>(workflowId: string, runId: string | undefined, known?: Execution): WorkflowHandle<W> {
    const execution = (): Execution => {
      if (runId !== undefined) return this.#executions.findRun(workflowId, runId).execution;
      if (known !== undefined && this.#executions.has(known)) return known;
      return this.#executions.latest(workflowId);
    };
    const target = (): WorkflowRun => (runId === undefined ? execution().current : this.#executions.findRun(workflowId, runId));
    const handle: WorkflowHandle = {
      workflowId,
      runId: runId ?? known?.firstRunId,
      workflowName: known?.definition.name,
      result: async () => {
        const chain = execution();
        this.clock.enterSkipping();
        try {
          return await chain.result;
        } finally {
          this.clock.exitSkipping();
        }
      },
      signal: async (signalName: string, ...args: unknown[]) => this.#signal(target(), signalName, args[0]),
      query: async (queryName: string, ...args: unknown[]) => this.#query(target(), queryName, args),
      update: async (updateName: string, ...args: unknown[]) => this.#update(target(), updateName, args),
      cancel: async () => {
        const run = target();
        this.#requireRunning(run, 'cancel');
        this.cancelExecution(run.execution);
      },
      terminate: async (reason?: string) => {
        const run = target();
        this.#requireRunning(run, 'terminate');
        this.terminateExecution(run.execution, reason ?? 'terminated');
      },
      describe: async () => target().describe(),
    };
    // One implementation serves every workflow class; the types come from the class the caller names.
    return handle as WorkflowHandle<W>;
  }

  getHandle<W = unknown>(workflowId: string, runId?: string): WorkflowHandle<W> {
    return this.#handle<W>(workflowId, runId);
  }

  async signalWorkflow(workflowName: string | undefined, workflowId: string, signalName: string, payload?: unknown, options: TargetRunOptions = {}): Promise<void> {
    await this.#signal(this.#executions.findRun(workflowId, options.runId, workflowName), signalName, payload);
  }

  async queryWorkflow<R = unknown>(workflowName: string | undefined, workflowId: string, queryName: string, ...args: unknown[]): Promise<R> {
    return (await this.#query(this.#executions.findRun(workflowId, undefined, workflowName), queryName, args)) as R;
  }

  async updateWorkflow<R = unknown>(workflowName: string | undefined, workflowId: string, updateName: string, ...args: unknown[]): Promise<R> {
    return (await this.#update(this.#executions.findRun(workflowId, undefined, workflowName), updateName, args)) as R;
  }

  async cancelWorkflow(workflowId: string, runId?: string): Promise<void> {
    await this.getHandle(workflowId, runId).cancel();
  }

  async terminateWorkflow(workflowId: string, reason?: string, runId?: string): Promise<void> {
    await this.getHandle(workflowId, runId).terminate(reason);
  }

  async describeWorkflow(workflowId: string, runId?: string): Promise<WorkflowDescription> {
    return this.#executions.describe(workflowId, runId);
  }

  async listWorkflows(options: ListWorkflowsOptions = {}): Promise<WorkflowDescription[]> {
    if (options.query !== undefined) {
      throw new WorkflowUsageError('listWorkflows: a visibility query needs the Temporal engine; filter with workflowName and status in-process');
    }
    return this.#executions.list(options);
  }

  /** Terminates every running workflow and refuses new starts. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const execution of this.#executions.running()) this.terminateExecution(execution, 'executor closed');
  }
}

/**
 * Makes the in-process engine, optionally with a virtual clock.
 *
 * @example
 * ```ts
 * const app = new MCPApp({ name: 'demo', engines: { asyncio: createAsyncioEngine({ clock: new VirtualClock() }) } });
 * ```
 */
export function createAsyncioEngine(options: AsyncioEngineOptions = {}): ExecutionEngine {
  return {
    name: 'asyncio',
    createExecutor: (executorOptions) => new AsyncioExecutor(executorOptions, options),
  };
}

/** The in-process engine with the real clock; `MCPApp` loads it for `execution_engine: asyncio`. */
export const executionEngine: ExecutionEngine = createAsyncioEngine();
