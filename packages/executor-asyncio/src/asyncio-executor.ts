/**
 * The in-process execution engine. Not durable, but it keeps every workflow semantic Temporal
 * has, so that switching `execution_engine` changes nothing a workflow or its caller can observe.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import {
  addWorkflowContextProvider,
  bindWorkflowContext,
  CancelledError,
  ChildWorkflowFailedError,
  errorTypeOf,
  ID_REUSE_POLICIES,
  MCPAgentError,
  messageOf,
  retryDelay,
  runInTaskContext,
  shouldRetry,
  TaskFailedError,
  taskRetryPolicy,
  TimeoutError,
  toMilliseconds,
  UnknownHandlerError,
  UpdateRejectedError,
  WorkflowAlreadyStartedError,
  WorkflowApplicationError,
  WorkflowFailedError,
  workflowNameOf,
  WorkflowNotFoundError,
  WorkflowResult,
  WorkflowUsageError,
  type ChildWorkflowHandle,
  type ChildWorkflowOptions,
  type CreateExecutorOptions,
  type ExecutionEngine,
  type Executor,
  type IdReusePolicy,
  type ListWorkflowsOptions,
  type Logger,
  type ResolvedRetryPolicy,
  type Settings,
  type Signal,
  type SignalBus,
  type StartWorkflowOptions,
  type TargetRunOptions,
  type TaskCallOptions,
  type TaskContext,
  type WorkflowClass,
  type WorkflowContext,
  type WorkflowDefinition,
  type WorkflowDescription,
  type WorkflowHandle,
  type WorkflowInfo,
  type WorkflowRegistry,
  type WorkflowStatus,
} from '@mcp-agent/core';
import { RealClock, type Clock, type ClockTimer } from './clock.js';

/** Options of the in-process engine. */
export interface AsyncioEngineOptions {
  /** The clock for workflow time, sleeps, timeouts and retry backoff. Default: the real clock. */
  clock?: Clock;
  /** Closed executions kept for describe, list, query and id reuse checks. Default 10,000; older ones are forgotten first. */
  retainClosedExecutions?: number;
}

interface Scope {
  run: WorkflowRun;
  cancellable: boolean;
}

// One store for every executor in the process; engines find the running workflow through it.
const SCOPE_KEY = Symbol.for('mcp-agent.asyncio-scope-storage');
const scopeHolder = globalThis as unknown as Record<symbol, AsyncLocalStorage<Scope> | undefined>;
const scopes = (scopeHolder[SCOPE_KEY] ??= new AsyncLocalStorage<Scope>());
const contextProvider = (): WorkflowContext | undefined => scopes.getStore()?.run;
addWorkflowContextProvider(contextProvider);

const CONTINUE_AS_NEW = Symbol.for('mcp-agent.continue-as-new');

/** Never settles: what a closed run's pending and new operations return, so its code stops quietly. */
function never<T>(): Promise<T> {
  return new Promise<T>(() => undefined);
}

/** Copies a value the way a JSON data converter would, so both engines hand code the same data. */
function roundTrip<T>(value: T, what: string): T {
  if (value === undefined || value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new WorkflowUsageError(`${what} is not serialisable to JSON: ${messageOf(error)}; pass plain data (objects, arrays, strings, numbers, booleans, null)`);
  }
  return (text === undefined ? undefined : JSON.parse(text)) as T;
}

/** The error a failed task or workflow reports: its type and message survive, as they would through Temporal. */
function asReportedFailure(error: unknown): unknown {
  if (MCPAgentError.is(error)) return error;
  return new WorkflowApplicationError(messageOf(error), { type: errorTypeOf(error), cause: error });
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

interface Waiter {
  predicate: () => boolean;
  resolve: (met: boolean) => void;
  timer: ClockTimer | undefined;
}

interface Pending {
  reject: (error: unknown) => void;
  cancellable: boolean;
  onCancel?: () => void;
}

/** One chain of runs under one workflow id: the first run and those it continued as. */
class Execution {
  readonly runs: WorkflowRun[] = [];
  readonly result: Promise<WorkflowResult<unknown>>;
  resolve!: (result: WorkflowResult<unknown>) => void;
  reject!: (error: WorkflowFailedError) => void;
  closedStatus: WorkflowStatus | undefined;
  executionTimer: ClockTimer | undefined;

  constructor(
    readonly workflowId: string,
    readonly definition: WorkflowDefinition,
    readonly options: StartWorkflowOptions,
    readonly parent: { workflowId: string; runId: string } | undefined,
  ) {
    this.result = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // The result is observed by handles; a failure nobody awaits must not crash the process.
    this.result.catch(() => undefined);
  }

  get current(): WorkflowRun {
    return this.runs[this.runs.length - 1] as WorkflowRun;
  }
}

/** One run of a workflow: the engine side of its context. */
class WorkflowRun implements WorkflowContext {
  readonly info: WorkflowInfo;
  readonly instance: object;
  status: WorkflowStatus = 'RUNNING';
  closeTime: Date | undefined;
  cancellationRequested = false;
  continueAsNewInput: { input: unknown } | undefined;
  readonly #waiters = new Set<Waiter>();
  readonly #pending = new Set<Pending>();
  readonly #timers = new Set<ClockTimer>();
  readonly #mailbox = new Map<string, unknown[]>();
  readonly #signalWaiters = new Map<string, Array<(payload: unknown) => void>>();
  readonly #children = new Set<Execution>();
  readonly #attempts = new Set<AttemptAbort>();
  #pokeScheduled = false;
  #childCounter = 0;
  runRunTimer: ClockTimer | undefined;

  constructor(
    readonly executor: AsyncioExecutor,
    readonly execution: Execution,
    runId: string,
    continuedFromRunId: string | undefined,
  ) {
    this.info = Object.freeze({
      workflowId: execution.workflowId,
      runId,
      workflowName: execution.definition.name,
      continuedFromRunId,
      firstExecutionRunId: execution.runs[0]?.info.runId ?? runId,
      parent: execution.parent,
      memo: execution.options.memo ?? {},
      runStartTime: new Date(executor.clock.now()),
    });
    this.instance = new (execution.definition.workflowClass as WorkflowClass<object>)();
    bindWorkflowContext(this.instance, this);
  }

  get closed(): boolean {
    return this.status !== 'RUNNING';
  }

  get definition(): WorkflowDefinition {
    return this.execution.definition;
  }

  /** Runs workflow code (the run method, a handler) in this run's scope. */
  inScope<R>(fn: () => R, cancellable = true): R {
    return scopes.run({ run: this, cancellable }, fn);
  }

  #cancellableNow(): boolean {
    return scopes.getStore()?.cancellable ?? true;
  }

  /** Re-checks the conditions once the code that just ran has settled. */
  poke(): void {
    if (this.#pokeScheduled || this.#waiters.size === 0) return;
    this.#pokeScheduled = true;
    setImmediate(() => {
      this.#pokeScheduled = false;
      if (this.closed) return;
      for (const waiter of [...this.#waiters]) this.#check(waiter);
    });
  }

  #check(waiter: Waiter): void {
    let met: boolean;
    try {
      met = this.inScope(waiter.predicate);
    } catch (error) {
      this.executor.failRun(this, error);
      return;
    }
    if (!met) return;
    this.#waiters.delete(waiter);
    if (waiter.timer !== undefined) this.clearTimer(waiter.timer);
    waiter.resolve(true);
  }

  startTimer(milliseconds: number, callback: () => void): ClockTimer {
    const timer = this.executor.clock.setTimer(milliseconds, () => {
      this.#timers.delete(timer);
      if (this.closed) return;
      callback();
      this.poke();
    });
    this.#timers.add(timer);
    return timer;
  }

  clearTimer(timer: ClockTimer): void {
    this.#timers.delete(timer);
    this.executor.clock.clearTimer(timer);
  }

  /**
   * Wraps an operation: refuses it when cancelled, tracks it so cancellation rejects it, and
   * never settles it once the run is closed.
   */
  operation<T>(start: (resolve: (value: T) => void, reject: (error: unknown) => void, entry: Pending) => void): Promise<T> {
    if (this.closed) return never<T>();
    const cancellable = this.#cancellableNow();
    if (cancellable && this.cancellationRequested) return Promise.reject(new CancelledError());
    return new Promise<T>((resolve, reject) => {
      const entry: Pending = { reject, cancellable };
      const done = (): void => {
        this.#pending.delete(entry);
      };
      this.#pending.add(entry);
      start(
        (value) => {
          done();
          if (!this.closed) resolve(value);
        },
        (error) => {
          done();
          if (!this.closed) reject(error);
        },
        entry,
      );
    });
  }

  /** Cancellation: every cancellable operation in flight rejects with CancelledError. */
  requestCancel(): void {
    if (this.cancellationRequested) return;
    this.cancellationRequested = true;
    for (const entry of [...this.#pending]) {
      if (!entry.cancellable) continue;
      this.#pending.delete(entry);
      entry.onCancel?.();
      entry.reject(new CancelledError());
    }
  }

  /** Ends the run: timers stop, task attempts are aborted, running children are terminated. */
  close(status: WorkflowStatus): void {
    this.status = status;
    this.closeTime = new Date(this.executor.clock.now());
    for (const timer of this.#timers) this.executor.clock.clearTimer(timer);
    this.#timers.clear();
    if (this.runRunTimer !== undefined) this.executor.clock.clearTimer(this.runRunTimer);
    this.#waiters.clear();
    this.#pending.clear();
    this.#signalWaiters.clear();
    this.#mailbox.clear();
    for (const attempt of this.#attempts) attempt.abort(new CancelledError(`workflow ${this.info.workflowId} closed`));
    for (const child of this.#children) {
      if (child.closedStatus === undefined) this.executor.terminateExecution(child, `parent workflow ${this.info.workflowId} closed`);
    }
  }

  // --- WorkflowContext -------------------------------------------------------------------

  now(): Date {
    return new Date(this.executor.clock.now());
  }

  sleep(milliseconds: number): Promise<void> {
    return this.operation<void>((resolve, _reject, entry) => {
      const timer = this.startTimer(milliseconds, () => resolve());
      entry.onCancel = () => this.clearTimer(timer);
    });
  }

  condition(predicate: () => boolean, timeoutMilliseconds?: number): Promise<boolean> {
    return this.operation<boolean>((resolve, reject, entry) => {
      let met: boolean;
      try {
        met = predicate();
      } catch (error) {
        reject(error);
        return;
      }
      if (met) {
        resolve(true);
        return;
      }
      const waiter: Waiter = { predicate, resolve, timer: undefined };
      if (timeoutMilliseconds !== undefined) {
        waiter.timer = this.startTimer(timeoutMilliseconds, () => {
          this.#waiters.delete(waiter);
          resolve(false);
        });
      }
      this.#waiters.add(waiter);
      entry.onCancel = () => {
        this.#waiters.delete(waiter);
        if (waiter.timer !== undefined) this.clearTimer(waiter.timer);
      };
    });
  }

  uuid(): string {
    return randomUUID();
  }

  random(): number {
    return Math.random();
  }

  patched(patchId: string): boolean {
    if (typeof patchId !== 'string' || patchId === '') throw new WorkflowUsageError('patched(patchId): patchId must be a non-empty string');
    // A new run always takes the newest code path; only replay of older histories (Temporal) takes the old one.
    return true;
  }

  deprecatePatch(patchId: string): void {
    if (typeof patchId !== 'string' || patchId === '') throw new WorkflowUsageError('deprecatePatch(patchId): patchId must be a non-empty string');
  }

  getVersion(changeId: string, minimumSupported: number, maximumSupported: number): number {
    if (!Number.isInteger(minimumSupported) || !Number.isInteger(maximumSupported) || minimumSupported > maximumSupported) {
      throw new WorkflowUsageError(
        `getVersion("${changeId}", ${minimumSupported}, ${maximumSupported}): expected whole numbers with minimum <= maximum`,
      );
    }
    return maximumSupported;
  }

  executeTask<R>(taskName: string, args: unknown[], options: TaskCallOptions | undefined): Promise<R> {
    if (this.closed) return never<R>();
    return this.operation<R>((resolve, reject, entry) => {
      this.executor.runTask(this, taskName, args, options, entry).then(
        (value) => {
          resolve(value as R);
          this.poke();
        },
        (error: unknown) => {
          reject(error);
          this.poke();
        },
      );
    });
  }

  async startChild<T>(workflowName: string, input: unknown, options: ChildWorkflowOptions | undefined): Promise<ChildWorkflowHandle<T>> {
    if (this.closed) return never();
    if (this.#cancellableNow() && this.cancellationRequested) throw new CancelledError();
    this.#childCounter += 1;
    const workflowId = options?.workflowId ?? `${this.info.workflowId}-${workflowName}-${this.#childCounter}`;
    const child = this.executor.startExecution(
      workflowName,
      input,
      {
        workflowId,
        ...(options?.executionTimeout === undefined ? {} : { executionTimeout: options.executionTimeout }),
        ...(options?.runTimeout === undefined ? {} : { runTimeout: options.runTimeout }),
        ...(options?.memo === undefined ? {} : { memo: options.memo }),
      },
      { workflowId: this.info.workflowId, runId: this.info.runId },
    );
    this.#children.add(child);
    const firstRunId = child.runs[0]?.info.runId ?? '';
    return {
      workflowId,
      firstExecutionRunId: firstRunId,
      result: () =>
        this.operation<WorkflowResult<T>>((resolve, reject, entry) => {
          entry.onCancel = () => this.executor.cancelExecution(child);
          child.result.then(
            (result) => {
              resolve(result as WorkflowResult<T>);
              this.poke();
            },
            (error: unknown) => {
              reject(new ChildWorkflowFailedError(workflowName, workflowId, WorkflowFailedError.is(error) ? error.cause : error));
              this.poke();
            },
          );
        }),
      signal: (signalName, payload) => this.executor.signalExecution(child, undefined, signalName, payload),
    };
  }

  continueAsNew(input: unknown): Promise<never> {
    if (this.closed) return never();
    this.continueAsNewInput = { input: roundTrip(input, `continueAsNew input of ${this.info.workflowName}`) };
    const error = new WorkflowUsageError('continueAsNew: this run ended and continues as a new run; nothing after this line runs');
    Object.defineProperty(error, CONTINUE_AS_NEW, { value: true });
    return Promise.reject(error);
  }

  waitForSignal<T>(signalName: string, timeoutMilliseconds?: number): Promise<T> {
    return this.operation<T>((resolve, reject, entry) => {
      const buffered = this.#mailbox.get(signalName);
      if (buffered !== undefined && buffered.length > 0) {
        resolve(buffered.shift() as T);
        return;
      }
      const waiters = this.#signalWaiters.get(signalName) ?? [];
      this.#signalWaiters.set(signalName, waiters);
      let timer: ClockTimer | undefined;
      const deliver = (payload: unknown): void => {
        if (timer !== undefined) this.clearTimer(timer);
        resolve(payload as T);
      };
      waiters.push(deliver);
      const forget = (): void => {
        const index = waiters.indexOf(deliver);
        if (index >= 0) waiters.splice(index, 1);
      };
      if (timeoutMilliseconds !== undefined) {
        timer = this.startTimer(timeoutMilliseconds, () => {
          forget();
          reject(new TimeoutError('signal', `no signal "${signalName}" arrived within ${timeoutMilliseconds} ms`));
        });
      }
      entry.onCancel = () => {
        forget();
        if (timer !== undefined) this.clearTimer(timer);
      };
    });
  }

  /** Whether a signal of this name can be received now. */
  acceptsSignal(signalName: string): boolean {
    return this.definition.signals.has(signalName) || (this.#signalWaiters.get(signalName)?.length ?? 0) > 0;
  }

  /** Hands a signal payload to whoever waits for it, or buffers it for a later wait. */
  deliverToMailbox(signalName: string, payload: unknown): void {
    const waiter = this.#signalWaiters.get(signalName)?.shift();
    if (waiter !== undefined) {
      waiter(payload);
      return;
    }
    if (this.definition.signals.get(signalName) !== undefined) return; // a handler method took it
    const buffered = this.#mailbox.get(signalName) ?? [];
    buffered.push(payload);
    this.#mailbox.set(signalName, buffered);
  }

  nonCancellable<T>(fn: () => Promise<T>): Promise<T> {
    return this.inScope(fn, false);
  }

  trackAttempt(attempt: AttemptAbort): () => void {
    this.#attempts.add(attempt);
    return () => this.#attempts.delete(attempt);
  }

  describe(): WorkflowDescription {
    return {
      workflowId: this.info.workflowId,
      runId: this.info.runId,
      workflowName: this.info.workflowName,
      status: this.status,
      startTime: this.info.runStartTime,
      closeTime: this.closeTime,
      memo: this.info.memo,
      parentWorkflowId: this.info.parent?.workflowId,
      continuedFromRunId: this.info.continuedFromRunId,
    };
  }
}

/** A counting semaphore: bounds concurrent task attempts to `max_concurrent_activities`. */
class Slots {
  #free: number;
  readonly #queue: Array<() => void> = [];
  constructor(capacity: number) {
    this.#free = capacity;
  }
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
export class AsyncioExecutor implements Executor {
  readonly engine = 'asyncio';
  readonly clock: Clock;
  readonly signalBus: SignalBus;
  readonly #registry: WorkflowRegistry;
  readonly #settings: Settings;
  readonly #logger: Logger;
  readonly #executions = new Map<string, Execution[]>();
  readonly #closedOrder: Execution[] = [];
  readonly #retainClosed: number;
  readonly #slots: Slots;
  readonly #policyCache = new Map<string, ResolvedRetryPolicy>();
  #closed = false;

  constructor(options: CreateExecutorOptions, engineOptions: AsyncioEngineOptions = {}) {
    this.#registry = options.registry;
    this.#settings = options.settings;
    this.#logger = options.logger;
    this.clock = engineOptions.clock ?? new RealClock();
    this.#retainClosed = engineOptions.retainClosedExecutions ?? 10_000;
    this.#slots = new Slots(options.settings.temporal?.max_concurrent_activities ?? Number.POSITIVE_INFINITY);
    this.signalBus = { sendSignal: (signal: Signal) => this.#sendSignal(signal) };
  }

  // --- starting -----------------------------------------------------------------------

  async startWorkflow(workflow: WorkflowClass | string, input?: unknown, options: StartWorkflowOptions = {}): Promise<WorkflowHandle<never>> {
    const name = typeof workflow === 'string' ? workflow : workflowNameOf(workflow);
    const execution = this.startExecution(name, input, options, undefined);
    return this.#handle(execution.workflowId, undefined, execution);
  }

  async executeWorkflow(workflow: WorkflowClass | string, input?: unknown, options: StartWorkflowOptions = {}): Promise<WorkflowResult<never>> {
    const handle = await this.startWorkflow(workflow, input, options);
    return handle.result();
  }

  /** Starts an execution (a top-level workflow or a child). Throws synchronously on bad input. */
  startExecution(name: string, input: unknown, options: StartWorkflowOptions, parent: Execution['parent']): Execution {
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
        this.terminateExecution(previous, `replaced by a new run (id reuse policy terminate_if_running)`);
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
    const executionTimeout = options.executionTimeout === undefined ? undefined : toMilliseconds(options.executionTimeout, 'executionTimeout');
    if (options.runTimeout !== undefined) toMilliseconds(options.runTimeout, 'runTimeout');
    if (options.taskTimeout !== undefined) toMilliseconds(options.taskTimeout, 'taskTimeout');
    const copiedInput = roundTrip(input, `input of workflow ${name}`);
    const memo = options.memo === undefined ? undefined : roundTrip(options.memo, `memo of workflow ${name}`);
    const execution = new Execution(workflowId, definition, { ...options, ...(memo === undefined ? {} : { memo }) }, parent);
    const list = this.#executions.get(workflowId) ?? [];
    list.push(execution);
    this.#executions.set(workflowId, list);
    if (executionTimeout !== undefined) {
      execution.executionTimer = this.clock.setTimer(executionTimeout, () => {
        if (execution.closedStatus !== undefined) return;
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
    const run = new WorkflowRun(this, execution, randomUUID(), continuedFromRunId);
    execution.runs.push(run);
    const runTimeout = execution.options.runTimeout === undefined ? undefined : toMilliseconds(execution.options.runTimeout, 'runTimeout');
    if (runTimeout !== undefined) {
      run.runRunTimer = this.clock.setTimer(runTimeout, () => {
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
        (error: unknown) => this.#completeRun(run, undefined, error, true),
      );
    });
  }

  #completeRun(run: WorkflowRun, value: unknown, error?: unknown, failed = false): void {
    if (run.closed) return;
    const execution = run.execution;
    if (run.continueAsNewInput !== undefined) {
      const { input } = run.continueAsNewInput;
      run.close('CONTINUED_AS_NEW');
      this.#logger.debug('workflow continued as new', { workflowId: execution.workflowId, runId: run.info.runId });
      this.#startRun(execution, input, run.info.runId);
      return;
    }
    if (failed) {
      this.failRun(run, error);
      return;
    }
    let result: WorkflowResult<unknown>;
    try {
      result = WorkflowResult.fromJSON(roundTrip(WorkflowResult.from(value).toJSON(), `result of workflow ${run.info.workflowName}`));
    } catch (serialisationError) {
      this.failRun(run, serialisationError);
      return;
    }
    result.startTime ??= run.info.runStartTime.getTime();
    result.endTime ??= this.clock.now();
    this.#closeExecution(execution, 'COMPLETED', undefined, result);
  }

  /** Fails the run: cancelled when it ends with CancelledError after a cancel request, else failed. */
  failRun(run: WorkflowRun, error: unknown): void {
    if (run.closed) return;
    const status: WorkflowStatus = CancelledError.is(error) && run.cancellationRequested ? 'CANCELLED' : 'FAILED';
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
    execution.current.poke();
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

  /** Runs a task's attempts under its retry policy. Rejects with TaskFailedError when it gives up. */
  async runTask(run: WorkflowRun, taskName: string, args: unknown[], options: TaskCallOptions | undefined, entry: { onCancel?: () => void }): Promise<unknown> {
    const task = this.#registry.getTask(taskName);
    const policy = this.#retryPolicy(taskName, task.options.retryPolicy, options?.retryPolicy);
    const startToClose = options?.startToCloseTimeout ?? task.options.startToCloseTimeout ?? defaultTaskTimeout(this.#settings);
    const attemptTimeout = startToClose === undefined ? undefined : toMilliseconds(startToClose, `startToCloseTimeout of task ${taskName}`);
    const scheduleToClose = options?.scheduleToCloseTimeout ?? task.options.scheduleToCloseTimeout;
    const deadline = scheduleToClose === undefined ? undefined : this.clock.now() + toMilliseconds(scheduleToClose, `scheduleToCloseTimeout of task ${taskName}`);
    const copiedArgs = args.map((arg, index) => roundTrip(arg, `argument ${index + 1} of task ${taskName}`));
    let cancelled = false;
    let currentAttempt: AttemptAbort | undefined;
    let backoffTimer: ClockTimer | undefined;
    let wakeBackoff: (() => void) | undefined;
    entry.onCancel = () => {
      cancelled = true;
      currentAttempt?.abort(new CancelledError());
      if (backoffTimer !== undefined) run.clearTimer(backoffTimer);
      wakeBackoff?.();
    };
    for (let attempt = 1; ; attempt += 1) {
      const waitForSlot = this.#slots.acquire();
      if (waitForSlot !== undefined) await waitForSlot;
      if (cancelled || run.closed) {
        this.#slots.release();
        throw new CancelledError();
      }
      const controller = new AttemptAbort();
      currentAttempt = controller;
      const untrack = run.trackAttempt(controller);
      this.clock.beginWork();
      let outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
      try {
        const value = await this.#attempt(task.run, copiedArgs, taskName, attempt, run, controller, attemptTimeout);
        outcome = { ok: true, value };
      } catch (error) {
        outcome = { ok: false, error };
      } finally {
        untrack();
        this.#slots.release();
        this.clock.endWork();
      }
      if (outcome.ok) return roundTrip(outcome.value, `result of task ${taskName}`);
      if (cancelled) throw new CancelledError();
      const failure = asReportedFailure(outcome.error);
      const pastDeadline = deadline !== undefined && this.clock.now() >= deadline;
      if (!shouldRetry(policy, outcome.error, attempt) || pastDeadline) {
        throw new TaskFailedError(taskName, attempt, failure);
      }
      const delay = retryDelay(policy, attempt);
      if (deadline !== undefined && this.clock.now() + delay >= deadline) throw new TaskFailedError(taskName, attempt, failure);
      this.#logger.warn(`task ${taskName} attempt ${attempt} failed: ${messageOf(outcome.error)}; retrying in ${delay} ms`, {
        workflowId: run.info.workflowId,
      });
      await new Promise<void>((resolve) => {
        wakeBackoff = resolve;
        backoffTimer = run.startTimer(delay, resolve);
      });
      wakeBackoff = undefined;
      backoffTimer = undefined;
      if (cancelled) throw new CancelledError();
    }
  }

  #attempt(
    fn: (...args: unknown[]) => Promise<unknown>,
    args: unknown[],
    taskName: string,
    attempt: number,
    run: WorkflowRun,
    controller: AttemptAbort,
    timeoutMilliseconds: number | undefined,
  ): Promise<unknown> {
    const context: TaskContext = {
      taskName,
      attempt,
      workflowId: run.info.workflowId,
      runId: run.info.runId,
      get signal() {
        return controller.signal;
      },
      heartbeat: () => undefined,
    };
    // Task code runs outside the workflow's scope, as an activity runs outside the workflow.
    const running = scopes.exit(() => runInTaskContext(context, () => fn(...args)));
    if (timeoutMilliseconds === undefined) return running;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const error = new TimeoutError('start_to_close', `task ${taskName} attempt ${attempt} exceeded its startToCloseTimeout of ${timeoutMilliseconds} ms`);
        controller.abort(error);
        reject(error);
      }, timeoutMilliseconds);
      running.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
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
    if (executions === undefined || executions.length === 0) throw new WorkflowNotFoundError(`no workflow with id "${workflowId}"`, workflowId, runId);
    let run: WorkflowRun | undefined;
    if (runId === undefined) {
      run = (executions.at(-1) as Execution).current;
    } else {
      for (const execution of executions) {
        run = execution.runs.find((candidate) => candidate.info.runId === runId);
        if (run !== undefined) break;
      }
      if (run === undefined) {
        throw new WorkflowNotFoundError(`workflow "${workflowId}" has no run "${runId}"`, workflowId, runId);
      }
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

  signalExecution(execution: Execution, runId: string | undefined, signalName: string, payload: unknown): Promise<void> {
    return this.#signal(runId === undefined ? execution.current : this.#findRun(execution.workflowId, runId), signalName, payload);
  }

  async #signal(run: WorkflowRun, signalName: string, payload: unknown): Promise<void> {
    this.#requireRunning(run, `signal "${signalName}"`);
    if (!run.acceptsSignal(signalName)) {
      throw new UnknownHandlerError('signal', signalName, run.info.workflowName, [...run.definition.signals.keys()]);
    }
    const copied = roundTrip(payload, `payload of signal ${signalName}`);
    const methodName = run.definition.signals.get(signalName);
    if (methodName !== undefined) {
      const handler = (run.instance as Record<string, unknown>)[methodName] as (payload: unknown) => unknown;
      try {
        const returned = run.inScope(() => handler.call(run.instance, copied));
        if (returned instanceof Promise) {
          returned.then(
            () => run.poke(),
            (error: unknown) => this.failRun(run, error),
          );
        }
      } catch (error) {
        this.failRun(run, error);
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
    try {
      const value = await run.inScope(() => handler.apply(run.instance, copiedArgs));
      return roundTrip(value, `result of update ${updateName}`);
    } finally {
      run.poke();
    }
  }

  #handle<T>(workflowId: string, runId: string | undefined, known?: Execution): WorkflowHandle<T> {
    const execution = (): Execution => {
      if (known !== undefined && runId === undefined) return this.#executions.get(workflowId)?.includes(known) ? known : this.#latestExecution(workflowId);
      return runId === undefined ? this.#latestExecution(workflowId) : this.#findRun(workflowId, runId).execution;
    };
    const target = (): WorkflowRun => (runId === undefined ? execution().current : this.#findRun(workflowId, runId));
    const firstRunId = runId ?? known?.runs[0]?.info.runId ?? '';
    return {
      workflowId,
      runId: firstRunId,
      workflowName: known?.definition.name ?? (() => {
        try {
          return target().info.workflowName;
        } catch {
          return '';
        }
      })(),
      result: async () => {
        const chain = execution();
        this.clock.enterSkipping();
        try {
          return (await chain.result) as WorkflowResult<T>;
        } finally {
          this.clock.exitSkipping();
        }
      },
      signal: async (signalName, payload) => this.#signal(target(), signalName, payload),
      query: async <R>(queryName: string, ...args: unknown[]) => (await this.#query(target(), queryName, args)) as R,
      update: async <R>(updateName: string, ...args: unknown[]) => (await this.#update(target(), updateName, args)) as R,
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

function defaultTaskTimeout(settings: Settings): number | undefined {
  const seconds = settings.temporal?.timeout_seconds;
  return seconds === undefined ? undefined : seconds * 1000;
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
