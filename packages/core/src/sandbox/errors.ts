/**
 * Error classes of mcp-agent. Safe for the workflow sandbox: no Node imports.
 *
 * Every error carries a string `code`, an explicit `retryable` flag and the original error in
 * `cause`. Identity checks use a `Symbol.for` brand so they work across bundled copies of this
 * module and across the Temporal workflow sandbox, where `instanceof` does not.
 */

const MCP_AGENT_ERROR = Symbol.for('mcp-agent.error');

/** Options accepted by every mcp-agent error. */
export interface MCPAgentErrorOptions {
  /** The error that caused this one. */
  cause?: unknown;
  /** Whether the operation may succeed if tried again. Defaults depend on the class. */
  retryable?: boolean;
}

/**
 * Base class of every error raised by mcp-agent.
 *
 * @example
 * ```ts
 * if (MCPAgentError.is(error) && error.code === 'CONFIG_INVALID') process.exitCode = 1;
 * ```
 */
export class MCPAgentError extends Error {
  /** A stable, machine-readable code, such as `CONFIG_INVALID`. */
  readonly code: string;
  /** Whether trying again may succeed. */
  readonly retryable: boolean;

  constructor(code: string, message: string, options: MCPAgentErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.name = new.target.name;
    Object.defineProperty(this, MCP_AGENT_ERROR, { value: true });
  }

  /** True for any mcp-agent error, whichever copy of this module created it. */
  static is(value: unknown): value is MCPAgentError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MCP_AGENT_ERROR] === true;
  }
}

/** Defines a `static is` that checks the code, so subclasses survive bundling too. */
function hasCode(value: unknown, code: string): boolean {
  return MCPAgentError.is(value) && value.code === code;
}

/** A configuration file or setting is invalid. `issues` lists each problem as `path: message`. */
export class ConfigError extends MCPAgentError {
  readonly issues: readonly string[];
  constructor(message: string, issues: readonly string[] = [], options: MCPAgentErrorOptions = {}) {
    super('CONFIG_INVALID', message, options);
    this.issues = issues;
  }
  static override is(value: unknown): value is ConfigError {
    return hasCode(value, 'CONFIG_INVALID');
  }
}

/** Options of {@link WorkflowApplicationError}. */
export interface WorkflowApplicationErrorOptions extends MCPAgentErrorOptions {
  /** The error type, matched against a retry policy's `nonRetryableErrorTypes`. Defaults to `WorkflowApplicationError`. */
  type?: string;
  /** When true the failing task is never retried. Defaults to false. */
  nonRetryable?: boolean;
  /** Extra data that travels with the error. Must be serialisable. */
  details?: unknown[];
}

/**
 * An error raised by application code (a task, a workflow, a provider) with a type and an
 * explicit retry decision. Under Temporal it becomes an `ApplicationFailure` with the same type.
 *
 * @example
 * ```ts
 * throw new WorkflowApplicationError('amount must be positive', { type: 'ValidationError', nonRetryable: true });
 * ```
 */
export class WorkflowApplicationError extends MCPAgentError {
  readonly type: string;
  readonly nonRetryable: boolean;
  readonly details: unknown[];

  constructor(message: string, options: WorkflowApplicationErrorOptions = {}) {
    super('APPLICATION_ERROR', message, { cause: options.cause, retryable: !(options.nonRetryable ?? false) });
    this.type = options.type ?? 'WorkflowApplicationError';
    this.nonRetryable = options.nonRetryable ?? false;
    this.details = options.details ?? [];
  }

  /** Shorthand for a non-retryable error of the given type. */
  static nonRetryable(message: string, type?: string, ...details: unknown[]): WorkflowApplicationError {
    return new WorkflowApplicationError(message, { type, nonRetryable: true, details });
  }

  static override is(value: unknown): value is WorkflowApplicationError {
    return hasCode(value, 'APPLICATION_ERROR');
  }
}

/** A workflow name that no app registered. The message lists the registered ones. */
export class UnknownWorkflowError extends MCPAgentError {
  readonly workflowName: string;
  readonly registered: readonly string[];
  constructor(workflowName: string, registered: readonly string[]) {
    super(
      'UNKNOWN_WORKFLOW',
      `unknown workflow "${workflowName}"; registered: ${registered.length > 0 ? [...registered].sort().join(', ') : '(none)'}. ` +
        'Register it with @app.workflow on the app the executor was created from.',
    );
    this.workflowName = workflowName;
    this.registered = registered;
  }
  static override is(value: unknown): value is UnknownWorkflowError {
    return hasCode(value, 'UNKNOWN_WORKFLOW');
  }
}

/** A task name that no app registered. */
export class UnknownTaskError extends MCPAgentError {
  constructor(taskName: string, registered: readonly string[], hint = 'Register it with app.workflowTask(fn) or @app.workflowTask on a workflow method.') {
    super('UNKNOWN_TASK', `unknown task "${taskName}"; registered: ${registered.length > 0 ? [...registered].sort().join(', ') : '(none)'}. ${hint}`);
  }
  static override is(value: unknown): value is UnknownTaskError {
    return hasCode(value, 'UNKNOWN_TASK');
  }
}

/** No workflow execution with that id (and run id) exists, or it is not running when it must be. */
export class WorkflowNotFoundError extends MCPAgentError {
  readonly workflowId: string;
  readonly runId: string | undefined;
  constructor(message: string, workflowId: string, runId?: string) {
    super('WORKFLOW_NOT_FOUND', message);
    this.workflowId = workflowId;
    this.runId = runId;
  }
  static override is(value: unknown): value is WorkflowNotFoundError {
    return hasCode(value, 'WORKFLOW_NOT_FOUND');
  }
}

/** A workflow with that id is running, or the id reuse policy forbids starting another. */
export class WorkflowAlreadyStartedError extends MCPAgentError {
  readonly workflowId: string;
  readonly workflowName: string;
  constructor(message: string, workflowId: string, workflowName: string) {
    super('WORKFLOW_ALREADY_STARTED', message);
    this.workflowId = workflowId;
    this.workflowName = workflowName;
  }
  static override is(value: unknown): value is WorkflowAlreadyStartedError {
    return hasCode(value, 'WORKFLOW_ALREADY_STARTED');
  }
}

/** A signal, query or update name the workflow does not define. */
export class UnknownHandlerError extends MCPAgentError {
  constructor(kind: 'signal' | 'query' | 'update', name: string, workflowName: string, defined: readonly string[]) {
    super(
      'UNKNOWN_HANDLER',
      `workflow "${workflowName}" has no ${kind} "${name}"; its ${kind === 'query' ? 'queries' : `${kind}s`}: ${defined.length > 0 ? [...defined].sort().join(', ') : '(none)'}`,
    );
  }
  static override is(value: unknown): value is UnknownHandlerError {
    return hasCode(value, 'UNKNOWN_HANDLER');
  }
}

/** An update's validator rejected its arguments; the handler did not run. */
export class UpdateRejectedError extends MCPAgentError {
  constructor(updateName: string, cause: unknown) {
    super('UPDATE_REJECTED', `update "${updateName}" was rejected: ${messageOf(cause)}`, { cause });
  }
  static override is(value: unknown): value is UpdateRejectedError {
    return hasCode(value, 'UPDATE_REJECTED');
  }
}

/** Raised inside a workflow when its execution is cancelled; also the cause of a cancelled workflow's failure. */
export class CancelledError extends MCPAgentError {
  constructor(message = 'workflow cancelled') {
    super('CANCELLED', message);
  }
  static override is(value: unknown): value is CancelledError {
    return hasCode(value, 'CANCELLED');
  }
}

/** A workflow run or execution timeout, or a task attempt timeout, elapsed. */
export class TimeoutError extends MCPAgentError {
  readonly timeoutType: 'execution' | 'run' | 'start_to_close' | 'schedule_to_close' | 'heartbeat' | 'signal';
  constructor(timeoutType: TimeoutError['timeoutType'], message: string) {
    super('TIMEOUT', message, { retryable: timeoutType === 'start_to_close' || timeoutType === 'heartbeat' });
    this.timeoutType = timeoutType;
  }
  static override is(value: unknown): value is TimeoutError {
    return hasCode(value, 'TIMEOUT');
  }
}

/** A task failed after its retry policy gave up. `cause` is the last attempt's error. */
export class TaskFailedError extends MCPAgentError {
  readonly taskName: string;
  readonly attempts: number;
  constructor(taskName: string, attempts: number, cause: unknown) {
    super('TASK_FAILED', `task "${taskName}" failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${messageOf(cause)}`, {
      cause,
    });
    this.taskName = taskName;
    this.attempts = attempts;
  }
  static override is(value: unknown): value is TaskFailedError {
    return hasCode(value, 'TASK_FAILED');
  }
}

/** A child workflow failed; `cause` is the child's failure. */
export class ChildWorkflowFailedError extends MCPAgentError {
  readonly workflowId: string;
  constructor(workflowName: string, workflowId: string, cause: unknown) {
    super('CHILD_WORKFLOW_FAILED', `child workflow "${workflowName}" (${workflowId}) failed: ${messageOf(cause)}`, { cause });
    this.workflowId = workflowId;
  }
  static override is(value: unknown): value is ChildWorkflowFailedError {
    return hasCode(value, 'CHILD_WORKFLOW_FAILED');
  }
}

/** The final state of a workflow execution that did not complete: its `result()` rejects with this. */
export class WorkflowFailedError extends MCPAgentError {
  readonly workflowId: string;
  readonly runId: string;
  readonly status: 'FAILED' | 'CANCELLED' | 'TERMINATED' | 'TIMED_OUT';
  constructor(workflowId: string, runId: string, status: WorkflowFailedError['status'], cause: unknown) {
    super('WORKFLOW_FAILED', `workflow ${workflowId} (run ${runId}) ${status.toLowerCase().replace('_', ' ')}: ${messageOf(cause)}`, {
      cause,
    });
    this.workflowId = workflowId;
    this.runId = runId;
    this.status = status;
  }
  static override is(value: unknown): value is WorkflowFailedError {
    return hasCode(value, 'WORKFLOW_FAILED');
  }
}

/** A workflow API was used outside a running workflow, or with arguments that can't work. */
export class WorkflowUsageError extends MCPAgentError {
  constructor(message: string) {
    super('WORKFLOW_USAGE', message);
  }
  static override is(value: unknown): value is WorkflowUsageError {
    return hasCode(value, 'WORKFLOW_USAGE');
  }
}

/**
 * True when `error` is, or was caused by, a cancellation: a `CancelledError` itself, or a task,
 * child or workflow failure whose cause chain holds one.
 *
 * @example
 * ```ts
 * try { await this.executeChild(Step, input); } catch (error) { if (isCancellation(error)) await cleanUp(); else throw error; }
 * ```
 */
export function isCancellation(error: unknown): boolean {
  for (let current = error, depth = 0; current !== undefined && current !== null && depth < 20; depth += 1) {
    if (CancelledError.is(current)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** Codes of {@link McpClientError}. */
export type McpClientErrorCode =
  | 'MCP_UNKNOWN_SERVER'
  | 'MCP_SERVER_CONFIG'
  | 'MCP_CONNECT_FAILED'
  | 'MCP_CONNECTION_LOST'
  | 'MCP_TIMEOUT'
  | 'MCP_PROTOCOL_ERROR'
  | 'MCP_UNKNOWN_TOOL'
  /** The server refused the client's credentials (HTTP 401/403, OAuth): not retryable; log in again or fix the credentials. */
  | 'MCP_AUTH_FAILED';

/**
 * A failure talking to an MCP server: it could not be started or reached, it died or hung, or it
 * answered with a protocol error (such as invalid tool arguments). A tool's own failure is not an
 * error but a result with `isError: true`.
 */
export class McpClientError extends MCPAgentError {
  /** The configured server name. */
  readonly server: string;
  constructor(code: McpClientErrorCode, server: string, message: string, options: MCPAgentErrorOptions = {}) {
    super(code, message, options);
    this.server = server;
  }
  static override is(value: unknown): value is McpClientError {
    return MCPAgentError.is(value) && value.code.startsWith('MCP_') && typeof (value as { server?: unknown }).server === 'string';
  }
}

/** The message of any thrown value. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') {
    return (error as { message: string }).message;
  }
  return String(error);
}

/**
 * The type name used to match an error against `nonRetryableErrorTypes`: the `type` of a
 * {@link WorkflowApplicationError}, else the error's `name`.
 */
export function errorTypeOf(error: unknown): string {
  if (WorkflowApplicationError.is(error)) return error.type;
  if (error instanceof Error) return error.name;
  if (typeof error === 'object' && error !== null && typeof (error as { name?: unknown }).name === 'string') {
    return (error as { name: string }).name;
  }
  return typeof error;
}
