import { describe, expect, it } from 'vitest';
import {
  CancelledError,
  ChildWorkflowFailedError,
  ConfigError,
  errorTypeOf,
  MCPAgentError,
  messageOf,
  TaskFailedError,
  TimeoutError,
  UnknownHandlerError,
  UnknownTaskError,
  UnknownWorkflowError,
  UpdateRejectedError,
  WorkflowAlreadyStartedError,
  WorkflowApplicationError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUsageError,
} from './errors.js';

interface ErrorCase {
  make: () => MCPAgentError;
  errorClass: { is(value: unknown): boolean; name: string };
  code: string;
  retryable: boolean;
}

const cases: ErrorCase[] = [
  { make: () => new ConfigError('bad config', ['a: b']), errorClass: ConfigError, code: 'CONFIG_INVALID', retryable: false },
  { make: () => new WorkflowApplicationError('app'), errorClass: WorkflowApplicationError, code: 'APPLICATION_ERROR', retryable: true },
  { make: () => new UnknownWorkflowError('W', []), errorClass: UnknownWorkflowError, code: 'UNKNOWN_WORKFLOW', retryable: false },
  { make: () => new UnknownTaskError('t', []), errorClass: UnknownTaskError, code: 'UNKNOWN_TASK', retryable: false },
  { make: () => new WorkflowNotFoundError('gone', 'id-1'), errorClass: WorkflowNotFoundError, code: 'WORKFLOW_NOT_FOUND', retryable: false },
  {
    make: () => new WorkflowAlreadyStartedError('running', 'id-1', 'W'),
    errorClass: WorkflowAlreadyStartedError,
    code: 'WORKFLOW_ALREADY_STARTED',
    retryable: false,
  },
  { make: () => new UnknownHandlerError('signal', 's', 'W', []), errorClass: UnknownHandlerError, code: 'UNKNOWN_HANDLER', retryable: false },
  { make: () => new UpdateRejectedError('u', new Error('no')), errorClass: UpdateRejectedError, code: 'UPDATE_REJECTED', retryable: false },
  { make: () => new CancelledError(), errorClass: CancelledError, code: 'CANCELLED', retryable: false },
  { make: () => new TimeoutError('run', 'too slow'), errorClass: TimeoutError, code: 'TIMEOUT', retryable: false },
  { make: () => new TaskFailedError('t', 3, new Error('no')), errorClass: TaskFailedError, code: 'TASK_FAILED', retryable: false },
  {
    make: () => new ChildWorkflowFailedError('C', 'c-1', new Error('no')),
    errorClass: ChildWorkflowFailedError,
    code: 'CHILD_WORKFLOW_FAILED',
    retryable: false,
  },
  { make: () => new WorkflowFailedError('w-1', 'r-1', 'FAILED', new Error('no')), errorClass: WorkflowFailedError, code: 'WORKFLOW_FAILED', retryable: false },
  { make: () => new WorkflowUsageError('misuse'), errorClass: WorkflowUsageError, code: 'WORKFLOW_USAGE', retryable: false },
];

/** An object shaped like an error made by another bundled copy of this module: same brand, same code, another class. */
function foreignError(code: string): object {
  const error = new Error('from another copy');
  Object.defineProperty(error, Symbol.for('mcp-agent.error'), { value: true });
  return Object.assign(error, { code });
}

describe('error classes', () => {
  it.each(cases.map((errorCase) => [errorCase.errorClass.name, errorCase] as const))('%s has its code, name and retryable default', (name, errorCase) => {
    const error = errorCase.make();
    expect(error.code).toBe(errorCase.code);
    expect(error.name).toBe(name);
    expect(error.retryable).toBe(errorCase.retryable);
    expect(error).toBeInstanceOf(Error);
    expect(MCPAgentError.is(error)).toBe(true);
  });

  it.each(cases.map((errorCase) => [errorCase.errorClass.name, errorCase] as const))('%s.is accepts only its own code', (_name, errorCase) => {
    for (const other of cases) {
      expect(errorCase.errorClass.is(other.make())).toBe(other.code === errorCase.code);
    }
  });

  it.each(cases.map((errorCase) => [errorCase.errorClass.name, errorCase] as const))('%s.is recognises an error made by another copy of the module', (_name, errorCase) => {
    const foreign = foreignError(errorCase.code);
    expect(foreign instanceof MCPAgentError).toBe(false);
    expect(errorCase.errorClass.is(foreign)).toBe(true);
    expect(MCPAgentError.is(foreign)).toBe(true);
  });

  it('is() rejects look-alikes without the brand, and non-objects', () => {
    const unbranded = Object.assign(new Error('x'), { code: 'CANCELLED' });
    expect(CancelledError.is(unbranded)).toBe(false);
    expect(MCPAgentError.is(unbranded)).toBe(false);
    for (const value of [null, undefined, 'CANCELLED', 42, {}]) {
      expect(MCPAgentError.is(value)).toBe(false);
      expect(CancelledError.is(value)).toBe(false);
    }
  });

  it('keeps the brand off the enumerable keys, so it does not leak into serialised errors', () => {
    const error = new CancelledError();
    expect(Object.getOwnPropertySymbols(error).filter((symbol) => Object.getOwnPropertyDescriptor(error, symbol)?.enumerable)).toEqual([]);
  });

  it('keeps the cause and takes an explicit retryable', () => {
    const cause = new Error('root');
    const error = new MCPAgentError('CUSTOM', 'wrapped', { cause, retryable: true });
    expect(error.cause).toBe(cause);
    expect(error.retryable).toBe(true);
    expect(error.code).toBe('CUSTOM');
    expect('cause' in new MCPAgentError('CUSTOM', 'no cause')).toBe(false);
  });

  it('ConfigError keeps its issues', () => {
    expect(new ConfigError('bad', ['port: expected a number']).issues).toEqual(['port: expected a number']);
    expect(new ConfigError('bad').issues).toEqual([]);
  });

  it('TimeoutError is retryable only for a start_to_close timeout', () => {
    expect(new TimeoutError('start_to_close', 'attempt timed out').retryable).toBe(true);
    for (const kind of ['execution', 'run', 'schedule_to_close', 'signal'] as const) {
      expect(new TimeoutError(kind, 'x').retryable).toBe(false);
    }
    expect(new TimeoutError('run', 'x').timeoutType).toBe('run');
  });
});

describe('WorkflowApplicationError', () => {
  it('defaults to a retryable error of type WorkflowApplicationError with no details', () => {
    const error = new WorkflowApplicationError('failed');
    expect(error.type).toBe('WorkflowApplicationError');
    expect(error.nonRetryable).toBe(false);
    expect(error.retryable).toBe(true);
    expect(error.details).toEqual([]);
    expect(error.message).toBe('failed');
  });

  it('takes type, nonRetryable, details and cause', () => {
    const cause = new Error('root');
    const error = new WorkflowApplicationError('declined', { type: 'CardDeclined', nonRetryable: true, details: [{ code: 51 }], cause });
    expect(error.type).toBe('CardDeclined');
    expect(error.nonRetryable).toBe(true);
    expect(error.retryable).toBe(false);
    expect(error.details).toEqual([{ code: 51 }]);
    expect(error.cause).toBe(cause);
  });

  it('nonRetryable() makes a non-retryable error of the given type with details', () => {
    const error = WorkflowApplicationError.nonRetryable('amount must be positive', 'ValidationError', { amount: -1 }, 'extra');
    expect(WorkflowApplicationError.is(error)).toBe(true);
    expect(error.message).toBe('amount must be positive');
    expect(error.type).toBe('ValidationError');
    expect(error.nonRetryable).toBe(true);
    expect(error.retryable).toBe(false);
    expect(error.details).toEqual([{ amount: -1 }, 'extra']);
  });

  it('nonRetryable() without a type keeps the default type', () => {
    expect(WorkflowApplicationError.nonRetryable('x').type).toBe('WorkflowApplicationError');
  });
});

describe('errorTypeOf', () => {
  it('returns the type of a WorkflowApplicationError', () => {
    expect(errorTypeOf(new WorkflowApplicationError('x', { type: 'CardDeclined' }))).toBe('CardDeclined');
  });

  it("returns an error's name", () => {
    expect(errorTypeOf(new TypeError('x'))).toBe('TypeError');
    expect(errorTypeOf(new CancelledError())).toBe('CancelledError');
    class CustomError extends Error {
      override name = 'CustomError';
    }
    expect(errorTypeOf(new CustomError('x'))).toBe('CustomError');
  });

  it('reads the name of an error-like object, and the typeof of anything else', () => {
    expect(errorTypeOf({ name: 'RemoteError', message: 'x' })).toBe('RemoteError');
    expect(errorTypeOf('boom')).toBe('string');
    expect(errorTypeOf(42)).toBe('number');
    expect(errorTypeOf(undefined)).toBe('undefined');
    expect(errorTypeOf(null)).toBe('object');
  });
});

describe('messageOf', () => {
  it('returns the message of an error or of an object with a string message, else the value as text', () => {
    expect(messageOf(new Error('boom'))).toBe('boom');
    expect(messageOf({ message: 'remote boom' })).toBe('remote boom');
    expect(messageOf({ message: 42 })).toBe('[object Object]');
    expect(messageOf('plain')).toBe('plain');
    expect(messageOf(undefined)).toBe('undefined');
    expect(messageOf(null)).toBe('null');
  });
});

describe('error messages', () => {
  it('UnknownWorkflowError lists the registered names sorted, and says how to register', () => {
    const error = new UnknownWorkflowError('Missing', ['Zeta', 'Alpha', 'Mid']);
    expect(error.message).toBe('unknown workflow "Missing"; registered: Alpha, Mid, Zeta. Register it with @app.workflow on the app the executor was created from.');
    expect(error.workflowName).toBe('Missing');
    expect(error.registered).toEqual(['Zeta', 'Alpha', 'Mid']);
  });

  it('UnknownWorkflowError says (none) when nothing is registered', () => {
    expect(new UnknownWorkflowError('W', []).message).toContain('registered: (none).');
  });

  it('UnknownTaskError lists the registered names sorted', () => {
    expect(new UnknownTaskError('t', ['b.x', 'a.y']).message).toBe(
      'unknown task "t"; registered: a.y, b.x. Register it with app.workflowTask(fn) or @app.workflowTask on a workflow method.',
    );
    expect(new UnknownTaskError('t', []).message).toContain('registered: (none).');
  });

  it('UnknownHandlerError names the kind, the workflow and its handlers sorted', () => {
    expect(new UnknownHandlerError('signal', 'aprove', 'Approval', ['reject', 'approve']).message).toBe('workflow "Approval" has no signal "aprove"; its signals: approve, reject');
    expect(new UnknownHandlerError('query', 'status', 'Approval', []).message).toBe('workflow "Approval" has no query "status"; its queries: (none)');
    expect(new UnknownHandlerError('update', 'limit', 'W', ['setLimit']).message).toBe('workflow "W" has no update "limit"; its updates: setLimit');
  });

  it('the errors that wrap a cause repeat its message and keep it', () => {
    const cause = new Error('card declined');
    const task = new TaskFailedError('billing.charge', 1, cause);
    expect(task.message).toBe('task "billing.charge" failed after 1 attempt: card declined');
    expect(new TaskFailedError('t', 3, 'x').message).toBe('task "t" failed after 3 attempts: x');
    expect(task.cause).toBe(cause);
    expect([task.taskName, task.attempts]).toEqual(['billing.charge', 1]);
    expect(new UpdateRejectedError('setLimit', cause).message).toBe('update "setLimit" was rejected: card declined');
    expect(new ChildWorkflowFailedError('Child', 'c-1', cause).message).toBe('child workflow "Child" (c-1) failed: card declined');
    expect(new WorkflowFailedError('w-1', 'r-1', 'TIMED_OUT', cause).message).toBe('workflow w-1 (run r-1) timed out: card declined');
    expect(new WorkflowFailedError('w-1', 'r-1', 'CANCELLED', new CancelledError()).message).toBe('workflow w-1 (run r-1) cancelled: workflow cancelled');
  });
});
