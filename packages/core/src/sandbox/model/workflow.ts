/**
 * The base class of every workflow. Safe for the workflow sandbox.
 */
import { toMilliseconds, type Duration } from '../duration.js';
import { WorkflowUsageError } from '../errors.js';
import { getTaskDefinition, getWorkflowDefinition, type TaskFunction, type WorkflowClass } from './definitions.js';
import type { ChildWorkflowHandle, ChildWorkflowOptions, TaskCallOptions, WorkflowContext, WorkflowInfo } from './workflow-context.js';
import type { WorkflowResult } from './workflow-result.js';
import { deliverHumanInput, pendingHumanInput, type HumanInputRequest } from '../human-input.js';

const CONTEXT = Symbol.for('mcp-agent.workflow-instance-context');

/** Attaches the engine's context to a workflow instance. Called by engines. */
export function bindWorkflowContext(instance: object, context: WorkflowContext): void {
  Object.defineProperty(instance, CONTEXT, { value: context, configurable: true });
}

/** A task given to `executeTask`: a task function, or a task's registered name. */
export type TaskReference<A extends unknown[], R> = TaskFunction<A, R> | string;

/** A child workflow given to `executeChild`: its class, or its registered name. */
export type WorkflowReference = WorkflowClass | string;

/** The value type of a workflow class's result, as declared by `Workflow<T>`. */
export type WorkflowValueOf<W> = W extends Workflow<infer T> ? T : unknown;

/** The name of a workflow given by class or by name. */
export function workflowNameOf(workflow: WorkflowReference): string {
  if (typeof workflow === 'string') return workflow;
  const definition = getWorkflowDefinition(workflow);
  if (definition === undefined) {
    throw new WorkflowUsageError(`class ${workflow.name} is not a workflow; decorate it with @app.workflow`);
  }
  return definition.name;
}

/**
 * The base class of a workflow. `T` is the type of the result's `value`. Subclasses mark their
 * run method with `@app.workflowRun`, and use the methods here for everything that must be
 * durable: time, sleeps, waits, tasks, children, randomness and versioning.
 *
 * @example
 * ```ts
 * @app.workflow
 * export class Greeter extends Workflow<string> {
 *   @app.workflowRun
 *   async run(name: string): Promise<WorkflowResult<string>> {
 *     await this.sleep('1 second');
 *     return new WorkflowResult({ value: `Hello, ${name}` });
 *   }
 * }
 * ```
 */
export abstract class Workflow<T = unknown> {
  /** Only for type inference of results; never set. */
  declare readonly __resultType?: T;

  /** The engine's context of this run; throws outside a running workflow. */
  protected get context(): WorkflowContext {
    const context = (this as unknown as Record<symbol, WorkflowContext | undefined>)[CONTEXT];
    if (context === undefined) {
      throw new WorkflowUsageError(
        `${this.constructor.name}: workflow APIs work only while it runs in an executor; start it with executor.startWorkflow(${this.constructor.name}, input)`,
      );
    }
    return context;
  }

  /** This workflow's id. */
  get id(): string {
    return this.context.info.workflowId;
  }

  /** This run's id. */
  get runId(): string {
    return this.context.info.runId;
  }

  /** Facts about this run. */
  get info(): WorkflowInfo {
    return this.context.info;
  }

  /** True once cancellation of this workflow was requested. */
  get cancellationRequested(): boolean {
    return this.context.cancellationRequested;
  }

  /** Workflow time. Use it instead of `new Date()`, which is not replay-safe. */
  now(): Date {
    return this.context.now();
  }

  /** Waits durably: under Temporal a timer on the server, surviving restarts. */
  sleep(duration: Duration): Promise<void> {
    return this.context.sleep(toMilliseconds(duration, 'sleep duration'));
  }

  /** Waits durably until a moment in workflow time; returns at once if it has passed. */
  sleepUntil(time: Date | number): Promise<void> {
    const target = typeof time === 'number' ? time : time.getTime();
    if (!Number.isFinite(target)) throw new WorkflowUsageError(`sleepUntil: expected a Date or epoch milliseconds, got ${String(time)}`);
    return this.context.sleep(Math.max(0, target - this.context.now().getTime()));
  }

  /** Waits until `predicate` is true; it is checked again after every signal, update, task, timer and child. */
  condition(predicate: () => boolean): Promise<void>;
  /** Waits until `predicate` is true (resolves true) or the timeout passes (resolves false). */
  condition(predicate: () => boolean, timeout: Duration): Promise<boolean>;
  // biome-ignore lint/suspicious/noConfusingVoidType: the implementation signature must cover the Promise<void> overload
  async condition(predicate: () => boolean, timeout?: Duration): Promise<boolean | void> {
    if (timeout === undefined) {
      await this.context.condition(predicate);
      return;
    }
    return this.context.condition(predicate, toMilliseconds(timeout, 'condition timeout'));
  }

  /** A random UUID that is replay-safe. */
  uuid(): string {
    return this.context.uuid();
  }

  /** A random number in [0, 1) that is replay-safe. */
  random(): number {
    return this.context.random();
  }

  /** True when this run takes the code path added under `patchId`; runs started before the patch replay the old path. */
  patched(patchId: string): boolean {
    if (typeof patchId !== 'string' || patchId === '') throw new WorkflowUsageError('patched(patchId): patchId must be a non-empty string');
    return this.context.patched(patchId);
  }

  /** Marks a patch whose old path no run needs any more. */
  deprecatePatch(patchId: string): void {
    if (typeof patchId !== 'string' || patchId === '') throw new WorkflowUsageError('deprecatePatch(patchId): patchId must be a non-empty string');
    this.context.deprecatePatch(patchId);
  }

  /** The version of a change this run uses, between `minimumSupported` and `maximumSupported` (new runs get the maximum). */
  getVersion(changeId: string, minimumSupported: number, maximumSupported: number): number {
    if (!Number.isInteger(minimumSupported) || !Number.isInteger(maximumSupported) || minimumSupported > maximumSupported) {
      throw new WorkflowUsageError(`getVersion("${changeId}", ${minimumSupported}, ${maximumSupported}): expected whole numbers with minimum <= maximum`);
    }
    return this.context.getVersion(changeId, minimumSupported, maximumSupported);
  }

  /** Runs a task (an activity under Temporal) with retries, and returns its result. */
  executeTask<A extends unknown[], R>(task: TaskReference<A, R>, args: A, options?: TaskCallOptions): Promise<R> {
    const name = typeof task === 'string' ? task : getTaskDefinition(task)?.name;
    if (name === undefined) {
      throw new WorkflowUsageError('executeTask: expected a task made with app.workflowTask(fn) or a task name');
    }
    return this.context.executeTask<R>(name, args, options);
  }

  /** Starts a child workflow and waits for its result. Rejects with `ChildWorkflowFailedError` when it fails. */
  async executeChild<W extends Workflow<unknown>>(workflow: WorkflowClass<W> | string, input?: unknown, options?: ChildWorkflowOptions): Promise<WorkflowResult<WorkflowValueOf<W>>> {
    const child = await this.startChild<W>(workflow, input, options);
    return child.result();
  }

  /** Starts a child workflow and returns its handle. */
  startChild<W extends Workflow<unknown>>(workflow: WorkflowClass<W> | string, input?: unknown, options?: ChildWorkflowOptions): Promise<ChildWorkflowHandle<WorkflowValueOf<W>>> {
    return this.context.startChild<WorkflowValueOf<W>>(workflowNameOf(workflow), input, options);
  }

  /** Ends this run and starts a fresh one with the same workflow id and `input`, to bound history. */
  continueAsNew(input?: unknown): Promise<never> {
    return this.context.continueAsNew(input);
  }

  /**
   * Waits for a signal by name (the Python `signal_bus.wait_for_signal`). A signal sent before
   * the wait began is buffered when its name is declared in `@app.workflow({ signals: [...] })`.
   */
  waitForSignal<P = unknown>(signalName: string, options: { timeout?: Duration } = {}): Promise<P> {
    const timeout = options.timeout === undefined ? undefined : toMilliseconds(options.timeout, 'waitForSignal timeout');
    return this.context.waitForSignal<P>(signalName, timeout);
  }

  /** The built-in `__human_input__` signal's handler: an answer to a `requestHumanInput`. */
  __humanInput(payload: unknown): void {
    deliverHumanInput(this.context, payload);
  }

  /** The built-in `__human_input_pending__` query: the human input requests this run waits for. */
  __humanInputPending(): HumanInputRequest[] {
    return pendingHumanInput(this.context);
  }

  /** Runs `fn` shielded from cancellation, for cleanup after the workflow was cancelled. */
  nonCancellable<R>(fn: () => Promise<R>): Promise<R> {
    return this.context.nonCancellable(fn);
  }
}
