/**
 * One run of a workflow in the in-process engine: the engine side of its `WorkflowContext`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { addWorkflowContextProvider, bindWorkflowContext, type WorkflowContext, type WorkflowDefinition } from '@mcp-agent/core/engine';
import {
  CancelledError,
  ChildWorkflowFailedError,
  TimeoutError,
  WorkflowFailedError,
  WorkflowUsageError,
  type ChildWorkflowHandle,
  type ChildWorkflowOptions,
  type StartWorkflowOptions,
  type TaskCallOptions,
  type WorkflowClass,
  type WorkflowDescription,
  type WorkflowInfo,
  type WorkflowResult,
  type WorkflowStatus,
} from '@mcp-agent/core';
import type { Clock, ClockTimer } from './clock.js';
import { roundTrip } from './serialisation.js';

/** What the engine offers a run; implemented by `AsyncioExecutor`. */
export interface RunHost {
  readonly clock: Clock;
  runTask(run: WorkflowRun, taskName: string, args: unknown[], options: TaskCallOptions | undefined, entry: Pending): Promise<unknown>;
  startChildExecution(name: string, input: unknown, options: StartWorkflowOptions, parent: NonNullable<Execution['parent']>): Execution;
  cancelExecution(execution: Execution): void;
  terminateExecution(execution: Execution, reason: string): void;
  signalExecution(execution: Execution, signalName: string, payload: unknown): Promise<void>;
  failRun(run: WorkflowRun, error: unknown): void;
  continueRun(run: WorkflowRun, input: unknown): void;
  /** Counts reactions scheduled but not yet run, so a virtual clock waits for them. */
  reactionsPending: number;
}

interface Scope {
  run: WorkflowRun;
  cancellable: boolean;
}

// One store for every executor in the process; engines find the running workflow through it.
const SCOPE_KEY = Symbol.for('mcp-agent.asyncio-scope-storage');
const scopeHolder = globalThis as unknown as Record<symbol, AsyncLocalStorage<Scope> | undefined>;
export const scopes = (scopeHolder[SCOPE_KEY] ??= new AsyncLocalStorage<Scope>());
addWorkflowContextProvider(() => scopes.getStore()?.run);

const CONTINUE_AS_NEW = Symbol.for('mcp-agent.continue-as-new');

/** The input a `continueAsNew` error carries, or undefined for any other value. */
export function continueAsNewInput(error: unknown): { input: unknown } | undefined {
  return typeof error === 'object' && error !== null ? (error as Record<symbol, { input: unknown } | undefined>)[CONTINUE_AS_NEW] : undefined;
}

/** Never settles: what a closed run's pending and new operations return, so its code stops quietly. */
export function never<T>(): Promise<T> {
  return new Promise<T>(() => undefined);
}

/** An operation of workflow code in flight: a sleep, a condition, a task, a child, a signal wait. */
export interface Pending {
  /** Started outside `nonCancellable`, so cancellation of the workflow reaches it. */
  readonly cancellable: boolean;
  /** Whether cancellation rejects it at once (false: it waits for what `onCancel` started, as a child's cancellation). */
  readonly rejectOnCancel: boolean;
  reject(error: unknown): void;
  /** Stops the work behind the operation, on cancellation or when the run closes. */
  onCancel?: () => void;
}

interface Waiter {
  predicate: () => boolean;
  resolve: (met: boolean) => void;
  timer: ClockTimer | undefined;
}

/** One chain of runs under one workflow id: the first run and those it continued as. */
export class Execution {
  /** The runs kept for describe and query, oldest first; the last is the current one. */
  readonly runs: WorkflowRun[] = [];
  readonly result: Promise<WorkflowResult<unknown>>;
  resolve!: (result: WorkflowResult<unknown>) => void;
  reject!: (error: WorkflowFailedError) => void;
  closedStatus: WorkflowStatus | undefined;
  executionTimer: ClockTimer | undefined;
  readonly firstRunId: string;

  constructor(
    readonly workflowId: string,
    readonly definition: WorkflowDefinition,
    readonly options: StartWorkflowOptions,
    readonly parent: { workflowId: string; runId: string } | undefined,
  ) {
    this.firstRunId = randomUUID();
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

/** One run of a workflow. */
export class WorkflowRun implements WorkflowContext {
  readonly info: WorkflowInfo;
  readonly instance: object;
  status: WorkflowStatus = 'RUNNING';
  closeTime: Date | undefined;
  cancellationRequested = false;
  runTimer: ClockTimer | undefined;
  // Made when first needed: most runs use few of them, and thousands of runs may be alive at once.
  readonly #pending = new Set<Pending>();
  #waiters: Set<Waiter> | undefined;
  #timers: Set<ClockTimer> | undefined;
  #mailbox: Map<string, unknown[]> | undefined;
  #signalWaiters: Map<string, Array<(payload: unknown) => void>> | undefined;
  /** Running children, and whether each was started where cancellation reaches it. */
  #children: Map<Execution, boolean> | undefined;
  #onClose: Set<(status: WorkflowStatus) => void> | undefined;
  #reactionScheduled = false;

  constructor(
    readonly host: RunHost,
    readonly execution: Execution,
    runId: string,
    continuedFromRunId: string | undefined,
  ) {
    this.info = Object.freeze({
      workflowId: execution.workflowId,
      runId,
      workflowName: execution.definition.name,
      continuedFromRunId,
      firstExecutionRunId: execution.firstRunId,
      parent: execution.parent,
      memo: execution.options.memo ?? {},
      runStartTime: new Date(host.clock.now()),
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

  /** Calls `listener` when the run closes (at once if it has); returns a function that stops listening. */
  onClose(listener: (status: WorkflowStatus) => void): () => void {
    if (this.closed) {
      listener(this.status);
      return () => undefined;
    }
    const listeners = (this.#onClose ??= new Set());
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  /**
   * Re-checks the conditions once the code that just ran has settled, and again after any that
   * it resolved, until none resolves: a resolved condition's code may make another one true.
   */
  poke(): void {
    if (this.#reactionScheduled || this.#waiters === undefined || this.#waiters.size === 0 || this.closed) return;
    this.#reactionScheduled = true;
    this.host.reactionsPending += 1;
    setImmediate(() => {
      this.#reactionScheduled = false;
      this.host.reactionsPending -= 1;
      if (this.closed) return;
      let resolved = false;
      for (const waiter of [...(this.#waiters ?? [])]) {
        if (this.#check(waiter)) resolved = true;
      }
      if (resolved) this.poke();
    });
  }

  #check(waiter: Waiter): boolean {
    let met: boolean;
    try {
      met = this.inScope(waiter.predicate);
    } catch (error) {
      this.host.failRun(this, error);
      return false;
    }
    if (!met) return false;
    this.#waiters?.delete(waiter);
    if (waiter.timer !== undefined) this.clearTimer(waiter.timer);
    waiter.resolve(true);
    return true;
  }

  startTimer(milliseconds: number, callback: () => void): ClockTimer | undefined {
    if (this.closed) return undefined;
    const timers = (this.#timers ??= new Set());
    const timer = this.host.clock.setTimer(milliseconds, () => {
      timers.delete(timer);
      if (this.closed) return;
      callback();
      this.poke();
    });
    timers.add(timer);
    return timer;
  }

  clearTimer(timer: ClockTimer | undefined): void {
    if (timer === undefined) return;
    this.#timers?.delete(timer);
    this.host.clock.clearTimer(timer);
  }

  /**
   * Wraps an operation: refuses it when cancellation reaches it, tracks it so that a later
   * cancellation does, and never settles it once the run is closed.
   */
  operation<T>(start: (resolve: (value: T) => void, reject: (error: unknown) => void, entry: Pending) => void, rejectOnCancel = true): Promise<T> {
    if (this.closed) return never<T>();
    const cancellable = this.#cancellableNow();
    if (cancellable && this.cancellationRequested) return Promise.reject(new CancelledError());
    return new Promise<T>((resolve, reject) => {
      const entry: Pending = { reject, cancellable, rejectOnCancel };
      this.#pending.add(entry);
      start(
        (value) => {
          this.#pending.delete(entry);
          if (!this.closed) resolve(value);
        },
        (error) => {
          this.#pending.delete(entry);
          if (!this.closed) reject(error);
        },
        entry,
      );
    });
  }

  /**
   * Cancellation: every operation it reaches stops, and rejects with CancelledError at once
   * unless it waits for its own cancellation to finish (a child); children started where
   * cancellation reaches are asked to cancel too.
   */
  requestCancel(): void {
    if (this.cancellationRequested || this.closed) return;
    this.cancellationRequested = true;
    for (const entry of [...this.#pending]) {
      if (!entry.cancellable) continue;
      entry.onCancel?.();
      if (entry.rejectOnCancel) {
        this.#pending.delete(entry);
        entry.reject(new CancelledError());
      }
    }
    for (const [child, cancellable] of this.#children ?? []) {
      if (cancellable) this.host.cancelExecution(child);
    }
    this.poke();
  }

  /** Ends the run: timers stop, operations stop and never settle, running children are terminated. */
  close(status: WorkflowStatus): void {
    if (this.closed) return;
    this.status = status;
    this.closeTime = new Date(this.host.clock.now());
    for (const timer of this.#timers ?? []) this.host.clock.clearTimer(timer);
    this.#timers = undefined;
    if (this.runTimer !== undefined) this.host.clock.clearTimer(this.runTimer);
    this.#waiters = undefined;
    const pending = [...this.#pending];
    this.#pending.clear();
    for (const entry of pending) entry.onCancel?.();
    this.#signalWaiters = undefined;
    this.#mailbox = undefined;
    const children = [...(this.#children?.keys() ?? [])];
    this.#children = undefined;
    for (const child of children) {
      if (child.closedStatus === undefined) this.host.terminateExecution(child, `parent workflow ${this.info.workflowId} closed`);
    }
    const listeners = [...(this.#onClose ?? [])];
    this.#onClose = undefined;
    for (const listener of listeners) listener(status);
  }

  // --- WorkflowContext -------------------------------------------------------------------

  now(): Date {
    return new Date(this.host.clock.now());
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
          this.#waiters?.delete(waiter);
          resolve(false);
        });
      }
      (this.#waiters ??= new Set()).add(waiter);
      entry.onCancel = () => {
        this.#waiters?.delete(waiter);
        this.clearTimer(waiter.timer);
      };
      // The code that called condition may change its state before it yields: check again then.
      this.poke();
    });
  }

  uuid(): string {
    return randomUUID();
  }

  random(): number {
    return Math.random();
  }

  patched(_patchId: string): boolean {
    // A new run always takes the newest code path; only replay of older histories (Temporal) takes the old one.
    return true;
  }

  deprecatePatch(_patchId: string): void {
    // Nothing to mark in-process: no run is replayed.
  }

  getVersion(_changeId: string, _minimumSupported: number, maximumSupported: number): number {
    return maximumSupported;
  }

  executeTask<R>(taskName: string, args: unknown[], options: TaskCallOptions | undefined): Promise<R> {
    return this.operation<R>((resolve, reject, entry) => {
      this.host.runTask(this, taskName, args, options, entry).then(
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
    const cancellable = this.#cancellableNow();
    if (cancellable && this.cancellationRequested) throw new CancelledError();
    const workflowId = options?.workflowId ?? `${this.info.workflowId}-${workflowName}-${this.uuid()}`;
    const child = this.host.startChildExecution(
      workflowName,
      input,
      {
        workflowId,
        idReusePolicy: 'allow_duplicate',
        ...(options?.executionTimeout === undefined ? {} : { executionTimeout: options.executionTimeout }),
        ...(options?.runTimeout === undefined ? {} : { runTimeout: options.runTimeout }),
        ...(options?.memo === undefined ? {} : { memo: options.memo }),
      },
      { workflowId: this.info.workflowId, runId: this.info.runId },
    );
    (this.#children ??= new Map()).set(child, cancellable);
    child.result.then(
      () => this.#children?.delete(child),
      () => this.#children?.delete(child),
    );
    return {
      workflowId,
      firstExecutionRunId: child.firstRunId,
      // Like Temporal's default (wait for cancellation completed): when the parent is cancelled,
      // the child is asked to cancel and the parent sees how the child ended.
      result: () =>
        this.operation<WorkflowResult<T>>((resolve, reject, entry) => {
          entry.onCancel = () => this.host.cancelExecution(child);
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
        }, false),
      signal: (signalName, payload) => this.host.signalExecution(child, signalName, payload),
    };
  }

  continueAsNew(input: unknown): Promise<never> {
    if (this.closed) return never();
    const copied = roundTrip(input, `continueAsNew input of ${this.info.workflowName}`);
    const error = new WorkflowUsageError('continueAsNew: let this error end the run (return or await this.continueAsNew(...) without catching it) to continue as a new run');
    Object.defineProperty(error, CONTINUE_AS_NEW, { value: { input: copied } });
    return Promise.reject(error);
  }

  waitForSignal<T>(signalName: string, timeoutMilliseconds?: number): Promise<T> {
    if (!this.definition.signals.has(signalName)) {
      return Promise.reject(
        new WorkflowUsageError(
          `waitForSignal("${signalName}"): ${this.info.workflowName} does not declare this signal; ` +
            `declare it with @app.workflow({ signals: ['${signalName}'] }) so that it is buffered until waited for`,
        ),
      );
    }
    return this.operation<T>((resolve, reject, entry) => {
      const buffered = this.#mailbox?.get(signalName);
      if (buffered !== undefined && buffered.length > 0) {
        resolve(buffered.shift() as T);
        return;
      }
      const allWaiters = (this.#signalWaiters ??= new Map());
      const waiters = allWaiters.get(signalName) ?? [];
      allWaiters.set(signalName, waiters);
      let timer: ClockTimer | undefined;
      const deliver = (payload: unknown): void => {
        this.clearTimer(timer);
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
        this.clearTimer(timer);
      };
    });
  }

  /** Hands a signal payload to whoever waits for it, or buffers it for a later wait (for names without a handler method). */
  deliverToMailbox(signalName: string, payload: unknown): void {
    const waiter = this.#signalWaiters?.get(signalName)?.shift();
    if (waiter !== undefined) {
      waiter(payload);
      return;
    }
    if (this.definition.signals.get(signalName) !== undefined) return; // its handler method took it
    const mailbox = (this.#mailbox ??= new Map());
    const buffered = mailbox.get(signalName) ?? [];
    buffered.push(payload);
    mailbox.set(signalName, buffered);
  }

  nonCancellable<T>(fn: () => Promise<T>): Promise<T> {
    return this.inScope(fn, false);
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
