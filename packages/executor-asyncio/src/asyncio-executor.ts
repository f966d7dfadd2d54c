/**
 * The in-process execution engine. Not durable, but it keeps every workflow semantic Temporal
 * has, so that switching `execution_engine` changes nothing a workflow or its caller can observe.
 */
import { randomUUID } from 'node:crypto';
import { CancelledError, isCancellation, messageOf, TaskFailedError, TimeoutError, UnknownHandlerError, UpdateRejectedError, WorkflowAlreadyStartedError, WorkflowApplicationError, WorkflowFailedError, workflowNameOf, WorkflowNotFoundError, WorkflowResult, WorkflowUsageError, type Executor, type IdReusePolicy, type ListWorkflowsOptions, type Logger, type StartWorkflowOptions, type TaskCallOptions, type TaskContext, type TaskOptions, type WorkflowClass, type WorkflowDescription, type WorkflowHandle, type WorkflowStatus } from '@mcp-agent/core';
import { createTaskMap, ID_REUSE_POLICIES, resolveTaskTimeouts, nextRetryDelay, runInTaskContext, shouldRetry, taskRetryPolicy, toMilliseconds, type CreateExecutorOptions, type ExecutionEngine, type ResolvedRetryPolicy, type ResolvedTaskTimeouts, type Signal, type SignalBus, type TargetRunOptions, type TaskMap, type WorkflowRegistry } from '@mcp-agent/core/engine';
import type { Settings } from '@mcp-agent/core/config';
import { RealClock, type Clock, type ClockTimer } from './clock.js';
import { Deadlines, type Deadline } from './deadlines.js';
import { asReportedFailure, roundTrip } from './serialisation.js';
import { continueAsNewInput, Execution, scopes, WorkflowRun, type Pending, type RunHost } from './workflow-run.js';

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
 * The abort signal of one task attempt, made only when the task asks for it: most tasks never
 * do, and an AbortController per attempt is a large share of the engine's overhead.
 */
class AttemptAbort {
  #controller: AbortController | undefined;
  #reason: unknown;
  #aborted = false;

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
  }
}

/** A counting semaphore: bounds concurrent task attempts to `max_concurrent_activities`. */
class Slots {
  #free: number;
  readonly #queue: Array<() => void> = [];
  constructor(capacity: number) {
    this.#free = capacity;
  }
  /** Undefined when a slot was free; else a promise of one. */
  acquire(): Promise<void> | undefined {
    if (this.#free > 0) {
      this.#free -= 1;
      return undefined;
    }
    return new Promise((resolve) => this.#queue.push(resolve));
  }
  release(): void {
    const next = this.#queue.shift();
    if (next !== undefined) next();
    else this.#free += 1;
  }
}

const FAILED_STATUSES: readonly WorkflowStatus[] = ['FAILED', 'CANCELLED', 'TERMINATED', 'TIMED_OUT'];

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
  readonly #executions = new Map<string, Execution[]>();
  readonly #closedOrder: Execution[] = [];
  readonly #retainClosed: number;
  readonly #retainRuns: number;
  readonly #slots: Slots;
  readonly #policyCache = new Map<string, ResolvedRetryPolicy>();
  readonly #timeoutCache = new Map<string, ResolvedTaskTimeouts>();
  readonly #deadlines = new Deadlines();
  /** The tasks this executor runs: the app's and the built-in ones its services provide. */
  readonly #tasks: TaskMap;
  #closed = false;

  constructor(options: CreateExecutorOptions, engineOptions: AsyncioEngineOptions = {}) {
    this.#registry = options.registry;
    this.#settings = options.settings;
    this.#logger = options.logger;
    this.clock = engineOptions.clock ?? new RealClock();
    this.clock.addIdleCheck(() => this.reactionsPending === 0);
    this.#retainClosed = engineOptions.retainClosedExecutions ?? 10_000;
    this.#retainRuns = Math.max(1, engineOptions.retainRunsPerExecution ?? 100);
    this.#slots = new Slots(options.settings.temporal?.max_concurrent_activities ?? Number.POSITIVE_INFINITY);
    this.signalBus = { sendSignal: (signal: Signal) => this.#sendSignal(signal) };
    this.#tasks = options.tasks ?? createTaskMap({ registry: options.registry, settings: options.settings });
  }

  // --- starting -----------------------------------------------------------------------

  async startWorkflow(workflow: WorkflowClass | string, input?: unknown, options: StartWorkflowOptions = {}): Promise<WorkflowHandle<never>> {
    const name = workflowNameOf(workflow);
    const execution = this.#startExecution(name, input, options, undefined);
    return this.#handle(execution.workflowId, undefined, execution);
  }

  async executeWorkflow(workflow: WorkflowClass | string, input?: unknown, options: StartWorkflowOptions = {}): Promise<WorkflowResult<never>> {
    const handle = await this.startWorkflow(workflow, input, options);
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
    const policy: IdReusePolicy = options.idReusePolicy ?? this.#settings.temporal?.id_reuse_policy ?? 'allow_duplicate';
    if (!ID_REUSE_POLICIES.includes(policy)) {
      throw new WorkflowUsageError(`idReusePolicy: expected one of ${ID_REUSE_POLICIES.join(', ')}, got ${JSON.stringify(policy)}`);
    }
    const executionTimeout = options.executionTimeout === undefined ? undefined : toMilliseconds(options.executionTimeout, 'executionTimeout');
    if (options.runTimeout !== undefined) toMilliseconds(options.runTimeout, 'runTimeout');
    if (options.taskTimeout !== undefined) toMilliseconds(options.taskTimeout, 'taskTimeout');
    const copiedInput = roundTrip(input, `input of workflow ${name}`);
    const memo = options.memo === undefined ? undefined : roundTrip(options.memo, `memo of workflow ${name}`);

    const previous = this.#executions.get(workflowId)?.at(-1);
    if (previous !== undefined) {
      if (previous.closedStatus === undefined) {
        if (policy !== 'terminate_if_running') {
          throw new WorkflowAlreadyStartedError(
            `workflow id "${workflowId}" is already running (${previous.definition.name}, run ${previous.current.info.runId}); ` +
              'wait for it, choose another id, or start with idReusePolicy "terminate_if_running"',
            workflowId,
            name,
          );
        }
        this.terminateExecution(previous, 'replaced by a new run (id reuse policy terminate_if_running)');
      } else if (policy === 'reject_duplicate') {
        throw new WorkflowAlreadyStartedError(
          `workflow id "${workflowId}" was used before (last run ${previous.closedStatus}) and the id reuse policy is reject_duplicate; choose another id`,
          workflowId,
          name,
        );
      } else if (policy === 'allow_duplicate_failed_only' && !FAILED_STATUSES.includes(previous.closedStatus)) {
        throw new WorkflowAlreadyStartedError(
          `workflow id "${workflowId}" last ran to ${previous.closedStatus} and the id reuse policy is allow_duplicate_failed_only, which allows a new run only after a failure`,
          workflowId,
          name,
        );
      }
    }

    const execution = new Execution(workflowId, definition, { ...options, ...(memo === undefined ? {} : { memo }) }, parent);
    const list = this.#executions.get(workflowId) ?? [];
    list.push(execution);
    this.#executions.set(workflowId, list);
    if (executionTimeout !== undefined) {
      execution.executionTimer = this.clock.setTimer(executionTimeout, () => {
        this.#closeExecution(
          execution,
          'TIMED_OUT',
          new TimeoutError('execution', `workflow ${workflowId} exceeded its execution timeout of ${executionTimeout} ms`),
        );
      });
    }
    this.#startRun(execution, copiedInput, undefined);
    this.#logger.debug('workflow started', { workflow: name, workflowId });
    return execution;
  }

  #startRun(execution: Execution, input: unknown, continuedFromRunId: string | undefined): void {
    const runId = continuedFromRunId === undefined ? execution.firstRunId : randomUUID();
    const run = new WorkflowRun(this, execution, runId, continuedFromRunId);
    execution.runs.push(run);
    this.#forgetOldRuns(execution);
    const runTimeout = execution.options.runTimeout === undefined ? undefined : toMilliseconds(execution.options.runTimeout, 'runTimeout');
    if (runTimeout !== undefined) {
      run.runTimer = this.clock.setTimer(runTimeout, () => {
        if (run.closed) return;
        this.#closeExecution(
          execution,
          'TIMED_OUT',
          new TimeoutError('run', `workflow ${execution.workflowId} run ${run.info.runId} exceeded its run timeout of ${runTimeout} ms`),
        );
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

  #forgetOldRuns(execution: Execution): void {
    while (execution.runs.length > this.#retainRuns && execution.runs[0]?.closed === true) execution.runs.shift();
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
    this.#closedOrder.push(execution);
    while (this.#closedOrder.length > this.#retainClosed) {
      const forgotten = this.#closedOrder.shift() as Execution;
      const list = this.#executions.get(forgotten.workflowId);
      const index = list?.indexOf(forgotten) ?? -1;
      if (list !== undefined && index >= 0) list.splice(index, 1);
      if (list?.length === 0) this.#executions.delete(forgotten.workflowId);
    }
  }

  terminateExecution(execution: Execution, reason: string): void {
    this.#closeExecution(execution, 'TERMINATED', new WorkflowApplicationError(reason, { type: 'Terminated', nonRetryable: true }));
  }

  cancelExecution(execution: Execution): void {
    if (execution.closedStatus !== undefined) return;
    execution.current.requestCancel();
  }

  // --- tasks -----------------------------------------------------------------------------

  #retryPolicy(taskName: string, taskPolicy: TaskCallOptions['retryPolicy'], callPolicy: TaskCallOptions['retryPolicy']): ResolvedRetryPolicy {
    if (callPolicy !== undefined) return taskRetryPolicy(taskName, this.#settings, taskPolicy, callPolicy);
    let policy = this.#policyCache.get(taskName);
    if (policy === undefined) {
      policy = taskRetryPolicy(taskName, this.#settings, taskPolicy);
      this.#policyCache.set(taskName, policy);
    }
    return policy;
  }

  #taskTimeouts(taskName: string, taskOptions: TaskOptions, callOptions: TaskCallOptions | undefined): ResolvedTaskTimeouts {
    const callSetsTimeouts =
      callOptions !== undefined &&
      (callOptions.startToCloseTimeout !== undefined || callOptions.scheduleToCloseTimeout !== undefined || callOptions.heartbeatTimeout !== undefined);
    if (callSetsTimeouts) return resolveTaskTimeouts(taskName, this.#settings, taskOptions, callOptions);
    let timeouts = this.#timeoutCache.get(taskName);
    if (timeouts === undefined) {
      timeouts = resolveTaskTimeouts(taskName, this.#settings, taskOptions, undefined);
      this.#timeoutCache.set(taskName, timeouts);
    }
    return timeouts;
  }

  /**
   * Runs a task's attempts under its retry policy and timeouts. Rejects with TaskFailedError when
   * it gives up, and with CancelledError when the workflow's cancellation reaches it.
   */
  async runTask(run: WorkflowRun, taskName: string, args: unknown[], options: TaskCallOptions | undefined, entry: Pending): Promise<unknown> {
    const task = this.#tasks.get(taskName);
    const policy = this.#retryPolicy(taskName, task.options.retryPolicy, options?.retryPolicy);
    const timeouts = this.#taskTimeouts(taskName, task.options, options);
    const deadline = timeouts.scheduleToCloseMs === undefined ? undefined : this.clock.now() + timeouts.scheduleToCloseMs;
    const copiedArgs = args.map((arg, index) => roundTrip(arg, `argument ${index + 1} of task ${taskName}`));
    let stopped = false;
    let currentAttempt: AttemptAbort | undefined;
    let backoffTimer: ClockTimer | undefined;
    let wakeBackoff: (() => void) | undefined;
    entry.onCancel = () => {
      stopped = true;
      currentAttempt?.abort(new CancelledError());
      run.clearTimer(backoffTimer);
      wakeBackoff?.();
    };
    for (let attempt = 1; ; attempt += 1) {
      const waitForSlot = this.#slots.acquire();
      if (waitForSlot !== undefined) await waitForSlot;
      if (stopped || run.closed) {
        this.#slots.release();
        throw new CancelledError();
      }
      const abort = new AttemptAbort();
      currentAttempt = abort;
      const remaining = deadline === undefined ? undefined : Math.max(0, deadline - this.clock.now());
      let outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
      try {
        outcome = { ok: true, value: await this.#attempt(task.run, copiedArgs, taskName, attempt, run, abort, timeouts, remaining) };
      } catch (error) {
        outcome = { ok: false, error };
      }
      if (stopped || run.closed) throw new CancelledError();
      if (outcome.ok) return roundTrip(outcome.value, `result of task ${taskName}`);
      const failure = asReportedFailure(outcome.error);
      const delay = nextRetryDelay(policy, outcome.error, attempt);
      const outOfTime = deadline !== undefined && this.clock.now() + delay >= deadline;
      if (!shouldRetry(policy, outcome.error, attempt) || outOfTime || (TimeoutError.is(outcome.error) && outcome.error.timeoutType === 'schedule_to_close')) {
        throw new TaskFailedError(taskName, attempt, failure);
      }
      this.#logger.warn(`task ${taskName} attempt ${attempt} failed: ${messageOf(outcome.error)}; retrying in ${delay} ms`, {
        workflowId: run.info.workflowId,
      });
      await new Promise<void>((resolve) => {
        wakeBackoff = resolve;
        backoffTimer = run.startTimer(delay, resolve);
        if (backoffTimer === undefined) resolve();
      });
      wakeBackoff = undefined;
      backoffTimer = undefined;
      if (stopped || run.closed) throw new CancelledError();
    }
  }

  /**
   * One attempt. Its outcome settles at the first of: the task's own result, its attempt or
   * schedule-to-close timeout, a missed heartbeat. The slot it holds is released only when the
   * task's function itself returns, as a Temporal worker frees a slot only then.
   */
  #attempt(
    fn: (...args: unknown[]) => Promise<unknown>,
    args: unknown[],
    taskName: string,
    attempt: number,
    run: WorkflowRun,
    abort: AttemptAbort,
    timeouts: { startToCloseMs: number; heartbeatMs: number | undefined },
    scheduleToCloseRemainingMs: number | undefined,
  ): Promise<unknown> {
    return new Promise((resolve, reject) => {
      let settled = false;
      let deadline: Deadline | undefined;
      let heartbeatTimer: ReturnType<typeof setTimeout> | undefined;
      const finish = (error: unknown, value?: unknown): void => {
        if (settled) return;
        settled = true;
        deadline?.cancel();
        if (heartbeatTimer !== undefined) clearTimeout(heartbeatTimer);
        if (error === undefined) resolve(value);
        else reject(error);
      };
      const fail = (error: TimeoutError): void => {
        abort.abort(error);
        finish(error);
      };
      const armHeartbeat = (): void => {
        if (timeouts.heartbeatMs === undefined || settled) return;
        if (heartbeatTimer !== undefined) clearTimeout(heartbeatTimer);
        const heartbeatMs = timeouts.heartbeatMs;
        heartbeatTimer = setTimeout(
          () => fail(new TimeoutError('heartbeat', `task ${taskName} attempt ${attempt} sent no heartbeat for ${heartbeatMs} ms (heartbeatTimeout)`)),
          heartbeatMs,
        );
      };
      const context: TaskContext = {
        taskName,
        attempt,
        workflowId: run.info.workflowId,
        runId: run.info.runId,
        get signal() {
          return abort.signal;
        },
        heartbeat: armHeartbeat,
      };
      const scheduleToCloseFirst = scheduleToCloseRemainingMs !== undefined && scheduleToCloseRemainingMs < timeouts.startToCloseMs;
      deadline = this.#deadlines.schedule(
          scheduleToCloseFirst ? (scheduleToCloseRemainingMs as number) : timeouts.startToCloseMs,
          () =>
            fail(
              scheduleToCloseFirst
                ? new TimeoutError('schedule_to_close', `task ${taskName} exceeded its scheduleToCloseTimeout during attempt ${attempt}`)
                : new TimeoutError('start_to_close', `task ${taskName} attempt ${attempt} exceeded its startToCloseTimeout of ${timeouts.startToCloseMs} ms`),
            ),
      );
      armHeartbeat();
      // When the run closes, its pending task operation's onCancel aborts this attempt.
      const untrack = (): void => {
        this.#slots.release();
        this.clock.endWork();
      };
      this.clock.beginWork();
      let running: Promise<unknown>;
      try {
        // Task code runs outside the workflow's scope, as an activity runs outside the workflow.
        running = Promise.resolve(scopes.exit(() => runInTaskContext(context, () => fn(...args))));
      } catch (error) {
        running = Promise.reject(error);
      }
      running.then(
        (value) => {
          untrack();
          finish(undefined, value);
        },
        (error: unknown) => {
          untrack();
          finish(error ?? new Error(`task ${taskName} rejected with ${String(error)}`));
        },
      );
    });
  }

  // --- talking to workflows ----------------------------------------------------------------

  #latestExecution(workflowId: string): Execution {
    const execution = this.#executions.get(workflowId)?.at(-1);
    if (execution === undefined) throw new WorkflowNotFoundError(`no workflow with id "${workflowId}"`, workflowId);
    return execution;
  }

  /** The run an operation targets: the given run id, or the current run of the latest execution. */
  #findRun(workflowId: string, runId: string | undefined, workflowName?: string): WorkflowRun {
    const executions = this.#executions.get(workflowId);
    if (executions === undefined || executions.length === 0) {
      throw new WorkflowNotFoundError(`no workflow with id "${workflowId}"`, workflowId, runId);
    }
    let run: WorkflowRun | undefined;
    if (runId === undefined) {
      run = (executions.at(-1) as Execution).current;
    } else {
      for (const execution of executions) {
        run = execution.runs.find((candidate) => candidate.info.runId === runId);
        if (run !== undefined) break;
      }
      if (run === undefined) throw new WorkflowNotFoundError(`workflow "${workflowId}" has no run "${runId}"`, workflowId, runId);
    }
    if (workflowName !== undefined && run.info.workflowName !== workflowName) {
      throw new WorkflowNotFoundError(`workflow "${workflowId}" is a ${run.info.workflowName}, not a ${workflowName}`, workflowId, runId);
    }
    return run;
  }

  #requireRunning(run: WorkflowRun, action: string): void {
    if (!run.closed) return;
    throw new WorkflowNotFoundError(
      `cannot ${action}: workflow "${run.info.workflowId}" run "${run.info.runId}" is not running (${run.status})`,
      run.info.workflowId,
      run.info.runId,
    );
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
    return this.#signal(this.#findRun(signal.workflowId, signal.runId ?? undefined), signal.name, signal.payload);
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
      if (runId !== undefined) return this.#findRun(workflowId, runId).execution;
      if (known !== undefined && this.#executions.get(workflowId)?.includes(known)) return known;
      return this.#latestExecution(workflowId);
    };
    const target = (): WorkflowRun => (runId === undefined ? execution().current : this.#findRun(workflowId, runId));
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

  getHandle<T = unknown>(workflowId: string, runId?: string): WorkflowHandle<T> {
    return this.#handle<T>(workflowId, runId);
  }

  async signalWorkflow(workflowName: string | undefined, workflowId: string, signalName: string, payload?: unknown, options: TargetRunOptions = {}): Promise<void> {
    await this.#signal(this.#findRun(workflowId, options.runId, workflowName), signalName, payload);
  }

  async queryWorkflow<R = unknown>(workflowName: string | undefined, workflowId: string, queryName: string, ...args: unknown[]): Promise<R> {
    return (await this.#query(this.#findRun(workflowId, undefined, workflowName), queryName, args)) as R;
  }

  async updateWorkflow<R = unknown>(workflowName: string | undefined, workflowId: string, updateName: string, ...args: unknown[]): Promise<R> {
    return (await this.#update(this.#findRun(workflowId, undefined, workflowName), updateName, args)) as R;
  }

  async cancelWorkflow(workflowId: string, runId?: string): Promise<void> {
    await this.getHandle(workflowId, runId).cancel();
  }

  async terminateWorkflow(workflowId: string, reason?: string, runId?: string): Promise<void> {
    await this.getHandle(workflowId, runId).terminate(reason);
  }

  async describeWorkflow(workflowId: string, runId?: string): Promise<WorkflowDescription> {
    return this.#findRun(workflowId, runId).describe();
  }

  async listWorkflows(options: ListWorkflowsOptions = {}): Promise<WorkflowDescription[]> {
    if (options.query !== undefined) {
      throw new WorkflowUsageError('listWorkflows: a visibility query needs the Temporal engine; filter with workflowName and status in-process');
    }
    const runs: WorkflowDescription[] = [];
    for (const executions of this.#executions.values()) {
      for (const execution of executions) {
        for (const run of execution.runs) {
          if (options.workflowName !== undefined && run.info.workflowName !== options.workflowName) continue;
          if (options.status !== undefined && run.status !== options.status) continue;
          runs.push(run.describe());
        }
      }
    }
    runs.sort((a, b) => b.startTime.getTime() - a.startTime.getTime());
    return options.limit === undefined ? runs : runs.slice(0, options.limit);
  }

  /** Terminates every running workflow and refuses new starts. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const executions of this.#executions.values()) {
      for (const execution of executions) {
        if (execution.closedStatus === undefined) this.terminateExecution(execution, 'executor closed');
      }
    }
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
