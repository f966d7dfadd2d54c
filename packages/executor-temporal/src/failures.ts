/**
 * How errors cross Temporal's boundaries, both ways: mcp-agent errors become Temporal failures
 * (so that retries and non-retryable errors mean the same on the server), and Temporal failures
 * become the mcp-agent errors that workflow code and callers catch on either engine.
 * Safe for the workflow sandbox.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancelledFailure,
  ChildWorkflowFailure,
  RetryState,
  ServerFailure,
  TemporalFailure,
  TerminatedFailure,
  TimeoutFailure,
  TimeoutType,
} from '@temporalio/common';
import {
  CancelledError,
  ChildWorkflowFailedError,
  errorTypeOf,
  MCPAgentError,
  McpClientError,
  messageOf,
  TaskFailedError,
  TimeoutError,
  WorkflowApplicationError,
} from '@mcp-agent/core/workflow';
import { requestedRetryDelay } from '@mcp-agent/core/engine/workflow';
import type { McpClientErrorCode } from '@mcp-agent/core/workflow';

/**
 * The first detail of a failure an activity of this engine raises: which attempt failed, and the
 * mcp-agent error code. Removed again when the failure is read back.
 */
interface AttemptDetail {
  mcpAgentTask: { attempt: number; code?: string; server?: string; timeoutType?: TimeoutError['timeoutType'] };
}

function isAttemptDetail(value: unknown): value is AttemptDetail {
  return typeof value === 'object' && value !== null && typeof (value as AttemptDetail).mcpAgentTask?.attempt === 'number';
}

/**
 * The Temporal failure for an error thrown by a task (an activity) on attempt `attempt`: its
 * type is the error's type, it is non-retryable when the error says so (a non-retryable
 * `WorkflowApplicationError`, an mcp-agent error that is not retryable), and a delay the error
 * asks for (a provider's retry-after) becomes the next retry's delay.
 */
export function taskFailure(error: unknown, attempt: number, maximumIntervalMs?: number): Error {
  if (error instanceof TemporalFailure) return error;
  const userDetails = WorkflowApplicationError.is(error) ? error.details : [];
  const detail: AttemptDetail = {
    mcpAgentTask: {
      attempt,
      ...(MCPAgentError.is(error) ? { code: error.code } : {}),
      ...(McpClientError.is(error) ? { server: error.server } : {}),
      ...(TimeoutError.is(error) ? { timeoutType: error.timeoutType } : {}),
    },
  };
  // A retry-after is honoured up to twice the policy's longest interval, as in-process.
  const requested = requestedRetryDelay(error);
  const retryAfter = requested === undefined || maximumIntervalMs === undefined ? requested : Math.min(requested, maximumIntervalMs * 2);
  return ApplicationFailure.create({
    message: messageOf(error),
    type: errorTypeOf(error),
    nonRetryable: MCPAgentError.is(error) ? !error.retryable : false,
    details: [detail, ...userDetails],
    ...(retryAfter === undefined ? {} : { nextRetryDelay: retryAfter }),
  });
}

/**
 * The Temporal failure that ends a workflow run for an error its code threw. Any error fails the
 * run (a plain `Error` too; Temporal would otherwise retry the workflow task forever), keeping
 * its type and message.
 */
export function workflowFailure(error: unknown): Error {
  if (error instanceof TemporalFailure) return error;
  if (WorkflowApplicationError.is(error)) {
    return ApplicationFailure.create({ message: error.message, type: error.type, nonRetryable: true, details: error.details });
  }
  const failure = ApplicationFailure.create({ message: messageOf(error), type: errorTypeOf(error), nonRetryable: true });
  if (error instanceof Error && error.stack !== undefined) failure.stack = error.stack;
  return failure;
}

const TIMEOUT_TYPES: Partial<Record<string, TimeoutError['timeoutType']>> = {
  [TimeoutType.START_TO_CLOSE]: 'start_to_close',
  [TimeoutType.SCHEDULE_TO_CLOSE]: 'schedule_to_close',
  [TimeoutType.SCHEDULE_TO_START]: 'schedule_to_close',
  [TimeoutType.HEARTBEAT]: 'heartbeat',
};

/**
 * The mcp-agent error for an application failure: a `WorkflowApplicationError` with its type,
 * details and retryability, or the `McpClientError` a task raised, with its code and server.
 */
function applicationError(failure: ApplicationFailure): MCPAgentError {
  const details = [...(failure.details ?? [])];
  const recorded = isAttemptDetail(details[0]) ? (details.shift() as AttemptDetail).mcpAgentTask : undefined;
  // A task's own timeout (its attempt's deadline passed in the worker) reads as the timeout it was.
  if (recorded?.code === 'TIMEOUT' && recorded.timeoutType !== undefined) return new TimeoutError(recorded.timeoutType, failure.message);
  if (recorded?.code?.startsWith('MCP_') && recorded.server !== undefined) {
    return new McpClientError(recorded.code as McpClientErrorCode, recorded.server, failure.message, { retryable: !(failure.nonRetryable ?? false) });
  }
  return new WorkflowApplicationError(failure.message, {
    type: failure.type ?? 'Error',
    nonRetryable: failure.nonRetryable ?? false,
    details,
    ...(failure.cause === undefined ? {} : { cause: fromTemporalFailure(failure.cause) }),
  });
}

/** The attempt a task failure came from, when its activity recorded it. */
function recordedAttempt(failure: unknown): number | undefined {
  if (!(failure instanceof ApplicationFailure)) return undefined;
  const first = failure.details?.[0];
  return isAttemptDetail(first) ? first.mcpAgentTask.attempt : undefined;
}

/**
 * How many attempts a failed activity made: from the last attempt's own record, or, when the
 * attempts ran out, the policy's maximum. A timeout before any attempt recorded itself counts one.
 */
function attemptsOf(failure: ActivityFailure, maximumAttempts: number | undefined): number {
  if (failure.retryState === RetryState.MAXIMUM_ATTEMPTS_REACHED && maximumAttempts !== undefined && maximumAttempts > 0) {
    return maximumAttempts;
  }
  let cause: unknown = failure.cause;
  for (let depth = 0; cause !== undefined && depth < 5; depth += 1) {
    const attempt = recordedAttempt(cause);
    if (attempt !== undefined) return failure.cause instanceof TimeoutFailure ? attempt + 1 : attempt;
    cause = (cause as { cause?: unknown }).cause;
  }
  return 1;
}

/**
 * The mcp-agent error for a Temporal failure, as workflow code and callers see it on either
 * engine: an activity's failure is a `TaskFailedError`, a child's a `ChildWorkflowFailedError`,
 * a cancellation a `CancelledError`, a timeout a `TimeoutError`, an application failure a
 * `WorkflowApplicationError`. Anything else is returned as it is.
 *
 * @param maximumAttempts the retry policy's attempts, for an activity that ran out of them.
 * @param ofWorkflow the failure ended a workflow (a child's, or the result a client awaits): its
 *   timeout is the workflow's own, which Temporal reports as start-to-close without telling an
 *   execution timeout from a run timeout; it reads as `execution`.
 */
export function fromTemporalFailure(error: unknown, maximumAttempts?: number, ofWorkflow = false): unknown {
  if (!(error instanceof TemporalFailure)) return error;
  if (error instanceof ActivityFailure) {
    return new TaskFailedError(error.activityType, attemptsOf(error, maximumAttempts), fromTemporalFailure(error.cause));
  }
  if (error instanceof ChildWorkflowFailure) {
    return new ChildWorkflowFailedError(error.workflowType, error.execution.workflowId ?? '', fromTemporalFailure(error.cause, undefined, true));
  }
  if (error instanceof ApplicationFailure) return applicationError(error);
  if (error instanceof CancelledFailure) return new CancelledError(error.message === '' ? undefined : error.message);
  if (error instanceof TimeoutFailure) {
    const type = ofWorkflow ? 'execution' : (TIMEOUT_TYPES[String(error.timeoutType)] ?? 'start_to_close');
    return new TimeoutError(type, `${type.replace(/_/g, '-')} timeout${error.message === '' ? '' : `: ${error.message}`}`);
  }
  if (error instanceof TerminatedFailure) {
    return new WorkflowApplicationError(error.message === '' ? 'terminated' : error.message, { type: 'Terminated', nonRetryable: true });
  }
  if (error instanceof ServerFailure) {
    return new WorkflowApplicationError(error.message, { type: 'ServerFailure', nonRetryable: error.nonRetryable });
  }
  return error;
}
