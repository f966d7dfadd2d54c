import { CancelledError, ChildWorkflowFailedError, McpClientError, TaskFailedError, TimeoutError, WorkflowApplicationError } from '@mcp-agent/core';
import { ActivityFailure, ApplicationFailure, CancelledFailure, ChildWorkflowFailure, RetryState, TimeoutFailure, TimeoutType } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { fromTemporalFailure, taskFailure, workflowFailure } from './failures.js';

describe('task failures', () => {
  it('keep the type and message of a plain error, retryable, with the attempt recorded first', () => {
    const error = new Error('socket hang up');
    error.name = 'FlakyNetwork';
    const failure = taskFailure(error, 3) as ApplicationFailure;
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure.type).toBe('FlakyNetwork');
    expect(failure.message).toBe('socket hang up');
    expect(failure.nonRetryable).toBe(false);
    expect(failure.details?.[0]).toEqual({ mcpAgentTask: { attempt: 3 } });
  });

  it('are non-retryable for a non-retryable WorkflowApplicationError, keeping its details', () => {
    const failure = taskFailure(WorkflowApplicationError.nonRetryable('the input is invalid', 'ValidationError', { field: 'amount' }), 1) as ApplicationFailure;
    expect(failure.nonRetryable).toBe(true);
    expect(failure.type).toBe('ValidationError');
    expect(failure.details).toEqual([{ mcpAgentTask: { attempt: 1, code: 'APPLICATION_ERROR' } }, { field: 'amount' }]);
  });

  it('are non-retryable for an mcp-agent error that says so, and ask for the delay a rate limit gives', () => {
    const refused = taskFailure(new McpClientError('MCP_PROTOCOL_ERROR', 'fs', 'invalid arguments'), 1) as ApplicationFailure;
    expect(refused.nonRetryable).toBe(true);
    const limited = taskFailure(new WorkflowApplicationError('rate limited', { type: 'RateLimit', details: [{ retryAfterMilliseconds: 7_000 }] }), 2) as ApplicationFailure;
    expect(limited.nonRetryable).toBe(false);
    expect(limited.nextRetryDelay).toBe(7_000);
  });
});

describe('workflow failures', () => {
  it('fail the run (non-retryable) with the type and message of any error, a plain one too', () => {
    const failure = workflowFailure(new RangeError('index 7 out of range')) as ApplicationFailure;
    expect(failure).toMatchObject({ type: 'RangeError', message: 'index 7 out of range', nonRetryable: true });
  });

  it('pass Temporal failures through as they are', () => {
    const cancelled = new CancelledFailure('cancelled');
    expect(workflowFailure(cancelled)).toBe(cancelled);
  });
});

describe('reading Temporal failures back', () => {
  const activityFailure = (cause: Error, retryState: RetryState): ActivityFailure => new ActivityFailure('activity failed', 'billing.charge', '1', retryState, 'worker-1', cause);

  it('turns an activity failure into a TaskFailedError with the recorded attempt and the original error as cause', () => {
    const cause = taskFailure(WorkflowApplicationError.nonRetryable('card declined', 'CardDeclined', { code: 51 }), 1);
    const error = fromTemporalFailure(activityFailure(cause, RetryState.NON_RETRYABLE_FAILURE), 5);
    expect(TaskFailedError.is(error)).toBe(true);
    const failed = error as TaskFailedError;
    expect(failed.taskName).toBe('billing.charge');
    expect(failed.attempts).toBe(1);
    expect(WorkflowApplicationError.is(failed.cause)).toBe(true);
    expect(failed.cause).toMatchObject({ type: 'CardDeclined', message: 'card declined', nonRetryable: true, details: [{ code: 51 }] });
  });

  it('counts the policy maximum when the attempts ran out', () => {
    const error = fromTemporalFailure(activityFailure(taskFailure(new Error('x'), 4), RetryState.MAXIMUM_ATTEMPTS_REACHED), 4) as TaskFailedError;
    expect(error.attempts).toBe(4);
  });

  it('turns timeouts into TimeoutErrors of the matching type', () => {
    const timeout = new TimeoutFailure('activity timed out', undefined, TimeoutType.START_TO_CLOSE);
    const error = fromTemporalFailure(activityFailure(timeout, RetryState.MAXIMUM_ATTEMPTS_REACHED), 2) as TaskFailedError;
    expect(error.attempts).toBe(2);
    expect(TimeoutError.is(error.cause) && error.cause.timeoutType).toBe('start_to_close');
    const scheduleToClose = fromTemporalFailure(new TimeoutFailure('', undefined, TimeoutType.SCHEDULE_TO_CLOSE));
    expect(TimeoutError.is(scheduleToClose) && scheduleToClose.timeoutType).toBe('schedule_to_close');
  });

  it('turns a child failure into ChildWorkflowFailedError and a cancellation into CancelledError', () => {
    const child = new ChildWorkflowFailure(
      'default',
      { workflowId: 'child-1', runId: 'r' },
      'DoublerWorkflow',
      RetryState.NON_RETRYABLE_FAILURE,
      ApplicationFailure.create({ message: 'cannot double -1', type: 'NegativeInput', nonRetryable: true }),
    );
    const error = fromTemporalFailure(child) as ChildWorkflowFailedError;
    expect(ChildWorkflowFailedError.is(error)).toBe(true);
    expect(error.workflowId).toBe('child-1');
    expect(error.message).toContain('cannot double -1');
    expect(CancelledError.is(fromTemporalFailure(new CancelledFailure('Workflow cancelled')))).toBe(true);
  });

  it('leaves anything that is not a Temporal failure alone', () => {
    const error = new Error('plain');
    expect(fromTemporalFailure(error)).toBe(error);
  });
});
