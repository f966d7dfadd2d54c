/**
 * The task runner of the in-process engine: runs a task's attempts under its retry policy and
 * timeouts, with backoff between them, holding one of `max_concurrent_activities` slots for each.
 * This is the engine's hot path: nothing here allocates per call what most tasks never use.
 */
import { CancelledError, messageOf, TaskFailedError, TimeoutError, type Logger, type TaskCallOptions, type TaskContext, type TaskOptions } from '@mcp-agent/core';
import {
  nextRetryDelay,
  resolveTaskTimeouts,
  runInTaskContext,
  shouldRetry,
  taskRetryPolicy,
  type ResolvedRetryPolicy,
  type ResolvedTaskTimeouts,
  type TaskMap,
} from '@mcp-agent/core/engine';
import type { Settings } from '@mcp-agent/core/config';
import type { Clock, ClockTimer } from './clock.js';
import { Deadlines, type Deadline } from './deadlines.js';
import { asReportedFailure, roundTrip } from './serialisation.js';
import { scopes, type Pending, type WorkflowRun } from './workflow-run.js';

/**
 * The abort signal of one task attempt, made only when the task asks for it: most tasks never
 * do, and an AbortController per attempt is a large share of the engine's overhead.
 */
export class AttemptAbort {
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
export class Slots {
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

/** Runs the tasks of one executor's workflows. */
export class TaskRunner {
  readonly #clock: Clock;
  readonly #settings: Settings;
  readonly #logger: Logger;
  /** The tasks this executor runs: the app's and the built-in ones its services provide. */
  readonly #tasks: TaskMap;
  readonly #slots: Slots;
  readonly #policyCache = new Map<string, ResolvedRetryPolicy>();
  readonly #timeoutCache = new Map<string, ResolvedTaskTimeouts>();
  readonly #deadlines = new Deadlines();

  constructor(clock: Clock, settings: Settings, logger: Logger, tasks: TaskMap) {
    this.#clock = clock;
    this.#settings = settings;
    this.#logger = logger;
    this.#tasks = tasks;
    this.#slots = new Slots(settings.temporal?.max_concurrent_activities ?? Number.POSITIVE_INFINITY);
  }

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
      callOptions !== undefined && (callOptions.startToCloseTimeout !== undefined || callOptions.scheduleToCloseTimeout !== undefined || callOptions.heartbeatTimeout !== undefined);
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
    const deadline = timeouts.scheduleToCloseMs === undefined ? undefined : this.#clock.now() + timeouts.scheduleToCloseMs;
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
      const remaining = deadline === undefined ? undefined : Math.max(0, deadline - this.#clock.now());
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
      const outOfTime = deadline !== undefined && this.#clock.now() + delay >= deadline;
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
      deadline = this.#deadlines.schedule(scheduleToCloseFirst ? (scheduleToCloseRemainingMs as number) : timeouts.startToCloseMs, () =>
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
        this.#clock.endWork();
      };
      this.#clock.beginWork();
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
}
