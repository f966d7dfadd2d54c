/**
 * The Executor interface that every execution engine implements, and the types around it.
 * Safe for the workflow sandbox (types and constants only).
 */
import type { HumanInputRequest } from './human-input.js';
import type { Duration } from './duration.js';
import type { WorkflowClass } from './model/definitions.js';
import type { Workflow, WorkflowValueOf } from './model/workflow.js';
import type { WorkflowResult } from './model/workflow-result.js';

/**
 * What happens when a workflow is started with the id of an earlier, closed execution
 * (a running one is always a conflict, except under `terminate_if_running`).
 */
export type IdReusePolicy = 'allow_duplicate' | 'allow_duplicate_failed_only' | 'reject_duplicate' | 'terminate_if_running';

/** Every id reuse policy, for validation. */
export const ID_REUSE_POLICIES: readonly IdReusePolicy[] = ['allow_duplicate', 'allow_duplicate_failed_only', 'reject_duplicate', 'terminate_if_running'];

/** The state of a workflow run. */
export type WorkflowStatus = 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED' | 'TERMINATED' | 'TIMED_OUT' | 'CONTINUED_AS_NEW';

/** Options of `startWorkflow`. */
export interface StartWorkflowOptions {
  /** Defaults to `<WorkflowName>-<uuid>`. Meaningful ids make starts idempotent. */
  workflowId?: string;
  /** Defaults to `temporal.id_reuse_policy` from config, else `allow_duplicate`. */
  idReusePolicy?: IdReusePolicy;
  /** Bound on the whole execution, across `continueAsNew` runs. */
  executionTimeout?: Duration;
  /** Bound on a single run. */
  runTimeout?: Duration;
  /** Bound on one workflow task (Temporal only; accepted and ignored in-process). */
  taskTimeout?: Duration;
  /** Non-indexed data shown by describe and list. */
  memo?: Record<string, unknown>;
  /** The Temporal task queue; defaults to `temporal.task_queue`. Ignored in-process. */
  taskQueue?: string;
}

/** A snapshot of one workflow run. */
export interface WorkflowDescription {
  workflowId: string;
  runId: string;
  workflowName: string;
  status: WorkflowStatus;
  startTime: Date;
  closeTime: Date | undefined;
  memo: Record<string, unknown>;
  /** The parent workflow of a child. */
  parentWorkflowId: string | undefined;
  /** The run this one continued from. */
  continuedFromRunId: string | undefined;
}

/** A signal sent through the signal bus, as in the Python project. */
export interface Signal<P = unknown> {
  name: string;
  workflowId: string;
  /** When set, the signal reaches only this run; another run id is an error. */
  runId?: string | undefined;
  payload?: P;
}

/** Sends signals to workflows by id. */
export interface SignalBus {
  sendSignal(signal: Signal): Promise<void>;
}

/** A filter for `listWorkflows`. */
export interface ListWorkflowsOptions {
  workflowName?: string;
  status?: WorkflowStatus;
  /** A Temporal visibility query; only the Temporal engine accepts it. */
  query?: string;
  /** At most this many, newest first. */
  limit?: number;
}

/** Options of a signal, query or update sent by id. */
export interface TargetRunOptions {
  /** The run to reach; defaults to the current run of the workflow id. */
  runId?: string;
}

/**
 * The names a handle may send to a workflow of class `W`: the names of its own methods, not the
 * run method nor those of the `Workflow` base class. The type can't see which methods the
 * decorators marked, so the engine still refuses a method that is not a handler of that kind
 * (`UnknownHandlerError`); a handler registered under another name, or a signal declared without
 * a method, needs the untyped handle (`WorkflowHandle`) or the generated client, which knows them
 * all. Any string for an untyped handle.
 */
export type HandlerNameOf<W> = unknown extends W
  ? string
  :
      | (Exclude<{ [K in keyof W]-?: W[K] extends (...args: never[]) => unknown ? K : never }[keyof W], keyof Workflow<unknown> | 'run'> & string)
      | (W extends Workflow<unknown> ? keyof BuiltinHandlers : never);

/** The handlers every workflow has, by name: human input's signal and query. */
export interface BuiltinHandlers {
  /** Answers a `requestHumanInput`: the answer's text, or `{ requestId?, response }`. */
  __human_input__: (answer: string | { requestId?: string; response: string; metadata?: Record<string, unknown> }) => void;
  /** The human input requests the run waits for. */
  __human_input_pending__: () => HumanInputRequest[];
}

/** The arguments of the handler `K` of `W`; any arguments for an untyped handle. */
export type HandlerArgsOf<W, K extends string> = unknown extends W
  ? unknown[]
  : K extends keyof BuiltinHandlers
    ? Parameters<BuiltinHandlers[K]>
    : K extends keyof W
      ? W[K] extends (...args: infer A) => unknown
        ? A
        : never
      : never;

/**
 * What a signal to the handler `K` of `W` carries: its payload, the handler's one parameter, or
 * nothing for a handler that takes none. Any payload for an untyped handle.
 */
export type SignalArgsOf<W, K extends string> = unknown extends W
  ? [payload?: unknown]
  : HandlerArgsOf<W, K> extends []
    ? []
    : HandlerArgsOf<W, K> extends [infer P]
      ? [payload: P]
      : HandlerArgsOf<W, K> extends [(infer P)?]
        ? [payload?: P]
        : never;

/** What the query or update handler `K` of `W` returns; unknown for an untyped handle. */
export type HandlerResultOf<W, K extends string> = unknown extends W
  ? unknown
  : K extends keyof BuiltinHandlers
    ? ReturnType<BuiltinHandlers[K]>
    : K extends keyof W
      ? W[K] extends (...args: never[]) => infer R
        ? Awaited<R>
        : never
      : never;

/**
 * A handle on a started workflow, typed by its class `W`: `signal`, `query` and `update` take the
 * names of `W`'s methods and their arguments, `query` and `update` resolve with what the handler
 * returns, and `result()` with the run method's `WorkflowResult<T>`. `WorkflowHandle` (untyped)
 * takes any name. Operations reach the current run of its id (following `continueAsNew`), or only
 * `runId` when the handle was made with one.
 *
 * @example
 * ```ts
 * const handle = await executor.startWorkflow(ApprovalWorkflow, doc); // WorkflowHandle<ApprovalWorkflow>
 * await handle.signal('approve', 'looks good'); // checked against approve(comment: string)
 * const status = await handle.query('getStatus'); // typed by getStatus's return type
 * ```
 */
export interface WorkflowHandle<W = unknown> {
  readonly workflowId: string;
  /**
   * The run this handle was made for: the first run when it came from a start, the given run
   * for `getHandle(id, runId)`, undefined for `getHandle(id)` (which follows the current run).
   */
  readonly runId: string | undefined;
  /** The workflow's name when the handle came from a start; undefined for `getHandle`. */
  readonly workflowName: string | undefined;
  /** Resolves with the final run's result; rejects with `WorkflowFailedError` when it failed, was cancelled, terminated or timed out. */
  result(): Promise<WorkflowResult<WorkflowValueOf<W>>>;
  /** Sends a signal with its payload (a signal handler takes at most one argument). */
  signal<K extends HandlerNameOf<W>>(signalName: K, ...args: SignalArgsOf<W, K>): Promise<void>;
  query<K extends HandlerNameOf<W>>(queryName: K, ...args: HandlerArgsOf<W, K>): Promise<HandlerResultOf<W, K>>;
  update<K extends HandlerNameOf<W>>(updateName: K, ...args: HandlerArgsOf<W, K>): Promise<HandlerResultOf<W, K>>;
  /** Asks the workflow to cancel; it sees a `CancelledError` and may clean up. */
  cancel(): Promise<void>;
  /** Ends the workflow at once; no workflow code runs. */
  terminate(reason?: string): Promise<void>;
  describe(): Promise<WorkflowDescription>;
}

/** The input type of a workflow class's run method. */
export type WorkflowInputOf<W> = W extends { run(input: infer I, ...rest: never[]): unknown } ? I : unknown;

/**
 * Starts and talks to workflows. `MCPApp.run` gives you the one selected by `execution_engine`.
 *
 * @example
 * ```ts
 * const handle = await executor.startWorkflow(ApprovalWorkflow, doc, { workflowId: 'approval-42' });
 * await handle.signal('approve', 'looks good');
 * const result = await handle.result();
 * ```
 */
export interface Executor {
  /** `asyncio` or `temporal`. */
  readonly engine: string;
  readonly signalBus: SignalBus;
  startWorkflow<W>(workflow: WorkflowClass<W>, input?: WorkflowInputOf<W>, options?: StartWorkflowOptions): Promise<WorkflowHandle<W>>;
  /** By name; `W`, when given, is the workflow's class, which types the handle. */
  startWorkflow<W = unknown>(workflowName: string, input?: unknown, options?: StartWorkflowOptions): Promise<WorkflowHandle<W>>;
  /** Starts a workflow and waits for its result. */
  executeWorkflow<W>(workflow: WorkflowClass<W>, input?: WorkflowInputOf<W>, options?: StartWorkflowOptions): Promise<WorkflowResult<WorkflowValueOf<W>>>;
  executeWorkflow<W = unknown>(workflowName: string, input?: unknown, options?: StartWorkflowOptions): Promise<WorkflowResult<WorkflowValueOf<W>>>;
  /** A handle on an existing workflow by id, and optionally one run of it; `W`, when given, is its class. */
  getHandle<W = unknown>(workflowId: string, runId?: string): WorkflowHandle<W>;
  /** Sends a signal. `workflowName`, when given, must match the workflow's name. */
  signalWorkflow(workflowName: string | undefined, workflowId: string, signalName: string, payload?: unknown, options?: TargetRunOptions): Promise<void>;
  queryWorkflow<R = unknown>(workflowName: string | undefined, workflowId: string, queryName: string, ...args: unknown[]): Promise<R>;
  updateWorkflow<R = unknown>(workflowName: string | undefined, workflowId: string, updateName: string, ...args: unknown[]): Promise<R>;
  cancelWorkflow(workflowId: string, runId?: string): Promise<void>;
  terminateWorkflow(workflowId: string, reason?: string, runId?: string): Promise<void>;
  describeWorkflow(workflowId: string, runId?: string): Promise<WorkflowDescription>;
  listWorkflows(options?: ListWorkflowsOptions): Promise<WorkflowDescription[]>;
  /** Releases what the executor holds. In-process, running workflows are terminated. */
  close(): Promise<void>;
}
