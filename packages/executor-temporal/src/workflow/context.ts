/**
 * The Temporal side of a running workflow: the `WorkflowContext` of mcp-agent mapped onto
 * `@temporalio/workflow`. Safe for the workflow sandbox.
 */
import {
  CancellationScope,
  condition as temporalCondition,
  continueAsNew as temporalContinueAsNew,
  deprecatePatch as temporalDeprecatePatch,
  makeContinueAsNewFunc,
  patched as temporalPatched,
  proxyActivities,
  sleep as temporalSleep,
  startChild as temporalStartChild,
  upsertMemo,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import { resolveTaskTimeouts, taskRetryPolicy, toMilliseconds, workflowUsageOf, type WorkflowContext, type WorkflowDefinition } from '@mcp-agent/core/engine/workflow';
import {
  TASK_QUEUES_MEMO_KEY,
  TaskFailedError,
  TimeoutError,
  WorkflowApplicationError,
  WorkflowResult,
  WorkflowUsageError,
  type ChildWorkflowHandle,
  type ChildWorkflowOptions,
  type TaskCallOptions,
  type TaskQueueRoute,
  type WorkflowInfo,
  type WorkflowResultData,
} from '@mcp-agent/core/workflow';
import { ActivityFailure, TimeoutFailure, TimeoutType } from '@temporalio/common';
import { fromTemporalFailure } from '../failures.js';
import { AGENTS_MEMO_KEY, MAX_AGENT_NAMES, TOTAL_TOKENS_SEARCH_ATTRIBUTE, USAGE_MEMO_KEY, withoutRunMetadata, type RunUsage } from '../run-metadata.js';
import type { WorkflowBundleConfig } from './embedded-config.js';
import { defaultHeartbeatTimeoutMs } from './heartbeats.js';
import { DEFAULT_AFFINITY_TIMEOUT_MS, MAX_SESSION_WORKER_MOVES, runSessionServerOf, SESSION_AFFINITY_PATCH, SESSION_WORKER_TASK } from './session-affinity.js';

/** Checks that a value can cross to the server as JSON, naming it when it can't. */
export function assertSerialisable(value: unknown, what: string): void {
  if (value === undefined || value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return;
  }
  try {
    JSON.stringify(value);
  } catch (error) {
    throw new WorkflowUsageError(
      `${what} is not serialisable to JSON: ${error instanceof Error ? error.message : String(error)}; pass plain data (objects, arrays, strings, numbers, booleans, null)`,
    );
  }
}

/**
 * The route the run's memo gives a task (`mcp_agent.task_queues`), when it gives a usable one; a
 * malformed entry is ignored, so the task runs on the run's own queue.
 */
export function taskQueueRouteOf(memo: Record<string, unknown> | undefined, taskName: string): TaskQueueRoute | undefined {
  const routes = memo?.[TASK_QUEUES_MEMO_KEY];
  if (typeof routes !== 'object' || routes === null || Array.isArray(routes)) return undefined;
  const route: unknown = Object.hasOwn(routes, taskName) ? (routes as Record<string, unknown>)[taskName] : undefined;
  if (typeof route === 'string') return route === '' ? undefined : { taskQueue: route };
  if (typeof route !== 'object' || route === null) return undefined;
  const { taskQueue, scheduleToStartTimeoutMs, whenUnserved } = route as Record<string, unknown>;
  if (typeof taskQueue !== 'string' || taskQueue === '') return undefined;
  return {
    taskQueue,
    ...(typeof scheduleToStartTimeoutMs === 'number' && Number.isFinite(scheduleToStartTimeoutMs) && scheduleToStartTimeoutMs > 0 ? { scheduleToStartTimeoutMs } : {}),
    ...(typeof whenUnserved === 'string' && whenUnserved !== '' ? { whenUnserved } : {}),
  };
}

/** Whether an activity failed because no worker took it within its schedule-to-start timeout. */
function neverPickedUp(error: unknown): boolean {
  return error instanceof ActivityFailure && error.cause instanceof TimeoutFailure && error.cause.timeoutType === TimeoutType.SCHEDULE_TO_START;
}

/**
 * Converts what a Temporal operation rejected with into the mcp-agent error workflow code expects.
 * With `.then` rather than as an async function: one promise per call instead of two or three,
 * and Temporal's workflow runtime records a stack trace for every promise workflow code makes.
 */
function translated<T>(operation: () => Promise<T>, maximumAttempts?: number): Promise<T> {
  let pending: Promise<T>;
  try {
    pending = operation();
  } catch (error) {
    return Promise.reject(fromTemporalFailure(error, maximumAttempts));
  }
  return pending.then(undefined, (error: unknown) => {
    throw fromTemporalFailure(error, maximumAttempts);
  });
}

/** Runs recorded with this change record their token totals when they end; older histories replay without. */
export const RUN_USAGE_PATCH = 'mcp-agent.run-usage';

/** The context of one workflow run under Temporal. */
export class TemporalWorkflowContext implements WorkflowContext {
  #usageRecorded = false;
  readonly #definition: WorkflowDefinition;
  readonly #config: WorkflowBundleConfig;
  readonly #root: CancellationScope;
  /** Signals received by name, for `waitForSignal`, in arrival order. */
  readonly #mailbox = new Map<string, unknown[]>();
  readonly #runId: string;

  constructor(definition: WorkflowDefinition, config: WorkflowBundleConfig) {
    this.#definition = definition;
    this.#config = config;
    this.#root = CancellationScope.current();
    this.#runId = workflowInfo().runId;
  }

  /** The run this context belongs to. */
  get runId(): string {
    return this.#runId;
  }

  get info(): WorkflowInfo {
    const info = workflowInfo();
    return {
      workflowId: info.workflowId,
      runId: info.runId,
      workflowName: info.workflowType,
      continuedFromRunId: info.continuedFromExecutionRunId,
      firstExecutionRunId: info.firstExecutionRunId,
      parent: info.parent === undefined ? undefined : { workflowId: info.parent.workflowId, runId: info.parent.runId },
      // The framework's own entries are for the Web UI and list queries, not for workflow code.
      memo: withoutRunMetadata((info.memo ?? {}) as Record<string, unknown>),
      runStartTime: info.runStartTime,
    };
  }

  /** A run on Temporal outlives any process: waits for people are signals. */
  readonly durable = true;

  get cancellationRequested(): boolean {
    return this.#root.consideredCancelled;
  }

  now(): Date {
    return new Date();
  }

  sleep(milliseconds: number): Promise<void> {
    return translated(() => temporalSleep(milliseconds));
  }

  async condition(predicate: () => boolean, timeoutMilliseconds?: number): Promise<boolean> {
    if (timeoutMilliseconds === undefined) {
      await translated(() => temporalCondition(predicate));
      return true;
    }
    return translated(() => temporalCondition(predicate, timeoutMilliseconds));
  }

  uuid(): string {
    return uuid4();
  }

  random(): number {
    return Math.random();
  }

  patched(patchId: string): boolean {
    return temporalPatched(patchId);
  }

  deprecatePatch(patchId: string): void {
    temporalDeprecatePatch(patchId);
  }

  /**
   * Versions on top of patches: a new run records the marker of the maximum version; a run
   * replayed from an older history finds the marker of the version it took, or none (the minimum).
   */
  getVersion(changeId: string, minimumSupported: number, maximumSupported: number): number {
    for (let version = maximumSupported; version > minimumSupported; version -= 1) {
      if (temporalPatched(`${changeId}@${version}`)) return version;
    }
    return minimumSupported;
  }

  /**
   * At the end of a run that made agents or model round trips: its token totals and its agents'
   * names in the memo (`mcp_agent.usage`, `mcp_agent.agents`), and the totals in the search
   * attribute `McpAgentTotalTokens` when `temporal.search_attributes` is on.
   */
  recordUsage(): void {
    // The totals core keeps for the run's LLMs (what `workflowUsage()` answers in workflow code).
    const totals = workflowUsageOf(this);
    if (this.#usageRecorded || (totals.calls === 0 && this.#agents.size === 0) || !temporalPatched(RUN_USAGE_PATCH)) return;
    this.#usageRecorded = true;
    const usage: RunUsage = { llmCalls: totals.calls, inputTokens: totals.inputTokens, outputTokens: totals.outputTokens, totalTokens: totals.totalTokens };
    upsertMemo({ [USAGE_MEMO_KEY]: usage, ...(this.#agents.size === 0 ? {} : { [AGENTS_MEMO_KEY]: [...this.#agents] }) });
    if (this.#config.searchAttributes === true) upsertSearchAttributes([{ key: TOTAL_TOKENS_SEARCH_ATTRIBUTE, value: usage.totalTokens }]);
  }

  /** The names of the agents the run made, in order, for its memo. */
  readonly #agents = new Set<string>();

  noteAgent(name: string): void {
    if (this.#agents.size < MAX_AGENT_NAMES) this.#agents.add(name);
  }

  /**
   * Runs a task as an activity named after it, with the retry policy and timeouts chosen by the
   * config's rules (model, embedding and MCP tasks get `temporal.heartbeat_timeout_seconds`), on
   * the call's `taskQueue`, else the one the run's memo names for the task
   * (`mcp_agent.task_queues`), else the run's own. A tool call or listing for an MCP server whose
   * session scope is `run` goes to the worker that holds the run's session (`./session-affinity.ts`).
   */
  executeTask<R>(taskName: string, args: unknown[], options: TaskCallOptions | undefined): Promise<R> {
    args.forEach((argument, index) => assertSerialisable(argument, `argument ${index + 1} of task ${taskName}`));
    if (options?.taskQueue === undefined) {
      const server = runSessionServerOf(taskName, args, this.#config.runSessionServers);
      if (server !== undefined && temporalPatched(SESSION_AFFINITY_PATCH)) {
        return this.#onSessionWorker(taskName, args, options, this.#config.runSessionServers?.[server] ?? DEFAULT_AFFINITY_TIMEOUT_MS);
      }
    }
    const route = options?.taskQueue === undefined ? taskQueueRouteOf(workflowInfo().memo, taskName) : undefined;
    const scheduled = this.#schedule<R>(taskName, args, options, route);
    if (scheduled.scheduleToStartMs === undefined) return translated(scheduled.start, scheduled.maximumAttempts);
    return scheduled.start().catch((error: unknown) => {
      if (!neverPickedUp(error)) throw fromTemporalFailure(error, scheduled.maximumAttempts);
      // Temporal does not retry this timeout; the error says which queue went unserved.
      const after = route?.whenUnserved === undefined ? `is a worker polling task queue "${scheduled.taskQueue}" running?` : route.whenUnserved;
      throw new TaskFailedError(
        taskName,
        1,
        WorkflowApplicationError.nonRetryable(`no worker took the task from task queue "${scheduled.taskQueue}" within ${scheduled.scheduleToStartMs} ms; ${after}`, 'TaskQueueUnserved'),
      );
    });
  }

  /** The activity options of one task call, and a function that schedules it. */
  #schedule<R>(
    taskName: string,
    args: unknown[],
    options: TaskCallOptions | undefined,
    route: TaskQueueRoute | undefined,
  ): { start: () => Promise<R>; taskQueue: string; scheduleToStartMs: number | undefined; maximumAttempts: number } {
    const taskOptions = this.#config.tasks[taskName] ?? {};
    const policy = taskRetryPolicy(taskName, this.#config.retry, taskOptions.retryPolicy, options?.retryPolicy);
    const timeouts = resolveTaskTimeouts(taskName, { temporal: { timeout_seconds: this.#config.timeoutSeconds } }, taskOptions, options);
    // Model, embedding and MCP tasks heartbeat from the worker, so a lost attempt is retried within this.
    const heartbeatMs = timeouts.heartbeatMs ?? defaultHeartbeatTimeoutMs(taskName, this.#config.heartbeatTimeoutSeconds);
    const taskQueue = options?.taskQueue ?? route?.taskQueue;
    if (taskQueue !== undefined && (typeof taskQueue !== 'string' || taskQueue.trim() === '')) {
      throw new WorkflowUsageError(`executeTask(${taskName}): taskQueue must be a non-empty string, got ${JSON.stringify(taskQueue)}`);
    }
    const scheduleToStartMs =
      options?.scheduleToStartTimeout !== undefined ? toMilliseconds(options.scheduleToStartTimeout, `scheduleToStartTimeout of task ${taskName}`) : route?.scheduleToStartTimeoutMs;
    const activityOptions: ActivityOptions = {
      ...(taskQueue === undefined ? {} : { taskQueue }),
      ...(scheduleToStartMs === undefined ? {} : { scheduleToStartTimeout: scheduleToStartMs }),
      startToCloseTimeout: timeouts.startToCloseMs,
      ...(timeouts.scheduleToCloseMs === undefined ? {} : { scheduleToCloseTimeout: timeouts.scheduleToCloseMs }),
      ...(heartbeatMs === undefined ? {} : { heartbeatTimeout: heartbeatMs }),
      retry: {
        initialInterval: policy.initialIntervalMs,
        backoffCoefficient: policy.backoffCoefficient,
        maximumInterval: policy.maximumIntervalMs,
        // 0 means no limit, which Temporal says by leaving it out.
        ...(policy.maximumAttempts > 0 ? { maximumAttempts: policy.maximumAttempts } : {}),
        nonRetryableErrorTypes: [...policy.nonRetryableErrorTypes],
      },
    };
    const activity = proxyActivities<Record<string, (...args: unknown[]) => Promise<R>>>(activityOptions)[taskName] as (...args: unknown[]) => Promise<R>;
    return { start: () => activity(...args), taskQueue: taskQueue ?? workflowInfo().taskQueue, scheduleToStartMs, maximumAttempts: policy.maximumAttempts };
  }

  /** The task queue of the worker holding this run's `run`-scoped MCP sessions, once a worker answered. */
  #sessionQueue: Promise<string> | undefined;

  /**
   * Runs an MCP task on the worker that holds the run's sessions, asking which one first when the
   * run has none yet. When no worker takes the call within `waitMs` (that worker is gone), the run
   * asks again, so the call and the run's later ones go to a live worker and a fresh session.
   */
  async #onSessionWorker<R>(taskName: string, args: unknown[], options: TaskCallOptions | undefined, waitMs: number): Promise<R> {
    for (let moves = 0; ; moves += 1) {
      // Concurrent calls of one run share one question.
      const asked = this.#sessionQueue ?? this.executeTask<string>(SESSION_WORKER_TASK, [], undefined);
      this.#sessionQueue = asked;
      const taskQueue = await asked;
      const scheduled = this.#schedule<R>(taskName, args, { ...options, taskQueue, scheduleToStartTimeout: waitMs }, undefined);
      try {
        return await scheduled.start();
      } catch (error) {
        if (!neverPickedUp(error)) throw fromTemporalFailure(error, scheduled.maximumAttempts);
        if (moves + 1 >= MAX_SESSION_WORKER_MOVES) {
          throw new TaskFailedError(
            taskName,
            moves + 1,
            WorkflowApplicationError.nonRetryable(
              `no worker took the call from the task queue of the worker holding the run's MCP session ("${taskQueue}") within ${waitMs} ms, ${moves + 1} times; are the app's workers running?`,
              'TaskQueueUnserved',
            ),
          );
        }
        if (this.#sessionQueue === asked) this.#sessionQueue = undefined;
      }
    }
  }

  async startChild<T>(workflowName: string, input: unknown, options: ChildWorkflowOptions | undefined): Promise<ChildWorkflowHandle<T>> {
    assertSerialisable(input, `input of child workflow ${workflowName}`);
    const workflowId = options?.workflowId ?? `${workflowInfo().workflowId}-${workflowName}-${uuid4()}`;
    const handle = await translated(() =>
      temporalStartChild(workflowName, {
        args: input === undefined ? [] : [input],
        workflowId,
        ...(options?.executionTimeout === undefined ? {} : { workflowExecutionTimeout: toMilliseconds(options.executionTimeout, 'executionTimeout') }),
        ...(options?.runTimeout === undefined ? {} : { workflowRunTimeout: toMilliseconds(options.runTimeout, 'runTimeout') }),
        ...(options?.memo === undefined ? {} : { memo: options.memo }),
      }),
    );
    return {
      workflowId,
      firstExecutionRunId: handle.firstExecutionRunId,
      result: async () => WorkflowResult.fromJSON<T>((await translated(() => handle.result())) as WorkflowResultData<T>),
      signal: (signalName, payload) => translated(() => handle.signal(signalName, payload)),
    };
  }

  continueAsNew(input: unknown): Promise<never> {
    assertSerialisable(input, `continueAsNew input of ${workflowInfo().workflowType}`);
    const info = workflowInfo();
    const next =
      info.runTimeoutMs === undefined && info.memo === undefined
        ? temporalContinueAsNew
        : makeContinueAsNewFunc({
            ...(info.runTimeoutMs === undefined ? {} : { workflowRunTimeout: info.runTimeoutMs }),
            ...(info.memo === undefined ? {} : { memo: info.memo }),
          });
    return next(input);
  }

  readonly #waiting = new Map<string, number>();

  /**
   * Hands a received signal to `waitForSignal`: always buffered for a name declared without a
   * handler method (`buffer`), else only when someone waits for it.
   */
  deliver(signalName: string, payload: unknown, buffer: boolean): void {
    if (!buffer && (this.#waiting.get(signalName) ?? 0) === 0) return;
    const queue = this.#mailbox.get(signalName) ?? [];
    queue.push(payload);
    this.#mailbox.set(signalName, queue);
  }

  async waitForSignal<T>(signalName: string, timeoutMilliseconds?: number): Promise<T> {
    if (!this.#definition.signals.has(signalName)) {
      throw new WorkflowUsageError(
        `waitForSignal("${signalName}"): ${this.#definition.name} does not declare this signal; ` +
          `declare it with @app.workflow({ signals: ['${signalName}'] }) so that it is buffered until waited for`,
      );
    }
    // The payload is taken inside the predicate: two waits for one name must not both wake on one signal.
    let taken: { payload: unknown } | undefined;
    const arrived = (): boolean => {
      if (taken !== undefined) return true;
      const queue = this.#mailbox.get(signalName);
      if (queue === undefined || queue.length === 0) return false;
      taken = { payload: queue.shift() };
      return true;
    };
    this.#waiting.set(signalName, (this.#waiting.get(signalName) ?? 0) + 1);
    let met: boolean;
    try {
      met = await this.condition(arrived, timeoutMilliseconds);
    } finally {
      this.#waiting.set(signalName, (this.#waiting.get(signalName) ?? 1) - 1);
    }
    if (!met || taken === undefined) throw new TimeoutError('signal', `no signal "${signalName}" arrived within ${timeoutMilliseconds} ms`);
    return taken.payload as T;
  }

  nonCancellable<T>(fn: () => Promise<T>): Promise<T> {
    return CancellationScope.nonCancellable(fn);
  }
}
