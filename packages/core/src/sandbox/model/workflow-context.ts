/**
 * The contract between workflow code and an execution engine. Each engine (in-process,
 * Temporal) implements {@link WorkflowContext} for every run; the {@link Workflow} base class and
 * the free functions of `@mcp-agent/core/workflow` call it. Safe for the workflow sandbox.
 */
import type { Duration } from '../duration.js';
import type { RetryPolicy } from '../retry.js';
import type { WorkflowResult } from './workflow-result.js';

/** Facts about the running workflow. */
export interface WorkflowInfo {
  workflowId: string;
  runId: string;
  workflowName: string;
  /** The run this one continued from with `continueAsNew`, if any. */
  continuedFromRunId: string | undefined;
  /** The first run of this chain of runs. */
  firstExecutionRunId: string;
  /** The parent workflow, when this one is a child. */
  parent: { workflowId: string; runId: string } | undefined;
  memo: Record<string, unknown>;
  /** When this run started. */
  runStartTime: Date;
}

/** Options of one task call; they override the task's own options and the config. */
export interface TaskCallOptions {
  /** Longest time one attempt may take before it fails with a retryable timeout. */
  startToCloseTimeout?: Duration;
  /** Longest time all attempts together may take. */
  scheduleToCloseTimeout?: Duration;
  /** Longest time between two heartbeats of a running attempt (Temporal only). */
  heartbeatTimeout?: Duration;
  /** How failed attempts are retried; merged field by field over the configured policy. */
  retryPolicy?: RetryPolicy;
  /**
   * The task queue the task is scheduled on (Temporal only: the workers polling that queue run it,
   * instead of those of the run's own queue). The in-process engine ignores it.
   */
  taskQueue?: string;
  /**
   * Longest time the task may wait for a worker to take it (Temporal only; the in-process engine
   * ignores it). When it passes the task fails at once, without retries: a worker that never
   * came would not come for a second attempt either. Useful with `taskQueue`.
   */
  scheduleToStartTimeout?: Duration;
}

/**
 * The memo key under which a run names task queues for some of its tasks: a record from task name
 * to {@link TaskQueueRoute}. On Temporal every task the run calls (`executeTask`, a model round
 * trip, an MCP call) is looked up there unless the call gives its own `taskQueue`; the in-process
 * engine ignores it. The agent server sets it for runs its clients start, so that their sampling
 * round trips (`llm.mcp-sampling.complete`) run in the server's process, which holds the client's
 * session.
 *
 * @example
 * ```ts
 * await executor.startWorkflow('Report', input, {
 *   memo: { [TASK_QUEUES_MEMO_KEY]: { 'llm.mcp-sampling.complete': { taskQueue: 'reports.mcp-server.1', scheduleToStartTimeoutMs: 60_000 } } },
 * });
 * ```
 */
export const TASK_QUEUES_MEMO_KEY = 'mcp_agent.task_queues';

/**
 * Where one task of a run goes, as the run's memo names it under {@link TASK_QUEUES_MEMO_KEY}.
 *
 * @example
 * ```ts
 * const route: TaskQueueRoute = { taskQueue: 'gpu-workers', scheduleToStartTimeoutMs: 30_000, whenUnserved: 'start a GPU worker' };
 * ```
 */
export interface TaskQueueRoute {
  /** The task queue whose workers run the task. */
  taskQueue: string;
  /** How long the task may wait for one of them to take it, in milliseconds; then it fails, not retried. Default: no limit. */
  scheduleToStartTimeoutMs?: number;
  /** Said in that failure after the facts: who serves the queue and what to do now. */
  whenUnserved?: string;
}

/** What a workflow may do with a child it started. */
export interface ChildWorkflowHandle<T = unknown> {
  readonly workflowId: string;
  readonly firstExecutionRunId: string;
  /** Resolves with the child's result; rejects with a `ChildWorkflowFailedError`. */
  result(): Promise<WorkflowResult<T>>;
  signal(signalName: string, payload?: unknown): Promise<void>;
}

/** Options for starting a child workflow. */
export interface ChildWorkflowOptions {
  /** Defaults to `<parent id>-<child name>-<n>`. */
  workflowId?: string;
  executionTimeout?: Duration;
  runTimeout?: Duration;
  memo?: Record<string, unknown>;
}

/** The engine side of a running workflow. Implemented by each executor, one object per run. */
export interface WorkflowContext {
  readonly info: WorkflowInfo;
  /** Workflow time: deterministic under Temporal, the engine's clock in-process. */
  now(): Date;
  sleep(milliseconds: number): Promise<void>;
  /** Resolves true when `predicate` holds, or false when `timeoutMilliseconds` passes first. */
  condition(predicate: () => boolean, timeoutMilliseconds?: number): Promise<boolean>;
  /** A random UUID, replay-safe under Temporal. */
  uuid(): string;
  /** A random number in [0, 1), replay-safe under Temporal. */
  random(): number;
  patched(patchId: string): boolean;
  deprecatePatch(patchId: string): void;
  getVersion(changeId: string, minimumSupported: number, maximumSupported: number): number;
  executeTask<R>(taskName: string, args: unknown[], options: TaskCallOptions | undefined): Promise<R>;
  startChild<T>(workflowName: string, input: unknown, options: ChildWorkflowOptions | undefined): Promise<ChildWorkflowHandle<T>>;
  /** Ends this run and starts a new one of the same workflow id with `input`. Never returns. */
  continueAsNew(input: unknown): Promise<never>;
  /** Waits for the next signal of that name sent to this run (buffered if it came first). */
  waitForSignal<T>(signalName: string, timeoutMilliseconds?: number): Promise<T>;
  /** Runs `fn` so that cancellation of the workflow does not interrupt it (for cleanup). */
  nonCancellable<T>(fn: () => Promise<T>): Promise<T>;
  /** True once cancellation of this workflow was requested. */
  readonly cancellationRequested: boolean;
  /**
   * True when the run outlives the process (Temporal): waits for people are signals. Unset or
   * false in-process, where the app's handlers answer.
   */
  readonly durable?: boolean;
  /**
   * Told the name of each agent made in the run, for what the engine shows of it (on Temporal,
   * the run's memo). Optional: an engine without it ignores agents.
   */
  noteAgent?(name: string): void;
}

type ContextProvider = () => WorkflowContext | undefined;
// Kept on globalThis so that every bundled copy of this module sees the providers engines install.
const PROVIDERS = Symbol.for('mcp-agent.workflow-context-providers');

function providers(): ContextProvider[] {
  const holder = globalThis as unknown as Record<symbol, ContextProvider[] | undefined>;
  return (holder[PROVIDERS] ??= []);
}

/**
 * Installs a way for an engine to find the context of the workflow whose code is running now.
 * Called once by each engine, not by users; installing the same provider twice has no effect.
 */
export function addWorkflowContextProvider(provider: ContextProvider): void {
  const list = providers();
  if (!list.includes(provider)) list.push(provider);
}

/** The context of the workflow whose code is running now, or undefined outside a workflow. */
export function currentWorkflowContext(): WorkflowContext | undefined {
  for (const provider of providers()) {
    const context = provider();
    if (context !== undefined) return context;
  }
  return undefined;
}

/**
 * The change after which agents and LLMs schedule each task when it is called, in the order the
 * workflow started them, with no turns of the microtask queue first. Runs recorded before it
 * replay with the earlier order: Temporal matches a run's tasks against its history in order.
 */
export const SCHEDULE_ON_CALL_PATCH = 'mcp-agent.schedule-on-call';

/**
 * Whether agents and LLMs take the path that schedules a task when it is called: always, except
 * while Temporal replays a history recorded before {@link SCHEDULE_ON_CALL_PATCH}. A new run
 * records the change's marker at its first agent or LLM call.
 */
export function schedulesOnCall(context: WorkflowContext | undefined): boolean {
  return context === undefined || context.patched(SCHEDULE_ON_CALL_PATCH);
}
