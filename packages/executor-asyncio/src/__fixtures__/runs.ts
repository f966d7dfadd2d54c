/**
 * Executions and runs of a bare workflow class, for unit tests of the engine's parts without an
 * executor: a host whose only working parts are its clock and, when given, `runTask`.
 */
import type { WorkflowDefinition } from '@mcp-agent/core/engine';
import { VirtualClock } from '../clock.js';
import { Execution, WorkflowRun, type RunHost } from '../workflow-run.js';

function unused(): never {
  throw new Error('not part of this test');
}

/** A host for runs made by hand. */
export function testHost(clock: VirtualClock = new VirtualClock(0), runTask: RunHost['runTask'] = unused): RunHost {
  return {
    clock,
    reactionsPending: 0,
    runTask,
    startChildExecution: unused,
    cancelExecution: unused,
    terminateExecution: unused,
    signalExecution: unused,
    failRun: unused,
    continueRun: unused,
  };
}

/** A new execution of a workflow named `workflowName` (a class without methods), with no run yet. */
export function newExecution(workflowId: string, workflowName = 'TestWorkflow'): Execution {
  const definition: WorkflowDefinition = {
    name: workflowName,
    workflowClass: class {},
    runMethod: 'run',
    signals: new Map(),
    queries: new Map(),
    updates: new Map(),
    tasks: [],
  };
  return new Execution(workflowId, definition, {}, undefined);
}

/** The execution's next run: its first, or one continued from its current run. */
export function nextRun(host: RunHost, execution: Execution): WorkflowRun {
  const previous = execution.runs.at(-1);
  return previous === undefined ? new WorkflowRun(host, execution, execution.firstRunId, undefined) : new WorkflowRun(host, execution, `${previous.info.runId}+1`, previous.info.runId);
}
