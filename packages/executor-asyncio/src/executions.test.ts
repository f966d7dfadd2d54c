import { WorkflowAlreadyStartedError, WorkflowNotFoundError, WorkflowUsageError, type IdReusePolicy, type WorkflowStatus } from '@mcp-agent/core';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from './clock.js';
import { Executions, idReuseDecision, idReusePolicyOf, type IdReuseDecision } from './executions.js';
import { thrownBy } from './__fixtures__/failures.js';
import { newExecution, nextRun, testHost } from './__fixtures__/runs.js';
import type { Execution } from './workflow-run.js';

/** A store, and how the executor starts and closes executions in it. */
function store(retainClosed = 10, retainRuns = 10) {
  const clock = new VirtualClock(0);
  const host = testHost(clock);
  const executions = new Executions(retainClosed, retainRuns);
  return {
    clock,
    executions,
    start(workflowId: string, workflowName?: string): Execution {
      const execution = newExecution(workflowId, workflowName);
      executions.add(execution);
      executions.addRun(execution, nextRun(host, execution));
      return execution;
    },
    continueAsNew(execution: Execution): void {
      execution.current.close('CONTINUED_AS_NEW');
      executions.addRun(execution, nextRun(host, execution));
    },
    close(execution: Execution, status: WorkflowStatus = 'COMPLETED'): void {
      execution.closedStatus = status;
      execution.current.close(status);
      executions.closed(execution);
    },
  };
}

describe('idReusePolicyOf', () => {
  it('defaults to allow_duplicate and passes every policy through', () => {
    expect(idReusePolicyOf(undefined)).toBe('allow_duplicate');
    for (const policy of ['allow_duplicate', 'allow_duplicate_failed_only', 'reject_duplicate', 'terminate_if_running'] as const) {
      expect(idReusePolicyOf(policy)).toBe(policy);
    }
  });

  it('refuses anything else, listing the policies', () => {
    const error = thrownBy(() => idReusePolicyOf('sometimes' as IdReusePolicy));
    expect(WorkflowUsageError.is(error)).toBe(true);
    expect((error as Error).message).toBe('idReusePolicy: expected one of allow_duplicate, allow_duplicate_failed_only, reject_duplicate, terminate_if_running, got "sometimes"');
  });
});

describe('idReuseDecision', () => {
  const latest: Array<WorkflowStatus | undefined> = [undefined, 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'TERMINATED', 'TIMED_OUT'];
  const expected: Record<IdReusePolicy, IdReuseDecision[]> = {
    allow_duplicate: ['start', 'refuse_running', 'start', 'start', 'start', 'start', 'start'],
    allow_duplicate_failed_only: ['start', 'refuse_running', 'refuse_not_failed', 'start', 'start', 'start', 'start'],
    reject_duplicate: ['start', 'refuse_running', 'refuse_reused', 'refuse_reused', 'refuse_reused', 'refuse_reused', 'refuse_reused'],
    terminate_if_running: ['start', 'terminate_running', 'start', 'start', 'start', 'start', 'start'],
  };

  for (const [policy, decisions] of Object.entries(expected) as Array<[IdReusePolicy, IdReuseDecision[]]>) {
    it(`decides ${policy} by the latest execution's status`, () => {
      expect(latest.map((status) => idReuseDecision(policy, status))).toEqual(decisions);
    });
  }
});

describe('Executions.admit', () => {
  it('admits a new id under every policy', () => {
    const { executions } = store();
    expect(executions.admit('fresh', 'TestWorkflow', 'reject_duplicate')).toBeUndefined();
  });

  it('refuses an id that is running, naming its workflow and run, unless the policy replaces it', () => {
    const { executions, start } = store();
    const running = start('busy', 'Busy');
    const error = thrownBy(() => executions.admit('busy', 'Other', 'allow_duplicate'));
    expect(WorkflowAlreadyStartedError.is(error)).toBe(true);
    expect(error).toMatchObject({ workflowId: 'busy', workflowName: 'Other' });
    expect((error as Error).message).toContain(`workflow id "busy" is already running (Busy, run ${running.firstRunId})`);
    expect(executions.admit('busy', 'Other', 'terminate_if_running')).toBe(running);
  });

  it('applies reject_duplicate and allow_duplicate_failed_only to the latest closed execution', () => {
    const { executions, start, close } = store();
    close(start('done'), 'COMPLETED');
    expect((thrownBy(() => executions.admit('done', 'TestWorkflow', 'reject_duplicate')) as Error).message).toContain(
      'was used before (last run COMPLETED) and the id reuse policy is reject_duplicate',
    );
    expect((thrownBy(() => executions.admit('done', 'TestWorkflow', 'allow_duplicate_failed_only')) as Error).message).toContain(
      'last ran to COMPLETED and the id reuse policy is allow_duplicate_failed_only',
    );
    close(start('done'), 'FAILED');
    expect(executions.admit('done', 'TestWorkflow', 'allow_duplicate_failed_only')).toBeUndefined();
  });

  it('admits an id once its executions are forgotten', () => {
    const { executions, start, close } = store(1);
    close(start('old'));
    close(start('newer'));
    expect(executions.admit('old', 'TestWorkflow', 'reject_duplicate')).toBeUndefined();
  });
});

describe('Executions retention', () => {
  it('forgets the oldest closed executions beyond the limit, never a running one', () => {
    const { executions, start, close } = store(2);
    const running = start('running');
    const [first, second, third] = ['a', 'b', 'c'].map((id) => start(id)) as [Execution, Execution, Execution];
    close(first);
    close(second);
    expect(executions.has(first)).toBe(true);
    close(third);
    expect(executions.has(first)).toBe(false);
    expect(WorkflowNotFoundError.is(thrownBy(() => executions.latest('a')))).toBe(true);
    expect([executions.has(second), executions.has(third), executions.has(running)]).toEqual([true, true, true]);
  });

  it('keeps the other executions of an id when one of them is forgotten', () => {
    const { executions, start, close } = store(1);
    const older = start('shared');
    close(older);
    const newer = start('shared');
    close(newer);
    expect(executions.has(older)).toBe(false);
    expect(executions.latest('shared')).toBe(newer);
  });

  it('keeps the newest runs of a continueAsNew chain, the current one included', () => {
    const { start, continueAsNew } = store(10, 2);
    const execution = start('chain');
    for (let index = 0; index < 4; index += 1) continueAsNew(execution);
    expect(execution.runs.map((run) => run.status)).toEqual(['CONTINUED_AS_NEW', 'RUNNING']);
    expect(execution.runs[0]?.info.runId).toBe(execution.current.info.continuedFromRunId);
  });
});

describe('Executions lookups', () => {
  it('finds the current run of the latest execution, or a run by id in any kept execution', () => {
    const { executions, start, close, continueAsNew } = store();
    const older = start('wf');
    continueAsNew(older);
    close(older);
    const newer = start('wf');
    expect(executions.findRun('wf', undefined)).toBe(newer.current);
    expect(executions.findRun('wf', older.firstRunId)).toBe(older.runs[0]);
    expect(executions.latest('wf')).toBe(newer);
    expect(executions.describe('wf', older.current.info.runId)).toMatchObject({ workflowId: 'wf', status: 'COMPLETED' });
  });

  it('says what is missing: the id, the run, or the workflow name', () => {
    const { executions, start } = store();
    start('wf', 'Greeter');
    const messages = [
      () => executions.findRun('nope', undefined),
      () => executions.findRun('wf', 'no-such-run'),
      () => executions.findRun('wf', undefined, 'Mailer'),
      () => executions.latest('nope'),
    ].map((lookup) => {
      const error = thrownBy(lookup);
      expect(WorkflowNotFoundError.is(error)).toBe(true);
      return (error as Error).message;
    });
    expect(messages).toEqual(['no workflow with id "nope"', 'workflow "wf" has no run "no-such-run"', 'workflow "wf" is a Greeter, not a Mailer', 'no workflow with id "nope"']);
  });

  it('lists kept runs newest first, filtered by name and status, up to the limit', async () => {
    const { clock, executions, start, close } = store();
    close(start('first', 'Greeter'));
    await clock.advance(1_000);
    start('second', 'Mailer');
    await clock.advance(1_000);
    start('third', 'Greeter');
    expect(executions.list({}).map((run) => run.workflowId)).toEqual(['third', 'second', 'first']);
    expect(executions.list({ workflowName: 'Greeter' }).map((run) => run.workflowId)).toEqual(['third', 'first']);
    expect(executions.list({ status: 'RUNNING' }).map((run) => run.workflowId)).toEqual(['third', 'second']);
    expect(executions.list({ limit: 1 }).map((run) => run.workflowId)).toEqual(['third']);
  });

  it('yields the running executions, letting the caller close each on the way', () => {
    const { executions, start, close } = store(1);
    start('a');
    start('b');
    close(start('c'));
    const seen: string[] = [];
    for (const execution of executions.running()) {
      seen.push(execution.workflowId);
      close(execution, 'TERMINATED');
    }
    expect(seen).toEqual(['a', 'b']);
    expect([...executions.running()]).toEqual([]);
  });
});
